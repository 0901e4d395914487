//! The conformance suite: every behaviour of a `CallStore`, written once and run against
//! each backend by the `conformance!` macro in main.rs.

mod agents;
mod events;
mod history;
mod operations;
mod pipeline;

pub(crate) use agents::*;
pub(crate) use events::*;
pub(crate) use history::*;
pub(crate) use operations::*;
pub(crate) use pipeline::*;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use call_store::events::{CallEvent, EventMeta, RecordingEvent, StatusEvent};
use call_store::ids::{CallSid, RecordingSid};
use call_store::model::{
    Agent, AgentRole, CallContact, CallSummary, DRIVE_SINK, JobFilter, JobState, NewAgent,
    PlaybackVia,
};
use call_store::party::ClientIdentity;
use call_store::query::{CallQuery, NumberFragment, Visibility};
use call_store::state::{CallState, RecordingState, fold_call};
use call_store::status::{CallDirection, CallStatus};
use call_store::{CallStore, InputError, StoreError, export_csv};
use chrono::{DateTime, Utc};
use futures_util::StreamExt;

use crate::harness::{TestStore, start_time};
use crate::scenarios::{self, Builder, CUSTOMER, OUR_NUMBER, Scenario, sid, t0};

// ------------------------------------------------------------------ helpers

/// A small deterministic PRNG for sampled shuffles (reproducible failures).
pub(crate) struct Lcg(u64);

impl Lcg {
    pub(crate) fn new(seed: u64) -> Self {
        Lcg(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub(crate) fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % n.max(1)
    }

    pub(crate) fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

fn meta() -> EventMeta {
    EventMeta::new(start_time())
}

/// Creates ana (id 1) and bob (id 2).
async fn seed_agents(store: &dyn CallStore) -> (Agent, Agent) {
    let ana = store
        .create_agent(
            &NewAgent::new(
                "ana",
                "Álefe Lins",
                ClientIdentity::parse("ana").unwrap(),
                "hash-a",
                AgentRole::Agent,
            )
            .unwrap(),
        )
        .await
        .unwrap();
    let bob = store
        .create_agent(
            &NewAgent::new(
                "bob",
                "Bob Ñúñez",
                ClientIdentity::parse("bob").unwrap(),
                "hash-b",
                AgentRole::Admin,
            )
            .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!((ana.id, bob.id), (1, 2), "agent ids of a fresh database");
    (ana, bob)
}

async fn apply_all(store: &dyn CallStore, events: &[CallEvent]) {
    for event in events {
        store.apply(event, &meta()).await.unwrap();
    }
}

/// Checks a stored call against the pure fold of its events.
pub(crate) fn assert_matches_fold(summary: &CallSummary, state: &CallState, context: &str) {
    assert_eq!(summary.call_sid, state.root_sid, "{context}: root");
    assert_eq!(summary.direction, state.direction, "{context}: direction");
    assert_eq!(summary.status, state.status, "{context}: status");
    assert_eq!(summary.from_number, state.from, "{context}: from");
    assert_eq!(summary.to_number, state.to, "{context}: to");
    assert_eq!(summary.duration, state.duration, "{context}: duration");
    assert_eq!(summary.answered, state.answered, "{context}: answered");
    assert_eq!(summary.voicemail, state.voicemail, "{context}: voicemail");
    assert_eq!(
        summary.started_at, state.started_at,
        "{context}: started_at"
    );
    assert_eq!(
        summary.created_at, state.started_at,
        "{context}: created_at"
    );
    assert_eq!(
        summary.answered_at, state.answered_at,
        "{context}: answered_at"
    );
    assert_eq!(summary.ended_at, state.ended_at, "{context}: ended_at");
    assert_eq!(
        summary.recording_sid, state.main_recording,
        "{context}: main recording"
    );
    assert_eq!(summary.peer_identity, state.peer, "{context}: peer");
    assert_eq!(summary.legs, state.legs, "{context}: legs");
    let stored: Vec<&RecordingState> = summary.recordings.iter().map(|v| &v.recording).collect();
    let folded: Vec<&RecordingState> = state.recordings.iter().collect();
    assert_eq!(stored, folded, "{context}: recordings");
}

/// Applies a scenario's events in the given order and checks the stored call.
async fn check_scenario(
    store: &dyn CallStore,
    scenario: &Scenario,
    events: &[CallEvent],
    context: &str,
) {
    apply_all(store, events).await;
    let expected = fold_call(&scenario.root, &scenario.events).unwrap();
    let stored = store
        .get_call(&scenario.root)
        .await
        .unwrap()
        .expect("the call is stored");
    assert_matches_fold(&stored, &expected, context);
    // Agent attribution reaches the API fields.
    let want_user = scenario
        .expect
        .agent_id
        .or(match scenario.expect.agent_identity {
            Some("ana") => Some(1),
            Some("bob") => Some(2),
            _ => None,
        });
    assert_eq!(stored.user_id, want_user, "{context}: user_id");
}

fn status_of(event: &CallEvent) -> StatusEvent {
    match event {
        CallEvent::Status(s) => s.clone(),
        other => panic!("expected a status event, got {other:?}"),
    }
}

fn recording_of(event: &CallEvent) -> RecordingEvent {
    match event {
        CallEvent::Recording(r) => r.clone(),
        other => panic!("expected a recording event, got {other:?}"),
    }
}

/// `now + seconds` on the test clock.
pub(crate) trait ClockExt {
    fn now_plus(&self, seconds: i64) -> DateTime<Utc>;
}

impl ClockExt for call_store::clock::ManualClock {
    fn now_plus(&self, seconds: i64) -> DateTime<Utc> {
        use call_store::clock::Clock;
        self.now() + chrono::Duration::seconds(seconds)
    }
}

/// Two stores opened on the same database stand for two processes (two `ramal`
/// instances on PostgreSQL; a server and a CLI on SQLite): interleaved writes of the same
/// calls and concurrent job claims stay exact.
pub(crate) async fn two_instances_share_one_database(db: &TestStore) {
    let options = call_store::StoreOptions {
        max_connections: 4,
        clock: db.clock.clone(),
        ..call_store::StoreOptions::default()
    };
    let other = call_store::open_target(&db.target, options).await.unwrap();
    let stores = [db.store.clone(), other];
    let mut rng = Lcg::new(5);
    let mut all = scenarios::all(900, t0());
    all.extend(scenarios::all(901, t0()));
    let mut deliveries: Vec<CallEvent> =
        all.iter().flat_map(|s| s.events.iter().cloned()).collect();
    deliveries.extend(deliveries.clone());
    rng.shuffle(&mut deliveries);
    let queue = Arc::new(Mutex::new(deliveries));
    let mut tasks = Vec::new();
    for i in 0..8 {
        let (store, queue) = (stores[i % 2].clone(), queue.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let next = queue.lock().unwrap().pop();
                let Some(event) = next else { break };
                store
                    .apply(&event, &EventMeta::new(start_time()))
                    .await
                    .unwrap();
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    for scenario in &all {
        for store in &stores {
            let stored = store.get_call(&scenario.root).await.unwrap().unwrap();
            assert_matches_fold(
                &stored,
                &fold_call(&scenario.root, &scenario.events).unwrap(),
                scenario.name,
            );
        }
    }
    // Claims from both instances never overlap.
    let mut claims = Vec::new();
    for (i, store) in stores.iter().enumerate() {
        let store = store.clone();
        claims.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            loop {
                let jobs = store
                    .claim_jobs(&format!("instance-{i}"), 1, Duration::from_secs(60))
                    .await
                    .unwrap();
                if jobs.is_empty() {
                    break mine;
                }
                mine.extend(jobs.into_iter().map(|j| j.id));
            }
        }));
    }
    let mut claimed = Vec::new();
    for claim in claims {
        claimed.extend(claim.await.unwrap());
    }
    let distinct: BTreeSet<i64> = claimed.iter().copied().collect();
    let with_recordings = all.iter().filter(|s| s.expect.has_recording).count();
    assert_eq!(claimed.len(), with_recordings);
    assert_eq!(distinct.len(), with_recordings);
}
