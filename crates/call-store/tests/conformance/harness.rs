//! Test databases: a temporary SQLite file, or a fresh PostgreSQL database dropped after
//! the test. Every test owns its database.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::Arc;

use call_store::clock::ManualClock;
use call_store::{CallStore, StoreOptions, StoreTarget, open_target};
use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};

use crate::scenarios::t0;

const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A store under test with its clock and location.
pub(crate) struct TestStore {
    pub(crate) store: Arc<dyn CallStore>,
    pub(crate) clock: Arc<ManualClock>,
    pub(crate) target: StoreTarget,
    _cleanup: Cleanup,
}

pub(crate) enum Cleanup {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres { admin_url: String, database: String },
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        if let Cleanup::Postgres {
            admin_url,
            database,
        } = self
        {
            let (admin_url, name) = (admin_url.clone(), database.clone());
            // Drop runs inside the test's runtime: use a thread with its own runtime.
            let dropped = std::thread::spawn(move || {
                let database = name;
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()?;
                runtime
                    .block_on(async {
                        let mut admin = AsyncPgConnection::establish(&admin_url).await?;
                        admin
                            .batch_execute(&format!(
                                "DROP DATABASE IF EXISTS {database} WITH (FORCE)"
                            ))
                            .await?;
                        Ok::<(), Box<dyn std::error::Error + Send + Sync>>(())
                    })
                    .map_err(|e| std::io::Error::other(e.to_string()))
            })
            .join();
            if !matches!(dropped, Ok(Ok(()))) {
                // A leftover database is harmless but worth noticing.
                println!("warning: could not drop test database {database}");
            }
        }
    }
}

/// The clock every test starts at: after the scenarios' times, so "now" is plausible.
pub(crate) fn start_time() -> DateTime<Utc> {
    t0() + chrono::Duration::days(1)
}

fn options(clock: Arc<ManualClock>) -> StoreOptions {
    StoreOptions {
        max_connections: 8,
        clock,
        ..StoreOptions::default()
    }
}

fn random_suffix() -> String {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos(),
    );
    format!("{:016x}", hasher.finish())
}

pub(crate) async fn sqlite() -> TestStore {
    let dir = tempfile::tempdir().expect("temporary directory");
    let target = StoreTarget::Sqlite(dir.path().join("nested").join("ramal.sqlite3"));
    let clock = Arc::new(ManualClock::new(start_time()));
    let store = open_target(&target, options(clock.clone()))
        .await
        .expect("open SQLite store");
    TestStore {
        store,
        clock,
        target,
        _cleanup: Cleanup::Sqlite(dir),
    }
}

/// A fresh PostgreSQL database, or `None` when RAMAL_SKIP_POSTGRES=1. Panics with an
/// explanation when the server is not reachable: a silently skipped suite proves nothing.
pub(crate) async fn postgres_target() -> Option<(StoreTarget, Cleanup)> {
    if std::env::var("RAMAL_SKIP_POSTGRES").is_ok_and(|v| v == "1") {
        println!("RAMAL_SKIP_POSTGRES=1: PostgreSQL test skipped");
        return None;
    }
    let admin_url = std::env::var("RAMAL_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned());
    let redacted = match StoreTarget::parse(&admin_url, std::path::Path::new(".")) {
        Ok(StoreTarget::Postgres(url)) => url.redacted(),
        _ => "the configured URL".to_owned(),
    };
    let mut admin = match AsyncPgConnection::establish(&admin_url).await {
        Ok(conn) => conn,
        Err(e) => panic!(
            "PostgreSQL not reachable at {redacted}: start it or set RAMAL_SKIP_POSTGRES=1 to skip explicitly ({e})"
        ),
    };
    let database = format!("ramal_t_{}", random_suffix());
    admin
        .batch_execute(&format!("CREATE DATABASE {database}"))
        .await
        .expect("create the test database");
    let (base, query) = match admin_url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (admin_url.as_str(), String::new()),
    };
    let base = base.rsplit_once('/').map_or(base, |(prefix, _)| prefix);
    let url = format!("{base}/{database}{query}");
    let target = StoreTarget::parse(&url, std::path::Path::new(".")).unwrap();
    Some((
        target,
        Cleanup::Postgres {
            admin_url,
            database,
        },
    ))
}

pub(crate) async fn postgres() -> Option<TestStore> {
    let (target, cleanup) = postgres_target().await?;
    let clock = Arc::new(ManualClock::new(start_time()));
    let store = open_target(&target, options(clock.clone()))
        .await
        .expect("open PostgreSQL store");
    Some(TestStore {
        store,
        clock,
        target,
        _cleanup: cleanup,
    })
}

/// A store location without an opened store (for migration tests).
pub(crate) struct TestTarget {
    pub(crate) target: StoreTarget,
    _cleanup: Cleanup,
}

pub(crate) fn sqlite_target() -> TestTarget {
    let dir = tempfile::tempdir().expect("temporary directory");
    TestTarget {
        target: StoreTarget::Sqlite(dir.path().join("m.sqlite3")),
        _cleanup: Cleanup::Sqlite(dir),
    }
}

pub(crate) async fn postgres_bare_target() -> Option<TestTarget> {
    let (target, cleanup) = postgres_target().await?;
    Some(TestTarget {
        target,
        _cleanup: cleanup,
    })
}

/// Declares, for each named suite function, one test per backend.
macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite_backend {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let db = crate::harness::sqlite().await;
                    crate::suite::$name(&db).await;
                }
            )*
        }
        mod postgres_backend {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(db) = crate::harness::postgres().await else { return };
                    crate::suite::$name(&db).await;
                }
            )*
        }
    };
}
pub(crate) use conformance;
