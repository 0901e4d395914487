//! The recording pipeline's settings: sinks, retries, leases, Google Drive.
//!
//! Read by `load.rs` like every other section; the variables named here are checked against
//! `config/ramal.example.toml` by the same test.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use drive_uploader::{Credentials, FolderId, Hidden, ServiceAccountKey, UserRefreshToken};
use serde::Deserialize;

/// Where recordings are filed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SinkKind {
    /// `<data dir>/recordings/YYYY/MM/DD/` (the default).
    Local,
    /// A Google Drive folder.
    Drive,
}

impl SinkKind {
    /// The name used in `RAMAL_RECORDING_SINKS` and as the copy's key in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            SinkKind::Local => recording_sink::LocalFolderSink::NAME,
            SinkKind::Drive => drive_uploader::DriveSink::NAME,
        }
    }
}

/// The recording pipeline.
#[derive(Debug, Clone)]
pub struct RecordingsConfig {
    /// Sinks every recording is filed in, local first (`RAMAL_RECORDING_SINKS`, default `local`).
    pub sinks: Vec<SinkKind>,
    /// Whether this instance runs the filing worker (`RAMAL_RECORDING_WORKER`, default true).
    /// Any number of instances may run one on PostgreSQL; turn it off to keep an instance to
    /// web traffic only.
    pub worker: bool,
    /// Attempts before a job is dead (`RAMAL_RECORDING_MAX_ATTEMPTS`, default 8).
    pub max_attempts: u32,
    /// Wait after the first failure, doubled each time (`RAMAL_RECORDING_BACKOFF_BASE`, 30s).
    pub backoff_base: Duration,
    /// Longest wait between attempts (`RAMAL_RECORDING_BACKOFF_MAX`, 1h).
    pub backoff_max: Duration,
    /// How long a worker owns a job it claimed (`RAMAL_RECORDING_LEASE`, 15m): after that, if
    /// the worker died, another takes the job over. Long enough for a 50 MB recording on a slow
    /// link.
    pub lease: Duration,
    /// How often an idle worker looks for due jobs (`RAMAL_RECORDING_POLL_INTERVAL`, 5s); jobs
    /// enqueued by this instance wake it at once.
    pub poll_interval: Duration,
    /// Jobs one worker runs at once (`RAMAL_RECORDING_CONCURRENCY`, default 2).
    pub concurrency: u32,
    /// Delete the recording from Twilio once every sink holds it (`RAMAL_DELETE_FROM_TWILIO`,
    /// default false).
    pub delete_from_twilio: bool,
    /// Google Drive, when `drive` is among the sinks.
    pub drive: Option<DriveConfig>,
}

/// Google Drive settings.
#[derive(Debug, Clone)]
pub struct DriveConfig {
    /// Folder id (`RAMAL_DRIVE_FOLDER_ID`).
    pub folder: FolderId,
    /// Service account key or user refresh token.
    pub credentials: Credentials,
    /// API base (`RAMAL_DRIVE_API_BASE`, default `https://www.googleapis.com`).
    pub api_base: String,
}

/// A duration written as `30s`, `500ms`, `15m`, `1h` or a plain number of seconds.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(super) enum FileDuration {
    Seconds(u64),
    Text(String),
}

impl FileDuration {
    fn text(self) -> String {
        match self {
            FileDuration::Seconds(n) => n.to_string(),
            FileDuration::Text(t) => t,
        }
    }
}

/// `[recordings]` of the configuration file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileRecordings {
    sinks: Option<Vec<String>>,
    worker: Option<bool>,
    max_attempts: Option<u32>,
    backoff_base: Option<FileDuration>,
    backoff_max: Option<FileDuration>,
    lease: Option<FileDuration>,
    poll_interval: Option<FileDuration>,
    concurrency: Option<u32>,
    delete_from_twilio: Option<bool>,
}

/// `[drive]` of the configuration file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileDrive {
    folder_id: Option<String>,
    key_file: Option<String>,
    impersonate: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    refresh_token: Option<String>,
    token_uri: Option<String>,
    api_base: Option<String>,
}

/// Parses `30s`, `250ms`, `15m`, `2h` or plain seconds.
pub fn parse_duration(raw: &str) -> Option<Duration> {
    let raw = raw.trim();
    let split = raw
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(raw.len());
    let (number, unit) = raw.split_at(split);
    let value: f64 = number.parse().ok()?;
    let secs = match unit.trim() {
        "" | "s" => value,
        "ms" => value / 1000.0,
        "m" | "min" => value * 60.0,
        "h" => value * 3600.0,
        _ => return None,
    };
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs))
}

/// Reads the section from the environment (which wins) and the file, reporting problems.
pub(super) fn read(
    env: &HashMap<String, String>,
    file: FileRecordings,
    drive: FileDrive,
    problems: &mut Vec<String>,
) -> RecordingsConfig {
    let pick = |name: &str, file: Option<String>| -> Option<String> {
        env.get(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .or(file.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty()))
    };
    let mut number =
        |name: &str, file: Option<u32>, default: u32, range: std::ops::RangeInclusive<u32>| {
            match pick(name, file.map(|v| v.to_string())) {
                None => default,
                Some(raw) => match raw.parse::<u32>() {
                    Ok(n) if range.contains(&n) => n,
                    _ => {
                        problems.push(format!(
                            "{name}: {raw:?} is not a whole number from {} to {}",
                            range.start(),
                            range.end()
                        ));
                        default
                    }
                },
            }
        };
    let max_attempts = number(
        "RAMAL_RECORDING_MAX_ATTEMPTS",
        file.max_attempts,
        8,
        1..=100,
    );
    let concurrency = number("RAMAL_RECORDING_CONCURRENCY", file.concurrency, 2, 1..=64);

    let mut duration = |name: &str, file: Option<FileDuration>, default: Duration| match pick(
        name,
        file.map(FileDuration::text),
    ) {
        None => default,
        Some(raw) => parse_duration(&raw).unwrap_or_else(|| {
            problems.push(format!(
                "{name}: {raw:?} is not a duration; write e.g. 30s, 500ms, 15m or 1h"
            ));
            default
        }),
    };
    let backoff_base = duration(
        "RAMAL_RECORDING_BACKOFF_BASE",
        file.backoff_base,
        Duration::from_secs(30),
    );
    let backoff_max = duration(
        "RAMAL_RECORDING_BACKOFF_MAX",
        file.backoff_max,
        Duration::from_secs(3600),
    );
    let lease = duration(
        "RAMAL_RECORDING_LEASE",
        file.lease,
        Duration::from_secs(900),
    );
    let poll_interval = duration(
        "RAMAL_RECORDING_POLL_INTERVAL",
        file.poll_interval,
        Duration::from_secs(5),
    );
    if backoff_max < backoff_base {
        problems.push(
            "RAMAL_RECORDING_BACKOFF_MAX is shorter than RAMAL_RECORDING_BACKOFF_BASE".into(),
        );
    }
    if lease < Duration::from_secs(1) {
        problems.push(
            "RAMAL_RECORDING_LEASE must be at least 1s (15m suits 50 MB recordings on slow links)"
                .into(),
        );
    }

    let mut flag = |name: &str, file: Option<bool>, default: bool| match pick(
        name,
        file.map(|b| b.to_string()),
    ) {
        None => default,
        Some(raw) => raw.parse().unwrap_or_else(|_| {
            problems.push(format!("{name}: {raw:?} is not true or false"));
            default
        }),
    };
    let worker = flag("RAMAL_RECORDING_WORKER", file.worker, true);
    let delete_from_twilio = flag("RAMAL_DELETE_FROM_TWILIO", file.delete_from_twilio, false);

    let listed: Vec<String> = match env
        .get("RAMAL_RECORDING_SINKS")
        .filter(|v| !v.trim().is_empty())
    {
        Some(list) => list
            .split(',')
            .map(|s| s.trim().to_ascii_lowercase())
            .filter(|s| !s.is_empty())
            .collect(),
        None => file.sinks.unwrap_or_else(|| vec!["local".into()]),
    };
    let mut sinks = Vec::new();
    for name in &listed {
        let kind = match name.as_str() {
            "local" => SinkKind::Local,
            "drive" => SinkKind::Drive,
            other => {
                problems.push(format!("RAMAL_RECORDING_SINKS: {other:?} is not a sink; use local, drive or local,drive"));
                continue;
            }
        };
        if !sinks.contains(&kind) {
            sinks.push(kind);
        }
    }
    // The local copy, when there is one, is filed first: the other sinks then read it instead
    // of downloading from Twilio again.
    sinks.sort_by_key(|k| *k != SinkKind::Local);
    if sinks.is_empty() && listed.is_empty() {
        problems.push("RAMAL_RECORDING_SINKS is empty: name at least one of local, drive".into());
    }

    let drive = if sinks.contains(&SinkKind::Drive) {
        read_drive(&pick, drive, problems)
    } else {
        None
    };
    RecordingsConfig {
        sinks,
        worker,
        max_attempts,
        backoff_base,
        backoff_max,
        lease,
        poll_interval,
        concurrency,
        delete_from_twilio,
        drive,
    }
}

fn read_drive(
    pick: &dyn Fn(&str, Option<String>) -> Option<String>,
    f: FileDrive,
    problems: &mut Vec<String>,
) -> Option<DriveConfig> {
    let folder = match pick("RAMAL_DRIVE_FOLDER_ID", f.folder_id) {
        None => {
            problems.push("RAMAL_DRIVE_FOLDER_ID is required with the drive sink: the last part of the folder's URL (a folder in a shared drive for a service account)".into());
            None
        }
        Some(raw) => match FolderId::parse(&raw) {
            Ok(folder) => Some(folder),
            Err(e) => {
                problems.push(format!("RAMAL_DRIVE_FOLDER_ID: {e}"));
                None
            }
        },
    };
    let key_file = pick("RAMAL_DRIVE_KEY_FILE", f.key_file);
    let impersonate = pick("RAMAL_DRIVE_IMPERSONATE", f.impersonate);
    let client_id = pick("RAMAL_DRIVE_CLIENT_ID", f.client_id);
    let client_secret = pick("RAMAL_DRIVE_CLIENT_SECRET", f.client_secret);
    let refresh_token = pick("RAMAL_DRIVE_REFRESH_TOKEN", f.refresh_token);
    let token_uri = pick("RAMAL_DRIVE_TOKEN_URI", f.token_uri)
        .unwrap_or_else(|| drive_uploader::DEFAULT_TOKEN_URI.to_owned());
    let api_base = pick("RAMAL_DRIVE_API_BASE", f.api_base)
        .unwrap_or_else(|| drive_uploader::DEFAULT_API_BASE.to_owned());
    if !(api_base.starts_with("https://") || api_base.starts_with("http://")) {
        problems.push(format!(
            "RAMAL_DRIVE_API_BASE: {api_base:?} must be an http(s) URL"
        ));
    }
    let user = [&client_id, &client_secret, &refresh_token];
    let credentials = match (key_file, user.iter().any(|v| v.is_some())) {
        (Some(_), true) => {
            problems.push("Google Drive: set either RAMAL_DRIVE_KEY_FILE (service account) or RAMAL_DRIVE_CLIENT_ID, RAMAL_DRIVE_CLIENT_SECRET and RAMAL_DRIVE_REFRESH_TOKEN (a user's grant), not both".into());
            None
        }
        (Some(path), false) => match ServiceAccountKey::from_file(&PathBuf::from(&path)) {
            Ok(key) => Some(Credentials::ServiceAccount {
                key,
                subject: impersonate,
            }),
            Err(e) => {
                problems.push(format!("RAMAL_DRIVE_KEY_FILE: {e}"));
                None
            }
        },
        (None, true) => match (client_id, client_secret, refresh_token) {
            (Some(client_id), Some(secret), Some(refresh)) => {
                Some(Credentials::User(UserRefreshToken {
                    client_id,
                    client_secret: Hidden::new(secret),
                    refresh_token: Hidden::new(refresh),
                    token_uri,
                }))
            }
            _ => {
                problems.push("Google Drive with a user's grant needs all of RAMAL_DRIVE_CLIENT_ID, RAMAL_DRIVE_CLIENT_SECRET and RAMAL_DRIVE_REFRESH_TOKEN".into());
                None
            }
        },
        (None, false) => {
            problems.push("the drive sink needs credentials: RAMAL_DRIVE_KEY_FILE (a service account key, JSON) or RAMAL_DRIVE_CLIENT_ID, RAMAL_DRIVE_CLIENT_SECRET and RAMAL_DRIVE_REFRESH_TOKEN".into());
            None
        }
    };
    Some(DriveConfig {
        folder: folder?,
        credentials: credentials?,
        api_base,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_env(pairs: &[(&str, &str)]) -> (RecordingsConfig, Vec<String>) {
        let env = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let mut problems = Vec::new();
        let c = read(
            &env,
            FileRecordings::default(),
            FileDrive::default(),
            &mut problems,
        );
        (c, problems)
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30s"), Some(Duration::from_secs(30)));
        assert_eq!(parse_duration("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(parse_duration("15m"), Some(Duration::from_secs(900)));
        assert_eq!(parse_duration("2h"), Some(Duration::from_secs(7200)));
        assert_eq!(parse_duration("12"), Some(Duration::from_secs(12)));
        assert_eq!(parse_duration("0.05"), Some(Duration::from_millis(50)));
        for bad in ["", "s", "10 parsecs", "-1s", "1e9999"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn defaults_file_locally() {
        let (c, problems) = read_env(&[]);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(c.sinks, [SinkKind::Local]);
        assert_eq!(c.max_attempts, 8);
        assert!(c.worker && !c.delete_from_twilio && c.drive.is_none());
    }

    #[test]
    fn drive_needs_a_folder_and_one_kind_of_credentials() {
        let (c, problems) = read_env(&[("RAMAL_RECORDING_SINKS", "drive, local")]);
        assert_eq!(c.sinks, [SinkKind::Local, SinkKind::Drive], "local first");
        assert_eq!(problems.len(), 2, "{problems:?}");
        let (_, problems) = read_env(&[
            ("RAMAL_RECORDING_SINKS", "drive"),
            ("RAMAL_DRIVE_FOLDER_ID", "folder"),
            ("RAMAL_DRIVE_KEY_FILE", "/nonexistent.json"),
            ("RAMAL_DRIVE_CLIENT_ID", "x"),
        ]);
        assert!(
            problems.iter().any(|p| p.contains("not both")),
            "{problems:?}"
        );
        let (c, problems) = read_env(&[
            ("RAMAL_RECORDING_SINKS", "drive"),
            ("RAMAL_DRIVE_FOLDER_ID", "folder"),
            ("RAMAL_DRIVE_CLIENT_ID", "id"),
            ("RAMAL_DRIVE_CLIENT_SECRET", "secret"),
            ("RAMAL_DRIVE_REFRESH_TOKEN", "refresh"),
        ]);
        assert!(problems.is_empty(), "{problems:?}");
        assert!(matches!(c.drive.unwrap().credentials, Credentials::User(_)));
    }

    #[test]
    fn bad_values_are_reported() {
        let (_, problems) = read_env(&[
            ("RAMAL_RECORDING_SINKS", "local,s3"),
            ("RAMAL_RECORDING_MAX_ATTEMPTS", "0"),
            ("RAMAL_RECORDING_BACKOFF_BASE", "soon"),
            ("RAMAL_DELETE_FROM_TWILIO", "maybe"),
        ]);
        assert_eq!(problems.len(), 4, "{problems:?}");
    }
}
