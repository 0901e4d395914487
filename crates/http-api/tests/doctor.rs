//! `ramal doctor` as an operator runs it: the real binary against the Twilio simulator's REST
//! API, one test per setup mistake of the seed guide's section 9 that can be detected, the
//! `--fix` round trip and a clean configuration. Every run also checks that no secret and no
//! full phone number is printed.

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use actix_web::{App, HttpResponse, HttpServer, web};
use diesel::{Connection as _, RunQueryDsl as _, SqliteConnection};
use drive_uploader::stand_in::GoogleStandIn;
use twilio_sim::{
    DEFAULT_ACCOUNT_SID, DEFAULT_API_KEY_SECRET, DEFAULT_API_KEY_SID, DEFAULT_APPLICATION_SID,
    DEFAULT_AUTH_TOKEN, DEFAULT_PHONE_NUMBER, SimConfig, Simulator, TWILIO_DEMO_VOICE_URL,
};

const RAMAL: &str = env!("CARGO_BIN_EXE_ramal");
/// A public URL nothing listens on: the reachability probe is refused at once.
const NOWHERE: &str = "http://127.0.0.1:1";

/// A command with a clean environment and a private data directory.
fn ramal(data: &Path) -> Command {
    let mut cmd = Command::new(RAMAL);
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("RAMAL_DATA_DIR", data)
        .env("RAMAL_LOG", "warn");
    cmd
}

fn add_agent(data: &Path, username: &str, name: &str) {
    let mut child = ramal(data)
        .args(["agent", "add", username, "--name", name, "--admin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "correct horse battery").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The simulator (Twilio), a data directory with one migrated database and an agent, and the
/// environment of a Twilio account pointing at the simulator.
struct Setup {
    rt: tokio::runtime::Runtime,
    sim: Simulator,
    data: tempfile::TempDir,
    public: String,
}

impl Setup {
    fn new(public: &str) -> Self {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let sim = rt.block_on(Simulator::start(SimConfig::default())).unwrap();
        let data = tempfile::tempdir().unwrap();
        add_agent(data.path(), "alefe", "Álefe Lins");
        Self {
            rt,
            sim,
            data,
            public: public.to_owned(),
        }
    }

    /// The app and the number as an operator who followed the README would have them.
    fn configure_twilio(&self) {
        let base = self.public.clone();
        self.sim.update_application(|a| {
            a.voice_url = Some(format!("{base}/api/twilio/voice"));
            a.status_callback = Some(format!("{base}/api/twilio/call-status"));
        });
        self.sim.update_phone_number(|n| {
            n.voice_url = Some(format!("{base}/api/twilio/voice-incoming"));
            n.status_callback = Some(format!("{base}/api/twilio/call-status"));
        });
    }

    /// Runs `ramal doctor <args>` with the account's environment plus `overrides`; returns the
    /// exit code and standard output.
    fn doctor(&self, overrides: &[(&str, &str)], args: &[&str]) -> (i32, String) {
        let mut cmd = ramal(self.data.path());
        cmd.arg("doctor")
            .args(args)
            .env("TWILIO_ACCOUNT_SID", DEFAULT_ACCOUNT_SID)
            .env("TWILIO_AUTH_TOKEN", DEFAULT_AUTH_TOKEN)
            .env("TWILIO_API_KEY_SID", DEFAULT_API_KEY_SID)
            .env("TWILIO_API_KEY_SECRET", DEFAULT_API_KEY_SECRET)
            .env("TWILIO_TWIML_APP_SID", DEFAULT_APPLICATION_SID)
            .env("TWILIO_PHONE_NUMBER", DEFAULT_PHONE_NUMBER)
            .env("RAMAL_TWILIO_API_BASE", self.sim.api_base_url())
            .env("RAMAL_PUBLIC_URL", &self.public);
        for (k, v) in overrides {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let mut secrets = vec![
            DEFAULT_AUTH_TOKEN,
            DEFAULT_API_KEY_SECRET,
            DEFAULT_PHONE_NUMBER,
        ];
        secrets.extend(
            overrides
                .iter()
                .filter(|(k, _)| k.contains("TOKEN") || k.contains("SECRET"))
                .map(|(_, v)| *v),
        );
        for secret in secrets {
            assert!(!stdout.contains(secret), "printed {secret:?}:\n{stdout}");
        }
        (out.status.code().unwrap_or(-1), stdout)
    }
}

fn problems(report: &str) -> Vec<&str> {
    report
        .lines()
        .filter(|l| l.starts_with("PROBLEM"))
        .collect()
}

fn has_line(report: &str, status: &str, words: &[&str]) -> bool {
    report
        .lines()
        .any(|l| l.starts_with(status) && words.iter().all(|w| l.contains(w)))
}

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `ramal serve` in demo mode on a free port, once it logs that it listens.
fn serve(data: &Path) -> Server {
    let mut child = ramal(data)
        .arg("serve")
        .env("RAMAL_LOG", "info")
        .env("RAMAL_BIND", "127.0.0.1:0")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let deadline = Instant::now() + Duration::from_secs(30);
    let port = loop {
        assert!(Instant::now() < deadline, "no listening line");
        let line = lines.next().expect("server exited early").unwrap();
        if let Some(rest) = line
            .split("port=")
            .nth(1)
            .filter(|_| line.contains("listening"))
        {
            break rest
                .split(|c: char| !c.is_ascii_digit())
                .next()
                .unwrap()
                .to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
    }
}

#[test]
fn a_clean_configuration_passes() {
    let server_data = tempfile::tempdir().unwrap();
    let server = serve(server_data.path());
    let setup = Setup::new(&server.base);
    setup.configure_twilio();
    let (code, report) = setup.doctor(&[], &[]);
    assert_eq!(code, 0, "{report}");
    assert!(problems(&report).is_empty(), "{report}");
    for (area, words) in [
        ("config", &["is valid"][..]),
        ("url", &["answers as Ramal"]),
        ("data", &["writable"]),
        ("database", &["schema is current"]),
        ("agents", &["every identity valid"]),
        ("twilio", &["Auth Token of account", "active"]),
        ("twilio", &["API key", "belongs to this account"]),
        (
            "twilio",
            &["TwiML App", "/api/twilio/voice", "/api/twilio/call-status"],
        ),
        ("twilio", &["number", "/api/twilio/voice-incoming"]),
        ("token", &["Voice grant"]),
    ] {
        let found = report.lines().any(|l| {
            l.starts_with("ok") && l.contains(area) && words.iter().all(|w| l.contains(w))
        });
        assert!(found, "no ok line for {area} {words:?}:\n{report}");
    }
    assert!(report.contains("no problem found"), "{report}");
}

/// Seed 3.5/9.1: the API key SID pasted into TWILIO_ACCOUNT_SID. The loader refuses the
/// configuration; the doctor says which SID is where and still checks the rest.
#[test]
fn an_api_key_sid_in_the_account_variable_is_named() {
    let setup = Setup::new(NOWHERE);
    let (code, report) = setup.doctor(&[("TWILIO_ACCOUNT_SID", DEFAULT_API_KEY_SID)], &[]);
    assert_eq!(code, 1, "{report}");
    assert!(
        has_line(
            &report,
            "PROBLEM",
            &[
                "TWILIO_ACCOUNT_SID",
                "Account SID",
                "API Key SID (starts with SK)"
            ]
        ),
        "{report}"
    );
    assert!(
        has_line(&report, "skipped", &["twilio", "REST checks"]),
        "{report}"
    );
    assert!(
        has_line(&report, "ok", &["database", "schema is current"]),
        "{report}"
    );
}

/// Seed 9.1, "JWT is invalid" (31204): the key's secret is wrong, so Twilio refuses the key.
#[test]
fn a_wrong_api_key_secret_is_the_jwt_is_invalid_error() {
    let setup = Setup::new(NOWHERE);
    setup.configure_twilio();
    let wrong = "WrongSecretWrongSecretWrongSecr1";
    let (code, report) = setup.doctor(&[("TWILIO_API_KEY_SECRET", wrong)], &[]);
    assert_eq!(code, 1, "{report}");
    assert!(
        has_line(
            &report,
            "PROBLEM",
            &["refused the API key", "31204", "9.1", "Standard key"]
        ),
        "{report}"
    );
    // The Auth Token still reads the app and the number, which are right.
    assert!(has_line(&report, "ok", &["TwiML App"]), "{report}");
    assert_eq!(problems(&report).len(), 1, "{report}");
}

/// Seed 9.1 again: a well-formed key made in another account (or region) signs tokens Twilio
/// refuses.
#[test]
fn an_api_key_of_another_account_is_caught() {
    let setup = Setup::new(NOWHERE);
    setup.configure_twilio();
    let (code, report) = setup.doctor(
        &[("TWILIO_API_KEY_SID", "SK00000000000000000000000000000001")],
        &[],
    );
    assert_eq!(code, 1, "{report}");
    assert!(
        has_line(
            &report,
            "PROBLEM",
            &["is not a key of account", "JWT is invalid"]
        ),
        "{report}"
    );
}

/// A wrong Auth Token: every webhook would fail the signature check.
#[test]
fn a_wrong_auth_token_would_refuse_every_webhook() {
    let setup = Setup::new(NOWHERE);
    setup.configure_twilio();
    let wrong = "00000000000000000000000000000000";
    let (code, report) = setup.doctor(&[("TWILIO_AUTH_TOKEN", wrong)], &[]);
    assert_eq!(code, 1, "{report}");
    assert!(
        has_line(
            &report,
            "PROBLEM",
            &["TWILIO_AUTH_TOKEN", "signature check (403)"]
        ),
        "{report}"
    );
}

/// Seed 9.3: identities with accents or dots in the database (an import, a hand edit) make
/// Twilio refuse the agent's tokens.
#[test]
fn agents_with_identities_twilio_refuses_are_named() {
    let setup = Setup::new(NOWHERE);
    setup.configure_twilio();
    let db = setup.data.path().join("ramal.db");
    let set_identity = |identity: &str| {
        let mut conn = SqliteConnection::establish(db.to_str().unwrap()).unwrap();
        diesel::sql_query(format!(
            "UPDATE agents SET identity = '{identity}' WHERE username = 'alefe'"
        ))
        .execute(&mut conn)
        .unwrap();
    };
    assert!(
        db.exists(),
        "the agent's database is where the doctor looks"
    );

    set_identity("alefe.lins");
    let (code, report) = setup.doctor(&[], &[]);
    assert_eq!(code, 1, "{report}");
    assert!(
        has_line(
            &report,
            "PROBLEM",
            &["agents", "\"alefe\"", "alefe.lins", "9.3", "alefe_lins"]
        ),
        "{report}"
    );

    set_identity("Álefe");
    let (code, report) = setup.doctor(&[], &[]);
    assert_eq!(code, 1, "{report}");
    assert!(
        has_line(
            &report,
            "PROBLEM",
            &["cannot read the agents", "identity", "9.3"]
        ),
        "{report}"
    );
}

/// Seed 9.8: a new number still on Twilio's demo URL answers callers in English.
#[test]
fn a_number_on_twilios_demo_url_is_caught() {
    let setup = Setup::new(NOWHERE);
    setup.configure_twilio();
    setup
        .sim
        .update_phone_number(|n| n.voice_url = Some(TWILIO_DEMO_VOICE_URL.to_owned()));
    let (code, report) = setup.doctor(&[], &[]);
    assert_eq!(code, 1, "{report}");
    assert!(
        has_line(
            &report,
            "PROBLEM",
            &["incoming-call URL", "demo URL", "English", "9.8", "--fix"]
        ),
        "{report}"
    );
    assert!(
        report.contains("+5511****1000"),
        "masked number shown: {report}"
    );
    assert_eq!(problems(&report).len(), 1, "{report}");
}

/// `--fix` points a fresh account (app without URL, number on the demo URL and handed to a
/// TwiML App) at this server; the doctor then finds nothing, and the simulator routes calls here.
#[test]
fn fix_points_the_app_and_the_number_here() {
    let setup = Setup::new(NOWHERE);
    setup.sim.update_phone_number(|n| {
        n.voice_application_sid = Some(DEFAULT_APPLICATION_SID.to_owned())
    });
    let (code, report) = setup.doctor(&[], &[]);
    assert_eq!(code, 1, "{report}");
    assert!(problems(&report).len() >= 4, "{report}");

    let (code, report) = setup.doctor(&[], &["--fix"]);
    assert_eq!(code, 0, "{report}");
    assert!(
        has_line(&report, "fixed", &["TwiML App", "voice URL is not set"]),
        "{report}"
    );
    assert!(
        has_line(&report, "fixed", &["number", "demo URL"]),
        "{report}"
    );
    assert!(
        has_line(&report, "fixed", &["VoiceApplicationSid cleared"]),
        "{report}"
    );

    let app = setup.sim.application();
    assert_eq!(
        app.voice_url.as_deref(),
        Some(format!("{NOWHERE}/api/twilio/voice").as_str())
    );
    assert_eq!(
        app.status_callback.as_deref(),
        Some(format!("{NOWHERE}/api/twilio/call-status").as_str())
    );
    let number = setup.sim.phone_number();
    assert_eq!(
        number.voice_url.as_deref(),
        Some(format!("{NOWHERE}/api/twilio/voice-incoming").as_str())
    );
    assert_eq!(
        number.status_callback.as_deref(),
        Some(format!("{NOWHERE}/api/twilio/call-status").as_str())
    );
    assert_eq!(number.voice_application_sid, None);
    let updates: Vec<_> = setup
        .sim
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST")
        .collect();
    assert_eq!(updates.len(), 2, "{updates:?}");
    assert!(updates.iter().all(|r| r.status == 200));

    let (code, report) = setup.doctor(&[], &[]);
    assert_eq!(code, 0, "{report}");
    assert!(
        problems(&report).is_empty() && !report.contains("fixed"),
        "{report}"
    );
}

/// A Drive folder id and the files.get answer Google gives for it (`driveId` only inside a
/// shared drive). Tokens come from the Google stand-in, which checks the signed assertion.
fn fake_drive(rt: &tokio::runtime::Runtime, in_shared_drive: Arc<AtomicBool>) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let _guard = rt.enter();
    let server = HttpServer::new(move || {
        let shared = Arc::clone(&in_shared_drive);
        App::new().route(
            "/drive/v3/files/{id}",
            web::get().to(move |id: web::Path<String>, q: web::Query<Vec<(String, String)>>| {
                let shared = shared.load(Ordering::SeqCst);
                let all_drives = q.iter().any(|(k, v)| k == "supportsAllDrives" && v == "true");
                async move {
                    if !all_drives {
                        return HttpResponse::NotFound().json(serde_json::json!({"error": {"code": 404, "message": "File not found"}}));
                    }
                    let mut file = serde_json::json!({
                        "id": id.into_inner(), "name": "Gravações",
                        "mimeType": "application/vnd.google-apps.folder", "trashed": false,
                        "capabilities": {"canAddChildren": true},
                    });
                    if shared {
                        file["driveId"] = serde_json::json!("0AAsharedDrive");
                    }
                    HttpResponse::Ok().json(file)
                }
            }),
        )
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .unwrap()
    .run();
    rt.spawn(server);
    base
}

/// Seed 9.7: a service account uploading into a folder of someone's My Drive has no quota.
#[test]
fn a_service_account_outside_a_shared_drive_has_no_quota() {
    let setup = Setup::new(NOWHERE);
    setup.configure_twilio();
    let google = setup.rt.block_on(GoogleStandIn::start()).unwrap();
    let in_shared_drive = Arc::new(AtomicBool::new(false));
    let drive_base = fake_drive(&setup.rt, Arc::clone(&in_shared_drive));
    let key_file = setup.data.path().join("drive-key.json");
    std::fs::write(&key_file, google.service_account_key_json()).unwrap();
    let key_path = key_file.to_str().unwrap().to_owned();
    let env = [
        ("RAMAL_RECORDING_SINKS", "local,drive"),
        ("RAMAL_DRIVE_FOLDER_ID", google.folder_id()),
        ("RAMAL_DRIVE_KEY_FILE", key_path.as_str()),
        ("RAMAL_DRIVE_API_BASE", drive_base.as_str()),
    ];

    let (code, report) = setup.doctor(&env, &[]);
    assert_eq!(code, 1, "{report}");
    assert!(
        has_line(&report, "ok", &["drive", "access token"]),
        "{report}"
    );
    assert!(
        has_line(
            &report,
            "PROBLEM",
            &[
                "drive",
                "My Drive",
                "no storage quota",
                "9.7",
                "shared drive"
            ]
        ),
        "{report}"
    );
    assert!(!report.contains("PRIVATE KEY"), "{report}");

    in_shared_drive.store(true, Ordering::SeqCst);
    let (code, report) = setup.doctor(&env, &[]);
    assert_eq!(code, 0, "{report}");
    assert!(
        has_line(&report, "ok", &["drive", "shared drive 0AAsharedDrive"]),
        "{report}"
    );
}

/// The database must answer: an unreachable PostgreSQL is one problem, not a crash.
#[test]
fn an_unreachable_database_is_reported() {
    let setup = Setup::new(NOWHERE);
    setup.configure_twilio();
    let (code, report) = setup.doctor(
        &[(
            "RAMAL_DATABASE_URL",
            "postgres://postgres:hunter2@127.0.0.1:1/ramal",
        )],
        &[],
    );
    assert_eq!(code, 1, "{report}");
    assert!(
        has_line(&report, "PROBLEM", &["database", "cannot read PostgreSQL"]),
        "{report}"
    );
    assert!(!report.contains("hunter2"), "password printed: {report}");
}

/// `ramal --version` names the revision it was built from.
#[test]
fn version_names_the_git_revision() {
    let out = Command::new(RAMAL).arg("--version").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let revision = text
        .trim()
        .strip_prefix(concat!("ramal ", env!("CARGO_PKG_VERSION"), " (git "))
        .and_then(|r| r.strip_suffix(')'))
        .unwrap_or_else(|| panic!("unexpected: {text:?}"));
    match option_env!("RAMAL_GIT_REVISION").filter(|r| !r.trim().is_empty()) {
        // The build was told its revision (a Docker build without .git).
        Some(given) => assert_eq!(revision, given.trim()),
        None => {
            let head = Command::new("git")
                .args(["-C", env!("CARGO_MANIFEST_DIR"), "rev-parse", "HEAD"])
                .output()
                .ok()
                .filter(|o| o.status.success())
                .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
            match head {
                Some(head) => {
                    assert_eq!(revision.len(), 12, "{revision}");
                    assert!(head.starts_with(revision), "{revision} is not HEAD {head}");
                }
                None => assert_eq!(revision, "unknown"),
            }
        }
    }
}
