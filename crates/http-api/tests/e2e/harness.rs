//! The whole server on port 0, a fresh database, and the Twilio simulator pointed at it.

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::Arc;

use call_store::CallStore;
use call_store::model::AgentRole;
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
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
struct PgDatabase {
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

/// A running Ramal with its simulator.
pub(crate) struct TestApp {
    pub(crate) base: String,
    pub(crate) sim: Simulator,
    pub(crate) store: Arc<dyn CallStore>,
    pub(crate) http: reqwest::Client,
    _data: tempfile::TempDir,
    _pg: Option<PgDatabase>,
}

impl TestApp {
    /// Starts Ramal on `db` (None when PostgreSQL is explicitly skipped).
    pub(crate) async fn spawn(db: Db) -> Option<Self> {
        Self::spawn_with(db, &[]).await
    }

    /// Starts Ramal with extra environment settings.
    pub(crate) async fn spawn_with(db: Db, extra_env: &[(&str, &str)]) -> Option<Self> {
        let data = tempfile::tempdir().unwrap();
        let (database_url, pg) = match db {
            Db::Sqlite => (
                format!("sqlite://{}", data.path().join("ramal.db").display()),
                None,
            ),
            Db::Postgres => {
                let (url, pg) = postgres_database().await?;
                (url, Some(pg))
            }
        };
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        // As the setup guide says: the number's and the TwiML App's "call status changes"
        // callback point at Ramal too, so parent legs report their end.
        let sim_config = SimConfig::for_ramal(&base)
            .parent_status_callback(format!("{base}/api/twilio/call-status"));
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
            (
                "RAMAL_SESSION_SECRET",
                "e2e-session-secret-e2e-session-secret".to_owned(),
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        for (k, v) in extra_env {
            env.insert((*k).to_owned(), (*v).to_owned());
        }
        let config = load(&Source { file: None, env }).expect("valid test configuration");
        let store = call_store::open(&config.database_url, &config.data_dir)
            .await
            .unwrap();
        let app = Application::with(config, store.clone(), listener).unwrap();
        tokio::spawn(app.run_until_stopped());
        Some(Self {
            base,
            sim,
            store,
            http: reqwest::Client::new(),
            _data: data,
            _pg: pg,
        })
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

    /// Every call of the history, following cursors.
    pub(crate) async fn all_calls(&self, token: &str) -> Vec<Value> {
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
