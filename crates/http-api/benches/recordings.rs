//! Recording pipeline benchmarks, printed as a table (run with `scripts/bench-recordings`).
//!
//! 1. Playback: 32 concurrent downloads of one 50 MB recording from a spawned `ramal serve`
//!    (release build) through a signed link; the server's resident memory (VmRSS sampled every
//!    5 ms from /proc) must grow by at most 16 MB, and the throughput is compared with a plain
//!    static file server (`python3 -m http.server`) serving the same file in the same run.
//! 2. Filing: recordings per second fetched from the Twilio simulator and filed in the local
//!    folder, and in the Google stand-in, by the worker (in-process).
//!
//! A bench binary rather than criterion: it measures another process's memory and a server's
//! throughput under concurrency, which criterion's model does not express.

#![allow(clippy::print_stdout)]

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use call_store::CallStore;
use call_store::events::{CallEvent, EventMeta, RecordingEvent};
use call_store::ids::RecordingSid;
use call_store::model::{AgentRole, JobFilter, JobState};
use futures_util::StreamExt as _;
use http_api::Application;
use http_api::config::{Source, load};
use recording_sink::{CallInfo, LocalFolderSink, MediaType, RecordingMeta, RecordingSink};
use twilio_sim::{CallScript, DeliveryOptions, LegScript, SimConfig, Simulator};

const SECRET: &str = "bench-session-secret-bench-session-secret";
const SIZE: u64 = 50 * 1024 * 1024;
const CLIENTS: usize = 32;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn wait_http(url: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while reqwest::get(url).await.map(|r| r.status().as_u16()).ok() != Some(200) {
        assert!(Instant::now() < deadline, "{url} never answered");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// 32 concurrent full downloads of `url`; returns bytes per second.
async fn download_all(url: &str, expected: u64) -> f64 {
    let http = reqwest::Client::new();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let http = http.clone();
        let url = url.to_owned();
        tasks.push(tokio::spawn(async move {
            let res = http.get(&url).send().await.unwrap();
            assert_eq!(res.status(), 200);
            let mut stream = res.bytes_stream();
            let mut n = 0u64;
            while let Some(chunk) = stream.next().await {
                n += chunk.unwrap().len() as u64;
            }
            n
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), expected);
    }
    (expected * CLIENTS as u64) as f64 / started.elapsed().as_secs_f64()
}

/// A recording of `SIZE` bytes, completed, with a local copy; returns its SID and file path.
async fn seeded_recording(
    store: &Arc<dyn CallStore>,
    data: &std::path::Path,
) -> (String, std::path::PathBuf) {
    let sid = "RE5151515151515151515151515151515a";
    let form: HashMap<String, String> = [
        ("AccountSid", "AC5151515151515151515151515151515a"),
        ("CallSid", "CA5151515151515151515151515151515a"),
        ("RecordingSid", sid),
        ("RecordingStatus", "completed"),
        ("RecordingDuration", "13107"),
        ("RecordingChannels", "1"),
        ("RecordingSource", "DialVerb"),
        ("RecordingUrl", "https://api.twilio.com/2010-04-01/Accounts/AC5151515151515151515151515151515a/Recordings/RE5151515151515151515151515151515a"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let event = RecordingEvent::from_form(&form, chrono::Utc::now()).unwrap();
    store
        .apply(
            &CallEvent::Recording(event),
            &EventMeta::new(chrono::Utc::now()),
        )
        .await
        .unwrap();
    let sink = LocalFolderSink::new(data.join("recordings"));
    let sink_sid = recording_sink::RecordingSid::parse(sid).unwrap();
    let meta = RecordingMeta::new(
        sink_sid,
        CallInfo::at(chrono::Utc::now()),
        MediaType::Mp3,
        SIZE,
    )
    .unwrap();
    let pattern: Vec<u8> = (0..SIZE).map(|i| (i * 31 % 251) as u8).collect();
    let location = sink
        .store(&meta, Box::new(std::io::Cursor::new(pattern)))
        .await
        .unwrap();
    store
        .record_copy(&RecordingSid::parse(sid).unwrap(), "local", &location)
        .await
        .unwrap();
    (sid.to_owned(), sink.root().join(location))
}

struct PlaybackResult {
    rss_before_mib: f64,
    rss_peak_mib: f64,
    ramal_mbps: f64,
    static_mbps: f64,
}

async fn playback() -> PlaybackResult {
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data");
    std::fs::create_dir_all(&data).unwrap();
    let db = format!("sqlite://{}", data.join("ramal.db").display());
    let store = call_store::open(&db, &data).await.unwrap();
    let (sid, file) = seeded_recording(&store, &data).await;

    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let server = Killed(
        Command::new(env!("CARGO_BIN_EXE_ramal"))
            .arg("serve")
            .env_remove("RAMAL_CONFIG")
            .envs([
                ("RAMAL_DATA_DIR", data.display().to_string()),
                ("RAMAL_DATABASE_URL", db.clone()),
                ("RAMAL_BIND", format!("127.0.0.1:{port}")),
                ("RAMAL_PUBLIC_URL", base.clone()),
                ("RAMAL_SESSION_SECRET", SECRET.to_owned()),
                ("RAMAL_DEMO", "false".to_owned()),
                ("RAMAL_LOG", "error".to_owned()),
            ])
            .stdout(Stdio::null())
            .spawn()
            .expect("start ramal"),
    );
    let pid = server.0.id();
    wait_http(&format!("{base}/healthz")).await;
    let signer = http_api::auth::Signer::new(http_api::config::Secret::new(SECRET));
    let exp = chrono::Utc::now().timestamp() + 3600;
    let url = format!(
        "{base}/api/twilio/recording/{sid}?{}",
        signer.recording_link_query(&sid, exp)
    );
    // Warm up (first requests allocate the server's pools), then take the baseline.
    for _ in 0..3 {
        let res = reqwest::Client::new()
            .get(&url)
            .header("Range", "bytes=0-65535")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 206);
        res.bytes().await.unwrap();
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let before = rss_kib(pid);
    let peak = Arc::new(AtomicU64::new(before));
    let sampling = Arc::new(AtomicBool::new(true));
    let sampler = {
        let (peak, sampling) = (Arc::clone(&peak), Arc::clone(&sampling));
        std::thread::spawn(move || {
            while sampling.load(Ordering::Relaxed) {
                peak.fetch_max(rss_kib(pid), Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(5));
            }
        })
    };
    let ramal = download_all(&url, SIZE).await;
    sampling.store(false, Ordering::Relaxed);
    sampler.join().unwrap();
    drop(server);

    // The same file from a plain static file server.
    let static_port = free_port();
    let dir = file.parent().unwrap();
    let _python = Killed(
        Command::new("python3")
            .args([
                "-m",
                "http.server",
                &static_port.to_string(),
                "--bind",
                "127.0.0.1",
            ])
            .current_dir(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 -m http.server"),
    );
    let static_url = format!(
        "http://127.0.0.1:{static_port}/{}",
        file.file_name()
            .unwrap()
            .to_string_lossy()
            .replace('+', "%2B")
    );
    wait_http(&static_url).await;
    let python = download_all(&static_url, SIZE).await;
    PlaybackResult {
        rss_before_mib: before as f64 / 1024.0,
        rss_peak_mib: peak.load(Ordering::Relaxed) as f64 / 1024.0,
        ramal_mbps: ramal / 1e6,
        static_mbps: python / 1e6,
    }
}

/// Files `count` recordings of `talk` seconds with the worker of an in-process server; returns
/// recordings per second (from the worker's start to the last job done) and bytes per recording.
async fn filing(sinks: &str, count: usize, talk: u64, concurrency: u32) -> (f64, u64) {
    let work = tempfile::tempdir().unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let sim = Simulator::start(
        SimConfig::for_ramal(&base)
            .parent_status_callback(format!("{base}/api/twilio/call-status"))
            .delivery(DeliveryOptions::in_order()),
    )
    .await
    .unwrap();
    let google = drive_uploader::stand_in::GoogleStandIn::start()
        .await
        .unwrap();
    let key_file = work.path().join("key.json");
    std::fs::write(&key_file, google.service_account_key_json()).unwrap();
    let key = &sim.api_keys()[0];
    let env: HashMap<String, String> = [
        ("TWILIO_ACCOUNT_SID", sim.account_sid().to_owned()),
        ("TWILIO_AUTH_TOKEN", sim.auth_token().expose().to_owned()),
        ("TWILIO_API_KEY_SID", key.sid.clone()),
        ("TWILIO_API_KEY_SECRET", key.secret.expose().to_owned()),
        ("TWILIO_TWIML_APP_SID", sim.application().sid),
        ("TWILIO_PHONE_NUMBER", sim.phone_number().phone_number),
        ("RAMAL_PUBLIC_URL", base.clone()),
        ("RAMAL_TWILIO_API_BASE", sim.api_base_url().to_owned()),
        ("RAMAL_DATA_DIR", work.path().display().to_string()),
        ("RAMAL_SESSION_SECRET", SECRET.to_owned()),
        ("RAMAL_RECORDING_WORKER", "false".to_owned()),
        ("RAMAL_RECORDING_SINKS", sinks.to_owned()),
        ("RAMAL_RECORDING_CONCURRENCY", concurrency.to_string()),
        ("RAMAL_RECORDING_POLL_INTERVAL", "20ms".to_owned()),
        ("RAMAL_DRIVE_FOLDER_ID", google.folder_id().to_owned()),
        ("RAMAL_DRIVE_KEY_FILE", key_file.display().to_string()),
        ("RAMAL_DRIVE_API_BASE", google.base_url().to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let config = load(&Source { file: None, env }).unwrap();
    let store = call_store::open(&config.database_url, &config.data_dir)
        .await
        .unwrap();
    let hash = http_api::auth::password::hash("correct horse battery").unwrap();
    let identity = call_store::party::ClientIdentity::parse("ana").unwrap();
    let agent =
        call_store::model::NewAgent::new("ana", "Ana", identity, &hash, AgentRole::Agent).unwrap();
    store.create_agent(&agent).await.unwrap();
    let app = Application::with(config, store.clone(), listener).unwrap();
    let state = app.state().clone();
    tokio::spawn(app.run_until_stopped());

    let mut bytes = 0;
    for i in 0..count {
        let to = format!("+55319{:08}", 30_000_000 + i);
        let report = sim
            .outbound_from_browser(
                "ana",
                &to,
                CallScript::new().leg(to.clone(), LegScript::answer(1, talk)),
            )
            .await
            .unwrap();
        bytes = sim
            .recording_media(&report.recordings[0], twilio_sim::MediaFormat::Mp3)
            .unwrap()
            .len();
    }
    let pending = store
        .list_jobs(&JobFilter {
            state: Some(JobState::Pending),
            limit: 1000,
            before_id: None,
        })
        .await
        .unwrap()
        .len();
    assert_eq!(pending, count);

    let started = Instant::now();
    let worker = http_api::recordings::Worker::new(state).spawn();
    loop {
        let done = store
            .list_jobs(&JobFilter {
                state: Some(JobState::Done),
                limit: 1000,
                before_id: None,
            })
            .await
            .unwrap()
            .len();
        if done == count {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "filing stalled at {done}/{count}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let rate = count as f64 / started.elapsed().as_secs_f64();
    worker.stop().await;
    if sinks.contains("drive") {
        assert_eq!(google.files().len(), count);
    }
    (rate, bytes)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    // `cargo bench` passes --bench; nothing else is expected.
    let count = env_u64("RAMAL_BENCH_RECORDINGS", 200) as usize;
    let talk = env_u64("RAMAL_BENCH_TALK_SECS", 120);

    println!(
        "Recording pipeline benchmark ({} cores)",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let p = playback().await;
    let growth = p.rss_peak_mib - p.rss_before_mib;
    let ratio = p.ramal_mbps / p.static_mbps;
    println!();
    println!("| playback: {CLIENTS} concurrent downloads of a 50 MB recording | value |");
    println!("|---|---|");
    println!(
        "| ramal resident memory before | {:.1} MiB |",
        p.rss_before_mib
    );
    println!("| ramal resident memory peak | {:.1} MiB |", p.rss_peak_mib);
    println!(
        "| growth (limit 16 MiB) | {growth:.1} MiB {} |",
        if growth <= 16.0 { "ok" } else { "OVER" }
    );
    println!("| ramal throughput | {:.0} MB/s |", p.ramal_mbps);
    println!(
        "| python3 -m http.server, same file | {:.0} MB/s |",
        p.static_mbps
    );
    println!(
        "| ratio (aim >= 0.8) | {ratio:.2} {} |",
        if ratio >= 0.8 { "ok" } else { "BELOW" }
    );

    println!();
    println!(
        "| filing: {count} recordings of {talk} s, fetched from the simulator | concurrency | recordings/s | MB/s |"
    );
    println!("|---|---|---|---|");
    for (label, sinks) in [
        ("local folder", "local"),
        ("Google stand-in (Drive)", "drive"),
        ("local + Drive", "local,drive"),
    ] {
        for concurrency in [2, 8] {
            let (rate, bytes) = filing(sinks, count, talk, concurrency).await;
            println!(
                "| {label} | {concurrency} | {rate:.1} | {:.1} |",
                rate * bytes as f64 / 1e6
            );
        }
    }
}
