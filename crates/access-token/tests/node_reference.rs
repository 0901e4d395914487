//! The fixtures twilio-node produced for the same inputs, compared claim by claim where the two
//! official libraries agree.
//!
//! twilio-node differs by design: it adds `iat`, orders keys differently, writes non-ASCII raw,
//! emits `{}` (Python: `null`) for a Playback grant without content, keeps an empty `params`
//! object in the Voice grant (Python drops it), and requires an identity (cases without one are
//! skipped by its generator).

mod common;

use access_token::{ApiKeySecret, decode_verified};
use pretty_assertions::assert_eq;
use serde_json::Value;

#[test]
fn fixture_set_is_substantial() {
    let fixtures = common::load("node_tokens.json");
    assert!(
        fixtures.reference.starts_with("twilio-node 6."),
        "{}",
        fixtures.reference
    );
    assert!(
        fixtures.cases.len() >= 20,
        "only {} cases",
        fixtures.cases.len()
    );
    for skipped in &fixtures.skipped {
        assert!(
            skipped.reason.contains("identity"),
            "{}: {}",
            skipped.name,
            skipped.reason
        );
    }
}

#[test]
fn claims_equal_nodes_except_iat() {
    for case in &common::load("node_tokens.json").cases {
        let jwt = common::token(&case.input).to_jwt().expect(&case.name);
        let header: Value = serde_json::from_str(&common::part_text(&jwt, 0)).unwrap();
        let ours: Value = serde_json::from_str(&common::part_text(&jwt, 1)).unwrap();

        let mut theirs = case.payload.clone();
        let theirs_map = theirs.as_object_mut().unwrap();
        let iat = theirs_map
            .remove("iat")
            .expect("twilio-node always writes iat");
        assert_eq!(iat, Value::from(case.input.now), "iat of {}", case.name);
        // The two documented differences in grant contents, undone where they occur.
        let empty = serde_json::json!({});
        if let Some(player) = theirs_map["grants"].get_mut("player")
            && *player == empty
            && ours["grants"]["player"].is_null()
        {
            *player = Value::Null;
        }
        if let Some(outgoing) = theirs_map["grants"].pointer_mut("/voice/outgoing")
            && outgoing.get("params") == Some(&empty)
        {
            outgoing.as_object_mut().unwrap().remove("params");
        }

        assert_eq!(header, case.header, "header of {}", case.name);
        assert_eq!(ours, theirs, "payload of {}", case.name);
    }
}

#[test]
fn nodes_tokens_verify_here() {
    for case in &common::load("node_tokens.json").cases {
        let secret = ApiKeySecret::new(case.input.secret.as_str()).unwrap();
        let decoded =
            decode_verified(&case.jwt, &secret).unwrap_or_else(|e| panic!("{}: {e}", case.name));
        assert_eq!(decoded.claims.iat, Some(case.input.now));
        assert_eq!(decoded.claims.issued_at(), Some(case.input.now));
        let claims = common::verify_with_jsonwebtoken(&case.jwt, &case.input.secret);
        assert_eq!(claims, case.payload, "{}", case.name);
    }
}
