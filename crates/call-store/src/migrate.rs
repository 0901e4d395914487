//! Embedded migrations: applied on open, and on demand for `ramal migrate` / `ramal doctor`.

use std::collections::BTreeSet;
use std::path::PathBuf;

use diesel::Connection;
use diesel::connection::SimpleConnection;
use diesel::migration::MigrationSource;
use diesel::pg::Pg;
use diesel::sqlite::{Sqlite, SqliteConnection};
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::config::StoreTarget;
use crate::error::{StoreError, db, migration_error};
use crate::model::MigrationStatus;

/// SQLite migrations (`migrations/sqlite` at the workspace root).
pub(crate) const SQLITE_MIGRATIONS: EmbeddedMigrations =
    embed_migrations!("../../migrations/sqlite");
/// PostgreSQL migrations (`migrations/postgres` at the workspace root).
pub(crate) const POSTGRES_MIGRATIONS: EmbeddedMigrations =
    embed_migrations!("../../migrations/postgres");

/// How long connecting for a migration may take: an unreachable host would otherwise hang
/// `ramal migrate` (or the server's start) for the TCP timeout, minutes.
const MIGRATION_CONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Session-level advisory lock key held while migrating PostgreSQL, so instances starting
/// together do not run the same migration twice ("ramal" in ASCII).
const PG_MIGRATION_LOCK: i64 = 0x72_61_6d_61_6c;

/// What to do with the migrations.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Action {
    /// Apply every pending migration.
    Run,
    /// Report applied and pending migrations.
    Status,
    /// Revert this many of the latest migrations.
    Revert(usize),
}

/// The result of an [`Action`].
#[derive(Debug)]
pub(crate) enum Outcome {
    /// Versions applied or reverted.
    Versions(Vec<String>),
    /// The status.
    Status(MigrationStatus),
}

impl Outcome {
    fn versions(self) -> Vec<String> {
        match self {
            Outcome::Versions(v) => v,
            Outcome::Status(s) => s.applied,
        }
    }

    pub(crate) fn status(self) -> Result<MigrationStatus, StoreError> {
        match self {
            Outcome::Status(s) => Ok(s),
            Outcome::Versions(_) => Err(StoreError::Migration("expected a status".into())),
        }
    }
}

fn run<DB, C>(
    conn: &mut C,
    source: impl Fn() -> EmbeddedMigrations,
    action: Action,
) -> Result<Outcome, StoreError>
where
    DB: diesel::backend::Backend,
    C: MigrationHarness<DB>,
    EmbeddedMigrations: MigrationSource<DB>,
{
    match action {
        Action::Run => conn
            .run_pending_migrations(source())
            .map(|versions| Outcome::Versions(versions.iter().map(ToString::to_string).collect()))
            .map_err(migration_error),
        Action::Revert(count) => {
            let mut reverted = Vec::new();
            for _ in 0..count {
                if conn
                    .applied_migrations()
                    .map_err(migration_error)?
                    .is_empty()
                {
                    break;
                }
                let version = conn
                    .revert_last_migration(source())
                    .map_err(migration_error)?;
                reverted.push(version.to_string());
            }
            Ok(Outcome::Versions(reverted))
        }
        Action::Status => {
            let mut applied: Vec<String> = conn
                .applied_migrations()
                .map_err(migration_error)?
                .iter()
                .map(ToString::to_string)
                .collect();
            applied.sort();
            let embedded: Vec<String> = MigrationSource::<DB>::migrations(&source())
                .map_err(migration_error)?
                .iter()
                .map(|m| m.name().version().to_string())
                .collect();
            let applied_set: BTreeSet<&String> = applied.iter().collect();
            let embedded_set: BTreeSet<&String> = embedded.iter().collect();
            Ok(Outcome::Status(MigrationStatus {
                pending: embedded
                    .iter()
                    .filter(|v| !applied_set.contains(v))
                    .cloned()
                    .collect(),
                unknown: applied
                    .iter()
                    .filter(|v| !embedded_set.contains(v))
                    .cloned()
                    .collect(),
                applied,
            }))
        }
    }
}

/// Runs `action` with a plain (blocking) SQLite connection.
pub(crate) fn sqlite_blocking(
    conn: &mut SqliteConnection,
    action: Action,
) -> Result<Outcome, StoreError> {
    run::<Sqlite, _>(conn, || SQLITE_MIGRATIONS, action)
}

/// Runs `action` on PostgreSQL over a dedicated connection (no pool timeouts: a migration
/// on a large table may take long), holding an advisory lock so instances starting
/// together migrate one at a time.
pub(crate) async fn postgres(url: &str, action: Action) -> Result<Outcome, StoreError> {
    let connecting = AsyncPgConnection::establish(url);
    let conn = tokio::time::timeout(MIGRATION_CONNECT_TIMEOUT, connecting)
        .await
        .map_err(|_| {
            StoreError::Pool(format!(
                "connecting to PostgreSQL took more than {} s",
                MIGRATION_CONNECT_TIMEOUT.as_secs()
            ))
        })?
        .map_err(|source| StoreError::Connect {
            backend: "postgres",
            source,
        })?;
    // diesel's migration harness is synchronous: run it on a blocking thread through the
    // async-to-sync wrapper. Unlike AsyncMigrationHarness (block_in_place), this also
    // works on a current-thread runtime.
    tokio::task::spawn_blocking(move || {
        let mut conn: AsyncConnectionWrapper<AsyncPgConnection> =
            AsyncConnectionWrapper::from(conn);
        conn.batch_execute(&format!("SELECT pg_advisory_lock({PG_MIGRATION_LOCK})"))
            .map_err(db("taking the migration lock"))?;
        let outcome = run::<Pg, _>(&mut conn, || POSTGRES_MIGRATIONS, action);
        let unlocked =
            conn.batch_execute(&format!("SELECT pg_advisory_unlock({PG_MIGRATION_LOCK})"));
        let outcome = outcome?;
        unlocked.map_err(db("releasing the migration lock"))?;
        Ok(outcome)
    })
    .await
    .map_err(|e| StoreError::Migration(format!("migration task failed: {e}")))?
}

async fn sqlite(path: PathBuf, action: Action) -> Result<Outcome, StoreError> {
    crate::config::prepare_sqlite_dir(&path)?;
    tokio::task::spawn_blocking(move || {
        let url = path.to_string_lossy().into_owned();
        let mut conn = SqliteConnection::establish(&url).map_err(|source| StoreError::Connect {
            backend: "sqlite",
            source,
        })?;
        crate::db::sqlite::configure(&mut conn).map_err(db("configuring SQLite"))?;
        sqlite_blocking(&mut conn, action)
    })
    .await
    .map_err(|e| StoreError::Migration(format!("migration task failed: {e}")))?
}

async fn perform(target: &StoreTarget, action: Action) -> Result<Outcome, StoreError> {
    match target {
        StoreTarget::Sqlite(path) => sqlite(path.clone(), action).await,
        StoreTarget::Postgres(url) => postgres(&url.expose(), action).await,
    }
}

/// Applies every pending migration (what `ramal migrate` does; opening a store does it
/// too). Returns the versions applied now.
pub async fn migrate(target: &StoreTarget) -> Result<Vec<String>, StoreError> {
    Ok(perform(target, Action::Run).await?.versions())
}

/// Which migrations are applied and pending, without changing anything.
pub async fn migration_status(target: &StoreTarget) -> Result<MigrationStatus, StoreError> {
    perform(target, Action::Status).await?.status()
}

/// Reverts the `count` most recent migrations (to roll back a release). Returns the
/// versions reverted, newest first. Reverting drops the tables those migrations created,
/// with their data.
pub async fn revert_migrations(
    target: &StoreTarget,
    count: usize,
) -> Result<Vec<String>, StoreError> {
    Ok(perform(target, Action::Revert(count)).await?.versions())
}
