//! Every Twilio webhook route, through the whole server on port 0 (SQLite in a temporary
//! directory), with correctly signed bodies that hold anything: valid callbacks with fields
//! overwritten, duplicated or dropped, key/value soups, percent-encoding debris, invalid UTF-8,
//! JSON bodies (signed through `bodySHA256`), odd idempotency tokens and content types.
//!
//! Properties: the server never answers 5xx nor drops the connection; a signed request is
//! never refused as forged; a status or recording callback is acknowledged exactly when
//! call-store's parser accepts its fields, and refused with 400 otherwise; a TwiML route that
//! answers 200 answers a TwiML document; the same body with a forged signature gets 403.

use std::net::TcpListener;

use call_store::events::{RecordingEvent, StatusEvent};
use call_store::model::{AgentRole, NewAgent};
use call_store::party::ClientIdentity;
use chrono::Utc;
use proptest::prelude::*;
use sha2::{Digest, Sha256};

use super::signature::{Algorithm, twilio_sign};

use crate::Application;
use crate::config::{Source, load};

const AUTH_TOKEN: &str = "fuzz-auth-token-0123456789abcdef";
/// The one agent in the store: `From=client:fuzz_agent` is a call placed from its browser.
const AGENT: &str = "fuzz_agent";

/// One server for every case of a property: a runtime, its address, and its data directory.
struct Server {
    runtime: tokio::runtime::Runtime,
    base: String,
    http: reqwest::Client,
    _data: tempfile::TempDir,
}

impl Server {
    fn start() -> Self {
        let data = tempfile::tempdir().expect("temporary directory");
        let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
        let base = format!(
            "http://127.0.0.1:{}",
            listener.local_addr().expect("bound").port()
        );
        let env = [
            ("TWILIO_ACCOUNT_SID", format!("AC{}", "a".repeat(32))),
            ("TWILIO_AUTH_TOKEN", AUTH_TOKEN.to_owned()),
            ("TWILIO_API_KEY_SID", format!("SK{}", "b".repeat(32))),
            ("TWILIO_API_KEY_SECRET", "f".repeat(32)),
            ("TWILIO_TWIML_APP_SID", format!("AP{}", "c".repeat(32))),
            ("TWILIO_PHONE_NUMBER", "+553123916801".to_owned()),
            ("RAMAL_PUBLIC_URL", base.clone()),
            ("RAMAL_DATA_DIR", data.path().display().to_string()),
            (
                "RAMAL_DATABASE_URL",
                format!("sqlite://{}", data.path().join("ramal.db").display()),
            ),
            (
                "RAMAL_SESSION_SECRET",
                "fuzz-session-secret-fuzz-session-secret".to_owned(),
            ),
            // Nothing here may reach the real Twilio.
            ("RAMAL_RECORDING_WORKER", "false".to_owned()),
            ("RAMAL_TWILIO_API_BASE", "http://127.0.0.1:9".to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        let config = load(&Source { file: None, env }).expect("valid fuzz configuration");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.block_on(async {
            let store = call_store::open(&config.database_url, &config.data_dir)
                .await
                .expect("store");
            // An agent whose browser calls reach the dialling code (it never logs in, so its
            // password hash is a placeholder).
            let identity = ClientIdentity::parse(AGENT).expect("valid identity");
            let agent = NewAgent::new(
                AGENT,
                "Fuzz",
                identity,
                "$argon2id$unused",
                AgentRole::Agent,
            )
            .expect("valid agent");
            store.create_agent(&agent).await.expect("agent created");
            let app = Application::with(config, store, listener).expect("server");
            tokio::spawn(app.run_until_stopped());
        });
        Self {
            runtime,
            base,
            http: reqwest::Client::new(),
            _data: data,
        }
    }

    /// Posts `body` to `target` with the given headers; the status and body text, or why the
    /// exchange failed.
    fn post(
        &self,
        target: &str,
        content_type: &str,
        headers: &[(&str, String)],
        body: Vec<u8>,
    ) -> Result<(u16, String), String> {
        self.runtime.block_on(async {
            let mut request = self
                .http
                .post(format!("{}{target}", self.base))
                .header("content-type", content_type)
                .body(body);
            for (name, value) in headers {
                request = request.header(*name, value);
            }
            let response = request.send().await.map_err(|e| e.to_string())?;
            let status = response.status().as_u16();
            let text = response.text().await.map_err(|e| e.to_string())?;
            Ok((status, text))
        })
    }
}

/// Signed as Twilio does, by the reference signer of the signature suite (not by the code
/// under test).
fn sign(url: &str, params: &[(String, String)]) -> String {
    twilio_sign(Algorithm::Sha1, AUTH_TOKEN, url, params)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    Voice,
    VoiceIncoming,
    DialComplete,
    VoicemailComplete,
    CallStatus,
    RecordingStatus,
}

impl Route {
    fn path(self) -> &'static str {
        match self {
            Route::Voice => "/api/twilio/voice",
            Route::VoiceIncoming => "/api/twilio/voice-incoming",
            Route::DialComplete => "/api/twilio/dial-complete",
            Route::VoicemailComplete => "/api/twilio/voicemail-complete",
            Route::CallStatus => "/api/twilio/call-status",
            Route::RecordingStatus => "/api/twilio/recording-status",
        }
    }

    fn twiml(self) -> bool {
        !matches!(self, Route::CallStatus | Route::RecordingStatus)
    }
}

/// How the body is sent.
#[derive(Debug, Clone)]
enum Body {
    /// Pairs, form-encoded (what Twilio sends).
    Form(Vec<(String, String)>),
    /// Raw bytes declared as a form: percent debris, invalid UTF-8.
    Junk(Vec<u8>),
    /// A JSON object of the pairs, or raw bytes declared as JSON.
    Json(Result<Vec<(String, String)>, Vec<u8>>),
}

const FIELDS: &[&str] = &[
    "CallSid",
    "ParentCallSid",
    "AccountSid",
    "From",
    "To",
    "Direction",
    "CallStatus",
    "SequenceNumber",
    "CallDuration",
    "Timestamp",
    "SipResponseCode",
    "CallbackSource",
    "AnsweredBy",
    "RecordingSid",
    "RecordingUrl",
    "RecordingStatus",
    "RecordingDuration",
    "RecordingChannels",
    "RecordingStartTime",
    "RecordingSource",
    "RecordingTrack",
    "ErrorCode",
    "DialCallStatus",
];

fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[A-Za-z0-9:+ _-]{0,20}",
        2 => "CA[0-9a-f]{32}",
        2 => "\\+[1-9][0-9]{6,15}",
        1 => "client:[A-Za-z0-9_]{0,10}",
        1 => prop::sample::select(&[
            "completed", "ringing", "in-progress", "no-answer", "answered", "inbound",
            "outbound-dial", "RecordVerb", "2", "-1", "86401", "Sun, 01 Mar 2026 11:58:00 +0000",
            "https://api.twilio.com/x", "\u{FFFE}", "\u{FFFF}", "\u{0}", "\r\n", "]]>", "<&\"'>",
            "%ZZ", "😀", "",
        ][..]).prop_map(str::to_owned),
        2 => "\\PC{0,24}",
        1 => ".{0,10}",
        1 => (0usize..70_000).prop_map(|n| "x".repeat(n)),
    ]
}

fn pairs() -> impl Strategy<Value = Vec<(String, String)>> {
    let key = prop_oneof![
        6 => prop::sample::select(FIELDS).prop_map(str::to_owned),
        1 => "\\PC{0,8}",
    ];
    let from = prop_oneof!["\\+[1-9][0-9]{9,12}", Just(format!("client:{AGENT}"))];
    // Allowed (+55, the default prefix), refused and malformed destinations, this agent
    // itself, an unknown agent.
    let to = prop_oneof![
        2 => "\\+55[1-9][0-9]{9,10}",
        1 => prop::sample::select(
            &[
                "+14155550100",
                "+55 31 9999",
                "+5",
                "",
                "client:fuzz_agent",
                "fuzz_agent",
                "client:someone",
                "someone",
                "sip:x@example.com",
            ][..],
        )
        .prop_map(str::to_owned),
    ];
    let valid = ("[0-9a-f]{32}", "[0-9a-f]{32}", from, to).prop_map(|(call, rec, from, to)| {
        vec![
            ("CallSid".to_owned(), format!("CA{call}")),
            ("AccountSid".to_owned(), format!("AC{}", "a".repeat(32))),
            ("From".to_owned(), from),
            ("To".to_owned(), to),
            ("Direction".to_owned(), "inbound".to_owned()),
            ("CallStatus".to_owned(), "ringing".to_owned()),
            ("RecordingSid".to_owned(), format!("RE{rec}")),
            ("RecordingStatus".to_owned(), "completed".to_owned()),
            ("RecordingDuration".to_owned(), "12".to_owned()),
        ]
    });
    prop_oneof![
        3 => (valid, prop::collection::vec((0usize..3, key.clone(), value()), 0..5)).prop_map(|(mut form, edits)| {
            for (op, k, v) in edits {
                match op {
                    0 => form.insert(0, (k, v)),
                    1 => form.push((k, v)),
                    _ => form.retain(|(existing, _)| *existing != k),
                }
            }
            form
        }),
        1 => prop::collection::vec((key, value()), 0..12),
    ]
}

fn body() -> impl Strategy<Value = Body> {
    prop_oneof![
        6 => pairs().prop_map(Body::Form),
        1 => prop::collection::vec(prop_oneof![
            any::<u8>().prop_map(|b| vec![b]),
            prop::sample::select(&["%", "%2", "%ZZ", "%C3", "%FF%FE", "&", "=", "+", "&&=", "CallSid=", "%E2%82%AC"][..])
                .prop_map(|s| s.as_bytes().to_vec()),
        ], 0..40).prop_map(|p| Body::Junk(p.concat())),
        1 => pairs().prop_map(|p| Body::Json(Ok(p))),
        1 => prop::collection::vec(any::<u8>(), 0..40).prop_map(|b| Body::Json(Err(b))),
    ]
}

fn route() -> impl Strategy<Value = Route> {
    prop::sample::select(vec![
        Route::Voice,
        Route::VoiceIncoming,
        Route::DialComplete,
        Route::VoicemailComplete,
        Route::CallStatus,
        Route::CallStatus,
        Route::RecordingStatus,
        Route::RecordingStatus,
    ])
}

fn idempotency_token() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        3 => Just(None),
        1 => "[!-~]{1,40}".prop_map(Some),
        // Header values lose surrounding spaces on the way, so none are generated.
        1 => "[!-~]([ -~]{0,298}[!-~])?".prop_map(Some),
    ]
}

/// One server for the whole run (starting one per case would dwarf the cases), so the
/// runner is driven by hand rather than by `proptest!`.
#[test]
fn signed_webhooks_never_fail_the_server() {
    let server = Server::start();
    let mut config = super::scaled_config(128, 10);
    config.source_file = Some(file!());
    let mut runner = proptest::test_runner::TestRunner::new(config);
    // Answers seen, by status: the run must reach the stores and the TwiML, not only errors.
    let seen = std::cell::RefCell::new(std::collections::BTreeMap::<u16, u32>::new());
    let dialled = std::cell::Cell::new(0u32);
    let result = runner.run(
        &(route(), body(), idempotency_token()),
        |(route, body, token)| {
            let (status, dials) = check(&server, route, &body, token.as_deref())?;
            *seen.borrow_mut().entry(status).or_default() += 1;
            dialled.set(dialled.get() + u32::from(dials));
            Ok(())
        },
    );
    if let Err(e) = result {
        panic!("{e}\n{runner}");
    }
    let seen = seen.into_inner();
    println!(
        "answers by status: {seen:?}; TwiML that dials: {}",
        dialled.get()
    );
    for status in [200, 204, 400] {
        assert!(
            seen.contains_key(&status),
            "no {status} in {seen:?}: the strategies drifted"
        );
    }
}

/// Sends one signed request and its forged twin; the signed one's status, and whether it was
/// answered with TwiML that dials.
fn check(
    server: &Server,
    route: Route,
    body: &Body,
    token: Option<&str>,
) -> Result<(u16, bool), TestCaseError> {
    // What the server will read, and how Twilio would have signed it.
    let (content_type, bytes, target, params): (&str, Vec<u8>, String, Vec<(String, String)>) =
        match body {
            Body::Form(pairs) => {
                let encoded = form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(pairs)
                    .finish();
                let params = form_urlencoded::parse(encoded.as_bytes())
                    .into_owned()
                    .collect();
                let bytes = encoded.into_bytes();
                (
                    "application/x-www-form-urlencoded",
                    bytes,
                    route.path().to_owned(),
                    params,
                )
            }
            Body::Junk(bytes) => (
                "application/x-www-form-urlencoded",
                bytes.clone(),
                route.path().to_owned(),
                form_urlencoded::parse(bytes).into_owned().collect(),
            ),
            Body::Json(json) => {
                let bytes = match json {
                    Ok(pairs) => serde_json::to_vec(
                        &pairs
                            .iter()
                            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
                            .collect::<serde_json::Map<_, _>>(),
                    )
                    .expect("a JSON object"),
                    Err(raw) => raw.clone(),
                };
                let hash: String = Sha256::digest(&bytes)
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect();
                let target = format!("{}?bodySHA256={hash}", route.path());
                ("application/json", bytes, target, Vec::new())
            }
        };
    let signature = sign(&format!("{}{target}", server.base), &params);
    let mut headers = vec![("X-Twilio-Signature", signature.clone())];
    if let Some(token) = token {
        headers.push(("I-Twilio-Idempotency-Token", token.to_owned()));
    }
    let too_big = bytes.len() > 64 * 1024;
    let (status, text) = server
        .post(&target, content_type, &headers, bytes.clone())
        .map_err(|e| TestCaseError::fail(format!("no answer from {target}: {e}")))?;
    prop_assert!(status < 500, "{} answered {}: {}", target, status, text);
    prop_assert!(
        status != 403 || too_big,
        "a signed request was refused as forged: {}",
        text
    );
    if too_big {
        prop_assert_eq!(status, 413);
        return Ok((status, false));
    }
    if route.twiml() {
        prop_assert!(
            matches!(status, 200 | 400),
            "{} answered {}: {}",
            target,
            status,
            text
        );
        if status == 200 {
            prop_assert!(
                text.starts_with("<?xml") && text.ends_with("</Response>"),
                "{}",
                text
            );
        }
    } else if let Body::Form(_) | Body::Junk(_) = body {
        let now = Utc::now();
        let parsed = match route {
            Route::CallStatus => StatusEvent::from_form(&params, now).map(|_| ()),
            _ => RecordingEvent::from_form(&params, now).map(|_| ()),
        };
        let token_ok = token.is_none_or(|t| {
            !t.is_empty() && t.len() <= 256 && t.bytes().all(|b| b.is_ascii_graphic())
        });
        match parsed {
            Ok(()) if token_ok => prop_assert_eq!(status, 204, "{}", text),
            _ => prop_assert_eq!(status, 400, "{}", text),
        }
    } else {
        prop_assert!(
            matches!(status, 204 | 400),
            "{} answered {}: {}",
            target,
            status,
            text
        );
    }

    // The same request under a signature nobody computed.
    let forged = vec![("X-Twilio-Signature", format!("{}x", &signature[1..]))];
    let (forged_status, _) = server
        .post(&target, content_type, &forged, bytes)
        .map_err(|e| TestCaseError::fail(format!("no answer from {target}: {e}")))?;
    prop_assert_eq!(forged_status, 403);
    Ok((status, text.contains("<Dial")))
}
