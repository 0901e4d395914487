//! The API key secret: the HMAC key of every token, kept out of `Debug` output.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use hmac::{Hmac, KeyInit};
use sha2::Sha256;

use crate::sid::{SID_LEN, known_kind};

pub(crate) type HmacSha256 = Hmac<Sha256>;

/// The secret of a Twilio API key (shown once, when the key is created).
///
/// It signs tokens (HS256) and is the Basic-auth password for REST calls made with the API key.
/// `Debug` prints `ApiKeySecret(<redacted>)`; there is deliberately no `Display`. Cloning is cheap
/// (shared, reference-counted), and the HMAC key schedule is computed once here rather than for
/// every token.
#[derive(Clone)]
pub struct ApiKeySecret(Arc<Inner>);

struct Inner {
    value: String,
    // HMAC-SHA256 state with the key already absorbed (inner and outer pads): cloning it per
    // token skips two SHA-256 compressions.
    keyed: HmacSha256,
}

impl ApiKeySecret {
    /// Wraps a secret after checking it is not empty, not padded with whitespace, and not an
    /// obvious SID pasted in the wrong place.
    pub fn new(value: impl Into<String>) -> Result<Self, SecretError> {
        let value = value.into();
        if value.is_empty() {
            return Err(SecretError::Empty);
        }
        if value.trim() != value {
            return Err(SecretError::SurroundingWhitespace);
        }
        let bytes = value.as_bytes();
        if bytes.len() == SID_LEN
            && let Some(kind) = known_kind(&[bytes[0], bytes[1]])
            && bytes[2..].iter().all(u8::is_ascii_hexdigit)
        {
            return Err(SecretError::LooksLikeSid { kind });
        }
        // HMAC accepts keys of any length, so this cannot fail.
        let keyed = HmacSha256::new_from_slice(bytes).expect("HMAC takes keys of any length");
        Ok(Self(Arc::new(Inner { value, keyed })))
    }

    /// The secret itself, for a REST client's Basic auth. Never log it.
    pub fn expose_secret(&self) -> &str {
        &self.0.value
    }

    /// A fresh HMAC-SHA256 state keyed with this secret.
    pub(crate) fn mac(&self) -> HmacSha256 {
        self.0.keyed.clone()
    }
}

impl fmt::Debug for ApiKeySecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKeySecret(<redacted>)")
    }
}

impl FromStr for ApiKeySecret {
    type Err = SecretError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

/// Why a string was refused as an API key secret. Messages never contain the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SecretError {
    /// The secret is empty: the setting is probably missing.
    #[error("the API key secret is empty (is the setting missing?)")]
    Empty,
    /// The secret has leading or trailing whitespace or a newline.
    #[error("the API key secret has leading or trailing whitespace or a newline")]
    SurroundingWhitespace,
    /// The value is a SID, not a secret.
    #[error("the API key secret looks like a {kind}: were the API key SID and its secret swapped?")]
    LooksLikeSid {
        /// The kind of SID the value looks like.
        kind: &'static str,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_prints_the_secret() {
        let secret = ApiKeySecret::new("s3cr3tValue0123456789abcdefABCDE").unwrap();
        let shown = format!("{secret:?} {:#?}", secret.clone());
        assert!(!shown.contains("s3cr3t"), "{shown}");
        assert_eq!(secret.expose_secret(), "s3cr3tValue0123456789abcdefABCDE");
    }

    #[test]
    fn refuses_obvious_mistakes() {
        assert_eq!(ApiKeySecret::new("").unwrap_err(), SecretError::Empty);
        assert_eq!(
            ApiKeySecret::new("abc\n").unwrap_err(),
            SecretError::SurroundingWhitespace
        );
        assert_eq!(
            ApiKeySecret::new("SK0123456789abcdef0123456789abcdef").unwrap_err(),
            SecretError::LooksLikeSid {
                kind: "API Key SID"
            }
        );
        // A secret merely starting with two capitals is fine.
        assert!(ApiKeySecret::new("SKzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz").is_ok());
    }
}
