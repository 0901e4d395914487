//! Typed Twilio SIDs: `Sid<K>` plus one marker type per kind.
//!
//! A Twilio SID is a two-letter uppercase prefix naming the kind of resource followed by 32
//! lowercase hexadecimal digits (`AC` + 32 hex = an Account SID). This module parses exactly what
//! Twilio issues, so a value copied into the wrong setting is caught at start-up with an error
//! that names both what was expected and what was found, instead of Twilio answering 20101 or
//! 31204 at the first call.
//!
//! The machinery is generic: any crate can add a kind by implementing [`SidKind`] on an
//! uninhabited marker type.
//!
//! ```
//! use access_token::sid::{Sid, SidKind};
//!
//! /// Marker for Call SIDs (`CA...`).
//! #[derive(Debug)]
//! pub enum Call {}
//! impl SidKind for Call {
//!     const PREFIX: &'static str = "CA";
//!     const NAME: &'static str = "Call SID";
//! }
//! pub type CallSid = Sid<Call>;
//!
//! let sid: CallSid = "CA0123456789abcdef0123456789abcdef".parse()?;
//! assert_eq!(sid.as_str(), "CA0123456789abcdef0123456789abcdef");
//! # Ok::<(), access_token::sid::SidError>(())
//! ```
//!
//! Uppercase hexadecimal digits are rejected on purpose: Twilio never issues them, so an uppercase
//! body means the value was retyped or transformed somewhere, and Twilio matches SIDs exactly.

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::str::FromStr;

/// Length of every SID: two prefix letters and 32 hexadecimal digits.
pub const SID_LEN: usize = 34;

/// A kind of Twilio SID, identified by its two-letter prefix.
///
/// Implement it on an uninhabited marker type (`enum Call {}`) and use [`Sid<Marker>`](Sid).
pub trait SidKind: 'static {
    /// The two uppercase ASCII letters every SID of this kind starts with (e.g. `"AC"`).
    const PREFIX: &'static str;
    /// Human name used in error messages (e.g. `"Account SID"`).
    const NAME: &'static str;
}

/// A parsed Twilio SID of kind `K`: always `K::PREFIX` followed by 32 lowercase hex digits.
///
/// It is `Copy` (34 bytes inline) and compares, hashes and orders by its text.
pub struct Sid<K: SidKind> {
    bytes: [u8; SID_LEN],
    // fn() -> K keeps Sid Send + Sync + Copy whatever the marker type is.
    kind: PhantomData<fn() -> K>,
}

impl<K: SidKind> Sid<K> {
    /// Parses `value`, which must be exactly `K::PREFIX` followed by 32 lowercase hex digits.
    ///
    /// Leading or trailing whitespace is an error rather than silently trimmed: it usually means
    /// the configuration file has a stray quote or space that will bite elsewhere too.
    pub fn parse(value: &str) -> Result<Self, SidError> {
        match check::<K>(value) {
            Ok(()) => {
                let mut bytes = [0_u8; SID_LEN];
                bytes.copy_from_slice(value.as_bytes());
                Ok(Self {
                    bytes,
                    kind: PhantomData,
                })
            }
            Err(reason) => Err(SidError {
                expected: K::NAME,
                expected_prefix: K::PREFIX,
                reason,
            }),
        }
    }

    /// The SID as text, e.g. `"AC0123456789abcdef0123456789abcdef"`.
    pub fn as_str(&self) -> &str {
        // Only ASCII bytes that passed `check` are ever stored, so this cannot fail.
        std::str::from_utf8(&self.bytes).expect("a parsed SID is ASCII")
    }

    /// The two-letter prefix of this kind (`K::PREFIX`).
    pub fn prefix(&self) -> &'static str {
        K::PREFIX
    }

    /// The human name of this kind (`K::NAME`).
    pub fn kind_name(&self) -> &'static str {
        K::NAME
    }
}

fn check<K: SidKind>(value: &str) -> Result<(), SidErrorReason> {
    if value.is_empty() {
        return Err(SidErrorReason::Empty);
    }
    if value.trim() != value {
        return Err(SidErrorReason::SurroundingWhitespace);
    }
    let bytes = value.as_bytes();
    let expected = K::PREFIX.as_bytes();
    if bytes.len() < 2 || &bytes[..2] != expected {
        return Err(wrong_prefix(value, expected));
    }
    if bytes.len() != SID_LEN {
        return Err(SidErrorReason::WrongLength { found: bytes.len() });
    }
    let body = &bytes[2..];
    if let Some(position) = body.iter().position(|b| !b.is_ascii_hexdigit()) {
        return Err(SidErrorReason::NotHex {
            position: position + 2,
        });
    }
    if body.iter().any(u8::is_ascii_uppercase) {
        return Err(SidErrorReason::UppercaseHex);
    }
    Ok(())
}

/// Explains a prefix mismatch as precisely as the value allows, without echoing the value (it
/// might be a secret pasted into the wrong variable).
fn wrong_prefix(value: &str, expected: &[u8]) -> SidErrorReason {
    let bytes = value.as_bytes();
    if bytes.len() >= 2 {
        let found = [bytes[0], bytes[1]];
        if found.eq_ignore_ascii_case(expected) {
            return SidErrorReason::LowercasePrefix;
        }
        if let Some(name) = known_kind(&found) {
            return SidErrorReason::WrongKind {
                found_prefix: found,
                found_name: name,
            };
        }
    }
    // API key secrets and Auth Tokens are 32 alphanumerics with no prefix: the classic swap.
    if bytes.len() == 32 && bytes.iter().all(u8::is_ascii_alphanumeric) {
        return SidErrorReason::LooksLikeSecret;
    }
    SidErrorReason::MissingPrefix
}

/// Prefixes Twilio uses for the resources people most often paste into the wrong setting.
const KNOWN_KINDS: &[(&[u8; 2], &str)] = &[
    (b"AC", "Account SID"),
    (b"SK", "API Key SID"),
    (b"AP", "TwiML Application SID"),
    (b"CR", "Credential SID"),
    (b"IS", "Service SID (Chat/Conversations/Sync)"),
    (b"RL", "Role SID"),
    (b"WS", "TaskRouter Workspace SID"),
    (b"WK", "TaskRouter Worker SID"),
    (b"CA", "Call SID"),
    (b"RE", "Recording SID"),
    (b"CF", "Conference SID"),
    (b"PN", "Phone Number SID"),
    (b"MG", "Messaging Service SID"),
    (b"SM", "Message SID"),
    (b"RM", "Room SID"),
    (b"QU", "Queue SID"),
    (b"VA", "Verify Service SID"),
];

/// The human name of a known Twilio SID prefix (`b"AC"` -> `"Account SID"`), if known.
pub fn known_kind(prefix: &[u8; 2]) -> Option<&'static str> {
    KNOWN_KINDS
        .iter()
        .find(|(p, _)| *p == prefix)
        .map(|(_, name)| *name)
}

/// "an Account SID", "a Call SID": every known name starts with its kind's first word.
fn article(name: &str) -> &'static str {
    match name.as_bytes().first() {
        Some(b'A' | b'E' | b'I' | b'O' | b'U') => "an",
        _ => "a",
    }
}

/// Why a string is not a SID of the expected kind.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {expected} (expected {expected_prefix} + 32 hex digits): {reason}")]
pub struct SidError {
    expected: &'static str,
    expected_prefix: &'static str,
    reason: SidErrorReason,
}

impl SidError {
    /// Human name of the kind that was expected (e.g. `"API Key SID"`).
    pub fn expected(&self) -> &'static str {
        self.expected
    }

    /// Prefix of the kind that was expected (e.g. `"SK"`).
    pub fn expected_prefix(&self) -> &'static str {
        self.expected_prefix
    }

    /// What exactly is wrong.
    pub fn reason(&self) -> &SidErrorReason {
        &self.reason
    }
}

/// The precise defect found in a SID. The messages never repeat the value itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SidErrorReason {
    /// The value is empty: the setting is probably missing.
    #[error("the value is empty (is the setting missing?)")]
    Empty,
    /// The value has leading or trailing whitespace.
    #[error("the value has leading or trailing whitespace or a newline")]
    SurroundingWhitespace,
    /// The value is a SID of another known kind.
    #[error(
        "this is {} {found_name} (starts with {}); check which setting it was copied into",
        article(found_name),
        String::from_utf8_lossy(found_prefix)
    )]
    WrongKind {
        /// The two letters the value starts with.
        found_prefix: [u8; 2],
        /// The human name of that prefix.
        found_name: &'static str,
    },
    /// The prefix letters are right but not uppercase.
    #[error("the two prefix letters must be uppercase, as Twilio issues them")]
    LowercasePrefix,
    /// 32 alphanumerics and no prefix: probably a secret or Auth Token in a SID setting.
    #[error(
        "this looks like an API key secret or Auth Token (32 characters, no prefix): \
         were the SID and the secret swapped?"
    )]
    LooksLikeSecret,
    /// The value does not start with the expected prefix and no better explanation was found.
    #[error("it does not start with the expected two-letter prefix")]
    MissingPrefix,
    /// The prefix is right but the length is not 34.
    #[error(
        "it has {found} characters; a SID has 34 (2 letters + 32 hex digits): truncated or padded?"
    )]
    WrongLength {
        /// Number of bytes found.
        found: usize,
    },
    /// A character after the prefix is not a hexadecimal digit.
    #[error("character {position} is not a hexadecimal digit")]
    NotHex {
        /// Zero-based byte position of the first offending character.
        position: usize,
    },
    /// The hexadecimal digits contain uppercase letters, which Twilio never issues.
    #[error("Twilio issues SIDs with lowercase hexadecimal digits; this one has uppercase ones")]
    UppercaseHex,
}

impl<K: SidKind> FromStr for Sid<K> {
    type Err = SidError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl<K: SidKind> TryFrom<&str> for Sid<K> {
    type Error = SidError;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Self::parse(s)
    }
}

impl<K: SidKind> TryFrom<String> for Sid<K> {
    type Error = SidError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl<K: SidKind> AsRef<str> for Sid<K> {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl<K: SidKind> fmt::Display for Sid<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<K: SidKind> fmt::Debug for Sid<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Sid").field(&self.as_str()).finish()
    }
}

// Manual impls: derives would wrongly require the marker type itself to implement the traits.
impl<K: SidKind> Clone for Sid<K> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<K: SidKind> Copy for Sid<K> {}
impl<K: SidKind> PartialEq for Sid<K> {
    fn eq(&self, other: &Self) -> bool {
        self.bytes == other.bytes
    }
}
impl<K: SidKind> Eq for Sid<K> {}
impl<K: SidKind> PartialOrd for Sid<K> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<K: SidKind> Ord for Sid<K> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.bytes.cmp(&other.bytes)
    }
}
impl<K: SidKind> Hash for Sid<K> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl<K: SidKind> serde::Serialize for Sid<K> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de, K: SidKind> serde::Deserialize<'de> for Sid<K> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

macro_rules! sid_kinds {
    ($($(#[$doc:meta])* $marker:ident, $alias:ident, $prefix:literal, $name:literal;)*) => {$(
        $(#[$doc])*
        #[derive(Debug)]
        pub enum $marker {}
        impl SidKind for $marker {
            const PREFIX: &'static str = $prefix;
            const NAME: &'static str = $name;
        }
        #[doc = concat!("A ", $name, " (`", $prefix, "` + 32 lowercase hex digits).")]
        pub type $alias = Sid<$marker>;
    )*};
}

sid_kinds! {
    /// Marker for Account SIDs (`AC`): the token's `sub`.
    Account, AccountSid, "AC", "Account SID";
    /// Marker for API Key SIDs (`SK`): the token's `iss`, whose secret signs the token.
    ApiKey, ApiKeySid, "SK", "API Key SID";
    /// Marker for TwiML Application SIDs (`AP`): the Voice grant's outgoing application.
    Application, ApplicationSid, "AP", "TwiML Application SID";
    /// Marker for Credential SIDs (`CR`): push credentials of Voice and Chat grants.
    Credential, CredentialSid, "CR", "Credential SID";
    /// Marker for Service SIDs (`IS`): Chat/Conversations and Sync services.
    Service, ServiceSid, "IS", "Service SID";
    /// Marker for Role SIDs (`RL`): the Chat grant's deployment role.
    Role, RoleSid, "RL", "Role SID";
    /// Marker for TaskRouter Workspace SIDs (`WS`).
    Workspace, WorkspaceSid, "WS", "TaskRouter Workspace SID";
    /// Marker for TaskRouter Worker SIDs (`WK`).
    Worker, WorkerSid, "WK", "TaskRouter Worker SID";
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn parses_what_twilio_issues() {
        let sid: AccountSid = format!("AC{HEX}").parse().unwrap();
        assert_eq!(sid.as_str(), format!("AC{HEX}"));
        assert_eq!(sid.to_string(), format!("AC{HEX}"));
        assert_eq!(sid.prefix(), "AC");
        assert_eq!(sid.kind_name(), "Account SID");
    }

    #[test]
    fn account_sid_where_api_key_expected_is_named() {
        let err = ApiKeySid::parse(&format!("AC{HEX}")).unwrap_err();
        assert_eq!(err.expected(), "API Key SID");
        assert_eq!(err.expected_prefix(), "SK");
        assert!(matches!(
            err.reason(),
            SidErrorReason::WrongKind {
                found_prefix: [b'A', b'C'],
                found_name: "Account SID"
            }
        ));
        assert_eq!(
            err.to_string(),
            "invalid API Key SID (expected SK + 32 hex digits): this is an Account SID (starts with AC); \
             check which setting it was copied into"
        );
    }

    #[test]
    fn each_defect_has_its_reason() {
        let cases: &[(&str, SidErrorReason)] = &[
            ("", SidErrorReason::Empty),
            (
                " SK0123456789abcdef0123456789abcdef",
                SidErrorReason::SurroundingWhitespace,
            ),
            (
                "SK0123456789abcdef0123456789abcdef\n",
                SidErrorReason::SurroundingWhitespace,
            ),
            (
                "sk0123456789abcdef0123456789abcdef",
                SidErrorReason::LowercasePrefix,
            ),
            (
                "abcdefABCDEF0123456789abcdefABCD",
                SidErrorReason::LooksLikeSecret,
            ),
            (
                "XX0123456789abcdef0123456789abcdef",
                SidErrorReason::MissingPrefix,
            ),
            ("SK0123", SidErrorReason::WrongLength { found: 6 }),
            (
                "SK0123456789abcdef0123456789abcdef0",
                SidErrorReason::WrongLength { found: 35 },
            ),
            (
                "SK0123456789abcdeg0123456789abcdef",
                SidErrorReason::NotHex { position: 17 },
            ),
            (
                "SK0123456789ABCDEF0123456789abcdef",
                SidErrorReason::UppercaseHex,
            ),
            (
                "SKé123456789abcdef0123456789abcde",
                SidErrorReason::NotHex { position: 2 },
            ),
        ];
        for (input, reason) in cases {
            let err = ApiKeySid::parse(input).unwrap_err();
            assert_eq!(err.reason(), reason, "input {input:?}");
        }
    }

    #[test]
    fn messages_never_echo_the_value() {
        let secret = "abcdefABCDEF0123456789abcdefABCD";
        let message = ApiKeySid::parse(secret).unwrap_err().to_string();
        assert!(!message.contains(secret), "{message}");
        assert!(message.contains("swapped"), "{message}");
    }

    #[test]
    fn serde_round_trip_validates() {
        let sid = ApplicationSid::parse(&format!("AP{HEX}")).unwrap();
        let json = serde_json::to_string(&sid).unwrap();
        assert_eq!(json, format!("\"AP{HEX}\""));
        let back: ApplicationSid = serde_json::from_str(&json).unwrap();
        assert_eq!(back, sid);
        let wrong = serde_json::from_str::<ApplicationSid>(&format!("\"AC{HEX}\""));
        assert!(wrong.unwrap_err().to_string().contains("Account SID"));
    }

    #[test]
    fn known_kinds_have_unique_prefixes() {
        for (i, (a, _)) in KNOWN_KINDS.iter().enumerate() {
            assert!(a.iter().all(u8::is_ascii_uppercase));
            for (b, _) in &KNOWN_KINDS[i + 1..] {
                assert_ne!(a, b);
            }
        }
    }
}
