//! The real `ramal` binary killed (SIGKILL) in the middle of filing a recording, then started
//! again: the recording ends up filed exactly once. And a graceful stop (SIGTERM) hands its job
//! back at once.

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use call_store::CallStore;
use call_store::ids::RecordingSid;
use call_store::model::{AgentRole, JobState};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use twilio_sim::{CallScript, DeliveryOptions, LegScript, MediaFormat};

use crate::harness::{Db, Prepared, Setup, local_recordings, prepare};

const CUSTOMER: &str = "+5531999999999";

/// A TCP proxy that slows the answers down to `rate` bytes per second and counts them, so a
/// test can kill the server while a download is half done.
struct SlowProxy {
    addr: SocketAddr,
    delivered: Arc<AtomicU64>,
    rate: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl SlowProxy {
    async fn start(upstream: SocketAddr, rate: u64) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let delivered = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&delivered);
        let rate = Arc::new(AtomicU64::new(rate));
        let limit = Arc::clone(&rate);
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let counter = Arc::clone(&counter);
                let limit = Arc::clone(&limit);
                tokio::spawn(async move {
                    let Ok(server) = tokio::net::TcpStream::connect(upstream).await else {
                        return;
                    };
                    let (mut client_read, mut client_write) = client.into_split();
                    let (mut server_read, mut server_write) = server.into_split();
                    tokio::spawn(async move {
                        let _ = tokio::io::copy(&mut client_read, &mut server_write).await;
                    });
                    let mut buf = vec![0u8; 16 * 1024];
                    loop {
                        let n = match server_read.read(&mut buf).await {
                            Ok(0) | Err(_) => break,
                            Ok(n) => n,
                        };
                        if client_write.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                        counter.fetch_add(n as u64, Ordering::Relaxed);
                        let rate = limit.load(Ordering::Relaxed);
                        if rate > 0 {
                            tokio::time::sleep(Duration::from_secs_f64(n as f64 / rate as f64))
                                .await;
                        }
                    }
                });
            }
        });
        Self {
            addr,
            delivered,
            rate,
            task,
        }
    }

    /// Bytes per second from now on (0: as fast as it goes).
    fn set_rate(&self, rate: u64) {
        self.rate.store(rate, Ordering::Relaxed);
    }

    fn delivered(&self) -> u64 {
        self.delivered.load(Ordering::Relaxed)
    }
}

impl Drop for SlowProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A `ramal serve` process, killed when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Everything a crash test drives.
struct Rig {
    prepared: Prepared,
    port: u16,
    runs: std::sync::atomic::AtomicU32,
}

impl Rig {
    async fn new(db: Db, setup: Setup) -> Option<Self> {
        let setup = setup.env("RAMAL_LOG", "warn");
        let mut prepared = prepare(db, setup).await?;
        // The server process binds the port itself.
        let port = prepared.listener.take()?.local_addr().unwrap().port();
        Some(Self {
            prepared,
            port,
            runs: std::sync::atomic::AtomicU32::new(0),
        })
    }

    fn set_env(&mut self, key: &str, value: String) {
        self.prepared.env.insert(key.to_owned(), value);
    }

    /// Starts `ramal serve` on the prepared port and waits until it answers.
    async fn start(&self) -> Server {
        let run = self.runs.fetch_add(1, Ordering::Relaxed) + 1;
        let log = std::fs::File::create(self.prepared.data.path().join(format!("ramal-{run}.log")))
            .unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_ramal"));
        command
            .arg("serve")
            .env_remove("RAMAL_CONFIG")
            .envs(&self.prepared.env)
            .env("RAMAL_BIND", format!("127.0.0.1:{}", self.port))
            .stdout(Stdio::null())
            .stderr(log);
        let server = Server(command.spawn().expect("start ramal"));
        let health = format!("http://127.0.0.1:{}/healthz", self.port);
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(res) = reqwest::get(&health).await
                && res.status() == 200
            {
                return server;
            }
            assert!(
                Instant::now() < deadline,
                "ramal did not start: {}",
                self.log(run)
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn log(&self, run: u32) -> String {
        std::fs::read_to_string(self.prepared.data.path().join(format!("ramal-{run}.log")))
            .unwrap_or_default()
    }

    async fn store(&self) -> Arc<dyn CallStore> {
        call_store::open(
            &self.prepared.env["RAMAL_DATABASE_URL"],
            self.prepared.data.path(),
        )
        .await
        .unwrap()
    }

    /// Ana calls; the recording is made `size` bytes before Ramal hears of it.
    async fn recorded_call(&self, store: &Arc<dyn CallStore>, size: u64) -> String {
        let sim = &self.prepared.sim;
        if store.get_agent_by_username("ana").await.unwrap().is_none() {
            let hash = http_api::auth::password::hash("correct horse battery").unwrap();
            let identity = call_store::party::ClientIdentity::parse("ana").unwrap();
            let new = call_store::model::NewAgent::new(
                "ana",
                "Ana Souza",
                identity,
                &hash,
                AgentRole::Agent,
            )
            .unwrap();
            store.create_agent(&new).await.unwrap();
        }
        sim.set_delivery(DeliveryOptions::collected());
        let report = sim
            .outbound_from_browser(
                "ana",
                CUSTOMER,
                CallScript::new().leg(CUSTOMER, LegScript::answer(1, 30)),
            )
            .await
            .unwrap();
        let sid = report.recordings[0].clone();
        sim.set_media_size(&sid, size).unwrap();
        for pending in sim.take_pending() {
            let record = sim.deliver(&pending).await;
            assert!(record.succeeded(), "{record:#?}");
        }
        sid
    }

    fn local_files(&self) -> Vec<String> {
        local_recordings(self.prepared.data.path())
    }
}

async fn wait_for(what: &str, secs: u64, mut check: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn job_state(store: &Arc<dyn CallStore>, sid: &str) -> call_store::model::RecordingJob {
    store
        .get_job(&RecordingSid::parse(sid).unwrap())
        .await
        .unwrap()
        .expect("a job")
}

fn media(rig: &Rig, sid: &str) -> Vec<u8> {
    rig.prepared
        .sim
        .recording_media(sid, MediaFormat::Mp3)
        .unwrap()
        .to_vec()
}

pub(crate) async fn killed_mid_download_files_once_after_restart(db: Db) {
    let Some(mut rig) = Rig::new(db, Setup::default().env("RAMAL_RECORDING_LEASE", "2s")).await
    else {
        return;
    };
    let proxy = SlowProxy::start(rig.prepared.sim.api_addr(), 2_000_000).await;
    rig.set_env("RAMAL_TWILIO_API_BASE", format!("http://{}", proxy.addr));
    let server = rig.start().await;
    let store = rig.store().await;
    let sid = rig.recorded_call(&store, 4_000_000).await;

    wait_for("the download to be half way", 30, async || {
        proxy.delivered() > 1_000_000
    })
    .await;
    drop(server); // SIGKILL
    let job = job_state(&store, &sid).await;
    assert_eq!(
        job.state,
        JobState::Running,
        "killed while running: {job:?}"
    );
    assert!(rig.local_files().is_empty(), "no complete file yet");
    let downloaded_before = proxy.delivered();
    assert!(
        downloaded_before < 4_000_000,
        "killed mid-download: {downloaded_before}"
    );
    // The next attempt runs at full speed, well within its 2 s lease.
    proxy.set_rate(0);

    let _server = rig.start().await;
    wait_for("the recording to be filed", 60, async || {
        job_state(&store, &sid).await.state == JobState::Done
    })
    .await;
    let job = job_state(&store, &sid).await;
    assert_eq!(job.attempts, 2, "the lost attempt and the good one");
    let files = rig.local_files();
    assert_eq!(files.len(), 1, "{files:?}");
    let stored =
        std::fs::read(rig.prepared.data.path().join("recordings").join(&files[0])).unwrap();
    assert!(stored == media(&rig, &sid), "complete and exact");
    let view = store
        .get_recording(&RecordingSid::parse(&sid).unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(view.copies.len(), 1);
}

pub(crate) async fn killed_mid_upload_files_once_after_restart(db: Db) {
    let setup = Setup::default().drive().env("RAMAL_RECORDING_LEASE", "2s");
    let Some(rig) = Rig::new(db, setup).await else {
        return;
    };
    let server = rig.start().await;
    let store = rig.store().await;
    let google = rig.prepared.google.as_ref().unwrap();
    google.set_chunk_delay(Duration::from_millis(400));
    // 20 MB: a resumable upload of three 8 MiB chunks, slowed down.
    let sid = rig.recorded_call(&store, 20_000_000).await;

    let chunk_done = || {
        google
            .requests()
            .iter()
            .filter(|r| r.method == "PUT" && r.status == 308)
            .count()
    };
    wait_for("the first chunk to be acknowledged", 60, async || {
        chunk_done() >= 1
    })
    .await;
    drop(server); // SIGKILL, mid-upload
    assert!(google.files().is_empty(), "no Drive file yet");
    let view = store
        .get_recording(&RecordingSid::parse(&sid).unwrap())
        .await
        .unwrap()
        .unwrap();
    let sinks: Vec<&str> = view.copies.iter().map(|c| c.sink.as_str()).collect();
    assert_eq!(
        sinks,
        ["local"],
        "the local copy was filed before the upload"
    );

    google.set_chunk_delay(Duration::ZERO);
    let _server = rig.start().await;
    wait_for("the recording to be filed", 60, async || {
        job_state(&store, &sid).await.state == JobState::Done
    })
    .await;
    let files = google.files_with_property("ramalRecordingSid", &sid);
    assert_eq!(files.len(), 1, "exactly one Drive file");
    assert!(files[0].content == media(&rig, &sid));
    assert_eq!(rig.local_files().len(), 1);
    // The second run read the local copy: Twilio served the media once.
    let downloads = rig
        .prepared
        .sim
        .requests()
        .iter()
        .filter(|r| r.path.ends_with(&format!("{sid}.mp3")))
        .count();
    assert_eq!(downloads, 1);
}

pub(crate) async fn graceful_stop_hands_the_job_back(db: Db) {
    // The default lease (15 minutes): only the release makes the job due again at once.
    let Some(mut rig) = Rig::new(db, Setup::default()).await else {
        return;
    };
    let proxy = SlowProxy::start(rig.prepared.sim.api_addr(), 1_000_000).await;
    rig.set_env("RAMAL_TWILIO_API_BASE", format!("http://{}", proxy.addr));
    let mut server = rig.start().await;
    let store = rig.store().await;
    let sid = rig.recorded_call(&store, 3_000_000).await;
    wait_for("the download to start", 30, async || {
        proxy.delivered() > 500_000
    })
    .await;

    let pid = server.0.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        if let Some(status) = server.0.try_wait().unwrap() {
            assert!(
                status.success(),
                "ramal exits cleanly on SIGTERM: {status}\n{}",
                rig.log(1)
            );
            break;
        }
        assert!(Instant::now() < deadline, "ramal did not stop");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let job = job_state(&store, &sid).await;
    assert_eq!(
        (job.state, job.attempts, job.locked_by.as_deref()),
        (JobState::Pending, 0, None),
        "released, the interrupted attempt not counted: {job:?}"
    );
    let leftovers: Vec<_> = walk(rig.prepared.data.path().join("recordings"));
    assert!(
        leftovers.iter().all(|f| f.contains(".index")),
        "no partial file: {leftovers:?}"
    );

    let _server = rig.start().await;
    wait_for("the recording to be filed", 60, async || {
        job_state(&store, &sid).await.state == JobState::Done
    })
    .await;
    assert_eq!(job_state(&store, &sid).await.attempts, 1);
    assert_eq!(rig.local_files().len(), 1);
}

fn walk(dir: std::path::PathBuf) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path.display().to_string());
            }
        }
    }
    out
}
