//! Twilio identifiers (`CA...`, `RE...`, `AC...`), parsed once at the boundary.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::InputError;

/// Number of hexadecimal digits after the two-letter prefix of every Twilio SID.
const SID_HEX_DIGITS: usize = 32;

fn check_sid(value: &str, prefix: &str, field: &'static str) -> Result<(), InputError> {
    if value.is_empty() {
        return Err(InputError::Missing { field });
    }
    let Some(hex) = value.strip_prefix(prefix) else {
        return Err(InputError::invalid(
            field,
            format!("must start with {prefix}"),
        ));
    };
    // Twilio's OpenAPI patterns are `^CA[0-9a-fA-F]{32}$`: accept both cases, keep as sent.
    if hex.len() != SID_HEX_DIGITS || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(InputError::invalid(
            field,
            format!("must be {prefix} followed by {SID_HEX_DIGITS} hexadecimal digits"),
        ));
    }
    Ok(())
}

macro_rules! twilio_sid {
    ($(#[$doc:meta])* $name:ident, $prefix:literal, $field:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(String);

        impl $name {
            #[doc = concat!("Parses a `", $prefix, "` SID (`", $prefix, "` followed by 32 hexadecimal digits).")]
            pub fn parse(value: &str) -> Result<Self, InputError> {
                check_sid(value, $prefix, $field)?;
                Ok(Self(value.to_owned()))
            }

            /// The SID as Twilio sent it.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({})", stringify!($name), self.0)
            }
        }

        impl FromStr for $name {
            type Err = InputError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(deserializer)?;
                Self::parse(&raw).map_err(serde::de::Error::custom)
            }
        }
    };
}

twilio_sid!(
    /// A call leg's SID (`CallSid`, `ParentCallSid`): `CA` followed by 32 hexadecimal digits.
    CallSid,
    "CA",
    "CallSid"
);
twilio_sid!(
    /// A recording's SID (`RecordingSid`): `RE` followed by 32 hexadecimal digits.
    RecordingSid,
    "RE",
    "RecordingSid"
);
twilio_sid!(
    /// An account's SID (`AccountSid`): `AC` followed by 32 hexadecimal digits.
    AccountSid,
    "AC",
    "AccountSid"
);

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = "CA0123456789abcdef0123456789ABCDEF";

    #[test]
    fn accepts_prefix_and_32_hex_digits() {
        assert_eq!(CallSid::parse(GOOD).unwrap().as_str(), GOOD);
        assert!(RecordingSid::parse("RE0123456789abcdef0123456789abcdef").is_ok());
        assert!(AccountSid::parse("AC0123456789abcdef0123456789abcdef").is_ok());
    }

    #[test]
    fn rejects_wrong_prefix_length_or_digits() {
        for bad in [
            "",
            "CA",
            "CA0123",
            "RE0123456789abcdef0123456789abcdef",
            "CA0123456789abcdef0123456789abcdeg",
            "CA0123456789abcdef0123456789abcdef0",
            "ca0123456789abcdef0123456789abcdef",
            " CA0123456789abcdef0123456789abcde",
        ] {
            let err = CallSid::parse(bad).unwrap_err();
            assert_eq!(err.field(), "CallSid", "{bad:?}");
        }
        assert!(matches!(
            CallSid::parse(""),
            Err(InputError::Missing { .. })
        ));
    }

    #[test]
    fn serde_round_trip_validates() {
        let sid = CallSid::parse(GOOD).unwrap();
        let json = serde_json::to_string(&sid).unwrap();
        assert_eq!(json, format!("\"{GOOD}\""));
        assert_eq!(serde_json::from_str::<CallSid>(&json).unwrap(), sid);
        assert!(serde_json::from_str::<CallSid>("\"CAxyz\"").is_err());
    }
}
