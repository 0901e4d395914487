//! The parties Twilio names in `From` and `To`: phone numbers, browser clients, SIP addresses
//! and withheld caller IDs.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::InputError;

/// E.164 allows at most 15 digits after the `+`.
const E164_MAX_DIGITS: usize = 15;
/// Shortest number accepted. Twilio's documented placeholders for blocked callers
/// (`+2562533` BLOCKED, `+8656696` UNAVAIL) have 7 digits, and so do numbers of a few small
/// countries: a stricter minimum would drop real calls.
const E164_MIN_DIGITS: usize = 7;
/// Twilio's limit for a Voice client identity.
const CLIENT_IDENTITY_MAX: usize = 256;
/// Generous bound for SIP URIs (RFC 3261 sets none; Twilio's examples are far shorter).
const SIP_URI_MAX: usize = 512;
/// Bound for the free text Twilio sends when a caller ID is withheld ("anonymous", ...).
const OTHER_PARTY_MAX: usize = 64;

/// A phone number in E.164 form: `+` then 7 to 15 digits, the first not `0`.
///
/// `Display` gives the full number (for storage and the API); `Debug` masks it so that a
/// stray `{:?}` in a log line never prints a customer's number.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Parses an E.164 number.
    pub fn parse(value: &str) -> Result<Self, InputError> {
        const FIELD: &str = "PhoneNumber";
        let digits = value
            .strip_prefix('+')
            .ok_or_else(|| InputError::invalid(FIELD, "an E.164 number starts with +"))?;
        if !(E164_MIN_DIGITS..=E164_MAX_DIGITS).contains(&digits.len())
            || !digits.bytes().all(|b| b.is_ascii_digit())
            || digits.starts_with('0')
        {
            return Err(InputError::invalid(
                FIELD,
                format!(
                    "an E.164 number is + and {E164_MIN_DIGITS} to {E164_MAX_DIGITS} digits, not starting with 0"
                ),
            ));
        }
        Ok(Self(value.to_owned()))
    }

    /// The number as `+` and digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number with all but its first two and last two digits hidden, for logs.
    pub fn masked(&self) -> String {
        mask_digits(&self.0)
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PhoneNumber({})", self.masked())
    }
}

/// Hides every digit except the first two and the last two.
fn mask_digits(text: &str) -> String {
    let total = text.bytes().filter(u8::is_ascii_digit).count();
    let mut seen = 0;
    text.chars()
        .map(|c| {
            if c.is_ascii_digit() {
                seen += 1;
                if seen <= 2 || seen > total.saturating_sub(2) {
                    c
                } else {
                    '*'
                }
            } else {
                c
            }
        })
        .collect()
}

/// The identity of a browser client, as in `client:<identity>`.
///
/// Ramal mints identities of letters, digits and `_` (Twilio's rule for tokens), but Twilio
/// may report clients of other applications in the same account, so any printable ASCII
/// without spaces is accepted, up to 256 characters.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ClientIdentity(String);

impl ClientIdentity {
    /// Parses an identity (without the `client:` prefix).
    pub fn parse(value: &str) -> Result<Self, InputError> {
        const FIELD: &str = "identity";
        if value.is_empty() {
            return Err(InputError::Missing { field: FIELD });
        }
        if value.len() > CLIENT_IDENTITY_MAX {
            return Err(InputError::invalid(
                FIELD,
                format!("longer than {CLIENT_IDENTITY_MAX} characters"),
            ));
        }
        if !value.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(InputError::invalid(
                FIELD,
                "only printable ASCII without spaces is allowed",
            ));
        }
        Ok(Self(value.to_owned()))
    }

    /// The identity.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ClientIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for ClientIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ClientIdentity({})", self.0)
    }
}

impl Serialize for ClientIdentity {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for ClientIdentity {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

/// One end of a call leg, as Twilio reports it in `From` or `To`.
///
/// The wire form (`Display`, serde) is exactly what Twilio sends, except that an
/// [`Party::Other`] value is kept verbatim.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Party {
    /// A phone number (E.164).
    Phone(PhoneNumber),
    /// A browser client, `client:<identity>`.
    Client(ClientIdentity),
    /// A SIP address, `sip:...` or `sips:...`, kept verbatim.
    Sip(String),
    /// Anything else: Twilio sends `anonymous`, `unknown` "or other descriptions" when a
    /// caller ID is withheld or unavailable. Kept verbatim (possibly empty).
    Other(String),
}

impl Party {
    /// Parses a `From`/`To` value. `field` names the form field in errors.
    ///
    /// Refused: control characters and U+FFFE/U+FFFF, over-long values, a `+` that does not
    /// start a valid E.164 number, an empty or malformed `client:` identity, a SIP URI with
    /// spaces.
    pub fn parse_field(value: &str, field: &'static str) -> Result<Self, InputError> {
        // U+FFFE and U+FFFF too: XML cannot carry them, and parties are echoed into TwiML.
        if value
            .chars()
            .any(|c| c.is_control() || matches!(c, '\u{FFFE}' | '\u{FFFF}'))
        {
            return Err(InputError::invalid(
                field,
                "contains control characters or U+FFFE/U+FFFF",
            ));
        }
        if let Some(identity) = value.strip_prefix("client:") {
            return ClientIdentity::parse(identity)
                .map(Party::Client)
                .map_err(|e| e.for_field(field));
        }
        // Compared as bytes: a non-ASCII character right after `sip:` must not hide the scheme.
        let has_scheme = |scheme: &str| {
            value
                .as_bytes()
                .get(..scheme.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(scheme.as_bytes()))
        };
        if has_scheme("sip:") || has_scheme("sips:") {
            if value.len() > SIP_URI_MAX || value.chars().any(char::is_whitespace) {
                return Err(InputError::invalid(
                    field,
                    format!("a SIP URI has no spaces and at most {SIP_URI_MAX} characters"),
                ));
            }
            return Ok(Party::Sip(value.to_owned()));
        }
        if value.starts_with('+') {
            return PhoneNumber::parse(value)
                .map(Party::Phone)
                .map_err(|e| e.for_field(field));
        }
        if value.chars().count() > OTHER_PARTY_MAX {
            return Err(InputError::invalid(
                field,
                "not a phone number, client or SIP address, and too long for a caller-ID label",
            ));
        }
        Ok(Party::Other(value.to_owned()))
    }

    /// Parses a `From`/`To` value, reporting errors under the field name `Party`.
    pub fn parse(value: &str) -> Result<Self, InputError> {
        Self::parse_field(value, "Party")
    }

    /// The client identity, when this party is a browser client.
    pub fn client_identity(&self) -> Option<&ClientIdentity> {
        match self {
            Party::Client(identity) => Some(identity),
            _ => None,
        }
    }

    /// Whether this party is a browser client.
    pub fn is_client(&self) -> bool {
        matches!(self, Party::Client(_))
    }

    /// The wire form with digits masked (see [`PhoneNumber::masked`]), for logs.
    pub fn masked(&self) -> String {
        match self {
            Party::Client(identity) => format!("client:{identity}"),
            other => mask_digits(&other.to_string()),
        }
    }
}

impl fmt::Display for Party {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Party::Phone(number) => f.write_str(number.as_str()),
            Party::Client(identity) => write!(f, "client:{identity}"),
            Party::Sip(uri) => f.write_str(uri),
            Party::Other(text) => f.write_str(text),
        }
    }
}

impl fmt::Debug for Party {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Party({})", self.masked())
    }
}

impl FromStr for Party {
    type Err = InputError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for Party {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Party {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form_twilio_sends() {
        assert!(matches!(
            Party::parse("+5511987654321"),
            Ok(Party::Phone(_))
        ));
        assert!(matches!(Party::parse("+2562533"), Ok(Party::Phone(_))));
        assert_eq!(
            Party::parse("client:user_1_Alefe")
                .unwrap()
                .client_identity()
                .unwrap()
                .as_str(),
            "user_1_Alefe"
        );
        assert!(matches!(
            Party::parse("sip:alice@example.com"),
            Ok(Party::Sip(_))
        ));
        assert!(matches!(
            Party::parse("SIP:alice@example.com"),
            Ok(Party::Sip(_))
        ));
        assert_eq!(
            Party::parse("anonymous").unwrap(),
            Party::Other("anonymous".into())
        );
        assert_eq!(Party::parse("").unwrap(), Party::Other(String::new()));
        for wire in [
            "+5511987654321",
            "client:bob",
            "sip:a@b.c",
            "unknown",
            "Restricted",
        ] {
            assert_eq!(Party::parse(wire).unwrap().to_string(), wire);
        }
    }

    #[test]
    fn refuses_malformed_values() {
        for bad in [
            "+55 11 98765",
            "+0123456789",
            "+123456",
            "+1234567890123456",
            "client:",
            "client:has space",
            "sip:has space@x",
            "line\nbreak",
            &"x".repeat(65),
        ] {
            let err = Party::parse_field(bad, "From").unwrap_err();
            assert_eq!(err.field(), "From", "{bad:?}");
        }
    }

    #[test]
    fn debug_masks_phone_numbers() {
        let party = Party::parse("+5511987654321").unwrap();
        let shown = format!("{party:?}");
        assert!(!shown.contains("987654"), "{shown}");
        assert_eq!(party.masked(), "+55*********21");
        assert_eq!(
            format!("{:?}", Party::parse("client:ana").unwrap()),
            "Party(client:ana)"
        );
    }
}
