//! HMAC-SHA256 signing of agent sessions and recording links with the server secret.
//!
//! Both are stateless so any instance sharing the secret accepts them (several instances behind
//! a load balancer), and both carry their expiry inside the signed text.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::config::Secret;

/// Signs and checks short texts with the server secret, each under a purpose label so a
/// signature made for one use is never valid for another.
#[derive(Debug, Clone)]
pub struct Signer {
    key: Secret,
}

/// A session the server issued: who, until when, for which password generation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionClaims {
    /// The agent's id.
    pub agent_id: i64,
    /// Unix seconds after which the session is refused.
    pub expires_at: i64,
    /// Fingerprint of the agent's password hash when the session was issued: a password
    /// change ends every older session.
    pub generation: String,
}

impl Signer {
    /// A signer with the server secret.
    pub fn new(key: Secret) -> Self {
        Self { key }
    }

    fn mac(&self, purpose: &str, text: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(self.key.expose().as_bytes())
            .expect("HMAC accepts keys of any length");
        mac.update(purpose.as_bytes());
        mac.update(b"\n");
        mac.update(text.as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    fn check(&self, purpose: &str, text: &str, signature: &str) -> bool {
        let expected = self.mac(purpose, text);
        bool::from(expected.as_bytes().ct_eq(signature.as_bytes()))
    }

    /// The password generation fingerprint of a stored hash.
    pub fn generation(&self, password_hash: &str) -> String {
        self.mac("generation", password_hash)[..12].to_owned()
    }

    /// A session token: `<agent id>.<expiry>.<generation>.<signature>`.
    pub fn session_token(&self, claims: &SessionClaims) -> String {
        let text = format!(
            "{}.{}.{}",
            claims.agent_id, claims.expires_at, claims.generation
        );
        let sig = self.mac("session", &text);
        format!("{text}.{sig}")
    }

    /// Reads a session token; `None` when forged, malformed or expired at `now`.
    pub fn read_session(&self, token: &str, now: i64) -> Option<SessionClaims> {
        let (text, sig) = token.rsplit_once('.')?;
        if !self.check("session", text, sig) {
            return None;
        }
        let mut parts = text.splitn(3, '.');
        let agent_id = parts.next()?.parse().ok()?;
        let expires_at: i64 = parts.next()?.parse().ok()?;
        let generation = parts.next()?.to_owned();
        (expires_at > now).then_some(SessionClaims {
            agent_id,
            expires_at,
            generation,
        })
    }

    /// The query string of a signed recording link: `exp=<unix>&sig=<mac>`.
    pub fn recording_link_query(&self, recording_sid: &str, expires_at: i64) -> String {
        let sig = self.mac("recording", &format!("{recording_sid}.{expires_at}"));
        format!("exp={expires_at}&sig={sig}")
    }

    /// Checks a recording link's expiry and signature.
    pub fn check_recording_link(
        &self,
        recording_sid: &str,
        expires_at: i64,
        signature: &str,
        now: i64,
    ) -> LinkCheck {
        if !self.check(
            "recording",
            &format!("{recording_sid}.{expires_at}"),
            signature,
        ) {
            LinkCheck::Forged
        } else if expires_at <= now {
            LinkCheck::Expired
        } else {
            LinkCheck::Valid
        }
    }
}

/// Outcome of checking a signed recording link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkCheck {
    /// Signature good, not expired.
    Valid,
    /// Signature good, past its expiry.
    Expired,
    /// Signature does not match (tampered sid, expiry or signature).
    Forged,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer() -> Signer {
        Signer::new(Secret::new("0123456789abcdef0123456789abcdef"))
    }

    #[test]
    fn sessions_round_trip_and_expire() {
        let s = signer();
        let claims = SessionClaims {
            agent_id: 7,
            expires_at: 1_000,
            generation: s.generation("$argon2id$hash"),
        };
        let token = s.session_token(&claims);
        assert_eq!(s.read_session(&token, 999), Some(claims));
        assert_eq!(s.read_session(&token, 1_000), None);
    }

    #[test]
    fn tampered_sessions_are_refused() {
        let s = signer();
        let token = s.session_token(&SessionClaims {
            agent_id: 7,
            expires_at: 1_000,
            generation: "g".into(),
        });
        let tampered = token.replacen("7.", "8.", 1);
        assert_eq!(s.read_session(&tampered, 0), None);
        let later = token.replacen("1000", "9000", 1);
        assert_eq!(s.read_session(&later, 0), None);
        let other = Signer::new(Secret::new("another-secret-another-secret-xx"));
        assert_eq!(other.read_session(&token, 0), None);
        assert_eq!(s.read_session("garbage", 0), None);
    }

    #[test]
    fn recording_links() {
        let s = signer();
        let sid = "RE0123456789abcdef0123456789abcdef";
        let q = s.recording_link_query(sid, 2_000);
        let sig = q.split("sig=").nth(1).unwrap();
        assert_eq!(
            s.check_recording_link(sid, 2_000, sig, 1_000),
            LinkCheck::Valid
        );
        assert_eq!(
            s.check_recording_link(sid, 2_000, sig, 2_000),
            LinkCheck::Expired
        );
        assert_eq!(
            s.check_recording_link(sid, 3_000, sig, 1_000),
            LinkCheck::Forged
        );
        let other = "RE0123456789abcdef0123456789abcdee";
        assert_eq!(
            s.check_recording_link(other, 2_000, sig, 1_000),
            LinkCheck::Forged
        );
    }

    #[test]
    fn a_session_signature_is_not_a_link_signature() {
        let s = signer();
        assert_ne!(s.mac("session", "x"), s.mac("recording", "x"));
    }
}
