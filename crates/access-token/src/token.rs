//! The [`AccessToken`] builder and the HS256 signing of its JWT.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::Mac as _;

use crate::grants::Grant;
use crate::identity::{self, Identity, IdentityError};
use crate::json;
use crate::region::Region;
use crate::secret::ApiKeySecret;
use crate::sid::{AccountSid, ApiKeySid};
use crate::ttl::Ttl;

/// `base64url({"alg":"HS256","cty":"twilio-fpa;v=1","typ":"JWT"})`: the header of every token
/// without a region, exactly as twilio-python writes it (PyJWT sorts header keys).
pub(crate) const HEADER_B64: &str =
    "eyJhbGciOiJIUzI1NiIsImN0eSI6InR3aWxpby1mcGE7dj0xIiwidHlwIjoiSldUIn0";

/// A Twilio Access Token being built: who it is for, what it grants, how long it lives.
///
/// Build one per client request and call [`AccessToken::to_jwt`] (or [`AccessToken::mint`] to
/// also learn the expiry). The output is the JWT twilio-python 9.13's
/// `AccessToken(...).to_jwt()` produces for the same inputs and clock, byte for byte.
///
/// Defaults follow twilio-python: lifetime one hour, `nbf` equal to the issue time, no region,
/// no identity, no grants, issue time read from the system clock when minting.
///
/// ```
/// use access_token::{AccessToken, ApiKeySecret, Identity, Ttl, VoiceGrant};
///
/// let token = AccessToken::new(
///     "AC0123456789abcdef0123456789abcdef".parse()?,
///     "SK0123456789abcdef0123456789abcdef".parse()?,
///     ApiKeySecret::new("an-api-key-secret")?,
/// )
/// .identity(Identity::for_user(42, "Álefe Lins"))
/// .grant(VoiceGrant::new().incoming_allow(true))
/// .ttl(Ttl::from_secs(600)?)
/// .issued_at(1_700_000_000);
///
/// let minted = token.mint()?;
/// assert_eq!(minted.expires_at(), 1_700_000_600);
/// assert_eq!(minted.as_str().split('.').count(), 3);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct AccessToken {
    account_sid: AccountSid,
    api_key_sid: ApiKeySid,
    secret: ApiKeySecret,
    identity: Option<TokenIdentity>,
    grants: Vec<Grant>,
    ttl: Ttl,
    not_before: NotBefore,
    region: Option<Region>,
    issued_at: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum TokenIdentity {
    /// Already known to satisfy the Voice rule.
    Voice(Identity),
    /// Checked at mint time, against the Voice rule only if a Voice grant is present.
    Raw(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NotBefore {
    IssuedAt,
    At(u64),
    Omitted,
}

impl AccessToken {
    /// Starts a token for `account_sid`, signed by the API key `api_key_sid` with its `secret`.
    ///
    /// Only Standard and Main API keys can sign tokens; a Restricted key's tokens are refused
    /// by Twilio.
    pub fn new(account_sid: AccountSid, api_key_sid: ApiKeySid, secret: ApiKeySecret) -> Self {
        Self {
            account_sid,
            api_key_sid,
            secret,
            identity: None,
            grants: Vec::new(),
            ttl: Ttl::DEFAULT,
            not_before: NotBefore::IssuedAt,
            region: None,
            issued_at: None,
        }
    }

    /// Sets the client identity (`grants.identity`), valid for every product including Voice.
    pub fn identity(mut self, identity: Identity) -> Self {
        self.identity = Some(TokenIdentity::Voice(identity));
        self
    }

    /// Sets an identity that only has to satisfy Twilio's general rule (1 to 256 characters,
    /// no control characters), e.g. an e-mail address for Video or Conversations.
    ///
    /// Minting fails with [`TokenError::IdentityNotValidForVoice`] if the token also carries a
    /// Voice grant and the identity is not a valid [`Identity`]: Voice would reject it (31105).
    pub fn raw_identity(mut self, identity: impl Into<String>) -> Self {
        self.identity = Some(TokenIdentity::Raw(identity.into()));
        self
    }

    /// Adds a grant. Adding a second grant of the same kind replaces the first in place, as
    /// twilio-python does (a token holds at most one grant per key).
    pub fn grant(mut self, grant: impl Into<Grant>) -> Self {
        let grant = grant.into();
        match self.grants.iter_mut().find(|g| g.key() == grant.key()) {
            Some(existing) => *existing = grant,
            None => self.grants.push(grant),
        }
        self
    }

    /// Sets the lifetime (default one hour, at most 24 hours: see [`Ttl`]).
    pub fn ttl(mut self, ttl: Ttl) -> Self {
        self.ttl = ttl;
        self
    }

    /// Sets `nbf` (not before) to the given Unix time instead of the issue time.
    pub fn not_before(mut self, unix_seconds: u64) -> Self {
        self.not_before = NotBefore::At(unix_seconds);
        self
    }

    /// Leaves `nbf` out (twilio-python's `nbf=None`; twilio-node's default). Twilio then
    /// does not refuse the token when this server's clock runs ahead of Twilio's (error 20105).
    pub fn without_not_before(mut self) -> Self {
        self.not_before = NotBefore::Omitted;
        self
    }

    /// Pins the token to a Twilio region: adds `twr` to the JWT **header**.
    pub fn region(mut self, region: Region) -> Self {
        self.region = Some(region);
        self
    }

    /// Uses this Unix time (seconds) as the issue time instead of the system clock, which makes
    /// the token deterministic (tests, fixtures, replay).
    pub fn issued_at(mut self, unix_seconds: u64) -> Self {
        self.issued_at = Some(unix_seconds);
        self
    }

    /// The grants added so far, in order.
    pub fn grants(&self) -> &[Grant] {
        &self.grants
    }

    /// Signs the token and returns the JWT string.
    pub fn to_jwt(&self) -> Result<String, TokenError> {
        self.mint().map(SignedToken::into_string)
    }

    /// Signs the token and returns the JWT with its issue and expiry times (useful to schedule
    /// the client's refresh before `expires_at`).
    pub fn mint(&self) -> Result<SignedToken, TokenError> {
        let issued_at = match self.issued_at {
            Some(t) => t,
            None => unix_now()?,
        };
        let expires_at = issued_at
            .checked_add(self.ttl.as_secs())
            .ok_or(TokenError::TimeOutOfRange)?;
        let not_before = match self.not_before {
            NotBefore::IssuedAt => Some(issued_at),
            NotBefore::At(t) => Some(t),
            NotBefore::Omitted => None,
        };
        if let Some(nbf) = not_before
            && nbf >= expires_at
        {
            return Err(TokenError::NotBeforeAfterExpiry {
                not_before: nbf,
                expires_at,
            });
        }
        let identity = self.checked_identity()?;

        let mut payload = String::with_capacity(320);
        self.write_payload(&mut payload, identity, issued_at, expires_at, not_before);

        let header_len = match &self.region {
            None => HEADER_B64.len(),
            Some(r) => 96 + r.as_str().len() * 2,
        };
        let mut jwt = String::with_capacity(header_len + payload.len() * 4 / 3 + 52);
        match &self.region {
            None => jwt.push_str(HEADER_B64),
            Some(region) => {
                let mut header = String::with_capacity(80);
                header.push_str(r#"{"alg":"HS256","cty":"twilio-fpa;v=1","twr":"#);
                json::write_str(&mut header, region.as_str());
                header.push_str(r#","typ":"JWT"}"#);
                URL_SAFE_NO_PAD.encode_string(header, &mut jwt);
            }
        }
        jwt.push('.');
        URL_SAFE_NO_PAD.encode_string(payload, &mut jwt);

        let mut mac = self.secret.mac();
        mac.update(jwt.as_bytes());
        let signature = mac.finalize().into_bytes();
        jwt.push('.');
        URL_SAFE_NO_PAD.encode_string(signature, &mut jwt);

        Ok(SignedToken {
            jwt,
            issued_at,
            expires_at,
        })
    }

    fn checked_identity(&self) -> Result<Option<&str>, TokenError> {
        match &self.identity {
            None => Ok(None),
            Some(TokenIdentity::Voice(identity)) => Ok(Some(identity.as_str())),
            Some(TokenIdentity::Raw(raw)) => {
                identity::check_general(raw).map_err(TokenError::InvalidIdentity)?;
                if self.grants.iter().any(|g| matches!(g, Grant::Voice(_))) {
                    identity::check_voice(raw).map_err(TokenError::IdentityNotValidForVoice)?;
                }
                Ok(Some(raw))
            }
        }
    }

    /// Writes the claims in twilio-python's key order: jti, grants, iss, exp, nbf, sub.
    fn write_payload(
        &self,
        out: &mut String,
        identity: Option<&str>,
        issued_at: u64,
        expires_at: u64,
        not_before: Option<u64>,
    ) {
        let key_sid = self.api_key_sid.as_str();
        out.push_str(r#"{"jti":""#);
        out.push_str(key_sid); // SIDs are plain ASCII: no escaping needed
        out.push('-');
        json::write_u64(out, issued_at);
        out.push_str(r#"","grants":{"#);
        for (i, grant) in self.grants.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push('"');
            out.push_str(grant.key());
            out.push_str("\":");
            grant.write_json(out);
        }
        if let Some(identity) = identity {
            if !self.grants.is_empty() {
                out.push(',');
            }
            out.push_str(r#""identity":"#);
            json::write_str(out, identity);
        }
        out.push_str(r#"},"iss":""#);
        out.push_str(key_sid);
        out.push_str(r#"","exp":"#);
        json::write_u64(out, expires_at);
        if let Some(nbf) = not_before {
            out.push_str(r#","nbf":"#);
            json::write_u64(out, nbf);
        }
        out.push_str(r#","sub":""#);
        out.push_str(self.account_sid.as_str());
        out.push_str("\"}");
    }
}

fn unix_now() -> Result<u64, TokenError> {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .map_err(|_| TokenError::ClockBeforeUnixEpoch)
}

/// A signed JWT and the times it was minted with.
///
/// `Debug` does not print the JWT: it is a bearer credential for the identity it names.
#[derive(Clone, PartialEq, Eq)]
pub struct SignedToken {
    jwt: String,
    issued_at: u64,
    expires_at: u64,
}

impl SignedToken {
    /// The JWT (compact form `header.payload.signature`), to hand to the client SDK.
    pub fn as_str(&self) -> &str {
        &self.jwt
    }

    /// The JWT as an owned `String`.
    pub fn into_string(self) -> String {
        self.jwt
    }

    /// Issue time, Unix seconds (the number in `jti`).
    pub fn issued_at(&self) -> u64 {
        self.issued_at
    }

    /// Expiry (`exp`), Unix seconds.
    pub fn expires_at(&self) -> u64 {
        self.expires_at
    }
}

impl fmt::Debug for SignedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedToken")
            .field("jwt", &format_args!("<redacted, {} bytes>", self.jwt.len()))
            .field("issued_at", &self.issued_at)
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// Why a token could not be minted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// A raw identity breaks Twilio's general identity rule.
    #[error("invalid identity: {0}")]
    InvalidIdentity(#[source] IdentityError),
    /// A raw identity is fine for other products but Twilio Voice would reject it (31105).
    #[error("the identity is not valid for a token with a Voice grant: {0}")]
    IdentityNotValidForVoice(#[source] IdentityError),
    /// `nbf` is not before `exp`: the token would never be valid.
    #[error("not-before ({not_before}) is not earlier than the expiry ({expires_at})")]
    NotBeforeAfterExpiry {
        /// The `nbf` claim.
        not_before: u64,
        /// The `exp` claim.
        expires_at: u64,
    },
    /// The system clock reads a time before 1970.
    #[error("the system clock is set before 1970")]
    ClockBeforeUnixEpoch,
    /// Issue time plus lifetime does not fit in 64 bits.
    #[error("the issue time plus the lifetime overflows")]
    TimeOutOfRange,
}
