//! The data directory and the database: permissions, reachability, migrations, agents.

use std::path::Path;

use access_token::Identity;
use call_store::StoreTarget;

use super::report::Report;
use crate::config::{Config, SinkKind};
use crate::recordings::RECORDINGS_DIR;

/// What the data directory holds that must stay private.
const SESSION_KEY_FILE: &str = "session.key";

/// Checks the data directory: it exists or can be created, Ramal can write to it, and other
/// users cannot read the session key and recordings in it.
pub(super) fn data_dir(config: &Config, report: &mut Report) {
    let dir = &config.data_dir;
    match std::fs::metadata(dir) {
        Ok(meta) if !meta.is_dir() => {
            report.problem(
                "data",
                format!(
                    "RAMAL_DATA_DIR {} is a file, not a directory",
                    dir.display()
                ),
                "point RAMAL_DATA_DIR at a directory (e.g. /var/lib/ramal)",
            );
            return;
        }
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            match nearest_existing(dir) {
                Some(parent) if writable(parent) => report.ok(
                    "data",
                    format!(
                        "{} does not exist yet; ramal creates it at start (inside {}, writable)",
                        dir.display(),
                        parent.display()
                    ),
                ),
                Some(parent) => report.problem(
                    "data",
                    format!(
                        "{} does not exist and {} is not writable by this user, so ramal cannot create it",
                        dir.display(),
                        parent.display()
                    ),
                    "create it and give it to the user ramal runs as (systemd: StateDirectory=ramal)",
                ),
                None => report.problem(
                    "data",
                    format!("{} cannot be created: no parent directory exists", dir.display()),
                    "set RAMAL_DATA_DIR to a path on an existing file system",
                ),
            }
            return;
        }
        Err(e) => {
            report.problem(
                "data",
                format!("cannot read {}: {e}", dir.display()),
                "give the user ramal runs as access to RAMAL_DATA_DIR",
            );
            return;
        }
    }
    if writable(dir) {
        report.ok("data", format!("{} exists and is writable", dir.display()));
    } else {
        report.problem(
            "data",
            format!("{} is not writable by this user", dir.display()),
            "chown it to the user ramal runs as",
        );
    }
    private_modes(dir, report);
    if config.recordings.sinks.contains(&SinkKind::Local) {
        let recordings = dir.join(RECORDINGS_DIR);
        if recordings.exists() && !writable(&recordings) {
            report.problem(
                "data",
                format!(
                    "{} is not writable: recordings cannot be filed",
                    recordings.display()
                ),
                "chown it to the user ramal runs as",
            );
        }
    }
}

#[cfg(unix)]
fn private_modes(dir: &Path, report: &mut Report) {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = |p: &Path| {
        std::fs::metadata(p)
            .ok()
            .map(|m| m.permissions().mode() & 0o777)
    };
    if let Some(m) = mode(dir).filter(|m| m & 0o007 != 0) {
        report.warn(
            "data",
            format!(
                "{} is open to every user (mode {m:o}): it holds recordings and the session key",
                dir.display()
            ),
            format!("chmod 750 {}", dir.display()),
        );
    }
    let key = dir.join(SESSION_KEY_FILE);
    if let Some(m) = mode(&key).filter(|m| m & 0o077 != 0) {
        report.problem(
            "data",
            format!(
                "{} can be read by other users (mode {m:o}): whoever reads it can forge logins",
                key.display()
            ),
            format!("chmod 600 {}", key.display()),
        );
    }
}

#[cfg(not(unix))]
fn private_modes(_dir: &Path, _report: &mut Report) {}

fn nearest_existing(path: &Path) -> Option<&Path> {
    let mut current = path.parent();
    while let Some(p) = current {
        // An empty parent is the current directory of a relative path.
        let candidate = if p.as_os_str().is_empty() {
            Path::new(".")
        } else {
            p
        };
        if candidate.is_dir() {
            return Some(candidate);
        }
        current = p.parent();
    }
    None
}

/// Whether this process can create a file in `dir` (the only reliable test: modes, ACLs,
/// read-only mounts and systemd sandboxing all matter).
fn writable(dir: &Path) -> bool {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let probe = dir.join(format!(".ramal-doctor-{}-{nanos}", std::process::id()));
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
    {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            true
        }
        Err(_) => false,
    }
}

/// Checks the database: reachable, migrations in step with this binary, tables as declared,
/// agents whose Twilio identity is valid. With `fix`, applies pending migrations.
pub(super) async fn database(config: &Config, fix: bool, report: &mut Report) {
    let target = match StoreTarget::parse(&config.database_url, &config.data_dir) {
        Ok(t) => t,
        Err(e) => {
            report.problem(
                "database",
                format!("RAMAL_DATABASE_URL: {e}"),
                "use sqlite://path/to/ramal.db or postgres://user@host/db",
            );
            return;
        }
    };
    let shown = match &target {
        StoreTarget::Sqlite(path) => {
            if !path.exists() {
                report.ok(
                    "database",
                    format!(
                        "no SQLite database at {} yet: ramal creates and migrates it at start",
                        path.display()
                    ),
                );
                return;
            }
            format!("SQLite {}", path.display())
        }
        StoreTarget::Postgres(url) => format!("PostgreSQL {url}"),
    };
    let status = match call_store::migration_status(&target).await {
        Ok(s) => s,
        Err(e) => {
            report.problem(
                "database",
                format!("cannot read {shown}: {e}"),
                "check RAMAL_DATABASE_URL, that the server runs and that this user may connect",
            );
            return;
        }
    };
    report.ok("database", format!("{shown} answers"));
    if !status.unknown.is_empty() {
        report.problem(
            "database",
            format!(
                "the database has migrations this binary does not know ({}): a newer ramal migrated it",
                status.unknown.join(", ")
            ),
            "run the newer ramal, or restore a backup taken before the upgrade",
        );
        return;
    }
    if !status.pending.is_empty() {
        if fix {
            match call_store::migrate(&target).await {
                Ok(applied) => report.fixed(
                    "database",
                    format!("applied {} pending migration(s)", applied.len()),
                ),
                Err(e) => {
                    report.problem(
                        "database",
                        format!("migrating failed: {e}"),
                        "run `ramal migrate` and read its error",
                    );
                    return;
                }
            }
        } else {
            report.warn(
                "database",
                format!(
                    "{} migration(s) pending ({}): applied when ramal starts",
                    status.pending.len(),
                    status.pending.join(", ")
                ),
                "run `ramal migrate` (or `ramal doctor --fix`) to apply them now",
            );
            return;
        }
    } else {
        report.ok(
            "database",
            format!("schema is current ({} migrations)", status.applied.len()),
        );
    }
    // Opening runs no migration now that none is pending.
    let store = match call_store::open(&config.database_url, &config.data_dir).await {
        Ok(s) => s,
        Err(e) => {
            report.problem(
                "database",
                format!("cannot open {shown}: {e}"),
                "check RAMAL_DATABASE_URL",
            );
            return;
        }
    };
    match store.schema_drift().await {
        Ok(drift) if drift.is_empty() => {}
        Ok(drift) => {
            for d in drift {
                report.problem(
                    "database",
                    format!(
                        "table {} differs from this binary's schema (missing columns: [{}], extra: [{}])",
                        d.table,
                        d.missing.join(", "),
                        d.extra.join(", ")
                    ),
                    "undo the manual change, or restore a backup",
                );
            }
        }
        Err(e) => report.problem(
            "database",
            format!("cannot compare the schema: {e}"),
            "check the database user's rights",
        ),
    }
    agents(store.as_ref(), report).await;
}

/// Agents whose identity Twilio would refuse in an Access Token (seed problem 9.3: accents,
/// spaces, dots), and whether anyone can log in at all.
async fn agents(store: &dyn call_store::CallStore, report: &mut Report) {
    let agents = match store.list_agents().await {
        Ok(a) => a,
        Err(e) => {
            report.problem(
                "agents",
                format!(
                    "cannot read the agents: {e} (an identity with accents or spaces breaks tokens, seed problem 9.3)"
                ),
                "correct the row by hand: identities are letters, digits and _ only (Álefe Lins -> Alefe_Lins)",
            );
            return;
        }
    };
    let mut valid = 0;
    for agent in &agents {
        match Identity::new(agent.identity.as_str()) {
            Ok(_) => valid += 1,
            Err(e) => report.problem(
                "agents",
                format!(
                    "agent {:?} has the identity {:?}, which Twilio refuses in tokens ({e}; \"JWT is invalid\", seed problem 9.3)",
                    agent.username,
                    agent.identity.as_str()
                ),
                format!(
                    "disable it (`ramal agent disable {}`) and add it again: `ramal agent add` derives a valid identity ({:?})",
                    agent.username,
                    Identity::from_display_name(agent.identity.as_str()).as_str()
                ),
            ),
        }
    }
    if agents.is_empty() {
        report.warn(
            "agents",
            "no agent yet: nobody can log in",
            "ramal agent add admin --name \"Your Name\" --admin",
        );
    } else if valid == agents.len() {
        let admins = agents
            .iter()
            .filter(|a| a.active && a.role == call_store::model::AgentRole::Admin)
            .count();
        report.ok(
            "agents",
            format!(
                "{} agent(s), {admins} active administrator(s), every identity valid for Twilio",
                agents.len()
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_existing_parent_is_found() {
        let dir = tempfile::tempdir().unwrap();
        let deep = dir.path().join("a/b/c");
        assert_eq!(nearest_existing(&deep), Some(dir.path()));
        assert_eq!(nearest_existing(Path::new("data")), Some(Path::new(".")));
        assert!(writable(dir.path()));
        assert!(!writable(&deep), "a missing directory is not writable");
    }

    #[cfg(unix)]
    #[test]
    fn a_session_key_readable_by_others_is_a_problem() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let key = dir.path().join(SESSION_KEY_FILE);
        std::fs::write(&key, "k".repeat(40)).unwrap();
        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let mut report = Report::default();
        private_modes(dir.path(), &mut report);
        assert!(report.has_problems());
        let text = report.render();
        assert!(
            text.contains("chmod 600") && text.contains("chmod 750"),
            "{text}"
        );

        std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700)).unwrap();
        let mut report = Report::default();
        private_modes(dir.path(), &mut report);
        assert!(report.findings.is_empty(), "{report:?}");
    }
}
