//! Every fixture twilio-python produced, rebuilt from its inputs by this crate.

mod common;

use access_token::{ApiKeySecret, decode_unverified, decode_verified};
use pretty_assertions::assert_eq;
use serde_json::Value;

/// The one documented divergence: a Playback grant's object keys are written in
/// `serde_json::Map` order, not in the order Twilio's API returned them.
const KEY_ORDER_DIFFERS: &[&str] = &["playback_api_order"];

#[test]
fn fixture_set_is_substantial() {
    let fixtures = common::load("python_tokens.json");
    assert!(
        fixtures.reference.starts_with("twilio-python 9.13"),
        "{}",
        fixtures.reference
    );
    assert!(
        fixtures.cases.len() >= 20,
        "only {} cases",
        fixtures.cases.len()
    );
    for key in [
        "voice",
        "video",
        "chat",
        "data_sync",
        "task_router",
        "player",
    ] {
        let alone = fixtures.cases.iter().any(|c| {
            c.payload["grants"].as_object().is_some_and(|g| {
                g.contains_key(key) && g.keys().filter(|k| *k != "identity").count() == 1
            })
        });
        assert!(alone, "no case with the {key} grant alone");
    }
}

#[test]
fn decoded_header_and_payload_equal_pythons() {
    for case in &common::load("python_tokens.json").cases {
        let jwt = common::token(&case.input).to_jwt().expect(&case.name);
        let header: Value = serde_json::from_str(&common::part_text(&jwt, 0)).unwrap();
        let payload: Value = serde_json::from_str(&common::part_text(&jwt, 1)).unwrap();
        assert_eq!(header, case.header, "header of {}", case.name);
        assert_eq!(payload, case.payload, "payload of {}", case.name);
    }
}

#[test]
fn tokens_are_byte_identical_to_pythons() {
    let fixtures = common::load("python_tokens.json");
    let mut identical = 0;
    for case in &fixtures.cases {
        let jwt = common::token(&case.input).to_jwt().expect(&case.name);
        assert_eq!(
            common::part_text(&jwt, 0),
            case.header_json,
            "header text of {}",
            case.name
        );
        if KEY_ORDER_DIFFERS.contains(&case.name.as_str()) {
            assert_ne!(
                jwt, case.jwt,
                "{} now matches: remove it from KEY_ORDER_DIFFERS",
                case.name
            );
            continue;
        }
        assert_eq!(
            common::part_text(&jwt, 1),
            case.payload_json,
            "payload text of {}",
            case.name
        );
        assert_eq!(jwt, case.jwt, "JWT of {}", case.name);
        identical += 1;
    }
    assert_eq!(identical, fixtures.cases.len() - KEY_ORDER_DIFFERS.len());
}

#[test]
fn our_signatures_verify_independently() {
    for case in &common::load("python_tokens.json").cases {
        let jwt = common::token(&case.input).to_jwt().unwrap();
        let claims = common::verify_with_jsonwebtoken(&jwt, &case.input.secret);
        assert_eq!(claims, case.payload, "{}", case.name);
    }
}

#[test]
fn pythons_tokens_verify_and_decode_here() {
    for case in &common::load("python_tokens.json").cases {
        let secret = ApiKeySecret::new(case.input.secret.as_str()).unwrap();
        let verified =
            decode_verified(&case.jwt, &secret).unwrap_or_else(|e| panic!("{}: {e}", case.name));
        assert_eq!(verified, decode_unverified(&case.jwt).unwrap());
        assert_eq!(
            serde_json::to_value(&verified.claims).unwrap(),
            case.payload,
            "{}",
            case.name
        );
        assert_eq!(
            serde_json::to_value(&verified.header).unwrap(),
            case.header,
            "{}",
            case.name
        );
        assert_eq!(verified.claims.issued_at(), Some(case.input.now));

        let wrong = ApiKeySecret::new(format!("{}x", case.input.secret)).unwrap();
        assert!(decode_verified(&case.jwt, &wrong).is_err(), "{}", case.name);
    }
}
