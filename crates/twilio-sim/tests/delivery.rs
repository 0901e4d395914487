//! Delivery control (order, duplicates, collection) and signature forgeries.

mod support;

use std::time::{Duration, SystemTime};

use pretty_assertions::assert_eq;
use support::{Hook, Keys};
use twilio_sim::{
    CallScript, DeliveryOptions, DeliveryRecord, Forgery, LegScript, ReverseProxy, Secret,
    SigningScheme, SimConfig, Simulator, WebhookKind,
};

const THREE_CLIENTS: &str = r#"<Response><Dial record="record-from-answer" recordingStatusCallback="/api/twilio/recording-status" recordingStatusCallbackEvent="in-progress completed"><Client statusCallback="/api/twilio/call-status" statusCallbackEvent="initiated ringing answered completed">alice</Client><Client statusCallback="/api/twilio/call-status" statusCallbackEvent="initiated ringing answered completed">bob</Client><Client statusCallback="/api/twilio/call-status" statusCallbackEvent="initiated ringing answered completed">carol</Client></Dial></Response>"#;

fn script() -> CallScript {
    CallScript::new()
        .leg("alice", LegScript::answer(5, 20))
        .leg("bob", LegScript::no_answer())
        .leg("carol", LegScript::busy())
}

/// One callback as compared across runs: kind, duplicate flag, parameters.
type Print = (WebhookKind, bool, Vec<(String, String)>);

/// What must be identical between two runs with the same seeds (the hook's and the simulator's
/// ports differ, so URLs and signatures are left out).
fn fingerprint(t: &[DeliveryRecord]) -> Vec<Print> {
    t.iter()
        .filter(|r| !r.kind.expects_twiml())
        .map(|r| {
            let params = r
                .params
                .iter()
                .filter(|(k, _)| k != "RecordingUrl")
                .cloned()
                .collect();
            (r.kind, r.duplicate, params)
        })
        .collect()
}

async fn shuffled_run(delivery_seed: u64) -> (Vec<DeliveryRecord>, Hook) {
    let hook = Hook::for_sim().await;
    hook.on("/api/twilio/voice-incoming", THREE_CLIENTS);
    let mut config = SimConfig::for_ramal(&hook.base)
        .seed(42)
        .delivery(DeliveryOptions::shuffled(delivery_seed, 0.3))
        .parent_status_callback(hook.url("/api/twilio/call-status"));
    config.start_time = Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000));
    let sim = Simulator::start(config).await.unwrap();
    let ours = sim.phone_number().phone_number;
    for _ in 0..2 {
        sim.inbound_from_phone("+5511988887777", &ours, script())
            .await
            .unwrap();
    }
    (sim.transcript(), hook)
}

#[tokio::test]
async fn shuffled_and_duplicated_delivery_is_deterministic_for_a_seed() {
    let (a, hook_a) = shuffled_run(9).await;
    let (b, _hook_b) = shuffled_run(9).await;
    assert_eq!(fingerprint(&a), fingerprint(&b));

    // Some leg's events arrive out of SequenceNumber order.
    let status_cbs: Vec<&DeliveryRecord> = a
        .iter()
        .filter(|r| r.kind == WebhookKind::StatusCallback && !r.duplicate)
        .collect();
    let out_of_order = status_cbs.iter().enumerate().any(|(i, r)| {
        status_cbs[i + 1..].iter().any(|later| {
            later.call_sid == r.call_sid
                && later.param("SequenceNumber").unwrap() < r.param("SequenceNumber").unwrap()
        })
    });
    assert!(out_of_order, "seed 9 shuffles at least one leg's events");

    // Duplicates are byte-identical retries of an event already delivered.
    let dups: Vec<&DeliveryRecord> = a.iter().filter(|r| r.duplicate).collect();
    assert!(!dups.is_empty(), "ratio 0.3 duplicates some callbacks");
    for d in &dups {
        let original = a
            .iter()
            .find(|r| r.event_id == d.event_id && !r.duplicate)
            .unwrap();
        assert!(original.seq < d.seq);
        assert_eq!(original.url, d.url);
        assert_eq!(original.params, d.params);
        assert_eq!(original.headers, d.headers);
        assert!(d.header("I-Twilio-Idempotency-Token").is_some());
    }
    // The hook saw every delivery, each validly signed.
    let hook_cbs = hook_a
        .got()
        .into_iter()
        .filter(|g| g.route() != "/api/twilio/voice-incoming")
        .collect::<Vec<_>>();
    assert_eq!(hook_cbs.len(), a.len() - 2);
    assert!(hook_cbs.iter().all(|g| g.signature_ok));

    // Another seed gives another order.
    let (c, _hook_c) = shuffled_run(10).await;
    assert_ne!(fingerprint(&a), fingerprint(&c));
}

#[tokio::test]
async fn natural_order_keeps_each_leg_in_sequence() {
    let hook = Hook::for_sim().await;
    hook.on("/api/twilio/voice-incoming", THREE_CLIENTS);
    let sim = Simulator::start(SimConfig::for_ramal(&hook.base))
        .await
        .unwrap();
    let ours = sim.phone_number().phone_number;
    sim.inbound_from_phone("+5511988887777", &ours, script())
        .await
        .unwrap();
    let got = hook.got_on("/api/twilio/call-status");
    assert_eq!(got.len(), 4 + 3 + 2);
    for to in ["client:alice", "client:bob", "client:carol"] {
        let seqs: Vec<u32> = got
            .iter()
            .filter(|g| g.param("To") == Some(to))
            .map(|g| g.param("SequenceNumber").unwrap().parse().unwrap())
            .collect();
        let mut sorted = seqs.clone();
        sorted.sort();
        assert_eq!(seqs, sorted, "{to} arrives in order");
    }
    assert!(sim.transcript().iter().all(|r| !r.duplicate));
}

#[tokio::test]
async fn collect_mode_hands_callbacks_to_the_test() {
    let hook = Hook::for_sim().await;
    hook.on("/api/twilio/voice-incoming", THREE_CLIENTS);
    let sim =
        Simulator::start(SimConfig::for_ramal(&hook.base).delivery(DeliveryOptions::collected()))
            .await
            .unwrap();
    let ours = sim.phone_number().phone_number;
    let report = sim
        .inbound_from_phone("+5511988887777", &ours, script())
        .await
        .unwrap();
    assert_eq!(hook.got().len(), 1, "only the TwiML request was sent");
    let mut pending = sim.take_pending();
    assert_eq!(pending.len(), 4 + 3 + 2 + 2);
    assert!(sim.take_pending().is_empty());
    let rec = pending
        .iter()
        .find(|p| {
            p.kind() == WebhookKind::RecordingStatusCallback
                && p.param("RecordingStatus") == Some("completed")
        })
        .unwrap()
        .clone();
    assert_eq!(rec.call_sid(), report.call_sid);

    // Deliver the recording first, newest first, and one callback twice.
    pending.reverse();
    let first = sim.deliver(&rec).await;
    let again = sim.deliver(&rec).await;
    assert!(first.succeeded() && !first.duplicate);
    assert!(again.duplicate);
    assert_eq!(first.headers, again.headers);
    for p in &pending {
        sim.deliver(p).await;
    }
    let got = hook.got();
    assert_eq!(got.len(), 1 + 2 + pending.len());
    assert_eq!(
        got[1].header("I-Twilio-Idempotency-Token"),
        got[2].header("I-Twilio-Idempotency-Token")
    );
    assert!(got.iter().all(|g| g.signature_ok));
}

#[tokio::test]
async fn forged_requests_fail_validation_as_claimed() {
    let hook = Hook::for_sim().await;
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    let url = hook.url("/api/twilio/call-status?x=1");
    let params = [("CallSid", "CA1"), ("CallStatus", "completed")];
    let cases = [
        (Forgery::None, true),
        (Forgery::WrongKey, false),
        (
            Forgery::ParamChangedAfterSigning {
                name: "CallStatus".into(),
                value: "busy".into(),
            },
            false,
        ),
        (Forgery::SignedForOtherUrl(hook.url("/api/other")), false),
        (Forgery::MissingSignature, false),
        (Forgery::UnknownAlgorithm, false),
    ];
    for (forgery, valid) in cases {
        let sent = sim.post_webhook(&url, &params, forgery.clone()).await;
        assert_eq!(sent.kind, WebhookKind::Manual);
        let got = hook.got().pop().unwrap();
        assert_eq!(got.signature_ok, valid, "{forgery:?}");
        match forgery {
            Forgery::ParamChangedAfterSigning { .. } => {
                assert_eq!(got.param("CallStatus"), Some("busy"))
            }
            Forgery::MissingSignature => assert_eq!(got.header("X-Twilio-Signature"), None),
            Forgery::UnknownAlgorithm => assert!(
                got.header("X-Twilio-Webhooks-Signature-Settings")
                    .unwrap()
                    .contains("HMAC_SHA512")
            ),
            _ => {}
        }
    }

    // A whole call can be forged too.
    hook.on("/api/twilio/voice", "<Response><Say>hi</Say></Response>");
    sim.point_at_ramal(&hook.base);
    sim.outbound_from_browser("ana", "+5511", CallScript::new().forgery(Forgery::WrongKey))
        .await
        .unwrap();
    assert!(!hook.got_on("/api/twilio/voice")[0].signature_ok);
}

#[tokio::test]
async fn shared_key_sha256_scheme() {
    let hook = Hook::start(Keys {
        auth_token: twilio_sim::DEFAULT_AUTH_TOKEN.into(),
        shared_key: Some("shared-secret".into()),
        public_base: None,
    })
    .await;
    hook.on("/api/twilio/voice", "<Response><Hangup/></Response>");
    let mut config = SimConfig::for_ramal(&hook.base);
    config.signing = SigningScheme::SharedKey {
        key_id: "webhooks_sharedkey_1".into(),
        secret: Secret::new("shared-secret"),
    };
    let sim = Simulator::start(config).await.unwrap();
    sim.outbound_from_browser("ana", "+5511", CallScript::new())
        .await
        .unwrap();
    let got = &hook.got()[0];
    assert!(got.signature_ok);
    assert_eq!(
        got.header("X-Twilio-Webhooks-Signature-Settings"),
        Some("key=webhooks_sharedkey_1,algorithm=HMAC_SHA256")
    );
    // Back to the Auth Token: the hook still validates (SHA-1 without the settings header).
    sim.set_signing(SigningScheme::AuthToken);
    sim.outbound_from_browser("ana", "+5511", CallScript::new())
        .await
        .unwrap();
    let got = &hook.got()[1];
    assert!(got.signature_ok);
    assert_eq!(got.header("X-Twilio-Webhooks-Signature-Settings"), None);
}

#[tokio::test]
async fn reverse_proxy_signs_the_public_url() {
    let public = "https://ramal.example.com";
    let hook = Hook::start(Keys {
        auth_token: twilio_sim::DEFAULT_AUTH_TOKEN.into(),
        shared_key: None,
        public_base: Some(public.into()),
    })
    .await;
    hook.on(
        "/api/twilio/voice",
        r#"<Response><Dial><Number statusCallback="/api/twilio/call-status">+5511</Number></Dial></Response>"#,
    );
    let mut config = SimConfig::for_ramal(public);
    config.proxy = Some(ReverseProxy {
        public_base: public.into(),
        upstream_base: hook.base.clone(),
        forwarded_headers: true,
    });
    let sim = Simulator::start(config).await.unwrap();
    sim.outbound_from_browser("ana", "+5511", CallScript::new())
        .await
        .unwrap();
    let got = hook.got();
    assert_eq!(got.len(), 2);
    for g in &got {
        assert!(g.signature_ok, "{}", g.path);
        assert_eq!(g.header("X-Forwarded-Proto"), Some("https"));
        assert_eq!(g.header("X-Forwarded-Host"), Some("ramal.example.com"));
    }
    assert_eq!(
        sim.transcript()[1].url,
        "https://ramal.example.com/api/twilio/call-status"
    );
}

#[tokio::test]
async fn callbacks_to_a_failing_server_are_recorded_as_11200() {
    let hook = Hook::for_sim().await;
    hook.on(
        "/api/twilio/voice",
        r#"<Response><Dial><Number statusCallback="/api/broken">+5511</Number></Dial></Response>"#,
    );
    hook.reply(
        "/api/broken",
        support::Reply {
            status: 503,
            ..support::Reply::twiml("")
        },
    );
    let sim = Simulator::start(SimConfig::for_ramal(&hook.base))
        .await
        .unwrap();
    sim.outbound_from_browser("ana", "+5511", CallScript::new())
        .await
        .unwrap();
    let cb = sim
        .transcript()
        .into_iter()
        .find(|r| r.kind == WebhookKind::StatusCallback)
        .unwrap();
    assert_eq!(cb.outcome, twilio_sim::DeliveryOutcome::Status(503));
    assert_eq!(cb.error_code, Some(11200));
    assert!(!cb.succeeded());
}

#[tokio::test]
async fn delay_spaces_out_each_legs_callbacks() {
    let hook = Hook::for_sim().await;
    hook.on(
        "/api/twilio/voice",
        r#"<Response><Dial><Number statusCallback="/api/twilio/call-status" statusCallbackEvent="initiated ringing answered completed">+5511</Number></Dial></Response>"#,
    );
    let options = DeliveryOptions {
        delay: Duration::from_millis(60),
        ..DeliveryOptions::in_order()
    };
    let sim = Simulator::start(SimConfig::for_ramal(&hook.base).delivery(options))
        .await
        .unwrap();
    let started = std::time::Instant::now();
    sim.outbound_from_browser("ana", "+5511", CallScript::new())
        .await
        .unwrap();
    // One leg, four callbacks one after the other, each after the delay.
    assert!(started.elapsed() >= Duration::from_millis(240));
    assert_eq!(hook.got_on("/api/twilio/call-status").len(), 4);
}
