//! PostgreSQL becomes unreachable in the middle of a load of calls, then comes back: calls
//! are still answered, webhook events wait in the spool, and the history ends up exactly what
//! the simulator did. The database is reached through a proxy the test cuts, which is what an
//! outage looks like from Ramal (connections reset, new ones refused).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use call_store::model::{AgentRole, JobState};
use serde_json::Value;
use tokio::task::AbortHandle;
use tokio::time::Instant;
use twilio_sim::{CallReport, CallScript, LegScript};

use crate::harness::{Setup, TestApp};

const OUR_NUMBER: &str = "+551130001000";
const WAIT: Duration = Duration::from_secs(60);

/// A TCP proxy to PostgreSQL that can be cut (every connection dropped, new ones refused).
struct CuttableProxy {
    addr: SocketAddr,
    up: Arc<AtomicBool>,
    connections: Arc<Mutex<Vec<AbortHandle>>>,
    task: tokio::task::JoinHandle<()>,
}

impl CuttableProxy {
    async fn start(upstream: &str) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let up = Arc::new(AtomicBool::new(true));
        let connections = Arc::new(Mutex::new(Vec::new()));
        let (is_up, open) = (Arc::clone(&up), Arc::clone(&connections));
        let upstream = upstream.to_owned();
        let task = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                if !is_up.load(Ordering::SeqCst) {
                    continue; // dropped at once: connection refused, as far as the client sees
                }
                let upstream = upstream.clone();
                let handle = tokio::spawn(async move {
                    if let Ok(mut server) = tokio::net::TcpStream::connect(&upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                open.lock().unwrap().push(handle.abort_handle());
            }
        });
        Self {
            addr,
            up,
            connections,
            task,
        }
    }

    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        for connection in self.connections.lock().unwrap().drain(..) {
            connection.abort();
        }
    }

    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

impl Drop for CuttableProxy {
    fn drop(&mut self) {
        self.task.abort();
        self.cut();
    }
}

async fn metric(app: &TestApp, name: &str) -> u64 {
    let text = app
        .http
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("{name} in /metrics"))
}

/// Outbound and inbound calls at once, every one recorded; returns the simulator's reports.
async fn wave(app: &TestApp, first: usize, count: usize) -> Vec<CallReport> {
    let mut handles = Vec::new();
    for i in first..first + count {
        let sim = app.sim.clone();
        handles.push(tokio::spawn(async move {
            let customer = format!("+55319{:08}", 20_000_000 + i);
            if i % 3 == 0 {
                let script = CallScript::new()
                    .leg("client:bruno", LegScript::answer(1, 10 + i as u64 % 20))
                    .default_leg(LegScript::no_answer());
                sim.inbound_from_phone(&customer, OUR_NUMBER, script).await
            } else {
                let agent = ["ana", "carla"][i % 2];
                let script = match i % 4 {
                    1 => CallScript::new().leg(customer.clone(), LegScript::busy()),
                    _ => CallScript::new()
                        .leg(customer.clone(), LegScript::answer(1, 5 + i as u64 % 30)),
                };
                sim.outbound_from_browser(agent, &customer, script).await
            }
        }));
    }
    let mut reports = Vec::new();
    for handle in handles {
        reports.push(handle.await.unwrap().expect("the call went through"));
    }
    reports
}

pub(crate) async fn database_outage_loses_nothing() {
    let proxy = CuttableProxy::start("127.0.0.1:5432").await;
    let setup = Setup {
        postgres_via: Some(proxy.addr),
        ..Setup::default()
    };
    let Some(app) = TestApp::spawn_custom(crate::harness::Db::Postgres, setup).await else {
        return;
    };
    app.agent("boss", "Boss", AgentRole::Admin).await;
    for user in ["ana", "bruno", "carla"] {
        app.agent(user, user, AgentRole::Agent).await;
        let token = app.login(user).await;
        app.available(&token).await;
    }
    let boss = app.login("boss").await;
    let mut reports = wave(&app, 0, 9).await;
    app.settle().await;

    // The database goes away. Calls go on: TwiML is answered (agents and presence are known
    // here), every callback is acknowledged and waits in the spool.
    proxy.cut();
    reports.extend(wave(&app, 9, 18).await);
    let during = app.sim.transcript();
    let refused: Vec<_> = during.iter().filter(|r| !r.succeeded()).collect();
    assert!(
        refused.is_empty(),
        "webhooks refused during the outage: {refused:#?}"
    );
    let ready = app.http.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 503);
    let body: Value = ready.json().await.unwrap();
    assert_eq!(body["database"], "unreachable");
    assert!(body["spool_pending"].as_u64().unwrap() > 0, "{body}");
    assert!(metric(&app, "ramal_spool_pending").await > 0);
    assert_eq!(metric(&app, "ramal_database_up").await, 0);

    // It comes back: the spool drains in order, and more calls come in meanwhile.
    proxy.restore();
    reports.extend(wave(&app, 27, 9).await);
    app.settle().await;
    assert_eq!(metric(&app, "ramal_spool_pending").await, 0);
    assert_eq!(metric(&app, "ramal_database_up").await, 1);
    assert_eq!(
        metric(&app, "ramal_spool_rejected_total").await,
        0,
        "{}",
        std::fs::read_to_string(app.data_dir.join("spool/rejected.jsonl")).unwrap_or_default()
    );
    let ready = app.http.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), 200);

    // The history is exactly what the simulator did.
    let calls = app.all_calls(&boss).await;
    assert_eq!(calls.len(), reports.len());
    for report in &reports {
        let call = calls
            .iter()
            .find(|c| c["call_sid"] == report.call_sid.as_str())
            .unwrap_or_else(|| panic!("{} in the history", report.call_sid));
        let leg = report
            .legs
            .iter()
            .find(|l| l.answered)
            .or(report.legs.first())
            .expect("a leg");
        assert_eq!(call["status"], leg.status.as_str(), "{}", report.call_sid);
        assert_eq!(
            call["duration"],
            if leg.answered { leg.duration_secs } else { 0 },
            "{}",
            report.call_sid
        );
        let recordings: Vec<&str> = call["recordings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["recording_sid"].as_str().unwrap())
            .collect();
        let expected: Vec<&str> = report.recordings.iter().map(String::as_str).collect();
        assert_eq!(recordings, expected, "{}", report.call_sid);
    }

    // Every recording filed once, including those announced during the outage.
    let all: Vec<&String> = reports.iter().flat_map(|r| &r.recordings).collect();
    let deadline = Instant::now() + WAIT;
    for sid in &all {
        let sid = call_store::ids::RecordingSid::parse(sid).unwrap();
        loop {
            let job = app.store.get_job(&sid).await.unwrap();
            if job.as_ref().is_some_and(|j| j.state == JobState::Done) {
                break;
            }
            assert!(Instant::now() < deadline, "{sid:?} not filed: {job:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    assert_eq!(app.local_recordings().len(), all.len());
}
