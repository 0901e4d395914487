//! The real `ramal` binary as a child process, for tests that kill it (SIGKILL) or stop it
//! (SIGTERM) and start it again on the same port, database, data directory and spool.

use std::net::SocketAddr;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use call_store::CallStore;
use call_store::ids::RecordingSid;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use crate::harness::{Db, Prepared, Setup, local_recordings, prepare};

/// A TCP proxy that slows the answers down to `rate` bytes per second and counts them, so a
/// test can kill the server while a download is half done.
pub(crate) struct SlowProxy {
    pub(crate) addr: SocketAddr,
    delivered: Arc<AtomicU64>,
    rate: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl SlowProxy {
    pub(crate) async fn start(upstream: SocketAddr, rate: u64) -> Self {
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
    pub(crate) fn set_rate(&self, rate: u64) {
        self.rate.store(rate, Ordering::Relaxed);
    }

    pub(crate) fn delivered(&self) -> u64 {
        self.delivered.load(Ordering::Relaxed)
    }
}

impl Drop for SlowProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// A `ramal serve` process, killed (SIGKILL) when dropped.
pub(crate) struct Server(pub(crate) Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Server {
    /// Sends SIGTERM: a graceful stop.
    pub(crate) fn terminate(&self) {
        let pid = self.0.id().to_string();
        assert!(
            Command::new("kill")
                .args(["-TERM", &pid])
                .status()
                .unwrap()
                .success(),
            "kill -TERM {pid}"
        );
    }

    /// Waits (at most `secs` seconds) for the process to exit on its own.
    pub(crate) async fn wait_exit(&mut self, secs: u64) -> Option<ExitStatus> {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Some(status) = self.0.try_wait().unwrap() {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Everything a crash test drives.
pub(crate) struct Rig {
    pub(crate) prepared: Prepared,
    pub(crate) port: u16,
    runs: AtomicU32,
}

impl Rig {
    pub(crate) async fn new(db: Db, setup: Setup) -> Option<Self> {
        let setup = setup.env("RAMAL_LOG", "warn");
        let mut prepared = prepare(db, setup).await?;
        // The server process binds the port itself.
        let port = prepared.listener.take()?.local_addr().unwrap().port();
        Some(Self {
            prepared,
            port,
            runs: AtomicU32::new(0),
        })
    }

    pub(crate) fn set_env(&mut self, key: &str, value: String) {
        self.prepared.env.insert(key.to_owned(), value);
    }

    /// Starts `ramal serve` on the prepared port and waits until it answers.
    pub(crate) async fn start(&self) -> Server {
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

    /// The log (stderr) of the `run`-th start.
    pub(crate) fn log(&self, run: u32) -> String {
        std::fs::read_to_string(self.prepared.data.path().join(format!("ramal-{run}.log")))
            .unwrap_or_default()
    }

    /// `http://127.0.0.1:<port><path>`.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.prepared.base)
    }

    /// A store on the server's database (the test's own connection).
    pub(crate) async fn store(&self) -> Arc<dyn CallStore> {
        call_store::open(
            &self.prepared.env["RAMAL_DATABASE_URL"],
            self.prepared.data.path(),
        )
        .await
        .unwrap()
    }

    pub(crate) fn local_files(&self) -> Vec<String> {
        local_recordings(self.prepared.data.path())
    }
}

/// Polls `check` every 20 ms until it holds; fails the test after `secs` seconds.
pub(crate) async fn wait_for(what: &str, secs: u64, mut check: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(secs);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

pub(crate) async fn job_state(
    store: &Arc<dyn CallStore>,
    sid: &str,
) -> call_store::model::RecordingJob {
    store
        .get_job(&RecordingSid::parse(sid).unwrap())
        .await
        .unwrap()
        .expect("a job")
}
