//! call-store benchmark: event ingest throughput against the storage ceiling, and history
//! page latency on a million calls, on SQLite and PostgreSQL.
//!
//! Run through `scripts/bench-store` (or `cargo bench -p call-store --bench store`).
//! Environment (defaults in brackets):
//! - `RAMAL_BENCH_BACKENDS` [sqlite,postgres]
//! - `RAMAL_BENCH_CALLS` [1000000]: calls bulk-loaded for the query benchmark
//! - `RAMAL_BENCH_QUERIES` [300]: pages fetched per filter
//! - `RAMAL_BENCH_INGEST_CALLS` [3000]: calls whose events are ingested (about 6.5 each)
//! - `RAMAL_BENCH_WRITERS` [32]: concurrent writers
//! - `RAMAL_BENCH_ROUNDS` [1]: ingest/ceiling pairs measured (1 to 9); the median ratio is
//!   printed too
//! - `RAMAL_TEST_POSTGRES_URL` [postgres://postgres@127.0.0.1:5432/postgres]

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::Arc;
use std::time::{Duration, Instant};

use call_store::events::{CallEvent, EventMeta, RecordingEvent, StatusEvent, VoiceRequest};
use call_store::ids::{AccountSid, CallSid, RecordingSid};
use call_store::model::{AgentRole, NewAgent};
use call_store::party::{ClientIdentity, Party};
use call_store::query::{CallQuery, NumberFragment, Visibility};
use call_store::status::{CallDirection, CallStatus, Direction, RecordingSource, RecordingStatus};
use call_store::{CallStore, StoreOptions, StoreTarget, open_target};
use chrono::{DateTime, TimeZone, Utc};
use diesel::connection::SimpleConnection;
use diesel::{Connection, SqliteConnection};
use diesel_async::pooled_connection::AsyncDieselConnectionManager;
use diesel_async::pooled_connection::deadpool::Pool;
use diesel_async::sync_connection_wrapper::SyncConnectionWrapper;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use tokio::sync::Mutex;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn random_suffix() -> String {
    let mut h = RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos(),
    );
    format!("{:016x}", h.finish())
}

/// One printed line of the result table.
struct Row {
    backend: &'static str,
    metric: String,
    value: String,
}

// ------------------------------------------------------------------ event generation

fn sid<T>(prefix: &str, a: u64, b: u64, parse: fn(&str) -> Result<T, call_store::InputError>) -> T {
    parse(&format!("{prefix}{a:016x}{b:016x}")).unwrap()
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).unwrap()
}

/// The events of one realistic call (outbound answered, outbound busy, inbound answered or
/// inbound missed, by `n % 4`), in order.
fn call_events(n: u64) -> Vec<CallEvent> {
    let start = t0() + chrono::Duration::seconds(n as i64 * 7);
    let at = |s: i64| start + chrono::Duration::seconds(s);
    let parent: CallSid = sid("CA", 1, n * 2, CallSid::parse);
    let child: CallSid = sid("CA", 1, n * 2 + 1, CallSid::parse);
    let recording: RecordingSid = sid("RE", 1, n, RecordingSid::parse);
    let account: AccountSid = sid("AC", 0, 1, AccountSid::parse);
    let customer = Party::parse(&format!("+55119{:08}", n % 100_000_000)).unwrap();
    let ours = Party::parse("+551140028922").unwrap();
    let agent = Party::parse(&format!("client:agent_{}", n % 20 + 1)).unwrap();
    let inbound = n % 4 >= 2;
    let (p_from, p_to, c_from, c_to) = if inbound {
        (
            customer.clone(),
            ours.clone(),
            customer.clone(),
            agent.clone(),
        )
    } else {
        (
            agent.clone(),
            customer.clone(),
            ours.clone(),
            customer.clone(),
        )
    };
    let voice = VoiceRequest {
        call_sid: parent.clone(),
        parent_call_sid: None,
        account_sid: Some(account.clone()),
        from: p_from.clone(),
        to: p_to.clone(),
        direction: Direction::Inbound,
        status: CallStatus::Ringing,
        call_direction: Some(if inbound {
            CallDirection::Inbound
        } else {
            CallDirection::Outbound
        }),
        agent_id: (!inbound).then_some((n % 20 + 1) as i64),
        received_at: at(0),
    };
    let status = |status: CallStatus, seq: u32, secs: i64, duration: Option<u32>| -> CallEvent {
        StatusEvent {
            call_sid: child.clone(),
            parent_call_sid: Some(parent.clone()),
            account_sid: Some(account.clone()),
            from: c_from.clone(),
            to: c_to.clone(),
            direction: Direction::OutboundDial,
            status,
            sequence_number: Some(seq),
            call_duration: duration,
            timestamp: at(secs),
            sip_response_code: None,
            callback_source: Some("call-progress-events".into()),
            answered_by: None,
        }
        .into()
    };
    let rec = |status: RecordingStatus, secs: i64, duration: Option<u32>| -> CallEvent {
        RecordingEvent {
            call_sid: parent.clone(),
            recording_sid: recording.clone(),
            account_sid: Some(account.clone()),
            url: Some(format!(
                "https://api.twilio.com/2010-04-01/Accounts/{account}/Recordings/{recording}"
            )),
            status,
            duration,
            channels: Some(2),
            start_time: Some(at(8)),
            source: Some(RecordingSource::DialVerb),
            track: Some("both".into()),
            error_code: None,
            received_at: at(secs),
        }
        .into()
    };
    let answered = n.is_multiple_of(2);
    let mut events = vec![
        voice.into(),
        status(CallStatus::Initiated, 0, 1, None),
        status(CallStatus::Ringing, 1, 2, None),
    ];
    if answered {
        events.push(status(CallStatus::InProgress, 2, 8, None));
        events.push(rec(RecordingStatus::InProgress, 8, None));
        events.push(status(CallStatus::Completed, 3, 68, Some(60)));
        events.push(rec(RecordingStatus::Completed, 69, Some(60)));
    } else {
        let end = if inbound {
            CallStatus::NoAnswer
        } else {
            CallStatus::Busy
        };
        events.push(status(end, 2, 20, Some(0)));
    }
    events
}

// ------------------------------------------------------------------ backends

enum Bench {
    Sqlite {
        _dir: tempfile::TempDir,
        path: std::path::PathBuf,
    },
    Postgres {
        admin_url: String,
        database: String,
        url: String,
    },
}

impl Bench {
    fn name(&self) -> &'static str {
        match self {
            Bench::Sqlite { .. } => "sqlite",
            Bench::Postgres { .. } => "postgres",
        }
    }

    fn target(&self) -> StoreTarget {
        match self {
            Bench::Sqlite { path, .. } => StoreTarget::Sqlite(path.clone()),
            Bench::Postgres { url, .. } => {
                StoreTarget::parse(url, std::path::Path::new(".")).unwrap()
            }
        }
    }
}

impl Drop for Bench {
    /// Drops the PostgreSQL database even when the benchmark panics.
    fn drop(&mut self) {
        if let Bench::Postgres {
            admin_url,
            database,
            ..
        } = self
        {
            let (admin_url, database) = (admin_url.clone(), database.clone());
            let _ = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                runtime.block_on(async {
                    if let Ok(mut admin) = AsyncPgConnection::establish(&admin_url).await {
                        let _ = admin
                            .batch_execute(&format!(
                                "DROP DATABASE IF EXISTS {database} WITH (FORCE)"
                            ))
                            .await;
                    }
                });
            })
            .join();
        }
    }
}

async fn prepare(backend: &str) -> Bench {
    match backend {
        "sqlite" => {
            let dir = tempfile::tempdir_in(
                std::env::var("RAMAL_BENCH_DIR")
                    .unwrap_or_else(|_| std::env::temp_dir().display().to_string()),
            )
            .unwrap();
            let path = dir.path().join("bench.sqlite3");
            Bench::Sqlite { _dir: dir, path }
        }
        "postgres" => {
            let admin_url = std::env::var("RAMAL_TEST_POSTGRES_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
            let mut admin = AsyncPgConnection::establish(&admin_url)
                .await
                .unwrap_or_else(|e| panic!("PostgreSQL not reachable ({e}): start it or set RAMAL_BENCH_BACKENDS=sqlite"));
            let database = format!("ramal_bench_{}", random_suffix());
            admin
                .batch_execute(&format!("CREATE DATABASE {database}"))
                .await
                .unwrap();
            let base = admin_url.split('?').next().unwrap();
            let base = base.rsplit_once('/').map_or(base, |(prefix, _)| prefix);
            Bench::Postgres {
                url: format!("{base}/{database}"),
                admin_url,
                database,
            }
        }
        other => panic!("unknown backend {other}"),
    }
}

// ------------------------------------------------------------------ ingest

async fn ingest(
    store: Arc<dyn CallStore>,
    calls: usize,
    writers: usize,
    first_call: u64,
) -> (usize, Duration) {
    let per_writer: Vec<Vec<CallEvent>> = (0..writers)
        .map(|w| {
            (0..calls as u64)
                .filter(|n| (*n as usize) % writers == w)
                .flat_map(|n| call_events(first_call + n))
                .collect()
        })
        .collect();
    let total: usize = per_writer.iter().map(Vec::len).sum();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for events in per_writer {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            for event in events {
                let meta = EventMeta::new(event.occurred_at());
                let outcome = store.apply(&event, &meta).await.unwrap();
                assert!(!outcome.duplicate);
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    (total, started.elapsed())
}

/// The storage ceiling: one-row INSERT transactions into a trivial table, same database,
/// same concurrency, same durability settings.
async fn baseline(bench: &Bench, rows: usize, writers: usize) -> Duration {
    match bench {
        Bench::Sqlite { path, .. } => {
            type Conn = SyncConnectionWrapper<SqliteConnection>;
            let url = path.display().to_string();
            let mut conn = Conn::establish(&url).await.unwrap();
            conn.batch_execute(
                "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                 CREATE TABLE IF NOT EXISTS bench_baseline (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)",
            )
            .await
            .unwrap();
            // SQLite has one writer: the ceiling is one connection doing transactions back
            // to back, shared by the writers (the idiomatic way; a pool only adds lock
            // contention).
            let conn = Arc::new(Mutex::new(conn));
            let started = Instant::now();
            let mut tasks = Vec::new();
            for w in 0..writers {
                let conn = conn.clone();
                tasks.push(tokio::spawn(async move {
                    for i in (w..rows).step_by(writers) {
                        let mut c = conn.lock().await;
                        c.immediate_transaction(async |c| {
                            diesel::sql_query("INSERT INTO bench_baseline (payload) VALUES (?)")
                                .bind::<diesel::sql_types::Text, _>(format!("row {i}"))
                                .execute(c)
                                .await
                        })
                        .await
                        .unwrap();
                    }
                }));
            }
            for task in tasks {
                task.await.unwrap();
            }
            started.elapsed()
        }
        Bench::Postgres { url, .. } => {
            let mut setup = AsyncPgConnection::establish(url).await.unwrap();
            setup
                .batch_execute("CREATE TABLE IF NOT EXISTS bench_baseline (id BIGSERIAL PRIMARY KEY, payload TEXT NOT NULL)")
                .await
                .unwrap();
            let pool: Pool<AsyncPgConnection> =
                Pool::builder(AsyncDieselConnectionManager::new(url.as_str()))
                    .max_size(writers)
                    .build()
                    .unwrap();
            let started = Instant::now();
            let mut tasks = Vec::new();
            for w in 0..writers {
                let pool = pool.clone();
                tasks.push(tokio::spawn(async move {
                    let mut c = pool.get().await.unwrap();
                    for i in (w..rows).step_by(writers) {
                        diesel::sql_query("INSERT INTO bench_baseline (payload) VALUES ($1)")
                            .bind::<diesel::sql_types::Text, _>(format!("row {i}"))
                            .execute(&mut *c)
                            .await
                            .unwrap();
                    }
                }));
            }
            for task in tasks {
                task.await.unwrap();
            }
            started.elapsed()
        }
    }
}

// ------------------------------------------------------------------ bulk load

/// Bulk-loaded calls have SIDs `CA` + 32 hex digits of their row number, so their first 16
/// digits are zeros; the ingested calls' are not.
const BULK_ROWS: &str = "substr(root_sid, 3, 16) = '0000000000000000'";

/// Fills calls, call_legs and recordings with `n` synthetic calls in a few set-based
/// statements (not through the event path): a year of history, 20 agents, 60% outbound.
async fn bulk_load(bench: &Bench, n: usize) -> Duration {
    let started = Instant::now();
    // Expressions shared by both dialects; `g` is the row number, 1..=n.
    let start_ms = t0().timestamp_millis() - 365 * 86_400_000;
    let step_ms = (365 * 86_400_000_i64) / n.max(1) as i64;
    let calls_select = move |series: &str,
                             pad: &str,
                             digits8: &str,
                             boolean: &dyn Fn(&str) -> String| {
        format!(
            "SELECT 'CA' || {pad}, \
             CASE WHEN g % 10 < 6 THEN 'outbound' WHEN g % 10 < 9 THEN 'inbound' ELSE 'internal' END, \
             CASE WHEN g % 10 < 6 THEN (CASE g % 20 WHEN 0 THEN 'busy' WHEN 1 THEN 'failed' WHEN 2 THEN 'canceled' WHEN 3 THEN 'no-answer' WHEN 4 THEN 'no-answer' ELSE 'completed' END) \
                  WHEN g % 10 < 9 THEN (CASE WHEN g % 7 < 2 THEN 'no-answer' ELSE 'completed' END) ELSE 'completed' END, \
             '+55119' || {digits8}, '+551140028922', \
             (g * 37) % 600, {answered}, {voicemail}, {has_recording}, \
             CASE WHEN {rec_cond} THEN 'RE' || {pad} END, \
             CASE WHEN {rec_cond} THEN 'https://api.twilio.com/2010-04-01/Accounts/AC0/Recordings/RE' || {pad} END, \
             (g % 20) + 1, 'agent_' || ((g % 20) + 1), NULL, NULL, \
             {start_ms} + g * {step_ms}, {start_ms} + g * {step_ms} + 5000, {start_ms} + g * {step_ms} + 65000, \
             {start_ms} + g * {step_ms}, {start_ms} + g * {step_ms} FROM {series}",
            answered = boolean(
                "NOT (g % 10 >= 6 AND g % 10 < 9 AND g % 7 < 2) AND NOT (g % 10 < 6 AND g % 20 < 5)"
            ),
            voicemail = boolean("g % 10 >= 6 AND g % 10 < 9 AND g % 7 = 0"),
            has_recording = boolean("g % 20 >= 5"),
            rec_cond = "g % 20 >= 5",
        )
    };
    let columns = "root_sid, direction, status, from_number, to_number, duration, answered, voicemail, \
                   has_recording, recording_sid, recording_url, agent_id, agent_identity, peer_agent_id, \
                   peer_identity, started_at, answered_at, ended_at, created_at, updated_at";
    match bench {
        Bench::Sqlite { path, .. } => {
            let path = path.clone();
            tokio::task::spawn_blocking(move || {
                let mut c = SqliteConnection::establish(&path.display().to_string()).unwrap();
                c.batch_execute("PRAGMA synchronous = OFF; PRAGMA cache_size = -200000;").unwrap();
                let pad = "printf('%032x', g)";
                let digits8 = "printf('%08d', g * 7919 % 100000000)";
                let series = format!("(WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < {n}) SELECT g FROM s)");
                let boolean = |e: &str| format!("({e})");
                c.batch_execute(&format!(
                    "BEGIN; INSERT INTO calls ({columns}) {}; \
                     INSERT INTO call_legs (call_id, call_sid, parent_call_sid, direction, from_party, to_party, agent_identity, status, sequence_number, duration, started_at, answered_at, ended_at, created_at, updated_at) \
                       SELECT id, root_sid, NULL, 'inbound', from_number, to_number, agent_identity, 'completed', 1, duration, started_at, answered_at, ended_at, created_at, updated_at FROM calls WHERE {bulk}; \
                     INSERT INTO call_legs (call_id, call_sid, parent_call_sid, direction, from_party, to_party, agent_identity, status, sequence_number, duration, started_at, answered_at, ended_at, created_at, updated_at) \
                       SELECT id, 'CAffffffffffffffff' || substr(root_sid, 19, 16), root_sid, 'outbound-dial', to_number, from_number, agent_identity, status, 3, duration, started_at, answered_at, ended_at, created_at, updated_at FROM calls WHERE {bulk}; \
                     INSERT INTO recordings (recording_sid, call_sid, call_id, status, url, duration, channels, source, track, start_time, error_code, is_voicemail, created_at, updated_at) \
                       SELECT recording_sid, root_sid, id, 'completed', recording_url, duration, 2, 'DialVerb', 'both', answered_at, NULL, 0, created_at, updated_at FROM calls WHERE recording_sid IS NOT NULL AND {bulk}; \
                     COMMIT; ANALYZE; PRAGMA wal_checkpoint(TRUNCATE);",
                    calls_select(&series, pad, digits8, &boolean),
                    bulk = BULK_ROWS,
                ))
                .unwrap();
            })
            .await
            .unwrap();
        }
        Bench::Postgres { url, .. } => {
            let mut c = AsyncPgConnection::establish(url).await.unwrap();
            let pad = "lpad(to_hex(g), 32, '0')";
            let digits8 = "lpad((g * 7919 % 100000000)::text, 8, '0')";
            let series = format!("generate_series(1::bigint, {n}::bigint) AS g");
            let boolean = |e: &str| format!("({e})");
            c.batch_execute(&format!(
                "SET synchronous_commit = off; BEGIN; INSERT INTO calls ({columns}) {}; \
                 INSERT INTO call_legs (call_id, call_sid, parent_call_sid, direction, from_party, to_party, agent_identity, status, sequence_number, duration, started_at, answered_at, ended_at, created_at, updated_at) \
                   SELECT id, root_sid, NULL, 'inbound', from_number, to_number, agent_identity, 'completed', 1, duration, started_at, answered_at, ended_at, created_at, updated_at FROM calls WHERE {bulk}; \
                 INSERT INTO call_legs (call_id, call_sid, parent_call_sid, direction, from_party, to_party, agent_identity, status, sequence_number, duration, started_at, answered_at, ended_at, created_at, updated_at) \
                   SELECT id, 'CAffffffffffffffff' || substr(root_sid, 19, 16), root_sid, 'outbound-dial', to_number, from_number, agent_identity, status, 3, duration, started_at, answered_at, ended_at, created_at, updated_at FROM calls WHERE {bulk}; \
                 INSERT INTO recordings (recording_sid, call_sid, call_id, status, url, duration, channels, source, track, start_time, error_code, is_voicemail, created_at, updated_at) \
                   SELECT recording_sid, root_sid, id, 'completed', recording_url, duration, 2, 'DialVerb', 'both', answered_at, NULL, false, created_at, updated_at FROM calls WHERE recording_sid IS NOT NULL AND {bulk}; \
                 COMMIT;",
                calls_select(&series, pad, digits8, &boolean),
                bulk = BULK_ROWS,
            ))
            .await
            .unwrap();
            // Autovacuum would get there; the measurement should not depend on when.
            c.batch_execute("VACUUM ANALYZE").await.unwrap();
        }
    }
    started.elapsed()
}

/// The customer number of bulk-loaded call `g` (as `bulk_load` writes it).
fn bulk_customer(g: usize) -> String {
    format!("+55119{:08}", (g.max(1) as u64 * 7919) % 100_000_000)
}

/// Refreshes the planner's statistics.
async fn analyze(bench: &Bench) {
    match bench {
        Bench::Sqlite { path, .. } => {
            let path = path.clone();
            tokio::task::spawn_blocking(move || {
                let mut c = SqliteConnection::establish(&path.display().to_string()).unwrap();
                c.batch_execute("PRAGMA busy_timeout = 5000; ANALYZE;")
                    .unwrap();
            })
            .await
            .unwrap();
        }
        Bench::Postgres { url, .. } => {
            let mut c = AsyncPgConnection::establish(url).await.unwrap();
            c.batch_execute("ANALYZE").await.unwrap();
        }
    }
}

// ------------------------------------------------------------------ queries

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

async fn page_latencies(
    store: &dyn CallStore,
    base: &CallQuery,
    queries: usize,
) -> (Duration, Duration, usize) {
    let mut times = Vec::with_capacity(queries);
    let mut cursor = None;
    let mut rows = 0;
    for i in 0..queries {
        // Alternate first pages and pages deeper in the history (following cursors).
        let query = CallQuery {
            cursor: if i % 2 == 0 { None } else { cursor },
            ..base.clone()
        };
        let started = Instant::now();
        let page = store.list_calls(&query).await.unwrap();
        times.push(started.elapsed());
        rows += page.items.len();
        cursor = page.next_cursor.or(cursor);
    }
    times.sort();
    (
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        rows / queries.max(1),
    )
}

async fn run_backend(backend: &str, rows: &mut Vec<Row>) {
    let calls = env_usize("RAMAL_BENCH_CALLS", 1_000_000);
    let queries = env_usize("RAMAL_BENCH_QUERIES", 300);
    let ingest_calls = env_usize("RAMAL_BENCH_INGEST_CALLS", 3_000);
    let writers = env_usize("RAMAL_BENCH_WRITERS", 32);
    let rounds = env_usize("RAMAL_BENCH_ROUNDS", 1).clamp(1, 9);
    let bench = prepare(backend).await;
    let name = bench.name();
    let mut push = |metric: String, value: String| {
        println!("{name:<9} {metric:<48} {value}");
        rows.push(Row {
            backend: name,
            metric,
            value,
        });
    };
    let options = StoreOptions {
        max_connections: writers.max(8),
        ..StoreOptions::default()
    };
    let store = open_target(&bench.target(), options).await.unwrap();
    for i in 1..=20 {
        let identity = ClientIdentity::parse(&format!("agent_{i}")).unwrap();
        store
            .create_agent(
                &NewAgent::new(
                    &format!("agent{i}"),
                    &format!("Agente {i}"),
                    identity,
                    "x",
                    AgentRole::Agent,
                )
                .unwrap(),
            )
            .await
            .unwrap();
    }

    // A million calls of history first: ingest is measured on a database of realistic
    // size, as in production.
    let load = bulk_load(&bench, calls).await;
    push(
        format!("bulk load of {calls} calls (setup)"),
        format!("{:.1} s", load.as_secs_f64()),
    );
    // Warm-up: the event tables get rows and statistics before the measured ingest
    // (plans cached while they were empty would scan them), as autovacuum gives them in
    // production.
    ingest(
        store.clone(),
        (ingest_calls / 5).max(100),
        writers,
        10_000_000,
    )
    .await;
    analyze(&bench).await;

    // Ingest: each writer applies the events of its own calls in order, one transaction
    // per event, all writers at once. Each round ingests new calls, then measures the
    // ceiling right after: on a shared machine, ratios of the same round are what compare.
    let mut ratios = Vec::with_capacity(rounds);
    for round in 0..rounds {
        let tag = if rounds > 1 {
            format!(" (round {})", round + 1)
        } else {
            String::new()
        };
        let first_call = round as u64 * 1_000_000;
        let (events, took) = ingest(store.clone(), ingest_calls, writers, first_call).await;
        let ingest_rate = events as f64 / took.as_secs_f64();
        push(
            format!("ingest: events applied ({writers} writers){tag}"),
            format!("{events} in {:.2} s", took.as_secs_f64()),
        );
        push(
            format!("ingest: events/s{tag}"),
            format!("{ingest_rate:.0}"),
        );
        let base_took = baseline(&bench, events, writers).await;
        let base_rate = events as f64 / base_took.as_secs_f64();
        push(
            format!("baseline: 1-row INSERT transactions/s{tag}"),
            format!("{base_rate:.0}"),
        );
        push(
            format!("ratio ingest / baseline{tag}"),
            format!("{:.2}", ingest_rate / base_rate),
        );
        ratios.push(ingest_rate / base_rate);
    }
    if rounds > 1 {
        ratios.sort_by(f64::total_cmp);
        push(
            format!("ratio ingest / baseline, median of {rounds} rounds"),
            format!("{:.2}", ratios[rounds / 2]),
        );
    }

    // History queries.
    let week = t0() - chrono::Duration::days(180);
    let d = CallQuery {
        with_total: false,
        limit: 50,
        ..CallQuery::default()
    };
    let filters: Vec<(&str, CallQuery)> = vec![
        ("no filter", d.clone()),
        (
            "direction=inbound",
            CallQuery {
                direction: Some(CallDirection::Inbound),
                ..d.clone()
            },
        ),
        (
            "status=no-answer",
            CallQuery {
                status: Some(CallStatus::NoAnswer),
                ..d.clone()
            },
        ),
        (
            "agent=7",
            CallQuery {
                agent_id: Some(7),
                ..d.clone()
            },
        ),
        (
            "has_recording",
            CallQuery {
                has_recording: Some(true),
                ..d.clone()
            },
        ),
        (
            "one week",
            CallQuery {
                started_from: Some(week),
                started_before: Some(week + chrono::Duration::days(7)),
                ..d.clone()
            },
        ),
        (
            "visible to agent 7",
            CallQuery {
                visibility: Visibility::Agent(7),
                ..d.clone()
            },
        ),
        (
            "inbound+no-answer+week",
            CallQuery {
                direction: Some(CallDirection::Inbound),
                status: Some(CallStatus::NoAnswer),
                started_from: Some(week),
                started_before: Some(week + chrono::Duration::days(7)),
                ..d.clone()
            },
        ),
        (
            "number contains 4321",
            CallQuery {
                number_contains: Some(NumberFragment::parse("4321").unwrap()),
                ..d.clone()
            },
        ),
        // A whole customer number: one call in the history (the rarest match).
        (
            "number contains one customer",
            CallQuery {
                number_contains: Some(NumberFragment::parse(&bulk_customer(calls / 2)).unwrap()),
                ..d.clone()
            },
        ),
        // Our own number: in every bulk-loaded call (the commonest match).
        (
            "number contains 40028922",
            CallQuery {
                number_contains: Some(NumberFragment::parse("40028922").unwrap()),
                ..d.clone()
            },
        ),
    ];
    for (label, query) in &filters {
        let (p50, p99, avg_rows) = page_latencies(store.as_ref(), query, queries).await;
        push(
            format!("page of 50, {label}: p50 / p99 ms (rows)"),
            format!("{} / {} ({avg_rows})", ms(p50), ms(p99)),
        );
    }
    for (label, query) in filters.iter().filter(|(l, _)| {
        [
            "no filter",
            "agent=7",
            "one week",
            "direction=inbound",
            "number contains 4321",
        ]
        .contains(l)
    }) {
        let with_total = CallQuery {
            with_total: true,
            ..query.clone()
        };
        let (p50, p99, _) =
            page_latencies(store.as_ref(), &with_total, (queries / 3).max(10)).await;
        push(
            format!("page of 50 + total, {label}: p50 / p99 ms"),
            format!("{} / {}", ms(p50), ms(p99)),
        );
    }
    drop(store);
    drop(bench);
}

fn main() {
    // `cargo bench` passes `--bench`; this harness has no options of its own.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let backends =
            std::env::var("RAMAL_BENCH_BACKENDS").unwrap_or_else(|_| "sqlite,postgres".into());
        let mut rows = Vec::new();
        for backend in backends.split(',').map(str::trim).filter(|b| !b.is_empty()) {
            run_backend(backend, &mut rows).await;
        }
        println!();
        println!("| backend | metric | value |");
        println!("|---|---|---|");
        for row in rows {
            println!("| {} | {} | {} |", row.backend, row.metric, row.value);
        }
    });
}
