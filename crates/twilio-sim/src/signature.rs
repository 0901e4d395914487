//! Twilio's webhook signatures, computed exactly as Twilio computes them.
//!
//! The string to sign is the full URL as requested (query untouched), then, for every POST
//! parameter name in sorted order and every distinct value of that name in sorted order,
//! `name + value` with no separator. The signature is the padded base64 of an HMAC of that string:
//! HMAC-SHA1 keyed with the Auth Token (header `X-Twilio-Signature`), or, when the request carries
//! `X-Twilio-Webhooks-Signature-Settings: key=<id>,algorithm=HMAC_SHA256`, HMAC-SHA256 keyed with
//! a separate shared key (same header for the signature).
//!
//! ```
//! use twilio_sim::signature::sign_hmac_sha1;
//!
//! // Twilio's documented test vector.
//! let params = [
//!     ("CallSid", "CA1234567890ABCDE"),
//!     ("Caller", "+12349013030"),
//!     ("Digits", "1234"),
//!     ("From", "+12349013030"),
//!     ("To", "+18005551212"),
//! ];
//! let sig = sign_hmac_sha1("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", &params);
//! assert_eq!(sig, "0/KCTR6DLpKmkAf8muzZqo1nDgQ=");
//! ```

use std::collections::{BTreeMap, BTreeSet};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};

use crate::secret::Secret;

/// Header carrying the signature, for both algorithms.
pub const SIGNATURE_HEADER: &str = "X-Twilio-Signature";
/// Header announcing the shared-key scheme: `key=<id>,algorithm=HMAC_SHA256`.
pub const SIGNATURE_SETTINGS_HEADER: &str = "X-Twilio-Webhooks-Signature-Settings";
/// Header reported to stay the same across retries of one event (not documented by Twilio).
pub const IDEMPOTENCY_HEADER: &str = "I-Twilio-Idempotency-Token";

/// The exact string Twilio signs: `url` followed by `name + value` for each sorted name and each
/// of its distinct values, sorted (code-point order, as Python's `sorted`).
pub fn string_to_sign<K: AsRef<str>, V: AsRef<str>>(url: &str, params: &[(K, V)]) -> String {
    let mut grouped: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (k, v) in params {
        grouped.entry(k.as_ref()).or_default().insert(v.as_ref());
    }
    let mut s = String::from(url);
    for (name, values) in grouped {
        for value in values {
            s.push_str(name);
            s.push_str(value);
        }
    }
    s
}

/// `X-Twilio-Signature` for the legacy scheme: base64(HMAC-SHA1(auth token, string to sign)).
pub fn sign_hmac_sha1<K: AsRef<str>, V: AsRef<str>>(
    auth_token: &str,
    url: &str,
    params: &[(K, V)],
) -> String {
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(auth_token.as_bytes())
        .expect("HMAC accepts keys of any length");
    mac.update(string_to_sign(url, params).as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

/// Signature for the shared-key scheme: base64(HMAC-SHA256(shared key, string to sign)).
pub fn sign_hmac_sha256<K: AsRef<str>, V: AsRef<str>>(
    shared_key: &str,
    url: &str,
    params: &[(K, V)],
) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(shared_key.as_bytes())
        .expect("HMAC accepts keys of any length");
    mac.update(string_to_sign(url, params).as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

/// Which key and algorithm sign the simulator's requests.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SigningScheme {
    /// HMAC-SHA1 with the account's Auth Token (Twilio's default).
    #[default]
    AuthToken,
    /// HMAC-SHA256 with a shared key, announced by
    /// `X-Twilio-Webhooks-Signature-Settings: key=<key_id>,algorithm=HMAC_SHA256`.
    SharedKey {
        /// The key's identifier, sent in the settings header.
        key_id: String,
        /// The shared secret.
        secret: Secret,
    },
}

/// A deliberate defect in a request's signature, for negative tests of a webhook validator.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Forgery {
    /// A correct signature (no forgery).
    #[default]
    None,
    /// Signed with a different key than the one Twilio uses (the real key with `-wrong` appended).
    WrongKey,
    /// Signed correctly, then the parameter `name` is set to `value` (added if absent), as an
    /// attacker replaying a captured request with a changed field would do.
    ParamChangedAfterSigning {
        /// Parameter to change.
        name: String,
        /// Its new value.
        value: String,
    },
    /// A valid signature, but computed for this other URL (e.g. another route or host).
    SignedForOtherUrl(String),
    /// No `X-Twilio-Signature` header at all.
    MissingSignature,
    /// Shared-key scheme header naming an algorithm Twilio does not have (`HMAC_SHA512`);
    /// the signature itself is a correct HMAC-SHA256. A validator must reject it.
    UnknownAlgorithm,
}

/// The headers and (possibly altered) parameters of a signed request, ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Signed {
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) params: Vec<(String, String)>,
    pub(crate) signature: Option<String>,
}

/// Signs `url` + `params` (for GET, `url` already holds the query and `params` is empty).
pub(crate) fn sign_request(
    scheme: &SigningScheme,
    auth_token: &Secret,
    forgery: &Forgery,
    url: &str,
    params: Vec<(String, String)>,
) -> Signed {
    let (key, settings) = match scheme {
        SigningScheme::AuthToken => (auth_token.expose().to_owned(), None),
        SigningScheme::SharedKey { key_id, secret } => (
            secret.expose().to_owned(),
            Some(format!("key={key_id},algorithm=HMAC_SHA256")),
        ),
    };
    let sign = |key: &str, url: &str, params: &[(String, String)]| match scheme {
        SigningScheme::AuthToken => sign_hmac_sha1(key, url, params),
        SigningScheme::SharedKey { .. } => sign_hmac_sha256(key, url, params),
    };
    let mut params = params;
    let signature = match forgery {
        Forgery::None | Forgery::UnknownAlgorithm => Some(sign(&key, url, &params)),
        Forgery::WrongKey => Some(sign(&format!("{key}-wrong"), url, &params)),
        Forgery::SignedForOtherUrl(other) => Some(sign(&key, other, &params)),
        Forgery::MissingSignature => None,
        Forgery::ParamChangedAfterSigning { name, value } => {
            let sig = sign(&key, url, &params);
            match params.iter_mut().find(|(k, _)| k == name) {
                Some(slot) => slot.1 = value.clone(),
                None => params.push((name.clone(), value.clone())),
            }
            Some(sig)
        }
    };
    let mut headers = Vec::new();
    if let Some(sig) = &signature {
        headers.push((SIGNATURE_HEADER.to_owned(), sig.clone()));
    }
    match (forgery, settings) {
        (Forgery::UnknownAlgorithm, Some(s)) => headers.push((
            SIGNATURE_SETTINGS_HEADER.to_owned(),
            s.replace("HMAC_SHA256", "HMAC_SHA512"),
        )),
        (Forgery::UnknownAlgorithm, None) => headers.push((
            SIGNATURE_SETTINGS_HEADER.to_owned(),
            "key=unknown,algorithm=HMAC_SHA512".to_owned(),
        )),
        (_, Some(s)) => headers.push((SIGNATURE_SETTINGS_HEADER.to_owned(), s)),
        (_, None) => {}
    }
    Signed {
        headers,
        params,
        signature,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vector() -> Vec<(String, String)> {
        [
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+12349013030"),
            ("Digits", "1234"),
            ("From", "+12349013030"),
            ("To", "+18005551212"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
    }
    const URL: &str = "https://mycompany.com/myapp.php?foo=1&bar=2";

    #[test]
    fn twilio_documented_test_vector() {
        assert_eq!(
            sign_hmac_sha1("12345", URL, &vector()),
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
        );
    }

    #[test]
    fn parameter_order_does_not_matter_but_values_do() {
        let mut shuffled = vector();
        shuffled.reverse();
        assert_eq!(
            sign_hmac_sha1("12345", URL, &shuffled),
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
        );
        shuffled[0].1.push('9');
        assert_ne!(
            sign_hmac_sha1("12345", URL, &shuffled),
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
        );
    }

    #[test]
    fn repeated_names_sign_each_distinct_value_sorted() {
        let p = [("b", "2"), ("a", "z"), ("a", "y"), ("a", "y")];
        assert_eq!(string_to_sign("u", &p), "uayazb2");
    }

    #[test]
    fn sha256_differs_from_sha1_and_is_44_chars() {
        let s = sign_hmac_sha256("12345", URL, &vector());
        assert_eq!(s.len(), 44);
        assert_ne!(s, sign_hmac_sha1("12345", URL, &vector()));
    }

    #[test]
    fn forgeries_produce_what_they_claim() {
        let token = Secret::new("12345");
        let scheme = SigningScheme::AuthToken;
        let good = "0/KCTR6DLpKmkAf8muzZqo1nDgQ=";
        let ok = sign_request(&scheme, &token, &Forgery::None, URL, vector());
        assert_eq!(ok.signature.as_deref(), Some(good));
        assert_eq!(ok.params, vector());

        let wrong = sign_request(&scheme, &token, &Forgery::WrongKey, URL, vector());
        assert_eq!(
            wrong.signature.as_deref(),
            Some(sign_hmac_sha1("12345-wrong", URL, &vector()).as_str())
        );

        let changed = sign_request(
            &scheme,
            &token,
            &Forgery::ParamChangedAfterSigning {
                name: "Digits".into(),
                value: "9".into(),
            },
            URL,
            vector(),
        );
        assert_eq!(changed.signature.as_deref(), Some(good));
        assert!(changed.params.contains(&("Digits".into(), "9".into())));

        let other = sign_request(
            &scheme,
            &token,
            &Forgery::SignedForOtherUrl("https://evil.example/".into()),
            URL,
            vector(),
        );
        assert_eq!(
            other.signature.as_deref(),
            Some(sign_hmac_sha1("12345", "https://evil.example/", &vector()).as_str())
        );

        let missing = sign_request(&scheme, &token, &Forgery::MissingSignature, URL, vector());
        assert!(missing.headers.is_empty());
    }

    #[test]
    fn shared_key_scheme_announces_itself() {
        let scheme = SigningScheme::SharedKey {
            key_id: "webhooks_sharedkey_1".into(),
            secret: Secret::new("k"),
        };
        let s = sign_request(&scheme, &Secret::new("t"), &Forgery::None, URL, vector());
        assert_eq!(
            s.headers,
            vec![
                (
                    SIGNATURE_HEADER.to_owned(),
                    sign_hmac_sha256("k", URL, &vector())
                ),
                (
                    SIGNATURE_SETTINGS_HEADER.to_owned(),
                    "key=webhooks_sharedkey_1,algorithm=HMAC_SHA256".to_owned()
                ),
            ]
        );
        let bad = sign_request(
            &scheme,
            &Secret::new("t"),
            &Forgery::UnknownAlgorithm,
            URL,
            vector(),
        );
        assert!(bad.headers[1].1.ends_with("algorithm=HMAC_SHA512"));
    }
}
