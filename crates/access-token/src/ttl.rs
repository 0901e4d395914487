//! Token lifetime, bounded by Twilio's 24-hour maximum.

use std::time::Duration;

/// How long a token stays valid after it is issued: 1 second to 24 hours.
///
/// Twilio refuses tokens that live longer than 24 hours (errors 20104 and 31207), so a longer
/// lifetime is an error here rather than at the first call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ttl(u32);

impl Ttl {
    /// One hour, the default of Twilio's helper libraries.
    pub const DEFAULT: Ttl = Ttl(3600);
    /// 24 hours, the longest lifetime Twilio accepts.
    pub const MAX: Ttl = Ttl(86_400);

    /// A lifetime of `secs` seconds, which must be between 1 and 86 400.
    pub const fn from_secs(secs: u64) -> Result<Self, TtlError> {
        if secs == 0 {
            Err(TtlError::Zero)
        } else if secs > Self::MAX.0 as u64 {
            Err(TtlError::TooLong { secs })
        } else {
            // The bound above makes the cast lossless.
            Ok(Ttl(secs as u32))
        }
    }

    /// The lifetime in seconds.
    pub const fn as_secs(self) -> u64 {
        self.0 as u64
    }
}

impl Default for Ttl {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl TryFrom<Duration> for Ttl {
    type Error = TtlError;
    /// Whole seconds of `duration`; a sub-second remainder is dropped.
    fn try_from(duration: Duration) -> Result<Self, Self::Error> {
        Self::from_secs(duration.as_secs())
    }
}

impl From<Ttl> for Duration {
    fn from(ttl: Ttl) -> Self {
        Duration::from_secs(ttl.as_secs())
    }
}

/// Why a lifetime was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TtlError {
    /// Zero seconds: the token would be expired when issued.
    #[error("a token lifetime of 0 seconds would be expired when issued")]
    Zero,
    /// More than 24 hours.
    #[error(
        "a token lifetime of {secs} s exceeds Twilio's maximum of 86400 s (24 h); \
         Twilio would answer 20104/31207"
    )]
    TooLong {
        /// The refused lifetime in seconds.
        secs: u64,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds() {
        assert_eq!(Ttl::default().as_secs(), 3600);
        assert_eq!(Ttl::from_secs(1).unwrap().as_secs(), 1);
        assert_eq!(Ttl::from_secs(86_400), Ok(Ttl::MAX));
        assert_eq!(
            Ttl::from_secs(86_401),
            Err(TtlError::TooLong { secs: 86_401 })
        );
        assert_eq!(
            Ttl::from_secs(u64::MAX),
            Err(TtlError::TooLong { secs: u64::MAX })
        );
        assert_eq!(Ttl::from_secs(0), Err(TtlError::Zero));
        assert_eq!(
            Ttl::try_from(Duration::from_millis(1500))
                .unwrap()
                .as_secs(),
            1
        );
        assert_eq!(
            Ttl::try_from(Duration::from_millis(999)),
            Err(TtlError::Zero)
        );
    }
}
