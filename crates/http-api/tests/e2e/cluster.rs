//! Three `ramal` instances sharing one PostgreSQL database behind a round-robin balancer:
//! every request (Twilio's and the browsers') may land on any instance, so one call's TwiML
//! request and callbacks are spread across all three.

use std::collections::HashSet;
use std::time::Duration;

use call_store::model::{AgentRole, JobState};
use futures_util::StreamExt as _;
use serde_json::Value;
use tokio::time::Instant;
use twilio_sim::{CallScript, LegScript};

use crate::harness::{Instance, Setup, TestApp};

const CUSTOMER: &str = "+5531999999999";
const OUR_NUMBER: &str = "+551130001000";
const WAIT: Duration = Duration::from_secs(60);

/// Waits (bounded) until `check` holds; the instances apply their own spools in the
/// background, so a read on one may briefly trail a webhook answered by another.
async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + WAIT;
    while !check().await {
        assert!(Instant::now() < deadline, "not within {WAIT:?}: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn presence_everywhere(instances: &[Instance], ids: &[i64], state: &str) {
    for instance in instances {
        for id in ids {
            let state_of = || {
                instance
                    .state
                    .presence
                    .state_of(*id, std::time::Instant::now())
            };
            eventually(&format!("agent {id} {state} on {}", instance.base), || {
                let now = state_of();
                async move {
                    match state {
                        "available" => now == Some(http_api::presence::PresenceState::Available),
                        _ => now.is_none(),
                    }
                }
            })
            .await;
        }
    }
}

async fn completed_calls(app: &TestApp, token: &str, expected: usize) -> Vec<Value> {
    let deadline = Instant::now() + WAIT;
    loop {
        let (status, page) = app.get_json(token, "/api/twilio/call-logs?limit=200").await;
        assert_eq!(status, 200, "{page}");
        let items = page["items"].as_array().cloned().unwrap_or_default();
        if items.len() == expected
            && items
                .iter()
                .all(|c| c["status"] == "completed" && c["recording_sid"].is_string())
        {
            return items;
        }
        assert!(
            Instant::now() < deadline,
            "not {expected} completed calls within {WAIT:?}: {items:#?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_instances_share_calls_presence_live_updates_and_jobs() {
    let Some((app, instances)) = TestApp::spawn_cluster(3, Setup::default()).await else {
        return;
    };
    let boss_id = app.agent("boss", "Boss", AgentRole::Admin).await;
    let mut ids = Vec::new();
    for user in ["ana", "bruno", "carla"] {
        ids.push(app.agent(user, user, AgentRole::Agent).await);
    }
    // Logins and heartbeats go through the balancer: each lands on whichever instance is
    // next, and sessions signed by one instance are accepted by the others.
    let boss = app.login("boss").await;
    for user in ["ana", "bruno", "carla"] {
        let token = app.login(user).await;
        app.available(&token).await;
    }
    presence_everywhere(&instances, &ids, "available").await;

    // The boss watches live updates on the third instance.
    let events = app
        .http
        .get(format!("{}/api/events", instances[2].base))
        .bearer_auth(&boss)
        .send()
        .await
        .unwrap();
    assert_eq!(events.status(), 200);
    let mut stream = events.bytes_stream();

    // Three inbound calls: each TwiML request lands on a different instance and must ring
    // all three agents, whichever instance their heartbeats reached.
    let mut reports = Vec::new();
    for _ in 0..3 {
        let report = app
            .sim
            .inbound_from_phone(
                CUSTOMER,
                OUR_NUMBER,
                CallScript::new()
                    .leg("client:bruno", LegScript::answer(2, 20))
                    .default_leg(LegScript::no_answer()),
            )
            .await
            .unwrap();
        assert_eq!(report.legs.len(), 3, "every agent rang: {report:#?}");
        assert!(report.leg("client:bruno").unwrap().answered);
        assert_eq!(report.recordings.len(), 1);
        reports.push(report);
    }
    let failed: Vec<_> = app
        .sim
        .transcript()
        .into_iter()
        .filter(|r| !r.succeeded())
        .collect();
    assert!(failed.is_empty(), "undelivered webhooks: {failed:#?}");
    // Every instance took part of the webhooks.
    for instance in &instances {
        let spooled = instance
            .state
            .metrics
            .spool
            .appended
            .load(std::sync::atomic::Ordering::Relaxed);
        assert!(spooled > 0, "{} spooled nothing", instance.base);
    }

    // Every webhook was acknowledged by one instance or another: once each instance has
    // applied its own spool, the one history, whatever instance answers, has every call
    // complete, attributed to Bruno, with its own recording.
    for instance in &instances {
        assert!(
            instance.state.spool.settle(WAIT).await,
            "{} applied its spool",
            instance.base
        );
    }
    let calls = completed_calls(&app, &boss, 3).await;
    let bruno = ids[1];
    let mut recordings = HashSet::new();
    for report in &reports {
        let call = calls
            .iter()
            .find(|c| c["call_sid"] == report.call_sid.as_str())
            .unwrap_or_else(|| panic!("{} in the history", report.call_sid));
        assert_eq!(call["user_id"], bruno);
        assert_eq!(call["duration"], 20);
        assert_eq!(call["recording_sid"], report.recordings[0].as_str());
        recordings.insert(report.recordings[0].clone());
    }

    // Live updates reached the browser on the third instance, for every call, whichever
    // instance applied the events.
    let mut seen = String::new();
    let deadline = Instant::now() + WAIT;
    while !reports.iter().all(|r| seen.contains(&r.call_sid)) || !seen.contains("completed") {
        let chunk = tokio::time::timeout_at(deadline, stream.next())
            .await
            .expect("live updates for every call")
            .unwrap()
            .unwrap();
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }

    // Each recording filed exactly once by the three workers, and playable from any
    // instance through a link another instance signed.
    for sid in &recordings {
        let parsed = call_store::ids::RecordingSid::parse(sid).unwrap();
        eventually(&format!("{sid} filed"), || {
            let store = app.store.clone();
            let parsed = parsed.clone();
            async move {
                store
                    .get_job(&parsed)
                    .await
                    .unwrap()
                    .is_some_and(|j| j.state == JobState::Done)
            }
        })
        .await;
    }
    let files = app.local_recordings();
    assert_eq!(files.len(), recordings.len(), "{files:?}");
    let link = calls[0]["recording_url"].as_str().unwrap().to_owned();
    for instance in &instances {
        let res = app
            .http
            .get(format!("{}{link}", instance.base))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{link} on {}", instance.base);
    }

    // Disabling Bruno on one instance stops him ringing on every instance at once.
    let res = app
        .http
        .patch(format!("{}/api/agents/{}", instances[0].base, bruno))
        .bearer_auth(&boss)
        .json(&serde_json::json!({"active": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    presence_everywhere(&instances, &[bruno], "offline").await;
    for _ in 0..3 {
        let report = app
            .sim
            .inbound_from_phone(
                CUSTOMER,
                OUR_NUMBER,
                CallScript::new().default_leg(LegScript::no_answer()),
            )
            .await
            .unwrap();
        let rang: HashSet<&str> = report
            .legs
            .iter()
            .map(|l| l.to.trim_start_matches("client:"))
            .collect();
        assert_eq!(rang, HashSet::from(["ana", "carla"]), "{report:#?}");
    }
    assert_ne!(boss_id, bruno);
}
