//! Loading the configuration for the doctor, and the checks that need nothing but it.
//!
//! The doctor reuses the server's loader, so it judges exactly what `ramal serve` would run
//! with. When the loader refuses the configuration, its problems are reported and it is read
//! again without the variables they name, so the checks that do not depend on those variables
//! (database, data directory, ...) still run.

use std::collections::BTreeSet;

use access_token::{
    AccessToken, ApiKeySecret, Identity, OutgoingApplication, Ttl, VoiceGrant, decode_verified,
};

use super::report::Report;
use crate::config::{self, Config, SinkKind, Source};

/// The six variables of a Twilio account: a problem with one makes the account unusable.
const TWILIO_VARS: [&str; 7] = [
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
    "TWILIO_API_KEY_SID",
    "TWILIO_API_KEY_SECRET",
    "TWILIO_TWIML_APP_SID",
    "TWILIO_PHONE_NUMBER",
    "RAMAL_TWILIO_WEBHOOK_KEYS",
];

/// Reloads attempted after a refusal; each one drops every variable the last problems named.
const MAX_RELOADS: usize = 4;

/// The configuration the other checks run on.
#[derive(Debug)]
pub(super) struct Loaded {
    /// What the loader accepted (after dropping the variables with problems, if any).
    pub(super) config: Option<Config>,
    /// Environment variables dropped to get `config`: checks depending on them are skipped.
    dropped: BTreeSet<String>,
}

impl Loaded {
    /// Whether no variable matching one of `prefixes` (e.g. `TWILIO_`, `RAMAL_DATA_DIR`) had
    /// to be dropped, i.e. checks depending on them can trust `config`.
    pub(super) fn intact(&self, prefixes: &[&str]) -> bool {
        !self
            .dropped
            .iter()
            .any(|v| prefixes.iter().any(|p| v.starts_with(p)))
    }
}

/// Loads the configuration, reporting every problem the loader finds.
pub(super) fn load(source: &Source, report: &mut Report) -> Loaded {
    let from = match &source.file {
        Some(file) => format!("{} and the environment", file.display()),
        None => "the environment (no configuration file)".to_owned(),
    };
    let mut error = match config::load(source) {
        Ok(config) => {
            report.ok("config", format!("configuration read from {from} is valid"));
            return Loaded {
                config: Some(config),
                dropped: BTreeSet::new(),
            };
        }
        Err(e) => e,
    };
    for problem in &error.problems {
        report.problem_explained("config", problem.clone());
    }
    let mut env = source.env.clone();
    let mut dropped = BTreeSet::new();
    for _ in 0..MAX_RELOADS {
        let named: Vec<String> = error
            .problems
            .iter()
            .flat_map(|p| variables_named(p))
            .filter(|v| env.contains_key(v))
            .collect();
        if named.is_empty() {
            break; // the value comes from the file, or the problem names no variable
        }
        for var in named {
            for related in related_variables(&var, &env) {
                if env.remove(&related).is_some() {
                    dropped.insert(related);
                }
            }
        }
        let retry = Source {
            file: source.file.clone(),
            env: env.clone(),
        };
        match config::load(&retry) {
            Ok(config) => {
                report.skipped(
                    "config",
                    format!(
                        "the checks below ran without {}; checks that need them are skipped",
                        dropped.iter().cloned().collect::<Vec<_>>().join(", ")
                    ),
                );
                return Loaded {
                    config: Some(config),
                    dropped,
                };
            }
            Err(e) => error = e,
        }
    }
    report.skipped(
        "config",
        "every other check needs a configuration that loads: fix the problems above first",
    );
    Loaded {
        config: None,
        dropped,
    }
}

/// `RAMAL_*` and `TWILIO_*` words of a problem message.
fn variables_named(problem: &str) -> Vec<String> {
    problem
        .split(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
        .filter(|w| {
            (w.starts_with("RAMAL_") && w.len() > "RAMAL_".len())
                || (w.starts_with("TWILIO_") && w.len() > "TWILIO_".len())
        })
        .map(str::to_owned)
        .collect()
}

/// The variables that stop making sense without `var`: the whole Twilio account for one of
/// its values, the whole Drive setup (and the sink list naming it) for one of Drive's.
fn related_variables(var: &str, env: &std::collections::HashMap<String, String>) -> Vec<String> {
    if var.starts_with("TWILIO_") {
        return TWILIO_VARS.iter().map(|v| (*v).to_owned()).collect();
    }
    if var.starts_with("RAMAL_DRIVE_") || var == "RAMAL_RECORDING_SINKS" {
        let mut vars: Vec<String> = env
            .keys()
            .filter(|k| k.starts_with("RAMAL_DRIVE_"))
            .cloned()
            .collect();
        vars.push("RAMAL_RECORDING_SINKS".to_owned());
        return vars;
    }
    vec![var.to_owned()]
}

/// Checks of the loaded values that need no network: Twilio values and browser tokens,
/// recording settings, sessions, the embedded webphone.
pub(super) fn check(config: &Config, loaded: &Loaded, report: &mut Report) {
    if loaded.intact(&["TWILIO_"]) {
        twilio_values(config, report);
    }
    if loaded.intact(&["RAMAL_RECORDING", "RAMAL_DRIVE_"]) {
        recordings(config, report);
    }
    sessions(config, report);
    if crate::assets::built() {
        report.ok(
            "webphone",
            "the webphone is embedded: @twilio/voice-sdk 2.x with Access Tokens (the seed's SDK \
             1.14 capability tokens, problem 9.2, cannot happen)",
        );
    } else {
        report.warn(
            "webphone",
            "this binary has no webphone (frontend/dist was missing when it was compiled)",
            "run scripts/frontend-build, then build ramal again",
        );
    }
}

fn twilio_values(config: &Config, report: &mut Report) {
    let Some(t) = &config.twilio else {
        if config.demo {
            report.warn(
                "twilio",
                "no Twilio account configured: demo mode, calls are simulated",
                "set the six TWILIO_* variables for real calls",
            );
        } else {
            report.problem(
                "twilio",
                "no Twilio account configured and demo mode is off: browsers get no token and webhooks are refused",
                "set the six TWILIO_* variables, or RAMAL_DEMO=true to try Ramal",
            );
        }
        return;
    };
    report.ok(
        "twilio",
        format!(
            "TWILIO_ACCOUNT_SID {}, TWILIO_API_KEY_SID {}, TWILIO_TWIML_APP_SID {}: each holds its kind of SID",
            t.account_sid.as_str(),
            t.api_key_sid.as_str(),
            t.twiml_app_sid.as_str()
        ),
    );
    if t.api_key_secret.expose() == t.auth_token.expose() {
        report.problem(
            "twilio",
            "TWILIO_API_KEY_SECRET is the Auth Token: tokens signed with it are refused (\"JWT is invalid\", 31204)",
            "use the secret shown once when the API key was created (or create a new Standard key)",
        );
    } else {
        report.ok(
            "twilio",
            "TWILIO_AUTH_TOKEN and TWILIO_API_KEY_SECRET are 32 characters and distinct",
        );
    }
    report.ok(
        "twilio",
        format!(
            "TWILIO_PHONE_NUMBER {} is in E.164",
            t.phone_number.masked()
        ),
    );
    // The token the webphone gets, minted as the token route does, for a probe identity.
    let minted = ApiKeySecret::new(t.api_key_secret.expose())
        .map_err(|e| e.to_string())
        .and_then(|secret| {
            let ttl =
                Ttl::from_secs(u64::from(config.auth.token_ttl_secs)).map_err(|e| e.to_string())?;
            let identity = Identity::new("ramal_doctor").map_err(|e| e.to_string())?;
            let token = AccessToken::new(t.account_sid, t.api_key_sid, secret.clone())
                .identity(identity)
                .grant(
                    VoiceGrant::new()
                        .incoming_allow(true)
                        .outgoing(OutgoingApplication::new(t.twiml_app_sid)),
                )
                .ttl(ttl)
                .without_not_before()
                .mint()
                .map_err(|e| e.to_string())?;
            decode_verified(token.as_str(), &secret).map_err(|e| e.to_string())
        });
    match minted {
        Ok(decoded) => {
            let now = chrono::Utc::now().timestamp().max(0) as u64;
            let problems = decoded.problems_at(now);
            if problems.is_empty() {
                report.ok(
                    "token",
                    format!(
                        "browser tokens are Access Tokens with a Voice grant for {} living {} s",
                        t.twiml_app_sid.as_str(),
                        config.auth.token_ttl_secs
                    ),
                );
            }
            for p in problems {
                report.problem(
                    "token",
                    format!("browser tokens: {p}"),
                    "see RAMAL_TOKEN_TTL and the TWILIO_* values",
                );
            }
        }
        Err(e) => report.problem(
            "token",
            format!("cannot mint a browser token: {e}"),
            "check TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET",
        ),
    }
}

fn recordings(config: &Config, report: &mut Report) {
    let r = &config.recordings;
    if matches!(
        config.calls.recording,
        twiml_builder::DialRecord::DoNotRecord
    ) {
        report.warn(
            "record",
            "RAMAL_RECORDING=do-not-record: calls are not recorded",
            "set RAMAL_RECORDING=record-from-answer to record them",
        );
    }
    let sinks: Vec<&str> = r.sinks.iter().map(|s| s.as_str()).collect();
    report.ok(
        "record",
        format!(
            "recordings are filed to {} ({} attempts at most, {} at once)",
            sinks.join(" and "),
            r.max_attempts,
            r.concurrency
        ),
    );
    if !r.worker {
        report.warn(
            "record",
            "RAMAL_RECORDING_WORKER=false: this instance files no recording",
            "make sure another instance runs the worker, or recordings stay at Twilio",
        );
    }
    if r.delete_from_twilio
        && r.sinks == [SinkKind::Local]
        && config.database_url.starts_with("sqlite")
    {
        report.warn(
            "record",
            "RAMAL_DELETE_FROM_TWILIO=true with only a local copy: the data directory is then the only copy",
            "back the data directory up, or add the drive sink",
        );
    }
}

fn sessions(config: &Config, report: &mut Report) {
    let several_instances = config.database_url.starts_with("postgres");
    if config.auth.session_secret.is_none() && several_instances {
        report.warn(
            "auth",
            "RAMAL_SESSION_SECRET is not set: each instance signs sessions with its own key, so \
             logins only work on the instance that made them",
            "set the same RAMAL_SESSION_SECRET (`openssl rand -hex 32`) on every instance",
        );
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Source {
        Source {
            file: None,
            env: pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        }
    }

    #[test]
    fn names_are_read_from_problem_messages() {
        assert_eq!(
            variables_named(
                "TWILIO_ACCOUNT_SID: invalid Account SID (expected AC + 32 hex digits)"
            ),
            ["TWILIO_ACCOUNT_SID"]
        );
        assert_eq!(
            variables_named(
                "Google Drive: set either RAMAL_DRIVE_KEY_FILE (x) or RAMAL_DRIVE_CLIENT_ID, RAMAL_"
            ),
            ["RAMAL_DRIVE_KEY_FILE", "RAMAL_DRIVE_CLIENT_ID"]
        );
    }

    #[test]
    fn a_bad_sid_drops_the_account_and_keeps_the_rest() {
        let mut report = Report::default();
        let loaded = load(
            &env(&[
                ("TWILIO_ACCOUNT_SID", "SK0123456789abcdef0123456789abcdef"),
                ("TWILIO_AUTH_TOKEN", "0123456789abcdef0123456789abcdef"),
                ("TWILIO_API_KEY_SID", "SK0123456789abcdef0123456789abcdef"),
                ("TWILIO_API_KEY_SECRET", "abcdef0123456789abcdef0123456789"),
                ("TWILIO_TWIML_APP_SID", "AP0123456789abcdef0123456789abcdef"),
                ("TWILIO_PHONE_NUMBER", "+553123916801"),
                ("RAMAL_DATA_DIR", "/srv/ramal"),
            ]),
            &mut report,
        );
        assert!(report.has_problems());
        assert!(
            report.findings[0].message.contains("API Key SID"),
            "{report:?}"
        );
        let config = loaded
            .config
            .as_ref()
            .expect("reloaded without the Twilio values");
        assert_eq!(config.data_dir, std::path::PathBuf::from("/srv/ramal"));
        assert!(!loaded.intact(&["TWILIO_"]));
        assert!(loaded.intact(&["RAMAL_DATA_DIR", "RAMAL_DATABASE_URL"]));
    }

    #[test]
    fn a_broken_file_stops_everything() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ramal.toml");
        std::fs::write(&path, "[server]\nbnd = 1\n").unwrap();
        let mut report = Report::default();
        let loaded = load(
            &Source {
                file: Some(path),
                env: HashMap::new(),
            },
            &mut report,
        );
        assert!(loaded.config.is_none());
        assert!(report.render().contains("bnd"));
    }

    #[test]
    fn the_auth_token_as_key_secret_is_caught() {
        let mut report = Report::default();
        let loaded = load(
            &env(&[
                ("TWILIO_ACCOUNT_SID", "AC0123456789abcdef0123456789abcdef"),
                ("TWILIO_AUTH_TOKEN", "feedfacefeedfacefeedfacefeedface"),
                ("TWILIO_API_KEY_SID", "SK0123456789abcdef0123456789abcdef"),
                ("TWILIO_API_KEY_SECRET", "feedfacefeedfacefeedfacefeedface"),
                ("TWILIO_TWIML_APP_SID", "AP0123456789abcdef0123456789abcdef"),
                ("TWILIO_PHONE_NUMBER", "+553123916801"),
                ("RAMAL_PUBLIC_URL", "https://ramal.example.com"),
            ]),
            &mut report,
        );
        check(loaded.config.as_ref().unwrap(), &loaded, &mut report);
        super::super::public_url::check(loaded.config.as_ref().unwrap(), &mut report);
        let text = report.render();
        assert!(
            text.contains("TWILIO_API_KEY_SECRET is the Auth Token"),
            "{text}"
        );
        assert!(!text.contains("feedface"), "secret printed: {text}");
        assert!(
            !text.contains("+553123916801"),
            "full number printed: {text}"
        );
    }
}
