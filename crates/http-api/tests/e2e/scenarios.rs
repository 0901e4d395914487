//! End-to-end scenarios: the simulator plays Twilio, Ramal answers, the history must be right.

use std::collections::HashMap;

use call_store::ids::CallSid;
use call_store::model::AgentRole;
use futures_util::StreamExt as _;
use serde_json::Value;
use twilio_sim::{
    CallScript, CallStatus, DeliveryOptions, Forgery, LegScript, RecordFinish, RecordScript,
    WebhookKind,
};

use crate::harness::TestApp;

const CUSTOMER: &str = "+5531999999999";
const OUR_NUMBER: &str = "+551130001000";

async fn ana(app: &TestApp) -> (i64, String) {
    let id = app.agent("ana", "Ana Souza", AgentRole::Agent).await;
    (id, app.login("ana").await)
}

async fn admin(app: &TestApp) -> String {
    app.agent("chefe", "Álefe Lins", AgentRole::Admin).await;
    app.login("chefe").await
}

fn only_call(calls: &[Value]) -> &Value {
    assert_eq!(calls.len(), 1, "expected exactly one call: {calls:#?}");
    &calls[0]
}

pub(crate) async fn outbound_answered(app: &TestApp) {
    let (ana_id, token) = ana(app).await;
    let report = app
        .sim
        .outbound_from_browser(
            "ana",
            CUSTOMER,
            CallScript::new().leg(CUSTOMER, LegScript::answer(3, 42)),
        )
        .await
        .unwrap();
    assert_eq!(report.status, CallStatus::Completed);
    assert!(
        app.sim.transcript().iter().all(|r| r.succeeded()),
        "{:#?}",
        app.sim.transcript()
    );

    let calls = app.all_calls(&token).await;
    let call = only_call(&calls);
    assert_eq!(call["call_sid"], report.call_sid.as_str());
    assert_eq!(call["direction"], "outbound");
    assert_eq!(call["status"], "completed");
    assert_eq!(call["duration"], 42);
    assert_eq!(call["user_id"], ana_id);
    assert_eq!(call["user_name"], "Ana Souza");
    assert_eq!(call["to_number"], CUSTOMER);
    assert_eq!(call["recording_sid"], report.recordings[0].as_str());
    let link = call["recording_url"].as_str().unwrap();
    assert!(
        link.starts_with(&format!(
            "/api/twilio/recording/{}?exp=",
            report.recordings[0]
        )),
        "{link}"
    );
    assert!(link.contains("&sig="));
    // The child leg is there too, and either SID finds the call.
    assert_eq!(call["legs"].as_array().unwrap().len(), 2);
    let child = &report.legs[0].call_sid;
    let (status, by_child) = app
        .get_json(&token, &format!("/api/twilio/call-logs/{child}"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(by_child["call_sid"], report.call_sid.as_str());
}

pub(crate) async fn outbound_busy(app: &TestApp) {
    let (_, token) = ana(app).await;
    app.sim
        .outbound_from_browser(
            "ana",
            CUSTOMER,
            CallScript::new().leg(CUSTOMER, LegScript::busy()),
        )
        .await
        .unwrap();
    let calls = app.all_calls(&token).await;
    let call = only_call(&calls);
    assert_eq!(call["status"], "busy");
    assert_eq!(call["duration"], 0);
    assert_eq!(call["recording_sid"], Value::Null);
}

pub(crate) async fn outbound_no_answer(app: &TestApp) {
    let (_, token) = ana(app).await;
    app.sim
        .outbound_from_browser(
            "ana",
            CUSTOMER,
            CallScript::new().leg(CUSTOMER, LegScript::no_answer()),
        )
        .await
        .unwrap();
    let calls = app.all_calls(&token).await;
    assert_eq!(only_call(&calls)["status"], "no-answer");
}

pub(crate) async fn inbound_answered_by_one_of_three(app: &TestApp) {
    let boss = admin(app).await;
    let mut ids = HashMap::new();
    for (user, name) in [("ana", "Ana"), ("bruno", "Bruno"), ("carla", "Carla")] {
        ids.insert(user, app.agent(user, name, AgentRole::Agent).await);
        let token = app.login(user).await;
        app.available(&token).await;
    }
    let report = app
        .sim
        .inbound_from_phone(
            CUSTOMER,
            OUR_NUMBER,
            CallScript::new()
                .leg("client:bruno", LegScript::answer(4, 30))
                .default_leg(LegScript::no_answer()),
        )
        .await
        .unwrap();
    // All three rang at once; Bruno took it, the others were canceled.
    assert_eq!(report.legs.len(), 3, "{report:#?}");
    assert!(report.leg("client:bruno").unwrap().answered);

    let calls = app.all_calls(&boss).await;
    let call = only_call(&calls);
    assert_eq!(call["direction"], "inbound");
    assert_eq!(call["status"], "completed");
    assert_eq!(call["user_id"], ids["bruno"]);
    assert_eq!(call["duration"], 30);
    assert_eq!(call["from_number"], CUSTOMER);
    assert!(call["recording_sid"].is_string());
    assert_eq!(call["voicemail"], false);
    // Twilio's after-dial request got a plain hang-up: no voicemail after a conversation.
    assert!(
        !report.verbs.iter().any(|v| v == "Record"),
        "{:?}",
        report.verbs
    );
}

pub(crate) async fn inbound_nobody_available_takes_voicemail(app: &TestApp) {
    let boss = admin(app).await;
    let report = app
        .sim
        .inbound_from_phone(
            CUSTOMER,
            OUR_NUMBER,
            CallScript::new().record(RecordScript {
                speak: std::time::Duration::from_secs(12),
                finish: RecordFinish::Hangup,
            }),
        )
        .await
        .unwrap();
    assert!(report.legs.is_empty(), "nobody rings: {report:#?}");
    assert!(
        report
            .said
            .iter()
            .any(|s| s.contains("ninguém está disponível")),
        "{:?}",
        report.said
    );
    assert_eq!(report.recordings.len(), 1);

    let calls = app.all_calls(&boss).await;
    let call = only_call(&calls);
    assert_eq!(call["direction"], "inbound");
    assert_eq!(call["voicemail"], true);
    assert_eq!(call["answered"], false);
    assert_eq!(call["recording_sid"], report.recordings[0].as_str());
}

pub(crate) async fn unanswered_inbound_rings_then_voicemail(app: &TestApp) {
    let boss = admin(app).await;
    app.agent("ana", "Ana", AgentRole::Agent).await;
    let token = app.login("ana").await;
    app.available(&token).await;
    let report = app
        .sim
        .inbound_from_phone(
            CUSTOMER,
            OUR_NUMBER,
            CallScript::new()
                .default_leg(LegScript::no_answer())
                .record(RecordScript {
                    speak: std::time::Duration::from_secs(5),
                    finish: RecordFinish::Hangup,
                }),
        )
        .await
        .unwrap();
    assert_eq!(report.legs.len(), 1);
    assert_eq!(
        report.recordings.len(),
        1,
        "voicemail after the dial: {report:#?}"
    );
    let calls = app.all_calls(&boss).await;
    let call = only_call(&calls);
    assert_eq!(call["voicemail"], true);
    assert_eq!(call["status"], "no-answer");
    // Unanswered inbound calls are visible to every agent (anyone may call back).
    assert_eq!(app.all_calls(&token).await.len(), 1);
}

pub(crate) async fn browser_to_browser(app: &TestApp) {
    let (ana_id, ana_token) = ana(app).await;
    let bruno_id = app.agent("bruno", "Bruno", AgentRole::Agent).await;
    let report = app
        .sim
        .outbound_from_browser(
            "ana",
            "bruno",
            CallScript::new().leg("client:bruno", LegScript::answer(2, 15)),
        )
        .await
        .unwrap();
    assert_eq!(report.legs.len(), 1);
    let calls = app.all_calls(&ana_token).await;
    let call = only_call(&calls);
    assert_eq!(call["direction"], "internal");
    assert_eq!(call["user_id"], ana_id);
    assert_eq!(call["peer_agent_id"], bruno_id);
    assert_eq!(call["duration"], 15);
    // Bruno sees it too.
    let bruno_token = app.login("bruno").await;
    assert_eq!(app.all_calls(&bruno_token).await.len(), 1);
}

pub(crate) async fn overlapping_calls_shuffled_and_duplicated(app: &TestApp) {
    let boss = admin(app).await;
    for user in ["ana", "bruno", "carla", "davi"] {
        app.agent(user, user, AgentRole::Agent).await;
    }
    app.sim.set_delivery(DeliveryOptions::shuffled(7, 0.3));
    let calls = 200;
    let mut handles = Vec::new();
    for i in 0..calls {
        let sim = app.sim.clone();
        let agent = ["ana", "bruno", "carla", "davi"][i % 4];
        let to = format!("+55319{:08}", 10_000_000 + i);
        let script = match i % 5 {
            0 => CallScript::new().leg(to.clone(), LegScript::busy()),
            1 => CallScript::new().leg(to.clone(), LegScript::no_answer()),
            _ => CallScript::new().leg(to.clone(), LegScript::answer(2, 10 + (i as u64 % 50))),
        };
        handles.push(tokio::spawn(async move {
            sim.outbound_from_browser(agent, &to, script).await.unwrap()
        }));
    }
    let mut reports = Vec::new();
    for h in handles {
        reports.push(h.await.unwrap());
    }
    let failed: Vec<_> = app
        .sim
        .transcript()
        .into_iter()
        .filter(|r| !r.succeeded())
        .collect();
    assert!(failed.is_empty(), "undelivered callbacks: {failed:#?}");
    assert!(
        app.sim.transcript().iter().any(|r| r.duplicate),
        "duplicates were sent"
    );

    let history = app.all_calls(&boss).await;
    assert_eq!(history.len(), calls);
    let by_sid: HashMap<&str, &Value> = history
        .iter()
        .map(|c| (c["call_sid"].as_str().unwrap(), c))
        .collect();
    for report in &reports {
        let call = by_sid[report.call_sid.as_str()];
        let leg = &report.legs[0];
        assert_eq!(call["status"], leg.status.as_str(), "{}", report.call_sid);
        assert_eq!(
            call["duration"],
            if leg.answered { leg.duration_secs } else { 0 }
        );
        // Every recording is on its own call, and only there.
        let recordings: Vec<&str> = call["recordings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["recording_sid"].as_str().unwrap())
            .collect();
        let expected: Vec<&str> = report.recordings.iter().map(String::as_str).collect();
        assert_eq!(recordings, expected, "{}", report.call_sid);
    }
}

pub(crate) async fn forged_webhooks_are_refused_and_write_nothing(app: &TestApp) {
    let sid = "CA00000000000000000000000000000f01";
    let params: Vec<(&str, &str)> = vec![
        ("CallSid", sid),
        ("AccountSid", app.sim.account_sid()),
        ("From", CUSTOMER),
        ("To", OUR_NUMBER),
        ("Direction", "inbound"),
        ("CallStatus", "completed"),
        ("CallDuration", "30"),
        ("SequenceNumber", "0"),
        ("Timestamp", "Sun, 29 Nov 2026 09:00:00 +0000"),
    ];
    let status_url = app.url("/api/twilio/call-status");
    let forgeries = [
        Forgery::WrongKey,
        Forgery::ParamChangedAfterSigning {
            name: "CallDuration".into(),
            value: "3000".into(),
        },
        Forgery::SignedForOtherUrl(app.url("/api/twilio/recording-status")),
        Forgery::MissingSignature,
        Forgery::UnknownAlgorithm,
    ];
    for forgery in forgeries {
        let record = app
            .sim
            .post_webhook(&status_url, &params, forgery.clone())
            .await;
        assert_eq!(
            record.outcome,
            twilio_sim::DeliveryOutcome::Status(403),
            "{forgery:?}"
        );
    }
    // The same request correctly signed but replayed to another of our URLs is refused too.
    for path in [
        "/api/twilio/voice",
        "/api/twilio/voice-incoming",
        "/api/twilio/recording-status",
    ] {
        let record = app
            .sim
            .post_webhook(
                &app.url(path),
                &params,
                Forgery::SignedForOtherUrl(status_url.clone()),
            )
            .await;
        assert_eq!(
            record.outcome,
            twilio_sim::DeliveryOutcome::Status(403),
            "{path}"
        );
    }
    let call_sid = CallSid::parse(sid).unwrap();
    app.settle().await;
    assert!(app.store.call_events(&call_sid).await.unwrap().is_empty());
    assert!(app.store.get_call(&call_sid).await.unwrap().is_none());
    let metrics = app
        .http
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("ramal_webhook_signatures_rejected_total 8"),
        "{metrics}"
    );

    // The genuine request is accepted.
    let record = app
        .sim
        .post_webhook(&status_url, &params, Forgery::None)
        .await;
    assert_eq!(record.outcome, twilio_sim::DeliveryOutcome::Status(204));
    app.settle().await;
    assert_eq!(app.store.call_events(&call_sid).await.unwrap().len(), 1);
}

pub(crate) async fn unknown_agent_is_refused(app: &TestApp) {
    app.agent("ana", "Ana", AgentRole::Agent).await;
    let report = app
        .sim
        .outbound_from_browser("intruso", CUSTOMER, CallScript::new())
        .await
        .unwrap();
    assert!(report.legs.is_empty(), "nothing dialled: {report:#?}");
    assert!(
        report
            .said
            .iter()
            .any(|s| s.contains("não está autorizado")),
        "{:?}",
        report.said
    );
    // A disabled agent is refused the same way.
    let ana = app
        .store
        .get_agent_by_username("ana")
        .await
        .unwrap()
        .unwrap();
    app.store.set_agent_active(ana.id, false).await.unwrap();
    let report = app
        .sim
        .outbound_from_browser("ana", CUSTOMER, CallScript::new())
        .await
        .unwrap();
    assert!(report.legs.is_empty());
}

pub(crate) async fn disallowed_destination_is_refused(app: &TestApp) {
    let (_, token) = ana(app).await;
    for to in ["+14155550100", "+882345678901", "+55 31 9999"] {
        let report = app
            .sim
            .outbound_from_browser("ana", to, CallScript::new())
            .await
            .unwrap();
        assert!(report.legs.is_empty(), "{to} was dialled: {report:#?}");
        assert!(
            report.said.iter().any(|s| s.contains("não é permitido")),
            "{to}: {:?}",
            report.said
        );
    }
    let metrics = app
        .http
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(metrics.contains("ramal_calls_refused_total 3"), "{metrics}");
    // The attempts are in the history, with no dialled leg.
    let calls = app.all_calls(&token).await;
    assert_eq!(calls.len(), 3);
    assert!(
        calls
            .iter()
            .all(|c| c["legs"].as_array().unwrap().len() == 1)
    );
}

pub(crate) async fn bad_bodies_get_clear_errors(app: &TestApp) {
    let url = app.url("/api/twilio/call-status");
    // Oversized: refused before anything reads it.
    let huge = "a".repeat(200_000);
    let res = app
        .http
        .post(&url)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(format!("CallSid={huge}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    // Correctly signed but malformed: 400 with a message naming the field, nothing written.
    let record = app
        .sim
        .post_webhook(
            &url,
            &[
                ("CallSid", "CA-not-a-sid"),
                ("CallStatus", "completed"),
                ("From", CUSTOMER),
                ("To", OUR_NUMBER),
                ("Direction", "inbound"),
            ],
            Forgery::None,
        )
        .await;
    assert_eq!(record.outcome, twilio_sim::DeliveryOutcome::Status(400));
    let body = record.response_body.unwrap_or_default();
    assert!(body.contains("CallSid"), "{body}");
    let record = app
        .sim
        .post_webhook(
            &url,
            &[
                ("CallSid", "CA00000000000000000000000000000f02"),
                ("CallStatus", "<script>"),
                ("From", CUSTOMER),
                ("To", OUR_NUMBER),
                ("Direction", "inbound"),
            ],
            Forgery::None,
        )
        .await;
    assert_eq!(record.outcome, twilio_sim::DeliveryOutcome::Status(400));
    let sid = CallSid::parse("CA00000000000000000000000000000f02").unwrap();
    app.settle().await;
    assert!(app.store.call_events(&sid).await.unwrap().is_empty());
    // Agent API: malformed JSON and queries are 400s with a JSON error.
    let res = app
        .http
        .post(app.url("/api/auth/login"))
        .header("Content-Type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "bad_request");
    let (_, token) = ana(app).await;
    let (status, body) = app
        .get_json(&token, "/api/twilio/call-logs?direction=sideways")
        .await;
    assert_eq!(status, 400);
    assert!(body["message"].as_str().unwrap().contains("direction"));
    let (status, _) = app
        .get_json(&token, "/api/twilio/call-logs?cursor=garbage")
        .await;
    assert_eq!(status, 400);
}

pub(crate) async fn agents_see_their_calls_admins_see_all(app: &TestApp) {
    let boss = admin(app).await;
    let (_, ana_token) = ana(app).await;
    app.agent("bruno", "Bruno", AgentRole::Agent).await;
    let bruno_token = app.login("bruno").await;
    app.sim
        .outbound_from_browser(
            "ana",
            CUSTOMER,
            CallScript::new().leg(CUSTOMER, LegScript::answer(1, 5)),
        )
        .await
        .unwrap();
    app.sim
        .outbound_from_browser(
            "bruno",
            "+5531988887777",
            CallScript::new().leg("+5531988887777", LegScript::answer(1, 5)),
        )
        .await
        .unwrap();
    assert_eq!(app.all_calls(&boss).await.len(), 2);
    let mine = app.all_calls(&ana_token).await;
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["to_number"], CUSTOMER);
    let theirs = app.all_calls(&bruno_token).await;
    assert_eq!(theirs.len(), 1);
    // Ana cannot open Bruno's call by SID either.
    let sid = theirs[0]["call_sid"].as_str().unwrap();
    let (status, _) = app
        .get_json(&ana_token, &format!("/api/twilio/call-logs/{sid}"))
        .await;
    assert_eq!(status, 404);
    // Nor manage agents.
    let (status, _) = app.get_json(&ana_token, "/api/agents").await;
    assert_eq!(status, 403);
    let (status, agents) = app.get_json(&boss, "/api/agents").await;
    assert_eq!(status, 200);
    assert_eq!(agents.as_array().unwrap().len(), 3);
}

pub(crate) async fn token_for_the_logged_in_agent(app: &TestApp) {
    let (_, token) = ana(app).await;
    let (status, body) = app.get_json(&token, "/api/twilio/token").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["identity"], "ana");
    let jwt = body["token"].as_str().unwrap();
    let secret = access_token::ApiKeySecret::new(app.sim.api_keys()[0].secret.expose()).unwrap();
    let decoded = access_token::decode_verified(jwt, &secret).unwrap();
    assert_eq!(decoded.claims.identity(), Some("ana"));
    let voice = decoded.claims.grant("voice").unwrap();
    assert_eq!(voice["incoming"]["allow"], true);
    assert_eq!(
        voice["outgoing"]["application_sid"],
        app.sim.application().sid.as_str()
    );
    // Without a session: 401.
    let res = app
        .http
        .get(app.url("/api/twilio/token"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let res = app
        .http
        .get(app.url("/api/twilio/token"))
        .bearer_auth("forged.token.x.y")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
}

pub(crate) async fn live_updates_reach_the_browser(app: &TestApp) {
    let (_, token) = ana(app).await;
    let res = app
        .http
        .get(app.url("/api/events"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "text/event-stream");
    let mut stream = res.bytes_stream();
    let report = app
        .sim
        .outbound_from_browser(
            "ana",
            CUSTOMER,
            CallScript::new().leg(CUSTOMER, LegScript::answer(1, 7)),
        )
        .await
        .unwrap();
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
    while !seen.contains("\"status\":\"completed\"") {
        let chunk = tokio::time::timeout_at(deadline, stream.next())
            .await
            .expect("a live update within 10 s")
            .unwrap()
            .unwrap();
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(seen.contains("event: call"));
    assert!(seen.contains(&report.call_sid));
}

pub(crate) async fn login_is_throttled(app: &TestApp) {
    ana(app).await;
    let mut statuses = Vec::new();
    for _ in 0..7 {
        let res = app
            .http
            .post(app.url("/api/auth/login"))
            .json(&serde_json::json!({"username": "ana", "password": "wrong password"}))
            .send()
            .await
            .unwrap();
        statuses.push(res.status().as_u16());
    }
    assert_eq!(statuses[..5], [401; 5]);
    assert_eq!(statuses[5..], [429; 2]);
    // Even the right password waits now.
    let res = app
        .http
        .post(app.url("/api/auth/login"))
        .json(&serde_json::json!({"username": "ana", "password": "correct horse battery"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key("retry-after"));
}

pub(crate) async fn status_callbacks_are_idempotent(app: &TestApp) {
    let (_, token) = ana(app).await;
    app.sim.set_delivery(DeliveryOptions::shuffled(11, 1.0));
    app.sim
        .outbound_from_browser(
            "ana",
            CUSTOMER,
            CallScript::new().leg(CUSTOMER, LegScript::answer(1, 9)),
        )
        .await
        .unwrap();
    let transcript = app.sim.transcript();
    let duplicates = transcript.iter().filter(|r| r.duplicate).count();
    assert!(duplicates >= 4, "every callback sent twice: {duplicates}");
    assert!(
        transcript
            .iter()
            .filter(|r| r.kind == WebhookKind::StatusCallback)
            .all(|r| r.succeeded())
    );
    app.settle().await;
    let metrics = app
        .http
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let dup_line = metrics
        .lines()
        .find(|l| l.starts_with("ramal_events_duplicate_total "))
        .unwrap();
    assert_ne!(dup_line, "ramal_events_duplicate_total 0");
    let calls = app.all_calls(&token).await;
    assert_eq!(only_call(&calls)["duration"], 9);
}
