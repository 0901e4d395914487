//! End-to-end call flows against a Twilio-webhook server running in the test.

mod support;

use std::time::Duration;

use pretty_assertions::assert_eq;
use support::{Got, Hook};
use twilio_sim::{
    CallScript, CallStatus, LegScript, RecordFinish, RecordScript, RecordingSource, SimConfig,
    Simulator, WebhookKind,
};

const CALLER_ID: &str = "+551130001000";
const PSTN: &str = "+5511999990000";

const OUTBOUND: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Response><Dial callerId="+551130001000" record="record-from-answer" recordingStatusCallback="{base}/api/twilio/recording-status"><Number statusCallback="{base}/api/twilio/call-status" statusCallbackEvent="initiated ringing answered completed">+5511999990000</Number></Dial></Response>"#;

async fn setup(voice: &str) -> (Hook, Simulator) {
    let hook = Hook::for_sim().await;
    hook.on("/api/twilio/voice", voice);
    let sim = Simulator::start(SimConfig::for_ramal(&hook.base))
        .await
        .unwrap();
    (hook, sim)
}

fn statuses(got: &[Got]) -> Vec<(String, String)> {
    let mut v: Vec<(u32, String, String)> = got
        .iter()
        .map(|g| {
            (
                g.param("SequenceNumber").unwrap().parse().unwrap(),
                g.param("CallStatus").unwrap().to_owned(),
                g.param("SequenceNumber").unwrap().to_owned(),
            )
        })
        .collect();
    v.sort();
    v.into_iter().map(|(_, s, n)| (n, s)).collect()
}

#[tokio::test]
async fn outbound_answered_call_with_recording() {
    let (hook, sim) = setup(OUTBOUND).await;
    let report = sim
        .outbound_from_browser(
            "alice",
            PSTN,
            CallScript::new().leg(PSTN, LegScript::answer(3, 42)),
        )
        .await
        .unwrap();

    // The voice request looks like the Voice SDK's.
    let voice = &hook.got_on("/api/twilio/voice")[0];
    assert!(voice.signature_ok, "voice request signature");
    assert_eq!(voice.param("CallSid"), Some(report.call_sid.as_str()));
    assert_eq!(voice.param("From"), Some("client:alice"));
    assert_eq!(voice.param("Caller"), Some("client:alice"));
    assert_eq!(voice.param("To"), Some(PSTN));
    assert_eq!(voice.param("Direction"), Some("inbound"));
    assert_eq!(voice.param("CallStatus"), Some("ringing"));
    assert_eq!(voice.param("ApiVersion"), Some("2010-04-01"));
    assert_eq!(voice.param("AccountSid"), Some(sim.account_sid()));
    assert_eq!(
        voice.param("ApplicationSid"),
        Some(sim.application().sid.as_str())
    );
    assert_eq!(voice.param("ParentCallSid"), None);
    assert_eq!(voice.header("User-Agent"), Some("TwilioProxy/1.1"));
    let sid = report.call_sid.clone();
    assert!(sid.starts_with("CA") && sid.len() == 34);

    // Four status callbacks about the child leg, numbered 0..3.
    let child = &report.legs[0];
    assert_eq!(child.to, PSTN);
    assert_eq!(child.status, CallStatus::Completed);
    assert_eq!(child.duration_secs, 42);
    assert_ne!(child.call_sid, sid);
    let cbs = hook.got_on("/api/twilio/call-status");
    assert_eq!(cbs.len(), 4);
    assert_eq!(
        statuses(&cbs),
        vec![
            ("0".into(), "initiated".into()),
            ("1".into(), "ringing".into()),
            ("2".into(), "in-progress".into()),
            ("3".into(), "completed".into()),
        ]
    );
    for cb in &cbs {
        assert!(cb.signature_ok);
        assert_eq!(cb.param("CallSid"), Some(child.call_sid.as_str()));
        assert_eq!(cb.param("ParentCallSid"), Some(sid.as_str()));
        assert_eq!(cb.param("Direction"), Some("outbound-dial"));
        assert_eq!(cb.param("From"), Some(CALLER_ID));
        assert_eq!(cb.param("To"), Some(PSTN));
        assert_eq!(cb.param("Called"), Some(PSTN));
        assert_eq!(cb.param("CallbackSource"), Some("call-progress-events"));
        assert_eq!(cb.param("ToCountry"), Some("BR"));
        assert!(cb.param("Timestamp").unwrap().ends_with("+0000"));
        assert!(cb.header("I-Twilio-Idempotency-Token").is_some());
    }
    let done = cbs
        .iter()
        .find(|c| c.param("CallStatus") == Some("completed"))
        .unwrap();
    assert_eq!(done.param("CallDuration"), Some("42"));
    assert_eq!(done.param("Duration"), Some("1"));
    assert_eq!(done.param("SipResponseCode"), Some("200"));
    let initiated = cbs
        .iter()
        .find(|c| c.param("CallStatus") == Some("initiated"))
        .unwrap();
    assert_eq!(initiated.param("CallDuration"), None);

    // The recording names the parent call.
    let recs = hook.got_on("/api/twilio/recording-status");
    assert_eq!(recs.len(), 1);
    let rec = &recs[0];
    assert!(rec.signature_ok);
    assert_eq!(rec.param("CallSid"), Some(sid.as_str()));
    let re = rec.param("RecordingSid").unwrap();
    assert!(re.starts_with("RE") && re.len() == 34);
    assert_eq!(
        rec.param("RecordingUrl").unwrap(),
        format!(
            "{}/2010-04-01/Accounts/{}/Recordings/{re}",
            sim.api_base_url(),
            sim.account_sid()
        )
    );
    assert_eq!(rec.param("RecordingStatus"), Some("completed"));
    assert_eq!(rec.param("RecordingDuration"), Some("42"));
    assert_eq!(rec.param("RecordingChannels"), Some("1"));
    assert_eq!(rec.param("RecordingSource"), Some("DialVerb"));
    assert_eq!(rec.param("RecordingTrack"), Some("both"));
    assert!(rec.param("RecordingStartTime").is_some());
    assert_eq!(report.recordings, vec![re.to_owned()]);
    let stored = sim.recording(re).unwrap();
    assert_eq!(stored.call_sid, sid);
    assert_eq!(stored.source, RecordingSource::DialVerb);

    // The media needs credentials.
    let http = reqwest::Client::new();
    let mp3 = format!("{}.mp3", rec.param("RecordingUrl").unwrap());
    let anon = http.get(&mp3).send().await.unwrap();
    assert_eq!(anon.status(), 401);
    let body: serde_json::Value = serde_json::from_slice(&anon.bytes().await.unwrap()).unwrap();
    assert_eq!(body["code"], 20003);
    let wrong = http
        .get(&mp3)
        .basic_auth(sim.account_sid(), Some("nope"))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let key = &sim.api_keys()[0];
    let ok = http
        .get(&mp3)
        .basic_auth(&key.sid, Some(key.secret.expose()))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.headers()["content-type"], "audio/mpeg");
    let bytes = ok.bytes().await.unwrap();
    let expected = sim
        .recording_media(re, twilio_sim::MediaFormat::Mp3)
        .unwrap()
        .to_vec();
    assert_eq!(bytes.len(), expected.len());
    assert!(bytes == expected, "media bytes differ");
    assert!(
        bytes.len().abs_diff(42 * 4000) < 144,
        "32 kbps, whole frames"
    );

    // Everything about this call, parent and child: voice request, 4 statuses, 1 recording.
    let about = sim.transcript_of_call(&sid);
    assert_eq!(about.len(), 6);
    assert!(
        about
            .iter()
            .all(|r| r.succeeded() && r.error_code.is_none())
    );

    // Parent: answered at once, lasts the ring plus the talk.
    assert_eq!(report.status, CallStatus::Completed);
    assert_eq!(report.duration_secs, 45);
    assert!(
        report.notifications.is_empty(),
        "{:?}",
        report.notifications
    );
}

const WITH_ACTION: &str = r#"<Response><Dial action="/api/dial-done" timeout="20"><Number statusCallback="/api/twilio/call-status" statusCallbackEvent="initiated ringing answered completed">+5511999990000</Number></Dial><Say>not reached</Say></Response>"#;

#[tokio::test]
async fn busy_line_ends_dial_and_requests_action() {
    let (hook, sim) = setup(WITH_ACTION).await;
    hook.on(
        "/api/dial-done",
        "<Response><Say>Line busy</Say></Response>",
    );
    let report = sim
        .outbound_from_browser("bob", PSTN, CallScript::new().leg(PSTN, LegScript::busy()))
        .await
        .unwrap();
    let cbs = hook.got_on("/api/twilio/call-status");
    assert_eq!(
        statuses(&cbs),
        vec![
            ("0".into(), "initiated".into()),
            ("1".into(), "busy".into())
        ]
    );
    let last = cbs
        .iter()
        .find(|c| c.param("SequenceNumber") == Some("1"))
        .unwrap();
    assert_eq!(last.param("SipResponseCode"), Some("486"));
    assert_eq!(last.param("CallDuration"), Some("0"));
    assert_eq!(last.param("Duration"), Some("0"));
    let action = &hook.got_on("/api/dial-done")[0];
    assert!(action.signature_ok);
    assert_eq!(action.param("CallSid"), Some(report.call_sid.as_str()));
    assert_eq!(action.param("DialCallStatus"), Some("busy"));
    assert_eq!(action.param("DialBridged"), Some("false"));
    assert_eq!(
        action.param("DialCallSid"),
        Some(report.legs[0].call_sid.as_str())
    );
    assert_eq!(action.param("DialCallDuration"), None);
    assert_eq!(action.param("CallStatus"), Some("in-progress"));
    assert_eq!(
        report.said,
        vec!["Line busy".to_owned()],
        "action TwiML replaces the rest"
    );
    assert!(report.recordings.is_empty());
    assert_eq!(report.legs[0].status, CallStatus::Busy);
}

#[tokio::test]
async fn no_answer_after_dial_timeout() {
    let (hook, sim) = setup(WITH_ACTION).await;
    hook.on("/api/dial-done", "<Response><Hangup/></Response>");
    let report = sim
        .outbound_from_browser(
            "bob",
            PSTN,
            CallScript::new().leg(PSTN, LegScript::no_answer()),
        )
        .await
        .unwrap();
    let cbs = hook.got_on("/api/twilio/call-status");
    assert_eq!(
        statuses(&cbs),
        vec![
            ("0".into(), "initiated".into()),
            ("1".into(), "ringing".into()),
            ("2".into(), "no-answer".into())
        ]
    );
    let time = |s: &str| {
        let g = cbs
            .iter()
            .find(|c| c.param("CallStatus") == Some(s))
            .unwrap();
        chrono::DateTime::parse_from_rfc2822(g.param("Timestamp").unwrap()).unwrap()
    };
    assert_eq!((time("no-answer") - time("initiated")).num_seconds(), 20);
    let action = &hook.got_on("/api/dial-done")[0];
    assert_eq!(action.param("DialCallStatus"), Some("no-answer"));
    assert_eq!(report.legs[0].status, CallStatus::NoAnswer);
    assert_eq!(report.status, CallStatus::Completed);
    assert_eq!(report.verbs, vec!["Dial", "Hangup"]);
}

#[tokio::test]
async fn caller_hangs_up_while_ringing_cancels_leg() {
    let (hook, sim) = setup(WITH_ACTION).await;
    hook.on("/api/dial-done", "<Response><Say>ignored</Say></Response>");
    let report = sim
        .outbound_from_browser(
            "bob",
            PSTN,
            CallScript::new()
                .leg(PSTN, LegScript::answer(15, 5))
                .caller_hangs_up_after(Duration::from_secs(6)),
        )
        .await
        .unwrap();
    assert_eq!(report.legs[0].status, CallStatus::Canceled);
    let action = &hook.got_on("/api/dial-done")[0];
    assert_eq!(action.param("DialCallStatus"), Some("canceled"));
    assert_eq!(action.param("CallStatus"), Some("completed"));
    assert!(
        report.said.is_empty(),
        "TwiML after the caller left is ignored"
    );
    let last = hook
        .got_on("/api/twilio/call-status")
        .into_iter()
        .find(|c| c.param("SequenceNumber") == Some("2"))
        .unwrap();
    assert_eq!(last.param("CallStatus"), Some("canceled"));
    assert_eq!(last.param("SipResponseCode"), Some("487"));
}

const INBOUND: &str = r#"<?xml version="1.0" encoding="UTF-8"?><Response><Say language="pt-BR">Aguarde enquanto conectamos sua ligação.</Say><Dial record="record-from-answer-dual" recordingStatusCallback="{base}/api/twilio/recording-status" recordingStatusCallbackEvent="in-progress completed" timeout="30"><Client statusCallback="{base}/api/twilio/call-status" statusCallbackEvent="initiated ringing answered completed">alice</Client><Client statusCallback="{base}/api/twilio/call-status" statusCallbackEvent="initiated ringing answered completed">bob</Client><Client statusCallback="{base}/api/twilio/call-status" statusCallbackEvent="initiated ringing answered completed">carol</Client></Dial><Say language="pt-BR">Desculpe, ninguém está disponível no momento.</Say></Response>"#;

#[tokio::test]
async fn inbound_rings_three_clients_one_answers() {
    let hook = Hook::for_sim().await;
    hook.on("/api/twilio/voice-incoming", INBOUND);
    let sim = Simulator::start(
        SimConfig::for_ramal(&hook.base)
            .parent_status_callback(hook.url("/api/twilio/call-status")),
    )
    .await
    .unwrap();
    let caller = "+5521988887777";
    let ours = sim.phone_number().phone_number;
    let report = sim
        .inbound_from_phone(
            caller,
            &ours,
            CallScript::new()
                .leg("alice", LegScript::answer(8, 5))
                .leg("bob", LegScript::answer(4, 30))
                .leg("carol", LegScript::no_answer()),
        )
        .await
        .unwrap();
    let sid = report.call_sid.clone();

    let voice = &hook.got_on("/api/twilio/voice-incoming")[0];
    assert!(voice.signature_ok);
    assert_eq!(voice.param("From"), Some(caller));
    assert_eq!(voice.param("To"), Some(ours.as_str()));
    assert_eq!(voice.param("Called"), Some(ours.as_str()));
    assert_eq!(voice.param("Direction"), Some("inbound"));
    assert_eq!(voice.param("FromCountry"), Some("BR"));
    assert_eq!(voice.param("FromState"), Some("RJ"));
    assert_eq!(voice.param("ToCity"), Some("SAO PAULO"));
    assert_eq!(voice.param("ApplicationSid"), None);

    assert_eq!(report.leg("bob").unwrap().status, CallStatus::Completed);
    assert_eq!(report.leg("bob").unwrap().duration_secs, 30);
    assert_eq!(report.leg("alice").unwrap().status, CallStatus::Canceled);
    assert_eq!(report.leg("carol").unwrap().status, CallStatus::Canceled);
    assert_eq!(report.leg("client:bob").unwrap().to, "client:bob");

    let cbs = hook.got_on("/api/twilio/call-status");
    let for_leg = |to: &str| -> Vec<Got> {
        cbs.iter()
            .filter(|c| c.param("To") == Some(to))
            .cloned()
            .collect()
    };
    assert_eq!(
        statuses(&for_leg("client:bob")),
        vec![
            ("0".into(), "initiated".into()),
            ("1".into(), "ringing".into()),
            ("2".into(), "in-progress".into()),
            ("3".into(), "completed".into()),
        ]
    );
    assert_eq!(
        statuses(&for_leg("client:alice")),
        vec![
            ("0".into(), "initiated".into()),
            ("1".into(), "ringing".into()),
            ("2".into(), "canceled".into()),
        ]
    );
    for cb in for_leg("client:carol") {
        assert_eq!(
            cb.param("From"),
            Some(caller),
            "client legs show the caller"
        );
        assert_eq!(cb.param("ParentCallSid"), Some(sid.as_str()));
    }
    // The parent leg's own completed callback (number's "Call status changes").
    let parent: Vec<&Got> = cbs
        .iter()
        .filter(|c| c.param("CallSid") == Some(sid.as_str()))
        .collect();
    assert_eq!(parent.len(), 1);
    assert_eq!(parent[0].param("CallStatus"), Some("completed"));
    assert_eq!(parent[0].param("ParentCallSid"), None);
    assert_eq!(parent[0].param("Direction"), Some("inbound"));
    assert_eq!(
        parent[0].param("CallDuration"),
        Some(report.duration_secs.to_string().as_str())
    );

    // Dual-channel recording with an in-progress event, both naming the parent.
    let recs = hook.got_on("/api/twilio/recording-status");
    let mut rec_statuses: Vec<&str> = recs
        .iter()
        .map(|r| r.param("RecordingStatus").unwrap())
        .collect();
    rec_statuses.sort();
    assert_eq!(rec_statuses, vec!["completed", "in-progress"]);
    for r in &recs {
        assert_eq!(r.param("CallSid"), Some(sid.as_str()));
        assert_eq!(r.param("RecordingChannels"), Some("2"));
    }
    let in_progress = recs
        .iter()
        .find(|r| r.param("RecordingStatus") == Some("in-progress"))
        .unwrap();
    assert_eq!(in_progress.param("RecordingDuration"), None);

    // Without <Dial action> the caller goes on to the next verb after the talk.
    assert_eq!(report.verbs, vec!["Say", "Dial", "Say"]);
    assert_eq!(report.said.len(), 2);
}

const VOICEMAIL: &str = r#"<Response><Dial timeout="5"><Client>alice</Client></Dial><Say>Deixe sua mensagem.</Say><Record maxLength="120" action="/api/voicemail-done" recordingStatusCallback="/api/twilio/recording-status" /></Response>"#;

#[tokio::test]
async fn voicemail_with_record_after_no_answer() {
    let hook = Hook::for_sim().await;
    hook.on("/api/twilio/voice-incoming", VOICEMAIL);
    hook.on(
        "/api/voicemail-done",
        "<Response><Say>never heard</Say></Response>",
    );
    let sim = Simulator::start(SimConfig::for_ramal(&hook.base))
        .await
        .unwrap();
    let ours = sim.phone_number().phone_number;
    let report = sim
        .inbound_from_phone(
            "+5511988887777",
            &ours,
            CallScript::new()
                .default_leg(LegScript::no_answer())
                .record(RecordScript {
                    speak: Duration::from_secs(7),
                    finish: RecordFinish::Hangup,
                }),
        )
        .await
        .unwrap();
    assert_eq!(report.legs[0].status, CallStatus::NoAnswer);
    let rec = &hook.got_on("/api/twilio/recording-status")[0];
    assert_eq!(rec.param("CallSid"), Some(report.call_sid.as_str()));
    assert_eq!(rec.param("RecordingSource"), Some("RecordVerb"));
    assert_eq!(rec.param("RecordingDuration"), Some("7"));
    assert_eq!(rec.param("RecordingTrack"), None);
    let action = &hook.got_on("/api/voicemail-done")[0];
    assert!(action.signature_ok);
    assert_eq!(action.param("Digits"), Some("hangup"));
    assert_eq!(action.param("RecordingDuration"), Some("7"));
    assert_eq!(action.param("RecordingSid"), rec.param("RecordingSid"));
    assert_eq!(action.param("RecordingUrl"), rec.param("RecordingUrl"));
    assert_eq!(action.param("CallStatus"), Some("completed"));
    assert_eq!(report.said, vec!["Deixe sua mensagem.".to_owned()]);
    assert_eq!(report.status, CallStatus::Completed);
}

#[tokio::test]
async fn record_without_action_posts_back_to_the_document_url() {
    let (hook, sim) = setup(
        r##"<Response><Record finishOnKey="#" recordingStatusCallback="/api/twilio/recording-status"/></Response>"##,
    )
    .await;
    let report = sim
        .outbound_from_browser(
            "ana",
            "+5511",
            CallScript::new().record(RecordScript {
                speak: Duration::from_secs(3),
                finish: RecordFinish::Key('#'),
            }),
        )
        .await
        .unwrap();
    // Twilio re-requests the same URL when <Record> has no action: the same TwiML comes back
    // and loops until the simulator's guard stops it, as Twilio's loop would go on.
    let voice = hook.got_on("/api/twilio/voice");
    assert_eq!(voice.len(), 50);
    assert_eq!(voice[1].param("Digits"), Some("#"));
    assert!(voice[1].param("RecordingSid").is_some());
    assert_eq!(report.notifications.last().unwrap().code, 0);
}

#[tokio::test]
async fn empty_recording_skips_the_action() {
    let (hook, sim) = setup(
        r#"<Response><Record action="/api/after" recordingStatusCallback="/api/twilio/recording-status" recordingStatusCallbackEvent="completed absent"/><Say>next verb</Say></Response>"#,
    )
    .await;
    let report = sim
        .outbound_from_browser(
            "ana",
            "+5511",
            CallScript::new().record(RecordScript {
                speak: Duration::ZERO,
                finish: RecordFinish::Silence,
            }),
        )
        .await
        .unwrap();
    assert!(hook.got_on("/api/after").is_empty());
    let rec = hook.got_on("/api/twilio/recording-status");
    assert_eq!(rec[0].param("RecordingStatus"), Some("absent"));
    assert_eq!(report.said, vec!["next verb".to_owned()]);
}

#[tokio::test]
async fn gather_redirect_and_get_method() {
    let (hook, sim) = setup(
        r#"<Response><Gather numDigits="1" action="/api/menu" method="GET"><Say>Press one</Say></Gather></Response>"#,
    )
    .await;
    hook.on(
        "/api/menu",
        r#"<Response><Redirect method="POST">/api/next?step=2</Redirect></Response>"#,
    );
    hook.on("/api/next", "<Response><Say>Done</Say><Hangup/></Response>");
    let report = sim
        .outbound_from_browser("ana", "+5511", CallScript::new().gather_digits("1"))
        .await
        .unwrap();
    let menu = &hook.got_on("/api/menu")[0];
    assert_eq!(menu.method, "GET");
    assert!(menu.signature_ok, "GET signs the URL with its query");
    assert_eq!(menu.param("Digits"), Some("1"));
    assert!(menu.path.contains("Digits=1"));
    let next = &hook.got_on("/api/next")[0];
    assert_eq!(next.path, "/api/next?step=2");
    assert!(next.signature_ok);
    assert_eq!(report.said, vec!["Press one", "Done"]);
    assert_eq!(report.verbs, vec!["Gather", "Redirect", "Say", "Hangup"]);
    let kinds: Vec<WebhookKind> = sim.transcript().iter().map(|r| r.kind).collect();
    assert_eq!(
        kinds,
        vec![
            WebhookKind::Voice,
            WebhookKind::GatherAction,
            WebhookKind::Redirect
        ]
    );
}

#[tokio::test]
async fn reject_busy_is_never_answered() {
    let hook = Hook::for_sim().await;
    hook.on(
        "/api/twilio/voice-incoming",
        r#"<Response><Reject reason="busy"/></Response>"#,
    );
    let sim = Simulator::start(
        SimConfig::for_ramal(&hook.base)
            .parent_status_callback(hook.url("/api/twilio/call-status")),
    )
    .await
    .unwrap();
    let ours = sim.phone_number().phone_number;
    let report = sim
        .inbound_from_phone("+5511911112222", &ours, CallScript::new())
        .await
        .unwrap();
    assert_eq!(report.status, CallStatus::Busy);
    assert_eq!(report.duration_secs, 0);
    let cb = &hook.got_on("/api/twilio/call-status")[0];
    assert_eq!(cb.param("CallStatus"), Some("busy"));
    assert_eq!(cb.param("Duration"), Some("0"));
}

#[tokio::test]
async fn failing_voice_url_uses_fallback_and_logs_11200() {
    let hook = Hook::for_sim().await;
    hook.reply(
        "/api/twilio/voice",
        support::Reply {
            status: 500,
            content_type: "text/plain",
            body: "boom".into(),
            delay: Duration::ZERO,
        },
    );
    hook.on("/fallback", "<Response><Say>Fallback</Say></Response>");
    let sim = Simulator::start(SimConfig::for_ramal(&hook.base))
        .await
        .unwrap();
    sim.update_application(|a| a.voice_fallback_url = Some(hook.url("/fallback")));
    let report = sim
        .outbound_from_browser("ana", "+5511", CallScript::new())
        .await
        .unwrap();
    assert_eq!(report.notifications[0].code, 11200);
    assert_eq!(report.said, vec!["Fallback"]);
    let fb = &hook.got_on("/fallback")[0];
    assert_eq!(fb.param("ErrorCode"), Some("11200"));
    assert_eq!(
        fb.param("ErrorUrl"),
        Some(hook.url("/api/twilio/voice").as_str())
    );
    let t = sim.transcript();
    assert_eq!(t[0].error_code, Some(11200));
    assert_eq!(t[1].kind, WebhookKind::VoiceFallback);

    // Without a fallback: the caller hears the application error and the call ends.
    sim.update_application(|a| a.voice_fallback_url = None);
    let report = sim
        .outbound_from_browser("ana", "+5511", CallScript::new())
        .await
        .unwrap();
    assert_eq!(report.said.len(), 1);
    assert!(report.said[0].contains("application error"));
}

#[tokio::test]
async fn invalid_twiml_is_reported_with_twilio_code() {
    let (_hook, sim) = setup(
        r#"<Response><Dial><Number statusCallbackEvent="['initiated']" statusCallback="/s">+1</Number></Dial></Response>"#,
    )
    .await;
    let report = sim
        .outbound_from_browser("ana", "+5511", CallScript::new())
        .await
        .unwrap();
    assert_eq!(report.notifications[0].code, 12200);
    assert!(report.legs.is_empty());
}

#[tokio::test]
async fn slow_server_times_out_with_11205() {
    let hook = Hook::for_sim().await;
    hook.reply(
        "/api/twilio/voice",
        support::Reply {
            delay: Duration::from_millis(600),
            ..support::Reply::twiml("<Response/>")
        },
    );
    let mut config = SimConfig::for_ramal(&hook.base);
    config.request_timeout = Duration::from_millis(200);
    let sim = Simulator::start(config).await.unwrap();
    let report = sim
        .outbound_from_browser("ana", "+5511", CallScript::new())
        .await
        .unwrap();
    assert_eq!(report.notifications[0].code, 11205);
    assert_eq!(
        sim.transcript()[0].outcome,
        twilio_sim::DeliveryOutcome::Timeout
    );
}

#[tokio::test]
async fn number_still_on_twilio_demo_url_plays_english_message() {
    let hook = Hook::for_sim().await;
    let sim = Simulator::start(SimConfig::default()).await.unwrap();
    assert_eq!(
        sim.phone_number().voice_url.as_deref(),
        Some(twilio_sim::TWILIO_DEMO_VOICE_URL)
    );
    let ours = sim.phone_number().phone_number;
    let report = sim
        .inbound_from_phone("+5511911112222", &ours, CallScript::new())
        .await
        .unwrap();
    assert!(report.said[0].starts_with("Thanks for the call"));
    assert!(hook.got().is_empty());
}

#[tokio::test]
async fn digits_sent_by_the_browser_are_logged_per_call() {
    let (_hook, sim) = setup(OUTBOUND).await;
    let call = sim
        .start_outbound_from_browser("alice", PSTN, CallScript::new())
        .unwrap();
    let sid = call.call_sid().to_owned();
    sim.send_digits(&sid, "12").unwrap();
    sim.send_digits(&sid, "#w3").unwrap();
    assert!(sim.send_digits(&sid, "x").is_err());
    assert!(sim.send_digits("CAunknown", "1").is_err());
    let report = call.finish().await.unwrap();
    assert_eq!(sim.digits(&sid).as_deref(), Some("12#w3"));
    let child = &report.legs[0].call_sid;
    sim.send_digits(child, "9").unwrap();
    assert_eq!(sim.digits(child).as_deref(), Some("9"));
}

#[tokio::test]
async fn real_time_scale_sleeps_and_recording_is_in_progress_meanwhile() {
    let (hook, _) = setup(OUTBOUND).await;
    let mut config = SimConfig::for_ramal(&hook.base);
    config.time_scale = 0.25;
    let sim = Simulator::start(config).await.unwrap();
    let started = std::time::Instant::now();
    let call = sim
        .start_outbound_from_browser(
            "alice",
            PSTN,
            CallScript::new().leg(PSTN, LegScript::answer(0, 4)),
        )
        .unwrap();
    // After answer the recording exists but is not completed: media 404, JSON in-progress.
    let mut rec = None;
    for _ in 0..200 {
        if let Some(r) = sim.recordings().first().cloned() {
            rec = Some(r);
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let rec = rec.expect("recording started");
    assert_eq!(rec.status, twilio_sim::RecordingStatus::InProgress);
    let http = reqwest::Client::new();
    let url = format!(
        "{}/2010-04-01/Accounts/{}/Recordings/{}",
        sim.api_base_url(),
        sim.account_sid(),
        rec.sid
    );
    let media = http
        .get(format!("{url}.wav"))
        .basic_auth(sim.account_sid(), Some(sim.auth_token().expose()))
        .send()
        .await
        .unwrap();
    assert_eq!(media.status(), 404);
    let meta = http
        .get(format!("{url}.json"))
        .basic_auth(sim.account_sid(), Some(sim.auth_token().expose()))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let meta: serde_json::Value = serde_json::from_slice(&meta).unwrap();
    assert_eq!(meta["status"], "in-progress");
    assert_eq!(meta["duration"], "-1");
    let del = http
        .delete(format!("{url}.json"))
        .basic_auth(sim.account_sid(), Some(sim.auth_token().expose()))
        .send()
        .await
        .unwrap();
    assert_eq!(
        del.status(),
        400,
        "an in-progress recording cannot be deleted"
    );
    call.finish().await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "4 s at scale 0.25"
    );
    assert_eq!(
        sim.recording(&rec.sid).unwrap().status,
        twilio_sim::RecordingStatus::Completed
    );
}
