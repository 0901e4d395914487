//! Tokens: the signed assertion, the refresh-token grant, caching, refresh before expiry, a new
//! token after a 401, refused credentials.

use std::time::Duration;

use drive_uploader::stand_in::{GoogleStandIn, StandInConfig};
use drive_uploader::{Credentials, DriveAuth, DriveError, DriveSink, ServiceAccountKey};
use recording_sink::RecordingSink;
use recording_sink::contract::{media_bytes, meta, sid};

fn auth(credentials: Credentials) -> DriveAuth {
    DriveAuth::new(credentials, reqwest::Client::new())
}

#[tokio::test]
async fn a_signed_assertion_gets_a_token_that_is_then_reused() {
    let google = GoogleStandIn::start().await.unwrap();
    let auth = auth(google.service_account());
    let first = auth.token().await.unwrap();
    let again = auth.token().await.unwrap();
    assert_eq!(first, again, "cached");
    assert_eq!(google.tokens_issued(), 1);
    assert!(
        !format!("{first:?}").contains(first.expose()),
        "Debug hides the token"
    );
    // Clones share the cache; concurrent callers wait for one request.
    let clones: Vec<_> = (0..8).map(|_| auth.clone()).collect();
    let tokens = futures_util::future::join_all(clones.iter().map(|a| a.token())).await;
    assert!(tokens.iter().all(|t| t.as_ref().unwrap() == &first));
    assert_eq!(google.tokens_issued(), 1);
}

#[tokio::test]
async fn a_users_refresh_token_works_too() {
    let google = GoogleStandIn::start().await.unwrap();
    let sink = DriveSink::new(google.settings(google.user_credentials())).unwrap();
    let data = media_bytes(1, 1000);
    sink.store(&meta(&sid(1), 1000), Box::new(std::io::Cursor::new(data)))
        .await
        .unwrap();
    assert_eq!(google.files().len(), 1);
}

#[tokio::test]
async fn tokens_are_replaced_before_they_expire() {
    let google = GoogleStandIn::start().await.unwrap();
    google.set_token_lifetime(Duration::from_secs(2));
    let auth = auth(google.service_account());
    let first = auth.token().await.unwrap();
    // Replaced after three quarters of its life, before it stops working.
    tokio::time::sleep(Duration::from_millis(1600)).await;
    let second = auth.token().await.unwrap();
    assert_ne!(first, second);
    assert_eq!(google.tokens_issued(), 2);
}

#[tokio::test]
async fn a_401_gets_a_new_token_and_the_request_goes_through() {
    let google = GoogleStandIn::start().await.unwrap();
    let sink = DriveSink::new(google.settings(google.service_account())).unwrap();
    assert_eq!(sink.locate(&sid(1)).await.unwrap(), None);
    google.expire_tokens();
    assert_eq!(sink.locate(&sid(1)).await.unwrap(), None);
    assert_eq!(google.tokens_issued(), 2);
    let unauthorized = google.requests().iter().filter(|r| r.status == 401).count();
    assert_eq!(unauthorized, 1);
}

#[tokio::test]
async fn token_endpoint_errors_are_retried() {
    let google = GoogleStandIn::start().await.unwrap();
    let sink = DriveSink::new(google.settings(google.service_account())).unwrap();
    google.inject_token_faults(2);
    assert_eq!(sink.locate(&sid(1)).await.unwrap(), None);
    assert_eq!(google.tokens_issued(), 1);
}

#[tokio::test]
async fn a_forged_assertion_is_refused_permanently() {
    let google = GoogleStandIn::start().await.unwrap();
    let key = ServiceAccountKey::from_json(&google.impostor_key_json()).unwrap();
    let auth = auth(Credentials::ServiceAccount { key, subject: None });
    let err = auth.token().await.unwrap_err();
    match &err {
        DriveError::TokenRefused {
            status: 400,
            error,
            description,
        } => {
            assert_eq!(error, "invalid_grant");
            assert_eq!(description.as_deref(), Some("Invalid JWT Signature."));
        }
        other => panic!("{other:?}"),
    }
    assert!(err.is_permanent());
    assert_eq!(google.tokens_issued(), 0);
}

#[tokio::test]
async fn an_assertion_for_another_account_or_audience_is_refused() {
    let google = GoogleStandIn::start_with(StandInConfig {
        client_email: "someone-else@ramal-test.iam.gserviceaccount.com".into(),
        ..StandInConfig::default()
    })
    .await
    .unwrap();
    // Same key, but the stand-in expects another iss.
    let json = google
        .service_account_key_json()
        .replace("someone-else@", "ramal-recordings@");
    let key = ServiceAccountKey::from_json(&json).unwrap();
    let err = auth(Credentials::ServiceAccount { key, subject: None })
        .token()
        .await
        .unwrap_err();
    assert!(
        matches!(err, DriveError::TokenRefused { status: 400, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn wrong_refresh_tokens_are_refused_permanently() {
    let google = GoogleStandIn::start().await.unwrap();
    let Credentials::User(mut user) = google.user_credentials() else {
        unreachable!()
    };
    user.refresh_token = drive_uploader::Hidden::new("1//revoked");
    let err = auth(Credentials::User(user)).token().await.unwrap_err();
    assert!(err.is_permanent(), "{err:?}");
}

#[test]
fn key_files_are_checked() {
    assert!(ServiceAccountKey::from_json("{}").is_err());
    let not_a_key = r#"{"type": "authorized_user", "client_email": "a", "private_key": "-----BEGIN PRIVATE KEY-----", "token_uri": "https://x"}"#;
    let err = ServiceAccountKey::from_json(not_a_key).unwrap_err();
    assert!(err.to_string().contains("service_account"), "{err}");
    let bad_uri = r#"{"type": "service_account", "client_email": "a", "private_key": "-----BEGIN PRIVATE KEY-----", "token_uri": "file:///etc"}"#;
    assert!(ServiceAccountKey::from_json(bad_uri).is_err());
}

#[tokio::test]
async fn the_same_credentials_plug_into_google_apis_common() {
    use google_apis_common::GetToken as _;
    let google = GoogleStandIn::start().await.unwrap();
    let auth = auth(google.service_account());
    let token = auth
        .get_token(&[drive_uploader::DRIVE_SCOPE])
        .await
        .unwrap();
    assert_eq!(token.as_deref(), Some(auth.token().await.unwrap().expose()));
}
