//! Twilio region codes (`twr` header).

use std::fmt;
use std::str::FromStr;

/// A Twilio region code such as `ie1`, `au1`, `us1`, `de1`, `jp1`, `sg1`, `br1`, `in1`.
///
/// It goes in the token **header** as `twr`, which routes the client to that region's
/// infrastructure. The code is checked for shape only (1 to 32 characters of lowercase letters,
/// digits and `-`), so regions Twilio adds later keep working.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Region(String);

const MAX_REGION_LEN: usize = 32;

impl Region {
    /// Accepts a region code of the documented shape.
    pub fn new(code: impl Into<String>) -> Result<Self, RegionError> {
        let code = code.into();
        let well_formed = !code.is_empty()
            && code.len() <= MAX_REGION_LEN
            && code
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if well_formed {
            Ok(Self(code))
        } else {
            Err(RegionError { len: code.len() })
        }
    }

    /// The region code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Region {
    type Err = RegionError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A region code that is empty, too long, or not made of lowercase letters, digits and `-`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid Twilio region code ({len} bytes): expected 1 to 32 lowercase letters, digits or '-', \
     such as ie1 or us1"
)]
pub struct RegionError {
    len: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shape() {
        for ok in ["ie1", "us1", "au1", "stage-us1"] {
            assert_eq!(Region::new(ok).unwrap().as_str(), ok);
        }
        for bad in ["", "IE1", "ie 1", "ie1\n", "ié1", &"a".repeat(33)] {
            assert!(Region::new(bad).is_err(), "{bad:?}");
        }
    }
}
