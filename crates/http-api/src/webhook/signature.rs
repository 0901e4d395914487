//! Twilio webhook signature validation (`X-Twilio-Signature`).
//!
//! Twilio signs the URL it requested plus the sorted POST parameters. Our server usually sits
//! behind a TLS-terminating proxy, so the URL is rebuilt from the configured public base URL and
//! the request's own path and raw query, never from the `Host` header the proxy forwards.
//! The rules follow twilio-python's `RequestValidator` (the reference): the signature may match
//! the URL with the port removed or with the scheme's default port added; JSON bodies are signed
//! through a `bodySHA256` query parameter; the `X-Twilio-Webhooks-Signature-Settings` header
//! switches to HMAC-SHA256 with a separate shared key.

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::config::{PublicUrl, Secret};

/// Header carrying the signature.
pub const SIGNATURE_HEADER: &str = "X-Twilio-Signature";
/// Header naming the shared key and algorithm of the newer signing scheme.
pub const SIGNATURE_SETTINGS_HEADER: &str = "X-Twilio-Webhooks-Signature-Settings";

/// Why a webhook was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The request carries no `X-Twilio-Signature` header.
    #[error("missing X-Twilio-Signature header")]
    Missing,
    /// The settings header names an algorithm we do not implement.
    #[error("unsupported webhook signature algorithm {0:?}")]
    UnknownAlgorithm(String),
    /// The settings header names a shared key that is not configured.
    #[error("webhook signed with unknown shared key {0:?}")]
    UnknownKey(String),
    /// The signature does not match the URL and parameters.
    #[error("signature does not match the request")]
    Mismatch,
    /// The `bodySHA256` query parameter does not match the JSON body.
    #[error("bodySHA256 does not match the request body")]
    BodyHashMismatch,
}

/// What Twilio posted: form parameters (the usual case) or a raw JSON body.
#[derive(Debug, Clone, Copy)]
pub enum SignedBody<'a> {
    /// `application/x-www-form-urlencoded` parameters, decoded, in any order, names may repeat.
    Form(&'a [(String, String)]),
    /// Any other body: validated through the `bodySHA256` query parameter.
    Raw(&'a [u8]),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Algorithm {
    Sha1,
    Sha256,
}

/// Validates Twilio webhook signatures for one public base URL.
#[derive(Debug, Clone)]
pub struct WebhookVerifier {
    public_url: PublicUrl,
    auth_token: Secret,
    shared_keys: HashMap<String, Secret>,
}

impl WebhookVerifier {
    /// A verifier for requests Twilio sends to `public_url`, signed with the account's Auth Token
    /// or (settings header) with one of `shared_keys` (key id -> secret).
    pub fn new(
        public_url: PublicUrl,
        auth_token: Secret,
        shared_keys: HashMap<String, Secret>,
    ) -> Self {
        Self {
            public_url,
            auth_token,
            shared_keys,
        }
    }

    /// Checks one request. `path_and_query` is the request target as received (raw query, in its
    /// original order and encoding); `signature` and `settings` are the two headers.
    pub fn verify(
        &self,
        path_and_query: &str,
        signature: Option<&str>,
        settings: Option<&str>,
        body: SignedBody<'_>,
    ) -> Result<(), SignatureError> {
        let signature = signature.ok_or(SignatureError::Missing)?.trim();
        let (algorithm, key) = self.key_for(settings)?;
        let url = format!("{}{}", self.public_url.base(), path_and_query);

        let params: &[(String, String)] = match body {
            SignedBody::Form(params) => params,
            SignedBody::Raw(raw) => {
                // A body the sender hashed: the hash must match and the URL alone is signed.
                let expected = body_sha256_param(&url).ok_or(SignatureError::Mismatch)?;
                let actual = hex_sha256(raw);
                if !bool::from(actual.as_bytes().ct_eq(expected.as_bytes())) {
                    return Err(SignatureError::BodyHashMismatch);
                }
                &[]
            }
        };

        let matches = url_variants(&url)
            .iter()
            .any(|candidate| signature_matches(algorithm, key, candidate, params, signature));
        if matches {
            Ok(())
        } else {
            Err(SignatureError::Mismatch)
        }
    }

    fn key_for(&self, settings: Option<&str>) -> Result<(Algorithm, &Secret), SignatureError> {
        let Some(settings) = settings.filter(|s| !s.trim().is_empty()) else {
            return Ok((Algorithm::Sha1, &self.auth_token));
        };
        let mut key_id = None;
        let mut algorithm = None;
        for part in settings.split(',') {
            if let Some((name, value)) = part.split_once('=') {
                match name.trim() {
                    "key" => key_id = Some(value.trim()),
                    "algorithm" => algorithm = Some(value.trim()),
                    _ => {}
                }
            }
        }
        let algorithm = match algorithm.map(str::to_ascii_uppercase).as_deref() {
            None | Some("HMAC_SHA1") => Algorithm::Sha1,
            Some("HMAC_SHA256") => Algorithm::Sha256,
            Some(other) => return Err(SignatureError::UnknownAlgorithm(other.to_owned())),
        };
        match key_id {
            None => Ok((algorithm, &self.auth_token)),
            Some(id) => self
                .shared_keys
                .get(id)
                .map(|key| (algorithm, key))
                .ok_or_else(|| SignatureError::UnknownKey(id.to_owned())),
        }
    }
}

/// The string Twilio signs: the URL, then `name + value` for each distinct name in sorted
/// order and each distinct value of that name in sorted order.
pub fn signing_string(url: &str, params: &[(String, String)]) -> String {
    let mut pairs: Vec<(&str, &str)> = params
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    // Byte order of UTF-8 equals code-point order, which is what Python's sorted() uses.
    pairs.sort_unstable();
    pairs.dedup();
    let len = url.len() + pairs.iter().map(|(k, v)| k.len() + v.len()).sum::<usize>();
    let mut out = String::with_capacity(len);
    out.push_str(url);
    for (k, v) in pairs {
        out.push_str(k);
        out.push_str(v);
    }
    out
}

fn signature_matches(
    algorithm: Algorithm,
    key: &Secret,
    url: &str,
    params: &[(String, String)],
    signature: &str,
) -> bool {
    let message = signing_string(url, params);
    let digest = match algorithm {
        Algorithm::Sha1 => {
            let mut mac = Hmac::<Sha1>::new_from_slice(key.expose().as_bytes())
                .expect("HMAC accepts keys of any length");
            mac.update(message.as_bytes());
            mac.finalize().into_bytes().to_vec()
        }
        Algorithm::Sha256 => {
            let mut mac = Hmac::<Sha256>::new_from_slice(key.expose().as_bytes())
                .expect("HMAC accepts keys of any length");
            mac.update(message.as_bytes());
            mac.finalize().into_bytes().to_vec()
        }
    };
    let expected = STANDARD.encode(digest);
    bool::from(expected.as_bytes().ct_eq(signature.as_bytes()))
}

/// The URL as given plus its port variant: Twilio's own signing is inconsistent about ports, so
/// the official libraries accept the URL without a port and with the scheme's default port.
fn url_variants(url: &str) -> [String; 2] {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, hp)| hp);
    let (host, port) = split_port(host_port);
    let default_port = if scheme.eq_ignore_ascii_case("https") {
        "443"
    } else {
        "80"
    };
    let without = format!("{scheme}://{host}{tail}");
    let with = format!("{scheme}://{host}:{}{tail}", port.unwrap_or(default_port));
    [without, with]
}

fn split_port(host_port: &str) -> (&str, Option<&str>) {
    // IPv6 literals keep their colons inside brackets.
    let search_from = host_port.rfind(']').unwrap_or(0);
    match host_port[search_from..].rfind(':') {
        Some(i) => {
            let i = search_from + i;
            let port = &host_port[i + 1..];
            if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) {
                (&host_port[..i], Some(port))
            } else {
                (host_port, None)
            }
        }
        None => (host_port, None),
    }
}

fn body_sha256_param(url: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    let query = query.split('#').next().unwrap_or(query);
    form_urlencoded::parse(query.as_bytes())
        .find(|(name, _)| name == "bodySHA256")
        .map(|(_, value)| value.into_owned())
}

fn hex_sha256(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verifier(base: &str, token: &str) -> WebhookVerifier {
        WebhookVerifier::new(
            PublicUrl::parse(base).unwrap(),
            Secret::new(token),
            HashMap::from([("wk1".to_owned(), Secret::new("shared-secret"))]),
        )
    }

    fn docs_params() -> Vec<(String, String)> {
        [
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+12349013030"),
            ("Digits", "1234"),
            ("From", "+12349013030"),
            ("To", "+18005551212"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
    }

    fn sign(algorithm: Algorithm, key: &str, url: &str, params: &[(String, String)]) -> String {
        let message = signing_string(url, params);
        match algorithm {
            Algorithm::Sha1 => {
                let mut mac = Hmac::<Sha1>::new_from_slice(key.as_bytes()).unwrap();
                mac.update(message.as_bytes());
                STANDARD.encode(mac.finalize().into_bytes())
            }
            Algorithm::Sha256 => {
                let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
                mac.update(message.as_bytes());
                STANDARD.encode(mac.finalize().into_bytes())
            }
        }
    }

    #[test]
    fn twilio_documentation_vector() {
        let v = verifier("https://mycompany.com", "12345");
        let params = docs_params();
        assert_eq!(
            v.verify(
                "/myapp.php?foo=1&bar=2",
                Some("0/KCTR6DLpKmkAf8muzZqo1nDgQ="),
                None,
                SignedBody::Form(&params)
            ),
            Ok(())
        );
    }

    #[test]
    fn parameter_order_does_not_matter_but_values_do() {
        let v = verifier("https://mycompany.com", "12345");
        let mut params = docs_params();
        params.reverse();
        let sig = "0/KCTR6DLpKmkAf8muzZqo1nDgQ=";
        let target = "/myapp.php?foo=1&bar=2";
        assert_eq!(
            v.verify(target, Some(sig), None, SignedBody::Form(&params)),
            Ok(())
        );
        params[0].1.push('9');
        assert_eq!(
            v.verify(target, Some(sig), None, SignedBody::Form(&params)),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn query_is_signed_as_received() {
        let v = verifier("https://mycompany.com", "12345");
        let params = docs_params();
        let sig = "0/KCTR6DLpKmkAf8muzZqo1nDgQ=";
        for target in [
            "/myapp.php?bar=2&foo=1",
            "/myapp.php?foo=1",
            "/other.php?foo=1&bar=2",
        ] {
            assert_eq!(
                v.verify(target, Some(sig), None, SignedBody::Form(&params)),
                Err(SignatureError::Mismatch),
                "{target}"
            );
        }
    }

    #[test]
    fn port_variants_are_accepted() {
        let params = docs_params();
        // Signed with the default port; configured without.
        let sig = sign(
            Algorithm::Sha1,
            "tok",
            "https://ramal.example.com:443/api/twilio/voice",
            &params,
        );
        let v = verifier("https://ramal.example.com", "tok");
        assert_eq!(
            v.verify(
                "/api/twilio/voice",
                Some(&sig),
                None,
                SignedBody::Form(&params)
            ),
            Ok(())
        );
        // Signed without the port; configured with a custom one.
        let sig = sign(
            Algorithm::Sha1,
            "tok",
            "https://ramal.example.com/api/twilio/voice",
            &params,
        );
        let v = verifier("https://ramal.example.com:8443", "tok");
        assert_eq!(
            v.verify(
                "/api/twilio/voice",
                Some(&sig),
                None,
                SignedBody::Form(&params)
            ),
            Ok(())
        );
    }

    #[test]
    fn path_prefix_of_the_public_url_is_signed() {
        let params = docs_params();
        let sig = sign(
            Algorithm::Sha1,
            "tok",
            "https://example.com/ramal/api/twilio/voice",
            &params,
        );
        let v = verifier("https://example.com/ramal/", "tok");
        assert_eq!(
            v.verify(
                "/api/twilio/voice",
                Some(&sig),
                None,
                SignedBody::Form(&params)
            ),
            Ok(())
        );
    }

    #[test]
    fn repeated_names_and_duplicate_values_follow_the_reference() {
        let params: Vec<(String, String)> = [("b", "2"), ("a", "z"), ("a", "y"), ("a", "y")]
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        assert_eq!(signing_string("https://h/p", &params), "https://h/payazb2");
    }

    #[test]
    fn missing_wrong_and_forged_signatures_are_refused() {
        let v = verifier("https://mycompany.com", "12345");
        let params = docs_params();
        let target = "/myapp.php?foo=1&bar=2";
        assert_eq!(
            v.verify(target, None, None, SignedBody::Form(&params)),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            v.verify(target, Some(""), None, SignedBody::Form(&params)),
            Err(SignatureError::Mismatch)
        );
        let forged = sign(
            Algorithm::Sha1,
            "not-the-token",
            "https://mycompany.com/myapp.php?foo=1&bar=2",
            &params,
        );
        assert_eq!(
            v.verify(target, Some(&forged), None, SignedBody::Form(&params)),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn shared_key_hmac_sha256() {
        let v = verifier("https://ramal.example.com", "tok");
        let params = docs_params();
        let url = "https://ramal.example.com/api/twilio/call-status";
        let sig = sign(Algorithm::Sha256, "shared-secret", url, &params);
        let settings = "key=wk1,algorithm=HMAC_SHA256";
        assert_eq!(
            v.verify(
                "/api/twilio/call-status",
                Some(&sig),
                Some(settings),
                SignedBody::Form(&params)
            ),
            Ok(())
        );
        assert_eq!(
            v.verify(
                "/api/twilio/call-status",
                Some(&sig),
                Some("key=nope,algorithm=HMAC_SHA256"),
                SignedBody::Form(&params)
            ),
            Err(SignatureError::UnknownKey("nope".into()))
        );
        assert_eq!(
            v.verify(
                "/api/twilio/call-status",
                Some(&sig),
                Some("key=wk1,algorithm=HMAC_MD5"),
                SignedBody::Form(&params)
            ),
            Err(SignatureError::UnknownAlgorithm("HMAC_MD5".into()))
        );
        // The SHA-1 signature with the Auth Token is not accepted under the SHA-256 settings.
        let sha1 = sign(Algorithm::Sha1, "tok", url, &params);
        assert_eq!(
            v.verify(
                "/api/twilio/call-status",
                Some(&sha1),
                Some(settings),
                SignedBody::Form(&params)
            ),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn json_body_is_checked_through_body_sha256() {
        let v = verifier("https://ramal.example.com", "tok");
        let body = br#"{"CallSid":"CA1","CallStatus":"completed"}"#;
        let hash = hex_sha256(body);
        let target = format!("/api/twilio/call-status?bodySHA256={hash}");
        let sig = sign(
            Algorithm::Sha1,
            "tok",
            &format!("https://ramal.example.com{target}"),
            &[],
        );
        assert_eq!(
            v.verify(&target, Some(&sig), None, SignedBody::Raw(body)),
            Ok(())
        );
        assert_eq!(
            v.verify(&target, Some(&sig), None, SignedBody::Raw(b"{}")),
            Err(SignatureError::BodyHashMismatch)
        );
        assert_eq!(
            v.verify(
                "/api/twilio/call-status",
                Some(&sig),
                None,
                SignedBody::Raw(body)
            ),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn ipv6_hosts_keep_their_brackets() {
        assert_eq!(
            url_variants("http://[::1]:8080/x"),
            [
                "http://[::1]/x".to_owned(),
                "http://[::1]:8080/x".to_owned()
            ]
        );
        assert_eq!(
            url_variants("http://[::1]/x"),
            ["http://[::1]/x".to_owned(), "http://[::1]:80/x".to_owned()]
        );
    }
}
