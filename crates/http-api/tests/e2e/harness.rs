//! The whole server on port 0, a fresh database, and the Twilio simulator pointed at it.

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::Arc;

use call_store::CallStore;
use call_store::model::AgentRole;
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use drive_uploader::stand_in::GoogleStandIn;
use http_api::Application;
use http_api::config::{Source, load};
use serde_json::{Value, json};
use twilio_sim::{SimConfig, Simulator};

const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Which database the server under test uses.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Db {
    Sqlite,
    Postgres,
}

/// A PostgreSQL database created for one test and dropped after it.
pub(crate) struct PgDatabase {
    admin_url: String,
    name: String,
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        // Drop runs inside the test's runtime: use a thread with its own.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                if let Ok(mut admin) = AsyncPgConnection::establish(&admin_url).await {
                    let _ = admin
                        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await;
                }
            });
        })
        .join();
    }
}

async fn postgres_database() -> Option<(String, PgDatabase)> {
    if std::env::var("RAMAL_SKIP_POSTGRES").is_ok_and(|v| v == "1") {
        println!("RAMAL_SKIP_POSTGRES=1: PostgreSQL test skipped");
        return None;
    }
    let admin_url = std::env::var("RAMAL_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned());
    let mut admin = AsyncPgConnection::establish(&admin_url).await.unwrap_or_else(|e| {
        panic!("PostgreSQL not reachable at 127.0.0.1:5432: start it or set RAMAL_SKIP_POSTGRES=1 to skip explicitly ({e})")
    });
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let name = format!(
        "ramal_e2e_{}_{}",
        std::process::id(),
        nanos % 1_000_000_000_000
    );
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .await
        .expect("create the test database");
    let base = admin_url
        .rsplit_once('/')
        .map_or(admin_url.as_str(), |(b, _)| b);
    let url = format!("{base}/{name}");
    Some((url, PgDatabase { admin_url, name }))
}

/// A running Ramal with its simulator (and, with [`Setup::drive`], the Google stand-in).
pub(crate) struct TestApp {
    pub(crate) base: String,
    pub(crate) sim: Simulator,
    pub(crate) store: Arc<dyn CallStore>,
    /// The server's webhook spool (events acknowledged before the database write).
    pub(crate) spool: http_api::spool::Spool,
    pub(crate) http: reqwest::Client,
    /// The data directory (recordings are under `recordings/`).
    pub(crate) data_dir: std::path::PathBuf,
    /// The Google stand-in, when the drive sink is on.
    pub(crate) google: Option<GoogleStandIn>,
    /// The environment the server was configured with (for running the CLI on its database).
    pub(crate) env: HashMap<String, String>,
    _data: tempfile::TempDir,
    _pg: Option<PgDatabase>,
}

/// One instance of a cluster (see [`TestApp::spawn_cluster`]).
pub(crate) struct Instance {
    /// Its own address (not the balancer's).
    pub(crate) base: String,
    /// Its state (spool, presence, metrics).
    pub(crate) state: http_api::state::AppState,
}

/// A round-robin HTTP balancer on `listener`: request i goes to backend i mod n, whatever
/// connection it came on, as a balancer without stickiness does.
fn balance(listener: TcpListener, backends: Vec<String>) {
    use actix_web::{HttpRequest, HttpResponse, web};
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let client = reqwest::Client::new();
    let backends = Arc::new(backends);
    let server = actix_web::HttpServer::new(move || {
        let (next, client, backends) = (next.clone(), client.clone(), backends.clone());
        actix_web::App::new().default_service(web::to(move |req: HttpRequest, body: web::Bytes| {
            let (next, client, backends) = (next.clone(), client.clone(), backends.clone());
            async move {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let target = format!("{}{}", backends[i % backends.len()], req.uri());
                let method = reqwest::Method::from_bytes(req.method().as_str().as_bytes())
                    .expect("a method");
                let mut forward = client.request(method, target).body(body.to_vec());
                for (name, value) in req.headers() {
                    if name != "host" && name != "content-length" {
                        forward = forward.header(name.as_str(), value.as_bytes());
                    }
                }
                let Ok(res) = forward.send().await else {
                    return HttpResponse::BadGateway().finish();
                };
                let mut out = HttpResponse::build(
                    actix_web::http::StatusCode::from_u16(res.status().as_u16()).unwrap(),
                );
                for (name, value) in res.headers() {
                    if name != "content-length" && name != "transfer-encoding" {
                        out.insert_header((name.as_str(), value.as_bytes()));
                    }
                }
                out.body(res.bytes().await.unwrap_or_default())
            }
        }))
    })
    .workers(1)
    .listen(listener)
    .expect("the balancer listens")
    .disable_signals()
    .run();
    tokio::spawn(server);
}

/// How a test's Ramal is set up beyond the defaults.
#[derive(Default)]
pub(crate) struct Setup {
    /// Extra environment settings (they win over the defaults).
    pub(crate) env: Vec<(String, String)>,
    /// Files recordings in Google Drive too, against a local stand-in.
    pub(crate) drive: bool,
    /// Changes the simulator's configuration.
    pub(crate) sim: Option<Box<dyn FnOnce(SimConfig) -> SimConfig + Send>>,
    /// Reaches PostgreSQL through this address (a proxy) instead of 127.0.0.1:5432.
    pub(crate) postgres_via: Option<std::net::SocketAddr>,
}

impl Setup {
    pub(crate) fn env(mut self, key: &str, value: impl Into<String>) -> Self {
        self.env.push((key.to_owned(), value.into()));
        self
    }

    pub(crate) fn drive(mut self) -> Self {
        self.drive = true;
        self
    }

    pub(crate) fn sim(
        mut self,
        change: impl FnOnce(SimConfig) -> SimConfig + Send + 'static,
    ) -> Self {
        self.sim = Some(Box::new(change));
        self
    }
}

/// Everything a Ramal needs, prepared but not started (crash tests run it as a process).
pub(crate) struct Prepared {
    pub(crate) env: HashMap<String, String>,
    pub(crate) base: String,
    /// Holds the server's port until the server takes it.
    pub(crate) listener: Option<TcpListener>,
    pub(crate) sim: Simulator,
    pub(crate) google: Option<GoogleStandIn>,
    pub(crate) data: tempfile::TempDir,
    pub(crate) pg: Option<PgDatabase>,
}

/// Settings that keep the recording pipeline quick in tests: poll often, retry soon.
const FAST_FILING: [(&str, &str); 3] = [
    ("RAMAL_RECORDING_POLL_INTERVAL", "50ms"),
    ("RAMAL_RECORDING_BACKOFF_BASE", "20ms"),
    ("RAMAL_RECORDING_BACKOFF_MAX", "200ms"),
];

/// Database, listener, simulator (and stand-in) and the environment pointing Ramal at them.
pub(crate) async fn prepare(db: Db, setup: Setup) -> Option<Prepared> {
    // RAMAL_TEST_LOG=<filter> prints the servers' logs (e.g. `http_api=debug`), to see what
    // a failing scenario did.
    if let Ok(filter) = std::env::var("RAMAL_TEST_LOG") {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_test_writer()
            .try_init();
    }
    let data = tempfile::tempdir().unwrap();
    let (database_url, pg) = match db {
        Db::Sqlite => (
            format!("sqlite://{}", data.path().join("ramal.db").display()),
            None,
        ),
        Db::Postgres => {
            let (mut url, pg) = postgres_database().await?;
            if let Some(via) = setup.postgres_via {
                url = url.replace("127.0.0.1:5432", &via.to_string());
            }
            (url, Some(pg))
        }
    };
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    // As the setup guide says: the number's and the TwiML App's "call status changes"
    // callback point at Ramal too, so parent legs report their end.
    let mut sim_config = SimConfig::for_ramal(&base)
        .parent_status_callback(format!("{base}/api/twilio/call-status"));
    if let Some(change) = setup.sim {
        sim_config = change(sim_config);
    }
    let sim = Simulator::start(sim_config).await.unwrap();
    let key = &sim.api_keys()[0];
    let mut env: HashMap<String, String> = [
        ("TWILIO_ACCOUNT_SID", sim.account_sid().to_owned()),
        ("TWILIO_AUTH_TOKEN", sim.auth_token().expose().to_owned()),
        ("TWILIO_API_KEY_SID", key.sid.clone()),
        ("TWILIO_API_KEY_SECRET", key.secret.expose().to_owned()),
        ("TWILIO_TWIML_APP_SID", sim.application().sid),
        ("TWILIO_PHONE_NUMBER", sim.phone_number().phone_number),
        ("RAMAL_PUBLIC_URL", base.clone()),
        ("RAMAL_TWILIO_API_BASE", sim.api_base_url().to_owned()),
        ("RAMAL_DATA_DIR", data.path().display().to_string()),
        ("RAMAL_DATABASE_URL", database_url.clone()),
        ("RAMAL_SESSION_SECRET", SESSION_SECRET.to_owned()),
    ]
    .into_iter()
    .chain(FAST_FILING.iter().map(|(k, v)| (*k, (*v).to_owned())))
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let google = if setup.drive {
        let google = GoogleStandIn::start().await.unwrap();
        let key_file = data.path().join("google-service-account.json");
        std::fs::write(&key_file, google.service_account_key_json()).unwrap();
        for (k, v) in [
            ("RAMAL_RECORDING_SINKS", "local,drive".to_owned()),
            ("RAMAL_DRIVE_FOLDER_ID", google.folder_id().to_owned()),
            ("RAMAL_DRIVE_KEY_FILE", key_file.display().to_string()),
            ("RAMAL_DRIVE_API_BASE", google.base_url().to_owned()),
        ] {
            env.insert(k.to_owned(), v);
        }
        Some(google)
    } else {
        None
    };
    for (k, v) in setup.env {
        env.insert(k, v);
    }
    Some(Prepared {
        env,
        base,
        listener: Some(listener),
        sim,
        google,
        data,
        pg,
    })
}

/// The session secret of every test server (tests sign recording links with it).
pub(crate) const SESSION_SECRET: &str = "e2e-session-secret-e2e-session-secret";

impl TestApp {
    /// Starts Ramal on `db` (None when PostgreSQL is explicitly skipped).
    pub(crate) async fn spawn(db: Db) -> Option<Self> {
        Self::spawn_custom(db, Setup::default()).await
    }

    /// Starts Ramal set up as `setup` says.
    pub(crate) async fn spawn_custom(db: Db, setup: Setup) -> Option<Self> {
        let mut p = prepare(db, setup).await?;
        let config = load(&Source {
            file: None,
            env: p.env.clone(),
        })
        .expect("valid test configuration");
        let store = call_store::open(&config.database_url, &config.data_dir)
            .await
            .unwrap();
        let listener = p.listener.take().expect("a listener");
        let app = Application::with(config, store.clone(), listener).unwrap();
        let spool = app.state().spool.clone();
        tokio::spawn(app.run_until_stopped());
        Some(Self {
            base: p.base,
            sim: p.sim,
            store,
            spool,
            http: reqwest::Client::new(),
            data_dir: p.data.path().to_path_buf(),
            google: p.google,
            env: p.env,
            _data: p.data,
            _pg: p.pg,
        })
    }

    /// Waits until every webhook acknowledged so far is in the database (reads through the
    /// HTTP API do this themselves).
    pub(crate) async fn settle(&self) {
        assert!(
            self.spool.settle(std::time::Duration::from_secs(60)).await,
            "spooled events not applied within 60 s"
        );
    }

    /// Starts `n` instances sharing one PostgreSQL database behind a round-robin balancer
    /// (each request goes to the next instance), the simulator calling the balancer. They share
    /// the data directory (recordings) and the session secret; each has its own spool. The
    /// returned app's `base` is the balancer; its `spool` is the first instance's.
    pub(crate) async fn spawn_cluster(n: usize, setup: Setup) -> Option<(Self, Vec<Instance>)> {
        let mut p = prepare(Db::Postgres, setup).await?;
        let mut instances = Vec::new();
        let mut spools = Vec::new();
        for i in 0..n {
            let spool_dir = p.data.path().join(format!("spool-{i}"));
            let mut env = p.env.clone();
            env.insert("RAMAL_SPOOL_DIR".into(), spool_dir.display().to_string());
            let config = load(&Source { file: None, env }).expect("valid test configuration");
            let store = call_store::open(&config.database_url, &config.data_dir)
                .await
                .unwrap();
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let base = format!("http://{}", listener.local_addr().unwrap());
            let app = Application::with(config, store, listener).unwrap();
            let state = app.state().clone();
            spools.push(state.spool.clone());
            tokio::spawn(app.run_until_stopped());
            instances.push(Instance { base, state });
        }
        let backends: Vec<String> = instances.iter().map(|i| i.base.clone()).collect();
        balance(p.listener.take().expect("a listener"), backends);
        let store = call_store::open(&p.env["RAMAL_DATABASE_URL"], p.data.path())
            .await
            .unwrap();
        let app = Self {
            base: p.base,
            sim: p.sim,
            store,
            spool: spools.swap_remove(0),
            http: reqwest::Client::new(),
            data_dir: p.data.path().to_path_buf(),
            google: p.google,
            env: p.env,
            _data: p.data,
            _pg: p.pg,
        };
        Some((app, instances))
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Creates an agent through the same code path as `ramal agent add`, returns its id.
    pub(crate) async fn agent(&self, username: &str, name: &str, role: AgentRole) -> i64 {
        let hash = http_api::auth::password::hash("correct horse battery").unwrap();
        let identity = access_token::Identity::from_display_name(username);
        let identity = call_store::party::ClientIdentity::parse(identity.as_str()).unwrap();
        let new = call_store::model::NewAgent::new(username, name, identity, &hash, role).unwrap();
        self.store.create_agent(&new).await.unwrap().id
    }

    /// Logs in and returns the bearer token.
    pub(crate) async fn login(&self, username: &str) -> String {
        let res = self
            .http
            .post(self.url("/api/auth/login"))
            .json(&json!({"username": username, "password": "correct horse battery"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "login of {username}");
        res.json::<Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Marks an agent's webphone as connected and available.
    pub(crate) async fn available(&self, token: &str) {
        let res = self
            .http
            .post(self.url("/api/presence"))
            .bearer_auth(token)
            .json(&json!({"state": "available"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 204);
    }

    pub(crate) async fn get_json(&self, token: &str, path: &str) -> (u16, Value) {
        let res = self
            .http
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// Every call of the history, following cursors, once every acknowledged webhook is
    /// applied (the route itself waits at most 2 s, which a loaded test machine can exceed).
    pub(crate) async fn all_calls(&self, token: &str) -> Vec<Value> {
        self.settle().await;
        let mut calls = Vec::new();
        let mut path = "/api/twilio/call-logs?limit=200".to_owned();
        loop {
            let (status, page) = self.get_json(token, &path).await;
            assert_eq!(status, 200, "{page}");
            calls.extend(page["items"].as_array().unwrap().iter().cloned());
            match page["next_cursor"].as_str() {
                Some(c) => path = format!("/api/twilio/call-logs?limit=200&cursor={c}"),
                None => return calls,
            }
        }
    }
}

impl TestApp {
    /// Waits until the recording's filing job is done or dead (at most `secs` seconds).
    pub(crate) async fn wait_filed(&self, sid: &str, secs: u64) -> call_store::model::RecordingJob {
        let sid = call_store::ids::RecordingSid::parse(sid).unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
        loop {
            if let Some(job) = self.store.get_job(&sid).await.unwrap() {
                use call_store::model::JobState;
                if matches!(job.state, JobState::Done | JobState::Dead) {
                    return job;
                }
                assert!(
                    std::time::Instant::now() < deadline,
                    "{sid} not filed in {secs} s: {job:?}"
                );
            } else {
                assert!(
                    std::time::Instant::now() < deadline,
                    "{sid} has no job after {secs} s"
                );
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    /// Complete recording files under `<data>/recordings` (hidden files and folders excluded),
    /// relative to that folder, sorted.
    pub(crate) fn local_recordings(&self) -> Vec<String> {
        local_recordings(&self.data_dir)
    }

    /// A signed playback path for `sid` expiring at `exp`, made with the server's secret.
    pub(crate) fn signed_path(&self, sid: &str, exp: i64) -> String {
        let signer = http_api::auth::Signer::new(http_api::config::Secret::new(SESSION_SECRET));
        format!(
            "/api/twilio/recording/{sid}?{}",
            signer.recording_link_query(sid, exp)
        )
    }

    /// The `ramal` binary, configured for this server's database and data directory.
    pub(crate) fn cli(&self, args: &[&str]) -> std::process::Output {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_ramal"));
        command
            .args(args)
            .env_remove("RAMAL_CONFIG")
            .env("RAMAL_LOG", "warn");
        for (k, v) in &self.env {
            command.env(k, v);
        }
        command.output().expect("run the ramal binary")
    }
}

/// Complete recording files under `<data_dir>/recordings`, relative to it.
pub(crate) fn local_recordings(data_dir: &std::path::Path) -> Vec<String> {
    let root = data_dir.join("recordings");
    let mut out = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path.strip_prefix(&root).unwrap().display().to_string());
            }
        }
    }
    out.sort();
    out
}

/// Declares each scenario once per database; the scenario sets its server up itself
/// (`async fn scenario(db: Db)`).
macro_rules! on_both_databases_with_setup {
    ($tests:ident from $module:ident: $($name:ident),* $(,)?) => {
        mod $tests {
            mod sqlite {
                $(
                    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                    async fn $name() {
                        crate::$module::$name(crate::harness::Db::Sqlite).await;
                    }
                )*
            }
            mod postgres {
                $(
                    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                    async fn $name() {
                        crate::$module::$name(crate::harness::Db::Postgres).await;
                    }
                )*
            }
        }
    };
}
pub(crate) use on_both_databases_with_setup;

/// Declares each scenario once per database.
macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let app = crate::harness::TestApp::spawn(crate::harness::Db::Sqlite).await.unwrap();
                    crate::scenarios::$name(&app).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(app) = crate::harness::TestApp::spawn(crate::harness::Db::Postgres).await else { return };
                    crate::scenarios::$name(&app).await;
                }
            )*
        }
    };
}
pub(crate) use on_both_databases;
