//! The webhook signature validator and its URL rebuilding (`webhook/signature.rs`), against a
//! signer written the way twilio-python's `RequestValidator.compute_signature` is: the URL, then
//! for each distinct name in sorted order each distinct value in sorted order (Python sorts by
//! code point), HMAC-SHA1 with the Auth Token, base64.
//!
//! Properties: never a panic whatever the URL, query, parameters, body or headers; a request
//! Twilio signed (with the URL as configured, or with the port removed or the scheme's default
//! port added, as Twilio's signing varies) always validates, under SHA-1 or the
//! settings-header HMAC-SHA256, and JSON bodies through `bodySHA256`; changing one character
//! of the URL, of a parameter (when it changes what is signed) or of the signature fails.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, KeyInit, Mac};
use proptest::prelude::*;
use sha1::Sha1;
use sha2::{Digest, Sha256};

use crate::config::{PublicUrl, Secret};
use crate::webhook::signature::{SignatureError, SignedBody, WebhookVerifier};

type Params = Vec<(String, String)>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Algorithm {
    Sha1,
    Sha256,
}

/// twilio-python's signing string: names and values compared as code-point sequences, as
/// Python's `sorted()` does on `str`, each distinct pair once.
fn twilio_string(url: &str, params: &[(String, String)]) -> String {
    let mut names: BTreeMap<Vec<char>, BTreeSet<Vec<char>>> = BTreeMap::new();
    for (k, v) in params {
        names
            .entry(k.chars().collect())
            .or_default()
            .insert(v.chars().collect());
    }
    let mut s = url.to_owned();
    for (name, values) in names {
        for value in values {
            s.extend(name.iter());
            s.extend(value.iter());
        }
    }
    s
}

/// The signature Twilio sends (also used by the webhook suite to sign its requests).
pub(super) fn twilio_sign(
    algorithm: Algorithm,
    key: &str,
    url: &str,
    params: &[(String, String)],
) -> String {
    let message = twilio_string(url, params);
    let digest = match algorithm {
        Algorithm::Sha1 => {
            let mut mac = Hmac::<Sha1>::new_from_slice(key.as_bytes()).expect("any key length");
            mac.update(message.as_bytes());
            mac.finalize().into_bytes().to_vec()
        }
        Algorithm::Sha256 => {
            let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("any key length");
            mac.update(message.as_bytes());
            mac.finalize().into_bytes().to_vec()
        }
    };
    STANDARD.encode(digest)
}

fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A public base URL, kept in parts so the test knows its port variants.
#[derive(Debug, Clone)]
struct Base {
    scheme: &'static str,
    host: String,
    port: Option<u16>,
    prefix: String,
}

impl Base {
    fn render(&self, port: Option<u16>) -> String {
        let port = port.map(|p| format!(":{p}")).unwrap_or_default();
        format!("{}://{}{port}{}", self.scheme, self.host, self.prefix)
    }

    fn configured(&self) -> String {
        self.render(self.port)
    }

    /// Every URL Twilio may have signed for a request to `target`: as configured, without
    /// the port, and with the scheme's default port when none is configured.
    fn signed_urls(&self, target: &str) -> Vec<String> {
        let default = if self.scheme == "https" { 443 } else { 80 };
        let mut urls = vec![self.configured(), self.render(None)];
        if self.port.is_none() {
            urls.push(self.render(Some(default)));
        }
        urls.into_iter().map(|base| base + target).collect()
    }

    fn verifier(&self, token: &str, keys: &[(String, String)]) -> WebhookVerifier {
        let public = PublicUrl::parse(&self.configured()).expect("generated bases are valid");
        WebhookVerifier::new(
            public,
            Secret::new(token),
            keys.iter()
                .map(|(id, secret)| (id.clone(), Secret::new(secret)))
                .collect::<HashMap<_, _>>(),
        )
    }
}

fn base() -> impl Strategy<Value = Base> {
    let host = prop_oneof![
        4 => "[a-z0-9][a-z0-9-]{0,10}(\\.[a-z]{2,6}){0,2}",
        1 => (any::<u8>(), any::<u8>(), any::<u8>(), any::<u8>()).prop_map(|(a, b, c, d)| format!("{a}.{b}.{c}.{d}")),
        1 => prop::sample::select(&["[::1]", "[2001:db8::7]", "[fe80::1:2]", "localhost"][..]).prop_map(str::to_owned),
    ];
    let port = prop_oneof![
        3 => Just(None),
        1 => prop::sample::select(vec![80u16, 443]).prop_map(Some),
        2 => (1u16..=65535).prop_map(Some),
    ];
    let prefix = prop_oneof![
        3 => Just(String::new()),
        1 => "(/[a-z0-9._~-]{1,8}){1,3}",
    ];
    (
        prop::sample::select(&["https", "http"][..]),
        host,
        port,
        prefix,
    )
        .prop_map(|(scheme, host, port, prefix)| Base {
            scheme,
            host,
            port,
            prefix,
        })
}

/// A request target as received: a path of URI characters and percent escapes (valid or not),
/// and often a query in its original order and encoding.
fn target() -> impl Strategy<Value = String> {
    let segment = prop_oneof![
        4 => "[A-Za-z0-9._~!$&'()*+,;=:@-]{0,10}",
        1 => "%[0-9A-Fa-f]{2}",
        1 => prop::sample::select(&["%", "%Z", "%ZZ", "%E2%82", "api", "twilio", "voice"][..]).prop_map(str::to_owned),
    ];
    let path = prop::collection::vec(segment, 0..5).prop_map(|s| format!("/{}", s.join("/")));
    let query = prop_oneof![
        2 => Just(None),
        3 => "[A-Za-z0-9._~!$&'()*+,;=:@/?%-]{0,40}".prop_map(Some),
    ];
    (path, query).prop_map(|(path, query)| match query {
        Some(q) => format!("{path}?{q}"),
        None => path,
    })
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[A-Za-z0-9+ ]{0,12}",
        2 => "\\PC{0,12}",
        1 => ".{0,6}",
        1 => prop::sample::select(&["", "CallSid", "From", "To", "ç", "😀", "\u{FFFF}", "\u{10000}", "\u{E000}", "\u{D7FF}", "a", "b", "ab"][..])
            .prop_map(str::to_owned),
    ]
}

/// Form parameters: any text, repeated names and repeated pairs included.
fn params() -> impl Strategy<Value = Params> {
    prop::collection::vec((text(), text()), 0..10).prop_flat_map(|pairs| {
        let len = pairs.len();
        (Just(pairs), prop::collection::vec(0..len.max(1), 0..3)).prop_map(|(mut pairs, dups)| {
            for i in dups {
                if let Some(pair) = pairs.get(i).cloned() {
                    pairs.push(pair);
                }
            }
            pairs
        })
    })
}

fn token() -> impl Strategy<Value = String> {
    "[!-~]{1,40}"
}

/// Shared keys with distinct ids (`RAMAL_TWILIO_WEBHOOK_KEYS` is a map).
fn shared_keys() -> impl Strategy<Value = Vec<(String, String)>> {
    prop::collection::btree_map("[A-Za-z0-9_-]{1,12}", "[!-~]{1,40}", 1..4)
        .prop_map(|keys| keys.into_iter().collect())
}

/// One character of `s` replaced by another (or one added to an empty string).
fn change_one_char(s: &str, at: usize, replacement: char) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.is_empty() {
        return replacement.to_string();
    }
    let at = at % chars.len();
    let replacement = if chars[at] == replacement {
        char::from_u32(u32::from(replacement) ^ 1).unwrap_or('x')
    } else {
        replacement
    };
    let mut out = chars;
    out[at] = replacement;
    out.into_iter().collect()
}

#[derive(Debug, Clone, Copy)]
enum Mutation {
    Target,
    Name(usize),
    Value(usize),
    Signature,
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        2 => Just(Mutation::Target),
        2 => any::<usize>().prop_map(Mutation::Name),
        2 => any::<usize>().prop_map(Mutation::Value),
        1 => Just(Mutation::Signature),
    ]
}

proptest! {
    #![proptest_config(super::config(256))]

    /// Whatever URL variant Twilio signed, with whatever parameters, the request validates.
    #[test]
    fn twilio_signed_requests_validate(
        base in base(),
        target in target(),
        params in params(),
        token in token(),
        variant in any::<prop::sample::Index>(),
        shuffle in any::<prop::sample::Index>(),
    ) {
        let verifier = base.verifier(&token, &[]);
        let urls = base.signed_urls(&target);
        let url = variant.get(&urls);
        let signature = twilio_sign(Algorithm::Sha1, &token, url, &params);
        // Parameter order on the wire does not matter.
        let mut received = params.clone();
        if !received.is_empty() {
            let k = shuffle.index(received.len());
            received.rotate_left(k);
        }
        prop_assert_eq!(
            verifier.verify(&target, Some(&signature), None, SignedBody::Form(&received)),
            Ok(()),
            "signed URL {}", url
        );
        // Surrounding whitespace in the header is tolerated.
        let padded = format!(" {signature}\t");
        prop_assert_eq!(verifier.verify(&target, Some(&padded), None, SignedBody::Form(&received)), Ok(()));
    }

    /// One character changed in the URL, a parameter or the signature: refused (a parameter
    /// change that leaves the signed string as it was, such as turning a pair into an existing
    /// duplicate, is not a change).
    #[test]
    fn any_single_change_is_refused(
        base in base(),
        target in target(),
        params in params(),
        token in token(),
        mutation in mutation(),
        at in any::<usize>(),
        replacement in any::<char>(),
    ) {
        let verifier = base.verifier(&token, &[]);
        let url = base.configured() + &target;
        let signature = twilio_sign(Algorithm::Sha1, &token, &url, &params);
        let (mut target2, mut params2, mut signature2) = (target.clone(), params.clone(), signature.clone());
        match mutation {
            Mutation::Target => target2 = change_one_char(&target, at, replacement),
            Mutation::Signature => signature2 = change_one_char(&signature, at, replacement),
            Mutation::Name(i) | Mutation::Value(i) => {
                if params2.is_empty() {
                    params2.push((String::new(), String::new()));
                }
                let i = i % params2.len();
                let slot = match mutation {
                    Mutation::Name(_) => &mut params2[i].0,
                    _ => &mut params2[i].1,
                };
                *slot = change_one_char(slot, at, replacement);
                if twilio_string(&url, &params2) == twilio_string(&url, &params) {
                    return Ok(());
                }
            }
        }
        let result = verifier.verify(&target2, Some(&signature2), None, SignedBody::Form(&params2));
        // Whitespace added at either end of the signature is trimmed, which is still a change
        // of length and so still a mismatch.
        prop_assert_eq!(result, Err(SignatureError::Mismatch), "{:?}", mutation);
    }

    /// The settings header: HMAC-SHA256 (or SHA-1) with a configured shared key validates,
    /// however the header is spaced and ordered; an unknown key or algorithm is named in the
    /// error; an Auth Token signature is not accepted in place of the shared key's.
    #[test]
    fn shared_key_signatures_follow_the_settings_header(
        base in base(),
        target in target(),
        params in params(),
        token in token(),
        keys in shared_keys(),
        pick in any::<prop::sample::Index>(),
        sha256 in any::<bool>(),
        spacing in prop::sample::select(&["", " ", "\t", "  "][..]),
        reversed in any::<bool>(),
        lower in any::<bool>(),
    ) {
        let verifier = base.verifier(&token, &keys);
        let (id, secret) = pick.get(&keys);
        let url = base.configured() + &target;
        let (algorithm, name) = if sha256 { (Algorithm::Sha256, "HMAC_SHA256") } else { (Algorithm::Sha1, "HMAC_SHA1") };
        let name = if lower { name.to_ascii_lowercase() } else { name.to_owned() };
        let s = spacing;
        let parts = [format!("{s}key{s}={s}{id}{s}"), format!("{s}algorithm{s}={s}{name}{s}")];
        let settings = if reversed { format!("{},{}", parts[1], parts[0]) } else { parts.join(",") };
        let signature = twilio_sign(algorithm, secret, &url, &params);
        prop_assert_eq!(verifier.verify(&target, Some(&signature), Some(&settings), SignedBody::Form(&params)), Ok(()), "{}", settings);

        let unknown = format!("key=nope-{id},algorithm={name}");
        prop_assert_eq!(
            verifier.verify(&target, Some(&signature), Some(&unknown), SignedBody::Form(&params)),
            Err(SignatureError::UnknownKey(format!("nope-{id}")))
        );
        let md5 = format!("key={id},algorithm=HMAC_MD5");
        prop_assert_eq!(
            verifier.verify(&target, Some(&signature), Some(&md5), SignedBody::Form(&params)),
            Err(SignatureError::UnknownAlgorithm("HMAC_MD5".into()))
        );
        if token != *secret {
            let with_token = twilio_sign(algorithm, &token, &url, &params);
            prop_assert_eq!(
                verifier.verify(&target, Some(&with_token), Some(&settings), SignedBody::Form(&params)),
                Err(SignatureError::Mismatch)
            );
        }
    }

    /// JSON bodies: the URL alone is signed and `bodySHA256` (anywhere in the query) vouches
    /// for the body; one byte changed in the body, or no `bodySHA256`, is refused.
    #[test]
    fn json_bodies_are_vouched_for_by_body_sha256(
        base in base(),
        path in "(/[a-z-]{1,10}){1,3}",
        before in prop::collection::vec(("[a-zA-Z]{1,6}", "[a-zA-Z0-9%+]{0,8}"), 0..3),
        after in prop::collection::vec(("[a-zA-Z]{1,6}", "[a-zA-Z0-9%+]{0,8}"), 0..3),
        body in prop::collection::vec(any::<u8>(), 0..200),
        token in token(),
        flip in any::<(usize, u8)>(),
    ) {
        let verifier = base.verifier(&token, &[]);
        let mut query: Vec<String> = before.iter().map(|(k, v)| format!("{k}={v}")).collect();
        query.push(format!("bodySHA256={}", hex_sha256(&body)));
        query.extend(after.iter().map(|(k, v)| format!("{k}={v}")));
        let target = format!("{path}?{}", query.join("&"));
        let signature = twilio_sign(Algorithm::Sha1, &token, &(base.configured() + &target), &[]);
        prop_assert_eq!(verifier.verify(&target, Some(&signature), None, SignedBody::Raw(&body)), Ok(()));

        let mut changed = body.clone();
        if changed.is_empty() {
            changed.push(flip.1);
        } else {
            let i = flip.0 % changed.len();
            changed[i] ^= flip.1.max(1);
        }
        prop_assert_eq!(
            verifier.verify(&target, Some(&signature), None, SignedBody::Raw(&changed)),
            Err(SignatureError::BodyHashMismatch)
        );
        let bare = twilio_sign(Algorithm::Sha1, &token, &(base.configured() + &path), &[]);
        prop_assert_eq!(
            verifier.verify(&path, Some(&bare), None, SignedBody::Raw(&body)),
            Err(SignatureError::Mismatch)
        );
    }

    /// Arbitrary everything: no panic, no signature header means `Missing`, and a signature
    /// nobody computed never validates.
    #[test]
    fn arbitrary_requests_never_panic_nor_validate(
        public in prop_oneof![3 => base().prop_map(|b| b.configured()), 1 => "\\PC{0,30}"],
        target in prop_oneof![3 => target(), 1 => "\\PC{0,40}", 1 => ".{0,20}"],
        signature in prop::option::of(prop_oneof!["[A-Za-z0-9+/=]{0,40}", "\\PC{0,30}"]),
        settings in prop::option::of(prop_oneof![
            "(key|algorithm|x)=[A-Za-z0-9_]{0,12}(,(key|algorithm)=[A-Za-z0-9_ ]{0,12}){0,2}",
            "\\PC{0,30}",
        ]),
        form in prop::option::of(params()),
        raw in prop::collection::vec(any::<u8>(), 0..64),
        token in token(),
        keys in shared_keys(),
    ) {
        let Ok(public) = PublicUrl::parse(&public) else { return Ok(()) };
        let verifier = WebhookVerifier::new(
            public,
            Secret::new(&token),
            keys.iter().map(|(id, s)| (id.clone(), Secret::new(s))).collect(),
        );
        let body = match &form {
            Some(params) => SignedBody::Form(params),
            None => SignedBody::Raw(&raw),
        };
        let result = verifier.verify(&target, signature.as_deref(), settings.as_deref(), body);
        match signature {
            None => prop_assert_eq!(result, Err(SignatureError::Missing)),
            Some(_) => prop_assert!(result.is_err()),
        }
    }
}
