//! Minting behaviour beyond the reference fixtures: defaults, errors, redaction, diagnosis.

use access_token::{
    AccessToken, ApiKeySecret, DecodeError, Identity, IdentityError, PlaybackGrant, Problem,
    Region, TokenError, Ttl, TtlError, VideoGrant, VoiceGrant, decode_unverified, decode_verified,
};
use std::time::{SystemTime, UNIX_EPOCH};

const SECRET: &str = "Zz9yXx8wVv7uTt6sRr5qPp4oNn3mLl2k";

fn token() -> AccessToken {
    AccessToken::new(
        "AC0123456789abcdef0123456789abcdef".parse().unwrap(),
        "SK0123456789abcdef0123456789abcdef".parse().unwrap(),
        ApiKeySecret::new(SECRET).unwrap(),
    )
}

#[test]
fn defaults_to_the_system_clock() {
    let before = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let minted = token()
        .identity(Identity::new("a").unwrap())
        .mint()
        .unwrap();
    let after = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    assert!((before..=after).contains(&minted.issued_at()));
    assert_eq!(minted.expires_at(), minted.issued_at() + 3600);
    let claims = decode_unverified(minted.as_str()).unwrap().claims;
    assert_eq!(claims.nbf, Some(minted.issued_at()));
    assert_eq!(
        claims.jti,
        format!("SK0123456789abcdef0123456789abcdef-{}", minted.issued_at())
    );
    assert!(
        decode_unverified(minted.as_str())
            .unwrap()
            .problems_at(after)
            .is_empty()
    );
}

#[test]
fn ttl_and_not_before_shape_the_claims() {
    let t = token().issued_at(1000).ttl(Ttl::MAX);
    let c = decode_unverified(&t.clone().to_jwt().unwrap())
        .unwrap()
        .claims;
    assert_eq!((c.exp, c.nbf), (1000 + 86_400, Some(1000)));
    let c = decode_unverified(&t.clone().without_not_before().to_jwt().unwrap())
        .unwrap()
        .claims;
    assert_eq!(c.nbf, None);
    let c = decode_unverified(&t.not_before(900).to_jwt().unwrap())
        .unwrap()
        .claims;
    assert_eq!(c.nbf, Some(900));
    assert_eq!(
        Ttl::from_secs(86_401),
        Err(TtlError::TooLong { secs: 86_401 })
    );
}

#[test]
fn not_before_at_or_after_expiry_is_refused() {
    let t = token().issued_at(1000).ttl(Ttl::from_secs(60).unwrap());
    assert_eq!(
        t.clone().not_before(1060).to_jwt(),
        Err(TokenError::NotBeforeAfterExpiry {
            not_before: 1060,
            expires_at: 1060
        })
    );
    assert!(t.not_before(1059).to_jwt().is_ok());
    assert_eq!(
        token().issued_at(u64::MAX).to_jwt(),
        Err(TokenError::TimeOutOfRange)
    );
}

#[test]
fn raw_identity_rules() {
    let video = token().issued_at(1).grant(VideoGrant::new());
    let jwt = video
        .clone()
        .raw_identity("alice@example.com")
        .to_jwt()
        .unwrap();
    assert_eq!(
        decode_unverified(&jwt).unwrap().claims.identity(),
        Some("alice@example.com")
    );

    assert_eq!(
        video.clone().raw_identity("").to_jwt(),
        Err(TokenError::InvalidIdentity(IdentityError::Empty))
    );
    assert_eq!(
        video.clone().raw_identity("a\u{7}").to_jwt(),
        Err(TokenError::InvalidIdentity(
            IdentityError::ForbiddenCharacter {
                found: '\u{7}',
                position: 1
            }
        ))
    );
    let with_voice = video.grant(VoiceGrant::new().incoming_allow(true));
    let err = with_voice
        .clone()
        .raw_identity("alice@example.com")
        .to_jwt()
        .unwrap_err();
    assert_eq!(
        err,
        TokenError::IdentityNotValidForVoice(IdentityError::ForbiddenCharacter {
            found: '@',
            position: 5
        })
    );
    assert!(err.to_string().contains("31105"), "{err}");
    // A raw identity that happens to be Voice-valid is fine with a Voice grant.
    assert!(with_voice.raw_identity("alice_example").to_jwt().is_ok());
}

#[test]
fn a_later_grant_of_the_same_kind_replaces_the_earlier_in_place() {
    let t = token()
        .grant(VoiceGrant::new().incoming_allow(true))
        .grant(VideoGrant::new())
        .grant(VoiceGrant::new().endpoint_id("x"));
    let keys: Vec<_> = t.grants().iter().map(|g| g.key()).collect();
    assert_eq!(keys, ["voice", "video"]);
    let claims = decode_unverified(&t.issued_at(5).to_jwt().unwrap())
        .unwrap()
        .claims;
    assert_eq!(
        claims.grant("voice").unwrap(),
        &serde_json::json!({"endpoint_id": "x"})
    );
}

#[test]
fn region_goes_in_the_header_only() {
    let jwt = token()
        .issued_at(7)
        .region(Region::new("ie1").unwrap())
        .to_jwt()
        .unwrap();
    let decoded = decode_unverified(&jwt).unwrap();
    assert_eq!(decoded.header.twr.as_deref(), Some("ie1"));
    let payload = serde_json::to_value(&decoded.claims).unwrap();
    assert!(!payload.to_string().contains("ie1"));
}

#[test]
fn secrets_and_tokens_do_not_print_in_debug() {
    let t = token()
        .identity(Identity::new("alice").unwrap())
        .issued_at(1);
    let builder = format!("{t:?}");
    assert!(!builder.contains(SECRET), "{builder}");
    let minted = t.mint().unwrap();
    let shown = format!("{minted:?}");
    assert!(!shown.contains(minted.as_str()), "{shown}");
    let signature = minted.as_str().rsplit('.').next().unwrap();
    assert!(!shown.contains(signature), "{shown}");
}

#[test]
fn verification_rejects_tampering() {
    let secret = ApiKeySecret::new(SECRET).unwrap();
    let jwt = token()
        .identity(Identity::new("alice").unwrap())
        .issued_at(1)
        .to_jwt()
        .unwrap();
    assert!(decode_verified(&jwt, &secret).is_ok());

    // Same header and signature, payload for another identity.
    let other = token()
        .identity(Identity::new("mallory").unwrap())
        .issued_at(1)
        .to_jwt()
        .unwrap();
    let mut parts: Vec<&str> = jwt.split('.').collect();
    parts[1] = other.split('.').nth(1).unwrap();
    assert_eq!(
        decode_verified(&parts.join("."), &secret),
        Err(DecodeError::BadSignature)
    );

    let wrong = ApiKeySecret::new("another-secret").unwrap();
    assert_eq!(
        decode_verified(&jwt, &wrong),
        Err(DecodeError::BadSignature)
    );
    assert_eq!(decode_unverified("a.b"), Err(DecodeError::NotThreeParts));
    assert_eq!(
        decode_unverified("a.b.c.d"),
        Err(DecodeError::NotThreeParts)
    );
    assert!(matches!(
        decode_unverified("!!.e30.x"),
        Err(DecodeError::Base64(_))
    ));
    assert!(matches!(
        decode_unverified("e30.e30.x"),
        Err(DecodeError::Json { .. })
    ));
}

#[test]
fn problems_name_twilios_error_codes() {
    let jwt = token()
        .raw_identity("alice@example.com")
        .grant(VideoGrant::new())
        .issued_at(1000)
        .not_before(2000)
        .to_jwt()
        .unwrap();
    let decoded = decode_unverified(&jwt).unwrap();
    assert_eq!(
        decoded.problems_at(1500),
        [Problem::NotYetValid { not_before: 2000 }]
    );
    assert_eq!(
        decoded.problems_at(4600),
        [Problem::Expired { expired_at: 4600 }]
    );
    assert_eq!(
        decoded.problems_at(4600)[0].twilio_error_codes(),
        [20104, 31205]
    );
    assert!(decoded.problems_at(2000).is_empty());

    // A hand-made token with the classic mistakes: no cty, 2-day lifetime, AC as issuer,
    // identity with a space next to a voice grant.
    use base64::Engine as _;
    let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
    let bad = format!(
        "{}.{}.sig",
        b64(r#"{"alg":"HS256","typ":"JWT"}"#),
        b64(
            r#"{"jti":"AC1-100","iss":"AC1","sub":"AC1","exp":172900,"grants":{"voice":{},"identity":"Ana Lins"}}"#
        )
    );
    let problems = decode_unverified(&bad).unwrap().problems_at(200);
    assert_eq!(
        problems,
        [
            Problem::NotAnAccessTokenHeader,
            Problem::WrongIssuerOrSubject,
            Problem::LifetimeTooLong { secs: 172_800 },
            Problem::InvalidVoiceIdentity,
        ]
    );
    let codes: Vec<u32> = problems.iter().map(|p| p.twilio_error_codes()[0]).collect();
    assert_eq!(codes, [20101, 20103, 20104, 31105]);
}

#[test]
fn playback_null_matches_python_none() {
    let jwt = token()
        .issued_at(3)
        .grant(PlaybackGrant::new(serde_json::Value::Null))
        .to_jwt()
        .unwrap();
    let claims = decode_unverified(&jwt).unwrap().claims;
    assert!(claims.grant("player").unwrap().is_null());
}
