//! The `ramal` binary as a newcomer uses it: add an admin, start it, see a simulated call.

use std::io::{BufRead as _, BufReader, Write as _};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const RAMAL: &str = env!("CARGO_BIN_EXE_ramal");

/// A command with a clean environment: no Twilio account, a private data directory.
fn ramal(data: &std::path::Path) -> Command {
    let mut cmd = Command::new(RAMAL);
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("RAMAL_DATA_DIR", data)
        .env("RAMAL_LOG", "info");
    cmd
}

fn add_agent(data: &std::path::Path, args: &[&str], password: &str) -> std::process::Output {
    let mut child = ramal(data)
        .args(["agent", "add"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    child.wait_with_output().unwrap()
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

/// Starts `ramal serve` on a free port and waits for its "listening" line.
fn serve(data: &std::path::Path) -> Server {
    let mut child = ramal(data)
        .arg("serve")
        .env("RAMAL_BIND", "127.0.0.1:0")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen = Vec::new();
    let port = loop {
        assert!(Instant::now() < deadline, "no listening line: {seen:#?}");
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
        seen.push(line);
    };
    // Keep draining the log so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
    }
}

#[test]
fn agent_commands_manage_agents() {
    let data = tempfile::tempdir().unwrap();
    let out = add_agent(
        data.path(),
        &["alefe", "--name", "Álefe Lins", "--admin"],
        "correct horse battery",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("Álefe Lins") && stdout.contains("admin"),
        "{stdout}"
    );

    let out = add_agent(
        data.path(),
        &["alefe", "--name", "Outro"],
        "correct horse battery",
    );
    assert!(!out.status.success(), "duplicate username refused");
    let out = add_agent(data.path(), &["curto", "--name", "Curto"], "short");
    assert!(!out.status.success(), "short password refused");
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 8"));

    let out = ramal(data.path())
        .args(["agent", "disable", "alefe"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let out = ramal(data.path()).args(["agent", "list"]).output().unwrap();
    let listing = String::from_utf8_lossy(&out.stdout);
    let row = listing.lines().find(|l| l.contains("alefe")).unwrap();
    assert!(row.contains(" no "), "{listing}");
}

#[test]
fn misconfiguration_fails_at_start_with_what_to_fix() {
    let data = tempfile::tempdir().unwrap();
    let out = ramal(data.path())
        .arg("serve")
        .env("TWILIO_ACCOUNT_SID", "SK0123456789abcdef0123456789abcdef")
        .env("RAMAL_PUBLIC_URL", "ramal.example.com")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("TWILIO_AUTH_TOKEN"), "{err}");
    assert!(err.contains("RAMAL_PUBLIC_URL"), "{err}");
    assert!(err.contains("ramal.example.toml"), "{err}");
}

#[test]
fn token_command_prints_the_decoded_claims() {
    let data = tempfile::tempdir().unwrap();
    let out = add_agent(
        data.path(),
        &["ana", "--name", "Ana Souza"],
        "correct horse battery",
    );
    assert!(out.status.success());
    let out = ramal(data.path())
        .args(["token", "--agent", "ana"])
        .env("TWILIO_ACCOUNT_SID", "AC0123456789abcdef0123456789abcdef")
        .env("TWILIO_AUTH_TOKEN", "0123456789abcdef0123456789abcdef")
        .env("TWILIO_API_KEY_SID", "SK0123456789abcdef0123456789abcdef")
        .env("TWILIO_API_KEY_SECRET", "abcdef0123456789abcdef0123456789")
        .env("TWILIO_TWIML_APP_SID", "AP0123456789abcdef0123456789abcdef")
        .env("TWILIO_PHONE_NUMBER", "+553123916801")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("\"identity\": \"ana\""), "{text}");
    assert!(
        text.contains("AP0123456789abcdef0123456789abcdef"),
        "{text}"
    );
    assert!(text.contains("twilio-fpa;v=1"), "{text}");
}

#[test]
fn newcomer_sees_a_simulated_inbound_call_in_demo_mode() {
    let data = tempfile::tempdir().unwrap();
    let out = add_agent(
        data.path(),
        &["admin", "--name", "Álefe Lins", "--admin"],
        "correct horse battery",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let server = serve(data.path());

    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let http = reqwest::Client::new();
        let login: Value = http
            .post(format!("{}/api/auth/login", server.base))
            .json(&json!({"username": "admin", "password": "correct horse battery"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = login["token"].as_str().unwrap().to_owned();
        let settings: Value = http
            .get(format!("{}/api/settings", server.base))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(settings["demo"], true);

        let res = http
            .post(format!("{}/api/demo/inbound", server.base))
            .bearer_auth(&token)
            .json(&json!({"from": "+5531988887777"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 202);
        let sid = res.json::<Value>().await.unwrap()["call_sid"]
            .as_str()
            .unwrap()
            .to_owned();

        // The simulator fetched Ramal's TwiML (signed), Ramal stored the call.
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let page: Value = http
                .get(format!("{}/api/twilio/call-logs", server.base))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            if let Some(call) = page["items"].as_array().unwrap().first() {
                assert_eq!(call["call_sid"], sid.as_str());
                assert_eq!(call["direction"], "inbound");
                assert_eq!(call["from_number"], "+5531988887777");
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the simulated call never reached the history"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let ready = http
            .get(format!("{}/readyz", server.base))
            .send()
            .await
            .unwrap();
        assert_eq!(ready.status(), 200);
    });
}
