//! Reading tokens back: decoded header and claims, with or without signature verification.
//!
//! Meant for inspection and diagnosis (a `token` command printing an agent's claims, a doctor
//! check explaining why Twilio refuses a token), not for authorising anything: Twilio is the
//! party that verifies these tokens.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::Mac as _;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::identity;
use crate::secret::ApiKeySecret;
use crate::ttl::Ttl;

/// The `cty` Twilio requires in an Access Token header.
pub const TWILIO_CTY: &str = "twilio-fpa;v=1";

/// A token's decoded header and claims.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct DecodedToken {
    /// The JOSE header.
    pub header: Header,
    /// The payload.
    pub claims: Claims,
}

/// The JOSE header of an Access Token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Header {
    /// Signing algorithm; Twilio requires `HS256`.
    pub alg: String,
    /// Token type; Twilio requires `JWT`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub typ: Option<String>,
    /// Content type; Twilio requires `twilio-fpa;v=1`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cty: Option<String>,
    /// Twilio region the token is pinned to, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub twr: Option<String>,
}

/// The payload of an Access Token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Claims {
    /// Token id: `<API key SID>-<issue time>`.
    pub jti: String,
    /// Issuer: the API key SID whose secret signed the token.
    pub iss: String,
    /// Subject: the Account SID. Optional in JWTs, required by Twilio.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    /// Expiry, Unix seconds.
    pub exp: u64,
    /// Not before, Unix seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<u64>,
    /// Issued at, Unix seconds (twilio-node writes it, twilio-python does not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<u64>,
    /// The grants object: one entry per grant key plus `identity`.
    pub grants: Map<String, Value>,
}

impl Claims {
    /// The `grants.identity` claim, if present and a string.
    pub fn identity(&self) -> Option<&str> {
        self.grants.get("identity").and_then(Value::as_str)
    }

    /// The grant stored under `key` (`"voice"`, `"video"`, `"chat"`, `"data_sync"`,
    /// `"task_router"`, `"player"`).
    pub fn grant(&self, key: &str) -> Option<&Value> {
        self.grants.get(key)
    }

    /// The issue time: `iat` if present, else the number after the last `-` of `jti`.
    pub fn issued_at(&self) -> Option<u64> {
        self.iat.or_else(|| {
            let (_, tail) = self.jti.rsplit_once('-')?;
            tail.parse().ok()
        })
    }
}

impl DecodedToken {
    /// What Twilio would object to in this token at Unix time `now`, most fundamental first.
    /// An empty list means nothing this crate can see offline is wrong (the signature, the key's
    /// status and the account still have to be right).
    pub fn problems_at(&self, now: u64) -> Vec<Problem> {
        let mut problems = Vec::new();
        let h = &self.header;
        if h.alg != "HS256"
            || h.typ.as_deref() != Some("JWT")
            || h.cty.as_deref() != Some(TWILIO_CTY)
        {
            problems.push(Problem::NotAnAccessTokenHeader);
        }
        let c = &self.claims;
        if !c.iss.starts_with("SK") || !c.sub.as_deref().is_some_and(|s| s.starts_with("AC")) {
            problems.push(Problem::WrongIssuerOrSubject);
        }
        if let Some(issued) = c.issued_at()
            && c.exp.saturating_sub(issued) > Ttl::MAX.as_secs()
        {
            problems.push(Problem::LifetimeTooLong {
                secs: c.exp.saturating_sub(issued),
            });
        }
        if c.exp <= now {
            problems.push(Problem::Expired { expired_at: c.exp });
        }
        if let Some(nbf) = c.nbf
            && nbf > now
        {
            problems.push(Problem::NotYetValid { not_before: nbf });
        }
        if c.grant("voice").is_some() {
            match c.identity() {
                Some(id) if identity::check_voice(id).is_err() => {
                    problems.push(Problem::InvalidVoiceIdentity);
                }
                _ => {}
            }
        }
        problems
    }
}

/// Something Twilio would refuse in a decoded token, with the error code it would answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Problem {
    /// The header is not `alg=HS256, typ=JWT, cty=twilio-fpa;v=1`.
    #[error(
        "the header is not a Twilio Access Token header (alg HS256, typ JWT, cty twilio-fpa;v=1)"
    )]
    NotAnAccessTokenHeader,
    /// `iss` is not an API key SID or `sub` not an Account SID.
    #[error("iss must be an API key SID (SK...) and sub an Account SID (AC...)")]
    WrongIssuerOrSubject,
    /// The lifetime exceeds 24 hours.
    #[error("the token lives {secs} s, more than Twilio's 24 h maximum")]
    LifetimeTooLong {
        /// `exp` minus the issue time.
        secs: u64,
    },
    /// `exp` is in the past.
    #[error("the token expired at {expired_at}")]
    Expired {
        /// The `exp` claim.
        expired_at: u64,
    },
    /// `nbf` is in the future (often a clock running ahead on the server).
    #[error("the token is not valid before {not_before}: is the server clock ahead?")]
    NotYetValid {
        /// The `nbf` claim.
        not_before: u64,
    },
    /// The identity breaks the Voice identity rule.
    #[error("the identity has characters Twilio Voice rejects (only letters, digits, underscore)")]
    InvalidVoiceIdentity,
}

impl Problem {
    /// The Twilio error codes a client receives for this problem: the REST/IAM code first
    /// (`20xxx`), then the Voice SDK's (`31xxx`) when it has its own.
    pub fn twilio_error_codes(&self) -> &'static [u32] {
        match self {
            Problem::NotAnAccessTokenHeader => &[20101, 31204],
            Problem::WrongIssuerOrSubject => &[20103, 31202],
            Problem::LifetimeTooLong { .. } => &[20104, 31207],
            Problem::Expired { .. } => &[20104, 31205],
            Problem::NotYetValid { .. } => &[20105],
            Problem::InvalidVoiceIdentity => &[31105],
        }
    }
}

/// Decodes a token **without checking its signature**: for display and diagnosis only.
///
/// ```
/// use access_token::{AccessToken, ApiKeySecret, Identity, VoiceGrant, decode_unverified};
///
/// let jwt = AccessToken::new(
///     "AC0123456789abcdef0123456789abcdef".parse()?,
///     "SK0123456789abcdef0123456789abcdef".parse()?,
///     ApiKeySecret::new("secret")?,
/// )
/// .identity(Identity::new("alice")?)
/// .grant(VoiceGrant::new().incoming_allow(true))
/// .issued_at(1_700_000_000)
/// .to_jwt()?;
///
/// let decoded = decode_unverified(&jwt)?;
/// assert_eq!(decoded.claims.identity(), Some("alice"));
/// assert_eq!(decoded.claims.exp, 1_700_003_600);
/// assert_eq!(decoded.claims.grant("voice").unwrap()["incoming"]["allow"], true);
/// assert!(decoded.problems_at(1_700_000_100).is_empty());
/// assert_eq!(decoded.problems_at(1_800_000_000)[0].twilio_error_codes(), &[20104, 31205]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn decode_unverified(jwt: &str) -> Result<DecodedToken, DecodeError> {
    let (header, payload, _signature) = split(jwt)?;
    Ok(DecodedToken {
        header: parse_part(header, Part::Header)?,
        claims: parse_part(payload, Part::Payload)?,
    })
}

/// Decodes a token after checking its HS256 signature against `secret` (in constant time).
///
/// Expiry is not checked: use [`DecodedToken::problems_at`] with your clock.
pub fn decode_verified(jwt: &str, secret: &ApiKeySecret) -> Result<DecodedToken, DecodeError> {
    let (header, payload, signature) = split(jwt)?;
    let decoded = DecodedToken {
        header: parse_part(header, Part::Header)?,
        claims: parse_part(payload, Part::Payload)?,
    };
    if decoded.header.alg != "HS256" {
        return Err(DecodeError::UnsupportedAlgorithm(decoded.header.alg));
    }
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|_| DecodeError::Base64(Part::Signature))?;
    let signed_len = header.len() + 1 + payload.len();
    let mut mac = secret.mac();
    mac.update(&jwt.as_bytes()[..signed_len]);
    mac.verify_slice(&signature)
        .map_err(|_| DecodeError::BadSignature)?;
    Ok(decoded)
}

fn split(jwt: &str) -> Result<(&str, &str, &str), DecodeError> {
    let mut parts = jwt.split('.');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(h), Some(p), Some(s), None) => Ok((h, p, s)),
        _ => Err(DecodeError::NotThreeParts),
    }
}

fn parse_part<T: serde::de::DeserializeOwned>(text: &str, part: Part) -> Result<T, DecodeError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|_| DecodeError::Base64(part))?;
    serde_json::from_slice(&bytes).map_err(|e| DecodeError::Json {
        part,
        detail: e.to_string(),
    })
}

/// Which part of a JWT a decoding error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Part {
    /// The JOSE header (first part).
    Header,
    /// The claims (second part).
    Payload,
    /// The signature (third part).
    Signature,
}

impl std::fmt::Display for Part {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Part::Header => "header",
            Part::Payload => "payload",
            Part::Signature => "signature",
        })
    }
}

/// Why a string could not be decoded as an Access Token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// Not `header.payload.signature`.
    #[error("a JWT has three dot-separated parts")]
    NotThreeParts,
    /// A part is not unpadded base64url.
    #[error("the {0} is not base64url")]
    Base64(Part),
    /// A part is not the expected JSON.
    #[error("the {part} is not the expected JSON: {detail}")]
    Json {
        /// The part at fault.
        part: Part,
        /// The JSON parser's message.
        detail: String,
    },
    /// The header names an algorithm other than HS256.
    #[error("unsupported algorithm {0:?}: Twilio Access Tokens use HS256")]
    UnsupportedAlgorithm(String),
    /// The signature does not match the secret.
    #[error("the signature does not match this API key secret (Twilio would answer 20107/31202)")]
    BadSignature,
}
