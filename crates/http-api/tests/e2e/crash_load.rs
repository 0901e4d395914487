//! Crash safety under load (issue 7, item 3), with the real `ramal` binary.
//!
//! - Killed (SIGKILL) at seeded pseudo-random moments while simulated calls and recordings
//!   flow, and started again on the same port, database, data directory and spool: afterwards
//!   every webhook the simulator saw acknowledged (2xx) is in the database, and every recording
//!   whose `completed` callback was acknowledged is filed exactly once. Webhooks sent while the
//!   server is down fail to connect; the simulator logs them (Twilio's 11205) and goes on.
//! - Stopped (SIGTERM) in the middle of a burst of webhooks: every request it had started gets
//!   its answer, nothing it answered is missing from the database once it has exited, nothing
//!   it did not answer was stored, and its claimed recording jobs are handed back.
//!
//! Every run prints its seed; `RAMAL_CRASH_SEED=<seed>` replays the same calls and kill
//! schedule. `RAMAL_CRASH_CALLS` and `RAMAL_CRASH_KILLS` make the long variant.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use call_store::CallStore;
use call_store::events::CallEvent;
use call_store::ids::CallSid;
use call_store::model::{AgentRole, JobFilter, JobState, NewAgent, RecordingJob, StoredEvent};
use call_store::party::ClientIdentity;
use http_api::auth::{SessionClaims, Signer};
use http_api::config::Secret;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;
use tokio::time::Instant;
use twilio_sim::{
    CallReport, CallScript, DeliveryOptions, DeliveryOutcome, DeliveryRecord, LegScript,
    MediaFormat, SimConfig, Simulator, WebhookKind,
};

use crate::harness::{Db, SESSION_SECRET, Setup};
use crate::rig::{Rig, Server, SlowProxy, job_state, wait_for};

/// The agents placing and taking the calls (each username is its client identity).
const AGENTS: [&str; 4] = ["ana", "bruno", "carla", "davi"];
const PASSWORD: &str = "correct horse battery";
/// Real seconds per virtual second: a call of 20 to 50 virtual seconds lasts 2 to 5 real
/// seconds, so a dozen calls overlap (several per agent) and a kill catches them mid-way.
const TIME_SCALE: f64 = 0.1;
/// Real time between two call starts of the load.
const CALL_SPACING: Duration = Duration::from_millis(250);
/// CI defaults: well under a minute per database on a busy two-core machine.
const DEFAULT_CALLS: u64 = 48;
const DEFAULT_KILLS: u64 = 3;
/// How long the server runs before each kill: from the middle of its start-up replay to
/// well into steady traffic.
const UPTIME_MS: std::ops::Range<u64> = 50..2500;
/// How long it stays down: webhooks sent meanwhile cannot connect.
const DOWNTIME_MS: std::ops::Range<u64> = 0..400;
/// The webphones' heartbeat period (presence expires after 30 s without one).
const HEARTBEAT: Duration = Duration::from_secs(10);

/// xorshift64*: reproducible choices from the printed seed, without a dependency.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        // xorshift has no zero state; mixing also separates nearby seeds.
        Self((seed ^ 0x9E37_79B9_7F4A_7C15).max(1))
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform enough in `0..bound` for test choices.
    fn below(&mut self, bound: u64) -> u64 {
        self.next() % bound
    }
}

fn knob(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) => v
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("{name}={v}: expected a whole number")),
        Err(_) => default,
    }
}

/// `RAMAL_CRASH_SEED`, or a fresh one (printed, so a failure can be replayed).
fn seed() -> u64 {
    match std::env::var("RAMAL_CRASH_SEED") {
        Ok(_) => knob("RAMAL_CRASH_SEED", 0),
        Err(_) => {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64;
            nanos ^ u64::from(std::process::id()).rotate_left(40)
        }
    }
}

/// The simulator plays calls at [`TIME_SCALE`], with SIDs drawn from `seed`.
fn simulated(seed: u64, delivery: DeliveryOptions) -> Setup {
    Setup::default().sim(move |config| SimConfig {
        time_scale: TIME_SCALE,
        seed: Some(seed),
        delivery,
        ..config
    })
}

/// Creates [`AGENTS`]; returns their sessions, signed with the server's secret as a login
/// would (a login costs an Argon2 check, seconds in a debug build on a busy machine).
async fn create_agents(store: &Arc<dyn CallStore>) -> Vec<String> {
    let hash = http_api::auth::password::hash(PASSWORD).unwrap();
    let signer = Signer::new(Secret::new(SESSION_SECRET));
    let mut sessions = Vec::new();
    for name in AGENTS {
        let identity = ClientIdentity::parse(name).unwrap();
        let new = NewAgent::new(name, name, identity, &hash, AgentRole::Agent).unwrap();
        let agent = store.create_agent(&new).await.unwrap();
        sessions.push(signer.session_token(&SessionClaims {
            agent_id: agent.id,
            expires_at: chrono::Utc::now().timestamp() + 3600,
            generation: signer.generation(&hash),
        }));
    }
    sessions
}

/// The agents' webphones, marked available after every start (presence lives in the
/// server's memory; sessions are stateless, so they outlive restarts).
#[derive(Clone)]
struct Webphones {
    http: reqwest::Client,
    presence_url: String,
    tokens: Vec<String>,
}

impl Webphones {
    fn new(rig: &Rig, tokens: Vec<String>) -> Self {
        Self {
            http: reqwest::Client::new(),
            presence_url: rig.url("/api/presence"),
            tokens,
        }
    }

    /// Every webphone says it is available; false if the server did not take it.
    async fn available(&self) -> bool {
        let mut all = true;
        for token in &self.tokens {
            let res = self
                .http
                .post(&self.presence_url)
                .bearer_auth(token)
                .json(&json!({"state": "available"}))
                .send()
                .await;
            all &= res.is_ok_and(|r| r.status() == 204);
        }
        all
    }

    /// Keeps the agents available through a long run; beats that hit a dead server are lost,
    /// as a browser's would be.
    async fn beat_forever(self) {
        loop {
            tokio::time::sleep(HEARTBEAT).await;
            self.available().await;
        }
    }
}

/// Who calls whom, and what the called parties do.
#[derive(Debug, Clone)]
enum Caller {
    /// An agent's browser calls a phone.
    Outbound {
        agent: usize,
        to: String,
        answers: LegScript,
    },
    /// An agent's browser calls another agent.
    Internal {
        agent: usize,
        peer: usize,
        answers: LegScript,
    },
    /// A phone calls our number; each available agent's webphone does what its script says
    /// (nobody answering, or nobody available, leads to voicemail).
    Inbound {
        from: String,
        agents: Vec<LegScript>,
    },
}

#[derive(Debug, Clone)]
struct PlannedCall {
    /// Real time after the load starts.
    start: Duration,
    caller: Caller,
}

fn phone_leg(rng: &mut Rng) -> LegScript {
    match rng.below(10) {
        0 => LegScript::busy(),
        1 => LegScript::no_answer(),
        2 => LegScript::failed(),
        _ => LegScript::answer(1 + rng.below(5), 5 + rng.below(30)),
    }
}

fn agent_leg(rng: &mut Rng) -> LegScript {
    if rng.below(3) == 0 {
        LegScript::no_answer()
    } else {
        LegScript::answer(1 + rng.below(8), 5 + rng.below(25))
    }
}

/// Half outbound, a fifth between agents, the rest inbound; recorded whenever answered.
fn plan(rng: &mut Rng, calls: usize, spacing: Duration) -> Vec<PlannedCall> {
    (0..calls)
        .map(|i| {
            let agent = rng.below(AGENTS.len() as u64) as usize;
            let caller = match rng.below(10) {
                0..5 => Caller::Outbound {
                    agent,
                    to: format!("+55319{:08}", 30_000_000 + i),
                    answers: phone_leg(rng),
                },
                5..7 => Caller::Internal {
                    agent,
                    peer: (agent + 1 + rng.below(AGENTS.len() as u64 - 1) as usize) % AGENTS.len(),
                    answers: agent_leg(rng),
                },
                _ => Caller::Inbound {
                    from: format!("+55219{:08}", 40_000_000 + i),
                    agents: AGENTS.iter().map(|_| agent_leg(rng)).collect(),
                },
            };
            PlannedCall {
                start: spacing * i as u32,
                caller,
            }
        })
        .collect()
}

async fn run_call(sim: Simulator, call: PlannedCall, load_start: Instant) -> CallReport {
    tokio::time::sleep_until(load_start + call.start).await;
    let handle = match call.caller {
        Caller::Outbound { agent, to, answers } => sim.start_outbound_from_browser(
            AGENTS[agent],
            &to,
            CallScript::new().leg(to.as_str(), answers),
        ),
        Caller::Internal {
            agent,
            peer,
            answers,
        } => sim.start_outbound_from_browser(
            AGENTS[agent],
            AGENTS[peer],
            CallScript::new().leg(AGENTS[peer], answers),
        ),
        Caller::Inbound { from, agents } => {
            let ours = sim.phone_number().phone_number;
            let script = AGENTS
                .iter()
                .zip(agents)
                .fold(CallScript::new(), |script, (name, leg)| {
                    script.leg(*name, leg)
                });
            sim.start_inbound_from_phone(&from, &ours, script)
        }
    };
    handle
        .expect("the simulator starts the call")
        .finish()
        .await
        .expect("the simulated call runs to its end")
}

/// Starts every planned call at its moment; resolves when all of them ended and their
/// callbacks were sent (or failed to be).
async fn run_load(sim: &Simulator, plan: Vec<PlannedCall>, load_start: Instant) -> Vec<CallReport> {
    let tasks: Vec<_> = plan
        .into_iter()
        .map(|call| tokio::spawn(run_call(sim.clone(), call, load_start)))
        .collect();
    let mut reports = Vec::new();
    for task in tasks {
        reports.push(task.await.expect("a simulated call panicked"));
    }
    reports
}

/// For each kill: how long the server runs first, and how long it then stays down.
fn kill_schedule(rng: &mut Rng, kills: usize) -> Vec<(Duration, Duration)> {
    let mut draw = |range: &std::ops::Range<u64>| {
        Duration::from_millis(range.start + rng.below(range.end - range.start))
    };
    (0..kills)
        .map(|_| (draw(&UPTIME_MS), draw(&DOWNTIME_MS)))
        .collect()
}

/// Kills the server after each scheduled uptime and starts it again after its downtime.
/// Returns the last server and a line per kill (where the transcript stood, for the report).
async fn kill_and_restart(
    rig: &Rig,
    phones: &Webphones,
    mut server: Server,
    schedule: &[(Duration, Duration)],
    load_start: Instant,
) -> (Server, Vec<String>) {
    let mut timeline = Vec::new();
    for (i, (uptime, downtime)) in schedule.iter().enumerate() {
        tokio::time::sleep(*uptime).await;
        drop(server); // SIGKILL, and reaped
        let killed_at = load_start.elapsed();
        let deliveries = rig.prepared.sim.transcript().len();
        tokio::time::sleep(*downtime).await;
        server = rig.start().await;
        assert!(phones.available().await, "presence after restart {}", i + 1);
        let line = format!(
            "kill {} after {} ms up, at {:.2} s (after {deliveries} deliveries), down {} ms, back at {:.2} s",
            i + 1,
            uptime.as_millis(),
            killed_at.as_secs_f64(),
            downtime.as_millis(),
            load_start.elapsed().as_secs_f64()
        );
        println!("{line}");
        timeline.push(line);
    }
    (server, timeline)
}

/// A metric's value in Prometheus text.
fn metric(text: &str, name: &str) -> Option<u64> {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.trim().parse().ok())
}

/// Waits until the server is ready and its spool is applied (`/readyz` and `/metrics` agree).
async fn wait_drained(rig: &Rig, what: &str) {
    let http = reqwest::Client::new();
    wait_for(what, 60, async || {
        let Ok(ready) = http.get(rig.url("/readyz")).send().await else {
            return false;
        };
        if ready.status() != 200 {
            return false;
        }
        let body: Value = ready.json().await.unwrap_or(Value::Null);
        if body["spool_pending"] != 0 {
            return false;
        }
        let Ok(metrics) = http.get(rig.url("/metrics")).send().await else {
            return false;
        };
        metric(
            &metrics.text().await.unwrap_or_default(),
            "ramal_spool_pending",
        ) == Some(0)
    })
    .await;
}

/// Whether Ramal stores an event for this kind of webhook (`<Dial action>` and the
/// voicemail's action only ask for TwiML).
fn stores_an_event(kind: WebhookKind) -> bool {
    matches!(
        kind,
        WebhookKind::Voice | WebhookKind::StatusCallback | WebhookKind::RecordingStatusCallback
    )
}

/// Whether `event` is what `record` delivered (same leg or recording, status and sequence).
fn same_event(record: &DeliveryRecord, event: &CallEvent) -> bool {
    let p = |name| record.param(name).unwrap_or_default();
    match (record.kind, event) {
        (WebhookKind::Voice, CallEvent::Voice(e)) => {
            e.call_sid.as_str() == p("CallSid") && e.status.as_str() == p("CallStatus")
        }
        (WebhookKind::StatusCallback, CallEvent::Status(e)) => {
            e.call_sid.as_str() == p("CallSid")
                && e.status.as_str() == p("CallStatus")
                && e.sequence_number.map(|n| n.to_string()).as_deref()
                    == record.param("SequenceNumber")
        }
        (WebhookKind::RecordingStatusCallback, CallEvent::Recording(e)) => {
            e.recording_sid.as_str() == p("RecordingSid")
                && e.status.as_str() == p("RecordingStatus")
        }
        _ => false,
    }
}

fn describe(record: &DeliveryRecord) -> String {
    let p = |name| record.param(name).unwrap_or("-");
    format!(
        "#{} {:?} CallSid={} CallStatus={} SequenceNumber={} RecordingSid={} RecordingStatus={} -> {:?}",
        record.seq,
        record.kind,
        p("CallSid"),
        p("CallStatus"),
        p("SequenceNumber"),
        p("RecordingSid"),
        p("RecordingStatus"),
        record.outcome
    )
}

/// The stored events of each call, read once per CallSid.
#[derive(Default)]
struct StoredEvents(HashMap<String, Vec<StoredEvent>>);

impl StoredEvents {
    async fn holds(&mut self, store: &Arc<dyn CallStore>, record: &DeliveryRecord) -> bool {
        let sid = record
            .param("CallSid")
            .expect("every webhook names its call");
        if !self.0.contains_key(sid) {
            let events = store
                .call_events(&CallSid::parse(sid).unwrap())
                .await
                .unwrap();
            self.0.insert(sid.to_owned(), events);
        }
        self.0[sid].iter().any(|e| same_event(record, &e.event))
    }
}

/// Acknowledged deliveries of events whose event is not in the database.
async fn acknowledged_but_missing(
    store: &Arc<dyn CallStore>,
    transcript: &[DeliveryRecord],
) -> Vec<String> {
    let mut stored = StoredEvents::default();
    let mut missing = Vec::new();
    for record in transcript
        .iter()
        .filter(|r| r.succeeded() && stores_an_event(r.kind))
    {
        if !stored.holds(store, record).await {
            missing.push(describe(record));
        }
    }
    missing
}

/// Every filing job, oldest first.
async fn all_jobs(store: &Arc<dyn CallStore>) -> Vec<RecordingJob> {
    let mut jobs = Vec::new();
    let mut before_id = None;
    loop {
        let page = store
            .list_jobs(&JobFilter {
                limit: 1000,
                before_id,
                ..JobFilter::default()
            })
            .await
            .unwrap();
        let Some(last) = page.last() else { break };
        before_id = Some(last.id);
        jobs.extend(page);
    }
    jobs.sort_by_key(|j| j.id);
    jobs
}

/// Recording files under the data directory, grouped by the recording SID in their name
/// (files naming no simulated recording are under "?").
fn files_by_recording(rig: &Rig) -> BTreeMap<String, Vec<String>> {
    let sids: Vec<String> = rig
        .prepared
        .sim
        .recordings()
        .into_iter()
        .map(|r| r.sid)
        .collect();
    let mut by_sid: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for file in rig.local_files() {
        let owner = sids
            .iter()
            .find(|sid| file.contains(sid.as_str()))
            .map_or("?", String::as_str);
        by_sid.entry(owner.to_owned()).or_default().push(file);
    }
    by_sid
}

/// Every job ended Done, with exactly one complete, exact file; every file belongs to one of
/// them. Returns what is wrong.
async fn filing_problems(rig: &Rig, store: &Arc<dyn CallStore>) -> Vec<String> {
    let mut problems = Vec::new();
    let jobs = all_jobs(store).await;
    let mut files = files_by_recording(rig);
    for job in &jobs {
        let sid = job.recording_sid.as_str();
        let mine = files.remove(sid).unwrap_or_default();
        if job.state != JobState::Done {
            problems.push(format!("{sid}: job not done: {job:?}"));
            continue;
        }
        if mine.len() != 1 {
            problems.push(format!("{sid}: {} files: {mine:?}", mine.len()));
            continue;
        }
        let stored =
            std::fs::read(rig.prepared.data.path().join("recordings").join(&mine[0])).unwrap();
        let media = rig.prepared.sim.recording_media(sid, MediaFormat::Mp3);
        if media.is_none_or(|m| stored != m.to_vec()) {
            problems.push(format!("{sid}: the file is not the media Twilio served"));
        }
        let copies = store
            .get_recording(&job.recording_sid)
            .await
            .unwrap()
            .map(|view| view.copies.len());
        if copies != Some(1) {
            problems.push(format!("{sid}: {copies:?} copies recorded"));
        }
    }
    for (sid, stray) in files {
        problems.push(format!("{sid}: files without a filing job: {stray:?}"));
    }
    problems
}

fn rejected_events(rig: &Rig) -> String {
    std::fs::read_to_string(
        rig.prepared
            .data
            .path()
            .join("spool")
            .join(http_api::spool::REJECTED_FILE),
    )
    .unwrap_or_default()
}

pub(crate) async fn acknowledged_events_survive_kills(db: Db) {
    let calls = knob("RAMAL_CRASH_CALLS", DEFAULT_CALLS) as usize;
    let kills = knob("RAMAL_CRASH_KILLS", DEFAULT_KILLS) as usize;
    let seed = seed();
    println!(
        "crash load on {db:?}: seed {seed} (RAMAL_CRASH_SEED={seed} replays it), {calls} calls, {kills} kills"
    );
    let mut rng = Rng::new(seed);
    // Some callbacks delivered twice, as Twilio's retries are: a duplicate may land on the
    // next run of the server, after its original was replayed from the spool.
    let delivery = DeliveryOptions {
        duplicate_ratio: 0.1,
        seed,
        ..DeliveryOptions::default()
    };
    let setup = simulated(seed, delivery)
        // A job whose filer was killed comes back soon.
        .env("RAMAL_RECORDING_LEASE", "2s")
        // Each kill mid-filing costs an attempt: a long run must not exhaust them.
        .env("RAMAL_RECORDING_MAX_ATTEMPTS", "50");
    let Some(rig) = Rig::new(db, setup).await else {
        return;
    };
    let store = rig.store().await;
    let sessions = create_agents(&store).await;
    let server = rig.start().await;
    let phones = Webphones::new(&rig, sessions);
    assert!(phones.available().await);
    let heartbeat = tokio::spawn(phones.clone().beat_forever());

    let plan = plan(&mut rng, calls, CALL_SPACING);
    let schedule = kill_schedule(&mut rng, kills);
    let started = std::time::Instant::now();
    let load_start = Instant::now();
    let sim = rig.prepared.sim.clone();
    let ((server, timeline), (reports, load_took)) = tokio::join!(
        kill_and_restart(&rig, &phones, server, &schedule, load_start),
        async {
            let reports = run_load(&sim, plan, load_start).await;
            (reports, load_start.elapsed())
        },
    );
    heartbeat.abort();
    // One more kill right after the load: the last start always has a spool to replay.
    drop(server);
    let _server = rig.start().await;
    wait_drained(
        &rig,
        &format!("the spool to be applied after the last start (seed {seed})"),
    )
    .await;

    let transcript = sim.transcript();
    let acknowledged = transcript
        .iter()
        .filter(|r| r.succeeded() && stores_an_event(r.kind))
        .count();
    let refused = transcript
        .iter()
        .filter(|r| matches!(r.outcome, DeliveryOutcome::ConnectionFailed(_)))
        .count();
    let recordings_acknowledged: BTreeSet<&str> = transcript
        .iter()
        .filter(|r| {
            r.kind == WebhookKind::RecordingStatusCallback
                && r.succeeded()
                && r.param("RecordingStatus") == Some("completed")
        })
        .filter_map(|r| r.param("RecordingSid"))
        .collect();
    let summary = format!(
        "seed {seed}, {} calls, {} deliveries: {acknowledged} events acknowledged, {refused} failed to connect; {} recordings, {} acknowledged completed; the calls took {:.1} s, with the kills {:.1} s\n{}",
        reports.len(),
        transcript.len(),
        rig.prepared.sim.recordings().len(),
        recordings_acknowledged.len(),
        load_took.as_secs_f64(),
        started.elapsed().as_secs_f64(),
        timeline.join("\n"),
    );
    println!("{summary}");
    assert!(
        acknowledged > 0 && refused > 0,
        "the load ran through the kills: {summary}"
    );

    let missing = acknowledged_but_missing(&store, &transcript).await;
    assert!(
        missing.is_empty(),
        "{} acknowledged events are not in the database ({summary}):\n{}\nrejected by the store:\n{}",
        missing.len(),
        missing.join("\n"),
        rejected_events(&rig)
    );
    assert_eq!(
        rejected_events(&rig),
        "",
        "no spooled event refused ({summary})"
    );

    for sid in &recordings_acknowledged {
        wait_for(
            &format!("{sid} to be filed (seed {seed})"),
            90,
            async || job_state(&store, sid).await.state == JobState::Done,
        )
        .await;
    }
    // Recordings whose callback was spooled but not answered are filed too: wait for every
    // job to end before counting files.
    wait_for(
        &format!("every filing job to end (seed {seed})"),
        90,
        async || {
            all_jobs(&store)
                .await
                .iter()
                .all(|j| matches!(j.state, JobState::Done | JobState::Dead))
        },
    )
    .await;
    let problems = filing_problems(&rig, &store).await;
    assert!(
        problems.is_empty(),
        "recordings not filed exactly once ({summary}):\n{}",
        problems.join("\n")
    );
}

/// A webhook connection held open across the signal: it has been served once (so the server
/// accepted it), and its second request is half sent when SIGTERM arrives.
struct HeldConnection {
    stream: TcpStream,
    call_sid: String,
    tail: Vec<u8>,
}

impl HeldConnection {
    /// A signed status callback for a leg of our own, as raw HTTP/1.1.
    fn request(rig: &Rig, call_sid: &str, sequence: u32, status: &str) -> Vec<u8> {
        let url = rig.url("/api/twilio/call-status");
        let sim = &rig.prepared.sim;
        let params = [
            ("AccountSid", sim.account_sid().to_owned()),
            ("ApiVersion", "2010-04-01".to_owned()),
            ("CallSid", call_sid.to_owned()),
            ("CallStatus", status.to_owned()),
            ("Direction", "outbound-api".to_owned()),
            ("From", "+551130001000".to_owned()),
            ("To", "+5531988880000".to_owned()),
            ("SequenceNumber", sequence.to_string()),
        ];
        let signature =
            twilio_sim::signature::sign_hmac_sha1(sim.auth_token().expose(), &url, &params);
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(params.iter().map(|(k, v)| (*k, v.as_str())))
            .finish();
        format!(
            "POST /api/twilio/call-status HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nX-Twilio-Signature: {signature}\r\n\
             Content-Length: {}\r\n\r\n{body}",
            rig.port,
            body.len()
        )
        .into_bytes()
    }

    async fn open(rig: &Rig, index: usize) -> Self {
        let call_sid = format!("CA{:032x}", 0xfeed_0000 + index);
        let mut stream = TcpStream::connect(("127.0.0.1", rig.port)).await.unwrap();
        stream
            .write_all(&Self::request(rig, &call_sid, 0, "ringing"))
            .await
            .unwrap();
        assert_eq!(read_status(&mut stream).await.unwrap(), 204);
        Self {
            stream,
            call_sid,
            tail: Vec::new(),
        }
    }

    /// Sends all of the second request but its last bytes.
    async fn send_most(&mut self, rig: &Rig) {
        let mut request = Self::request(rig, &self.call_sid, 1, "completed");
        self.tail = request.split_off(request.len() - 4);
        self.stream.write_all(&request).await.unwrap();
    }

    /// Sends the rest; returns the answer's status.
    async fn finish(mut self) -> std::io::Result<u16> {
        self.stream.write_all(&self.tail).await?;
        read_status(&mut self.stream).await
    }
}

/// Reads one HTTP/1.1 answer (head and `Content-Length` body) within 30 s; its status.
async fn read_status(stream: &mut TcpStream) -> std::io::Result<u16> {
    let read = async {
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        let head_end = loop {
            if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break at + 4;
            }
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            buf.extend_from_slice(&chunk[..n]);
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("not an HTTP answer: {head}")))?;
        let length: usize = head
            .lines()
            .find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse().ok())?
            })
            .unwrap_or(0);
        while buf.len() < head_end + length {
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        Ok(status)
    };
    tokio::time::timeout(Duration::from_secs(30), read)
        .await
        .map_err(|_| std::io::Error::from(std::io::ErrorKind::TimedOut))?
}

/// Calls of the burst and their spacing: ~2 s of call starts, so the signal lands mid-way.
const BURST_CALLS: usize = 24;
const BURST_SPACING: Duration = Duration::from_millis(80);
/// Connections whose second request is half sent at the signal.
const HELD: usize = 8;

pub(crate) async fn graceful_stop_answers_what_it_started(db: Db) {
    let seed = seed();
    println!("graceful stop on {db:?}: seed {seed}");
    let Some(mut rig) = Rig::new(db, simulated(seed, DeliveryOptions::in_order())).await else {
        return;
    };
    // Recording downloads at 100 kB/s: the big one (a minute of it) is still running when the
    // signal comes.
    let proxy = SlowProxy::start(rig.prepared.sim.api_addr(), 100_000).await;
    rig.set_env("RAMAL_TWILIO_API_BASE", format!("http://{}", proxy.addr));
    let store = rig.store().await;
    create_agents(&store).await;
    let mut server = rig.start().await;
    let sim = rig.prepared.sim.clone();

    // A 6 MB recording, announced once its size is set.
    sim.set_delivery(DeliveryOptions::collected());
    let report = sim
        .outbound_from_browser(
            AGENTS[0],
            "+5531999999999",
            CallScript::new().leg("+5531999999999", LegScript::answer(1, 30)),
        )
        .await
        .unwrap();
    let big = report.recordings[0].clone();
    sim.set_media_size(&big, 6_000_000).unwrap();
    for pending in sim.take_pending() {
        assert!(sim.deliver(&pending).await.succeeded());
    }
    sim.set_delivery(DeliveryOptions::in_order());
    wait_for("the big download to start", 30, async || {
        proxy.delivered() > 100_000
    })
    .await;

    let mut held = Vec::new();
    for i in 0..HELD {
        held.push(HeldConnection::open(&rig, i).await);
    }
    let mut rng = Rng::new(seed);
    let burst = tokio::spawn({
        let sim = sim.clone();
        let plan = plan(&mut rng, BURST_CALLS, BURST_SPACING);
        async move { run_load(&sim, plan, Instant::now()).await }
    });
    let before = sim.transcript().len();
    wait_for("the burst to be under way", 30, async || {
        sim.transcript()[before..]
            .iter()
            .filter(|r| r.succeeded())
            .count()
            >= 30
    })
    .await;
    for connection in &mut held {
        connection.send_most(&rig).await;
    }
    server.terminate();
    let signalled_at = sim.transcript().len();
    let mut answers = Vec::new();
    for connection in held {
        answers.push(connection.finish().await.map_err(|e| e.to_string()));
    }
    // A request the server had started reading when the signal came is answered; one whose
    // bytes it had not read yet (a race on a loaded machine) sees its connection closed, and
    // is then simply not acknowledged. Never an HTTP error, never a half-answer.
    assert!(
        answers.iter().all(|a| matches!(a, Ok(204) | Err(_))),
        "requests under way at the signal are answered or refused at the connection: {answers:?}"
    );
    let reports = tokio::time::timeout(Duration::from_secs(90), burst)
        .await
        .expect("the burst ends")
        .unwrap();
    let status = server.wait_exit(60).await;
    assert!(
        status.is_some_and(|s| s.success()),
        "ramal exits cleanly on SIGTERM: {status:?}\n{}",
        rig.log(1)
    );
    proxy.set_rate(0);

    // The server is gone: what it answered must already be in the database.
    let transcript = sim.transcript();
    let summary = format!(
        "seed {seed}, {} burst calls, {} deliveries ({} after the signal, {} failed)",
        reports.len(),
        transcript.len(),
        transcript.len() - signalled_at,
        transcript.iter().filter(|r| !r.succeeded()).count()
    );
    println!("{summary}");
    let missing = acknowledged_but_missing(&store, &transcript).await;
    assert!(
        missing.is_empty(),
        "answered before the stop but not in the database ({summary}):\n{}",
        missing.join("\n")
    );
    for (i, answer) in answers.iter().enumerate() {
        let sid = CallSid::parse(&format!("CA{:032x}", 0xfeed_0000 + i)).unwrap();
        let events = store.call_events(&sid).await.unwrap();
        // The first request was answered before the signal; the second is stored exactly
        // when it was answered.
        let expected = if answer.is_ok() { 2 } else { 1 };
        assert_eq!(
            events.len(),
            expected,
            "requests of connection {i} stored ({answer:?})"
        );
    }
    // A request the server did not answer is one it never started: refused, or dropped
    // before it was read; never answered with an error, never stored.
    let mut stored = StoredEvents::default();
    for record in transcript.iter().filter(|r| !r.succeeded()) {
        assert!(
            matches!(
                record.outcome,
                DeliveryOutcome::ConnectionFailed(_) | DeliveryOutcome::Timeout
            ),
            "no error answers while stopping: {} ({summary})",
            describe(record)
        );
        if stores_an_event(record.kind) {
            assert!(
                !stored.holds(&store, record).await,
                "stored but not answered: {} ({summary})",
                describe(record)
            );
        }
    }
    // Claimed jobs were handed back: none is left running, the big one is due again with
    // its interrupted attempt not counted.
    let jobs = all_jobs(&store).await;
    assert!(
        jobs.iter()
            .all(|j| j.state != JobState::Running && j.locked_by.is_none()),
        "{jobs:#?}"
    );
    let job = job_state(&store, &big).await;
    assert_eq!(
        (job.state, job.attempts),
        (JobState::Pending, 0),
        "released: {job:?}"
    );

    // The next start has nothing to replay and files everything once.
    let _server = rig.start().await;
    let ready: Value = reqwest::get(rig.url("/readyz"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        ready["spool_pending"], 0,
        "checkpointed at the stop: {ready}"
    );
    wait_for("every filing job to end", 60, async || {
        all_jobs(&store)
            .await
            .iter()
            .all(|j| matches!(j.state, JobState::Done | JobState::Dead))
    })
    .await;
    assert_eq!(job_state(&store, &big).await.attempts, 1);
    let problems = filing_problems(&rig, &store).await;
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
