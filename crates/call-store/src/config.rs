//! Where the store lives and how to open it.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use crate::clock::{Clock, SystemClock};
use crate::error::StoreError;
use crate::store::CallStore;

/// File name of the SQLite database when only a data directory is given.
pub const DEFAULT_SQLITE_FILE: &str = "ramal.sqlite3";

/// A PostgreSQL connection URL. `Debug` and `Display` hide the password.
#[derive(Clone, PartialEq, Eq)]
pub struct PostgresUrl(String);

/// TCP settings added to a URL that does not choose its own. The driver's defaults
/// (keepalive after two hours, no user timeout) leave a query on a connection whose server
/// vanished without a reset (a host down, a dropped route) waiting for minutes to hours;
/// with these, the connection fails within about a minute and the work is retried.
const LIVENESS_DEFAULTS: [(&str, &str); 4] = [
    // Probe a quiet connection after 30 s, every 10 s, give up after 3 unanswered probes.
    ("keepalives_idle", "30"),
    ("keepalives_interval", "10"),
    ("keepalives_retries", "3"),
    // Sent data unacknowledged for 30 s: the peer is gone.
    ("tcp_user_timeout", "30"),
];

impl PostgresUrl {
    /// Reads a `postgres://` or `postgresql://` URL, adding the TCP liveness settings it
    /// does not set itself (see [`PostgresUrl::expose`]).
    ///
    /// ```
    /// let url = call_store::PostgresUrl::new("postgres://ramal@db/ramal?keepalives_idle=5").unwrap();
    /// assert!(url.expose().contains("keepalives_idle=5&keepalives_interval=10"));
    /// assert_eq!(url.to_string(), "postgres://ramal@db/ramal?keepalives_idle=5");
    /// assert!(call_store::PostgresUrl::new("mysql://db/ramal").is_none());
    /// ```
    pub fn new(url: &str) -> Option<Self> {
        let url = url.trim();
        (url.starts_with("postgres://") || url.starts_with("postgresql://"))
            .then(|| PostgresUrl(url.to_owned()))
    }

    /// The URL for the driver, password included, with TCP keepalives and a TCP user
    /// timeout unless the URL sets them. Pass it to the driver only.
    pub fn expose(&self) -> String {
        let query = self.0.split_once('?').map_or("", |(_, q)| q);
        let set: Vec<&str> = query
            .split('&')
            .filter_map(|kv| kv.split('=').next())
            .collect();
        let mut url = self.0.clone();
        for (key, value) in LIVENESS_DEFAULTS {
            if !set.contains(&key) {
                url.push(if url.contains('?') { '&' } else { '?' });
                url.push_str(key);
                url.push('=');
                url.push_str(value);
            }
        }
        url
    }

    /// The URL with the password replaced by `***`.
    pub fn redacted(&self) -> String {
        let Some((scheme, rest)) = self.0.split_once("://") else {
            return "***".to_owned();
        };
        let (authority, tail) = match rest.find(['/', '?']) {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        match authority.rsplit_once('@') {
            Some((userinfo, host)) => {
                let user = userinfo.split_once(':').map_or(userinfo, |(user, _)| user);
                let hidden = if userinfo.contains(':') { ":***" } else { "" };
                format!("{scheme}://{user}{hidden}@{host}{tail}")
            }
            None => self.0.clone(),
        }
    }
}

impl fmt::Debug for PostgresUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PostgresUrl({})", self.redacted())
    }
}

impl fmt::Display for PostgresUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// The database to use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreTarget {
    /// A SQLite file (created with its directory on first use).
    Sqlite(PathBuf),
    /// A PostgreSQL database (the database must exist; its tables are created).
    Postgres(PostgresUrl),
}

impl StoreTarget {
    /// Reads a store location:
    /// - `postgres://...` or `postgresql://...`: PostgreSQL;
    /// - `sqlite://path`, `sqlite:path` or a plain path: a SQLite file, relative paths
    ///   taken inside `data_dir`;
    /// - empty: `data_dir/ramal.sqlite3`.
    ///
    /// In-memory SQLite (`:memory:`) is refused: each pooled connection would see its own
    /// empty database.
    pub fn parse(url: &str, data_dir: &Path) -> Result<Self, StoreError> {
        let url = url.trim();
        if let Some(url) = PostgresUrl::new(url) {
            return Ok(StoreTarget::Postgres(url));
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        if path.contains(":memory:") || path.starts_with("file:") {
            return Err(StoreError::Config(
                "in-memory or URI SQLite databases are not supported: give a file path".into(),
            ));
        }
        if url.contains("://") && !url.starts_with("sqlite://") {
            return Err(StoreError::Config(
                "unsupported database URL: use postgres://..., sqlite://path or a file path".into(),
            ));
        }
        let path = if path.is_empty() {
            data_dir.join(DEFAULT_SQLITE_FILE)
        } else {
            data_dir.join(path)
        };
        Ok(StoreTarget::Sqlite(path))
    }
}

/// Tuning of an opened store. The defaults suit a server.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// Most connections kept open: the PostgreSQL pool, or SQLite's readers (at most 4,
    /// besides its single writer).
    pub max_connections: usize,
    /// How long a request waits for a pooled connection before failing. Twilio abandons a
    /// webhook after 15 s, so waiting longer helps nobody; an exhausted pool usually means
    /// the database is down or overloaded, and failing fast makes that visible.
    pub pool_wait_timeout: Duration,
    /// How long opening a connection may take. TCP connects to an unreachable host can
    /// otherwise hang for minutes.
    pub connect_timeout: Duration,
    /// PostgreSQL `statement_timeout`: a runaway query is cancelled instead of holding a
    /// connection (and its locks) indefinitely.
    pub statement_timeout: Duration,
    /// PostgreSQL `lock_timeout`: how long a statement waits for a row or advisory lock.
    pub lock_timeout: Duration,
    /// The clock used for leases, retries and `updated_at`.
    pub clock: Arc<dyn Clock>,
    /// SQLite: run the single writer thread at a lower CPU priority (nice 10, Linux), for
    /// servers whose writes are applied in the background (behind a durable queue) while
    /// request handling must not wait for a CPU. When the CPU is not contended it makes no
    /// difference; when it is, requests are served first and the writer catches up after.
    /// No effect on PostgreSQL, whose server does the work.
    pub background_writer: bool,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            max_connections: 16,
            pool_wait_timeout: Duration::from_secs(5),
            connect_timeout: Duration::from_secs(5),
            statement_timeout: Duration::from_secs(30),
            lock_timeout: Duration::from_secs(10),
            clock: Arc::new(SystemClock),
            background_writer: false,
        }
    }
}

/// Creates the directory of a SQLite file.
pub(crate) fn prepare_sqlite_dir(path: &Path) -> Result<(), StoreError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::Io {
            path: dir.display().to_string(),
            source,
        })?;
    }
    Ok(())
}

/// Opens the store at `url` (see [`StoreTarget::parse`]) with default options, creating
/// and migrating the database as needed.
pub async fn open(url: &str, data_dir: &Path) -> Result<Arc<dyn CallStore>, StoreError> {
    open_target(&StoreTarget::parse(url, data_dir)?, StoreOptions::default()).await
}

/// Opens a store, creating and migrating the database as needed.
pub async fn open_target(
    target: &StoreTarget,
    options: StoreOptions,
) -> Result<Arc<dyn CallStore>, StoreError> {
    match target {
        StoreTarget::Sqlite(path) => {
            let store = crate::db::sqlite::SqliteStore::open(path, &options).await?;
            Ok(Arc::new(store))
        }
        StoreTarget::Postgres(url) => {
            let store = crate::db::postgres::PostgresStore::open(url, &options).await?;
            Ok(Arc::new(store))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_location_form() {
        let dir = Path::new("/data");
        assert_eq!(
            StoreTarget::parse("", dir).unwrap(),
            StoreTarget::Sqlite("/data/ramal.sqlite3".into())
        );
        assert_eq!(
            StoreTarget::parse("calls.db", dir).unwrap(),
            StoreTarget::Sqlite("/data/calls.db".into())
        );
        assert_eq!(
            StoreTarget::parse("sqlite://calls.db", dir).unwrap(),
            StoreTarget::Sqlite("/data/calls.db".into())
        );
        assert_eq!(
            StoreTarget::parse("sqlite:///var/x.db", dir).unwrap(),
            StoreTarget::Sqlite("/var/x.db".into())
        );
        assert!(matches!(
            StoreTarget::parse("postgres://u:p@h/db", dir).unwrap(),
            StoreTarget::Postgres(_)
        ));
        assert!(StoreTarget::parse("sqlite::memory:", dir).is_err());
        assert!(StoreTarget::parse("mysql://h/db", dir).is_err());
    }

    #[test]
    fn postgres_connections_notice_a_vanished_server() {
        let url = PostgresUrl::new("postgres://u@h/db").unwrap();
        assert_eq!(
            url.expose(),
            "postgres://u@h/db?keepalives_idle=30&keepalives_interval=10&keepalives_retries=3&tcp_user_timeout=30"
        );
        let own =
            PostgresUrl::new("postgresql://u@h/db?sslmode=disable&tcp_user_timeout=0").unwrap();
        assert_eq!(
            own.expose(),
            "postgresql://u@h/db?sslmode=disable&tcp_user_timeout=0&keepalives_idle=30&keepalives_interval=10&keepalives_retries=3"
        );
        for url in [url.expose(), own.expose()] {
            url.parse::<tokio_postgres::Config>().expect(&url);
        }
    }

    #[test]
    fn postgres_passwords_never_print() {
        let url =
            PostgresUrl("postgres://ramal:s3cret@db.example:5432/ramal?sslmode=disable".into());
        assert_eq!(
            url.to_string(),
            "postgres://ramal:***@db.example:5432/ramal?sslmode=disable"
        );
        assert!(!format!("{url:?}").contains("s3cret"));
        assert_eq!(
            PostgresUrl("postgres://postgres@127.0.0.1/x".into()).redacted(),
            "postgres://postgres@127.0.0.1/x"
        );
    }
}
