//! What the webphone needs from the server, over real HTTP: its embedded files with their
//! security and cache headers, demo mode's simulated calls driven from the browser side, and
//! the page-leave beacon. (The browser itself is tested by `scripts/browser-test`.)

use std::collections::HashMap;
use std::time::Duration;

use call_store::model::{AgentRole, NewAgent};
use call_store::party::ClientIdentity;
use futures_util::StreamExt as _;
use http_api::Application;
use http_api::config::{Source, load};
use serde_json::{Value, json};
use tokio::sync::mpsc;

struct Server {
    base: String,
    app: http_api::state::AppState,
    http: reqwest::Client,
    _data: tempfile::TempDir,
}

/// Ramal with no Twilio account: demo mode, its simulator in-process, on a free port.
async fn demo_server() -> Server {
    let data = tempfile::tempdir().unwrap();
    let env: HashMap<String, String> = [
        ("RAMAL_BIND", "127.0.0.1:0".to_owned()),
        ("RAMAL_DATA_DIR", data.path().display().to_string()),
        (
            "RAMAL_SESSION_SECRET",
            "webphone-test-secret-webphone-test-secret".to_owned(),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let config = load(&Source { file: None, env }).unwrap();
    assert!(config.demo, "no Twilio account: demo mode");
    let app = Application::build(config).await.unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    let state = app.state().clone();
    tokio::spawn(app.run_until_stopped());
    Server {
        base,
        app: state,
        http: reqwest::Client::new(),
        _data: data,
    }
}

impl Server {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Adds an agent and logs it in: (id, bearer token, session cookie).
    async fn agent(&self, username: &str) -> (i64, String, String) {
        let password = "correct horse battery";
        let hash = http_api::auth::password::hash(password).unwrap();
        let identity = ClientIdentity::parse(username).unwrap();
        let new = NewAgent::new(username, username, identity, &hash, AgentRole::Agent).unwrap();
        let agent = self.app.store.create_agent(&new).await.unwrap();
        let res = self
            .http
            .post(self.url("/api/auth/login"))
            .json(&json!({"username": username, "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let cookie = res
            .headers()
            .get("set-cookie")
            .unwrap()
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        let body: Value = res.json().await.unwrap();
        (agent.id, body["token"].as_str().unwrap().to_owned(), cookie)
    }

    async fn post(&self, token: &str, path: &str, body: Value) -> reqwest::Response {
        self.http
            .post(self.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    async fn get(&self, token: &str, path: &str) -> reqwest::Response {
        self.http
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    /// The agent's live-event stream, as `(event, data)` pairs.
    async fn events(&self, token: &str) -> mpsc::UnboundedReceiver<(String, Value)> {
        let res = self.get(token, "/api/events").await;
        assert_eq!(res.status(), 200);
        let (tx, rx) = mpsc::unbounded_channel();
        let mut body = res.bytes_stream();
        tokio::spawn(async move {
            let mut buffer = String::new();
            while let Some(Ok(chunk)) = body.next().await {
                buffer.push_str(&String::from_utf8_lossy(&chunk));
                while let Some(end) = buffer.find("\n\n") {
                    let block: String = buffer.drain(..end + 2).collect();
                    let mut event = None;
                    let mut data = None;
                    for line in block.lines() {
                        if let Some(e) = line.strip_prefix("event: ") {
                            event = Some(e.to_owned());
                        } else if let Some(d) = line.strip_prefix("data: ") {
                            data = serde_json::from_str(d).ok();
                        }
                    }
                    if let (Some(e), Some(d)) = (event, data) {
                        let _ = tx.send((e, d));
                    }
                }
            }
        });
        rx
    }
}

/// The next event named `name` that satisfies `wanted`, within `secs`.
async fn next_event(
    rx: &mut mpsc::UnboundedReceiver<(String, Value)>,
    name: &str,
    secs: u64,
    wanted: impl Fn(&Value) -> bool,
) -> Value {
    tokio::time::timeout(Duration::from_secs(secs), async {
        loop {
            let (event, data) = rx.recv().await.expect("event stream open");
            if event == name && wanted(&data) {
                return data;
            }
        }
    })
    .await
    .unwrap_or_else(|_| panic!("no matching `{name}` event within {secs} s"))
}

/// Whether any event named `name` arrives within `millis`.
async fn any_event(
    rx: &mut mpsc::UnboundedReceiver<(String, Value)>,
    name: &str,
    millis: u64,
) -> bool {
    tokio::time::timeout(Duration::from_millis(millis), async {
        loop {
            let (event, _) = rx.recv().await.expect("event stream open");
            if event == name {
                return;
            }
        }
    })
    .await
    .is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_webphone_is_served_with_its_csp_and_cache_rules() {
    let server = demo_server().await;
    let get = |path: &str, headers: &[(&str, &str)]| {
        let mut req = server.http.get(server.url(path));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req.send()
    };

    let index = get("/", &[]).await.unwrap();
    assert_eq!(index.status(), 200);
    let header = |res: &reqwest::Response, name: &str| {
        res.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    assert_eq!(header(&index, "content-type"), "text/html; charset=utf-8");
    assert_eq!(
        header(&index, "content-security-policy"),
        http_api::assets::CSP
    );
    assert_eq!(header(&index, "x-content-type-options"), "nosniff");
    assert_eq!(header(&index, "cache-control"), "no-cache");
    let etag = header(&index, "etag");
    let html = index.text().await.unwrap();

    if !http_api::assets::built() {
        // Built without frontend/dist: the page says how to build it.
        assert!(html.contains("scripts/frontend-build"), "{html}");
        return;
    }
    assert!(html.contains("<div id=\"app\">"), "{html}");
    // App paths fall back to the same page; a revalidation is a 304.
    let deep = get("/calls/anything", &[]).await.unwrap();
    assert_eq!(deep.status(), 200);
    assert_eq!(deep.text().await.unwrap(), html);
    let again = get("/", &[("If-None-Match", &etag)]).await.unwrap();
    assert_eq!(again.status(), 304);

    // The entry script: hashed, immutable, gzip when accepted.
    let script = html
        .split("src=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("index.html loads a script");
    assert!(script.starts_with("/assets/"), "{script}");
    let plain = get(script, &[]).await.unwrap();
    assert_eq!(plain.status(), 200);
    assert_eq!(
        header(&plain, "content-type"),
        "text/javascript; charset=utf-8"
    );
    assert_eq!(
        header(&plain, "cache-control"),
        "public, max-age=31536000, immutable"
    );
    assert!(header(&plain, "content-encoding").is_empty());
    let plain_etag = header(&plain, "etag");
    let plain = plain.bytes().await.unwrap();
    let zipped = get(script, &[("Accept-Encoding", "br, gzip")])
        .await
        .unwrap();
    if header(&zipped, "vary") == "Accept-Encoding" {
        assert_eq!(header(&zipped, "content-encoding"), "gzip");
        // Another representation, another tag; each revalidates on its own.
        let zipped_etag = header(&zipped, "etag");
        assert_ne!(zipped_etag, plain_etag);
        let again = get(
            script,
            &[("Accept-Encoding", "gzip"), ("If-None-Match", &zipped_etag)],
        )
        .await
        .unwrap();
        assert_eq!(again.status(), 304);
        let again = get(script, &[("If-None-Match", &zipped_etag)])
            .await
            .unwrap();
        assert_eq!(again.status(), 200, "the plain file is not the gzip one");
        let zipped = zipped.bytes().await.unwrap();
        assert_eq!(&zipped[..2], &[0x1f, 0x8b], "gzip magic");
        assert!(
            zipped.len() < plain.len() / 2,
            "{} vs {}",
            zipped.len(),
            plain.len()
        );
    }

    // A missing hashed file is a 404, never index.html; /api stays JSON.
    let missing = get("/assets/index-00000000.js", &[]).await.unwrap();
    assert_eq!(missing.status(), 404);
    let api = get("/api/no-such-route", &[]).await.unwrap();
    assert_eq!(api.status(), 404);
    assert_eq!(api.json::<Value>().await.unwrap()["error"], "not_found");
    let post = server.http.post(server.url("/calls")).send().await.unwrap();
    assert_eq!(post.status(), 405);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_inbound_demo_call_rings_only_available_agents_and_the_one_who_accepts_takes_it() {
    let server = demo_server().await;
    let (ana, ana_token, _) = server.agent("ana").await;
    let (_, bruno_token, _) = server.agent("bruno").await;
    let mut ana_events = server.events(&ana_token).await;
    let mut bruno_events = server.events(&bruno_token).await;
    // Ana's webphone is registered and available; Bruno's is open but away.
    let beat = server
        .post(&ana_token, "/api/presence", json!({"state": "available"}))
        .await;
    assert_eq!(beat.status(), 204);
    let beat = server
        .post(&bruno_token, "/api/presence", json!({"state": "away"}))
        .await;
    assert_eq!(beat.status(), 204);

    let res = server
        .post(
            &bruno_token,
            "/api/demo/inbound",
            json!({"from": "+5531977776666"}),
        )
        .await;
    assert_eq!(res.status(), 202);
    let parent = res.json::<Value>().await.unwrap()["call_sid"]
        .as_str()
        .unwrap()
        .to_owned();
    // After the greeting, Ana's browser rings with the caller's number.
    let ring = next_event(&mut ana_events, "demo-incoming", 15, |_| true).await;
    assert_eq!(ring["from"], "+5531977776666");
    let leg = ring["call_sid"].as_str().unwrap().to_owned();
    assert_ne!(leg, parent, "the webphone acts on its own leg");
    assert!(
        !any_event(&mut bruno_events, "demo-incoming", 300).await,
        "an away agent does not ring"
    );
    // Nobody else may act on Ana's leg.
    let res = server
        .post(
            &bruno_token,
            &format!("/api/demo/calls/{leg}/answer"),
            json!({}),
        )
        .await;
    assert_eq!(res.status(), 404);

    let res = server
        .post(
            &ana_token,
            &format!("/api/demo/calls/{leg}/answer"),
            json!({}),
        )
        .await;
    assert_eq!(res.status(), 204);
    let answered = next_event(&mut ana_events, "call", 10, |c| {
        c["call_sid"] == parent.as_str() && c["status"] == "in-progress"
    })
    .await;
    let took = answered["legs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["call_sid"] == leg.as_str())
        .expect("the answering leg is in the call");
    assert_eq!(took["agent_id"], ana);
    let res = server
        .post(
            &ana_token,
            &format!("/api/demo/calls/{leg}/answer"),
            json!({}),
        )
        .await;
    assert_eq!(res.status(), 409, "already answered");

    // DTMF typed on the keypad reaches the simulated caller.
    let res = server
        .post(
            &ana_token,
            &format!("/api/demo/calls/{leg}/digits"),
            json!({"digits": "12#"}),
        )
        .await;
    assert_eq!(res.status(), 204);
    let res = server
        .post(
            &ana_token,
            &format!("/api/demo/calls/{leg}/digits"),
            json!({"digits": "1x"}),
        )
        .await;
    assert_eq!(res.status(), 400);
    let heard: Value = server
        .get(&ana_token, &format!("/api/demo/calls/{leg}/digits"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(heard["digits"], "12#");

    let res = server
        .post(
            &ana_token,
            &format!("/api/demo/calls/{leg}/hangup"),
            json!({}),
        )
        .await;
    assert_eq!(res.status(), 204);
    let done = next_event(&mut ana_events, "call", 10, |c| {
        c["call_sid"] == parent.as_str() && c["status"] == "completed"
    })
    .await;
    assert_eq!(done["direction"], "inbound");
    let res = server
        .post(
            &ana_token,
            &format!("/api/demo/calls/{leg}/hangup"),
            json!({}),
        )
        .await;
    assert_eq!(res.status(), 404, "over: no longer a live call of hers");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_outbound_demo_call_rings_is_answered_and_the_agent_hangs_up() {
    let server = demo_server().await;
    let (_, token, _) = server.agent("ana").await;
    let (_, other, _) = server.agent("bruno").await;
    let mut events = server.events(&token).await;
    let res = server
        .post(&token, "/api/demo/calls", json!({"to": "+5531999990000"}))
        .await;
    assert_eq!(res.status(), 202);
    let sid = res.json::<Value>().await.unwrap()["call_sid"]
        .as_str()
        .unwrap()
        .to_owned();
    next_event(&mut events, "call", 10, |c| {
        c["call_sid"] == sid.as_str() && c["status"] == "ringing"
    })
    .await;
    next_event(&mut events, "call", 10, |c| {
        c["call_sid"] == sid.as_str() && c["status"] == "in-progress"
    })
    .await;
    // A colleague cannot hang up someone else's call, nor answer a placed one.
    let res = server
        .post(&other, &format!("/api/demo/calls/{sid}/hangup"), json!({}))
        .await;
    assert_eq!(res.status(), 404);
    let res = server
        .post(&token, &format!("/api/demo/calls/{sid}/answer"), json!({}))
        .await;
    assert_eq!(res.status(), 409);
    let res = server
        .post(&token, &format!("/api/demo/calls/{sid}/hangup"), json!({}))
        .await;
    assert_eq!(res.status(), 204);
    let done = next_event(&mut events, "call", 10, |c| {
        c["call_sid"] == sid.as_str() && c["status"] == "completed"
    })
    .await;
    assert_eq!(done["direction"], "outbound");
    assert!(
        done["duration"].as_u64().unwrap() < 20,
        "hung up before the far end"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_leave_beacon_is_authenticated_by_the_session_cookie() {
    let server = demo_server().await;
    let (ana, token, cookie) = server.agent("ana").await;
    let ringing = || async {
        let s: Value = server
            .get(&token, "/api/settings")
            .await
            .json()
            .await
            .unwrap();
        s["ringing_agent_ids"].as_array().unwrap().clone()
    };
    let beat = server
        .post(&token, "/api/presence", json!({"state": "available"}))
        .await;
    assert_eq!(beat.status(), 204);
    assert_eq!(ringing().await, vec![json!(ana)]);

    // navigator.sendBeacon(url): no header, no body, the cookie only.
    let leave = |req: reqwest::RequestBuilder| async { req.send().await.unwrap().status() };
    let url = server.url("/api/presence/leave");
    assert_eq!(leave(server.http.post(&url)).await, 401);
    assert_eq!(
        leave(
            server
                .http
                .post(&url)
                .header("Cookie", "ramal_session=forged")
        )
        .await,
        401
    );
    assert_eq!(
        leave(server.http.post(&url).header("Cookie", &cookie)).await,
        204
    );
    assert!(ringing().await.is_empty());

    // The fetch fallback (bearer) and the older body form still work.
    server
        .post(&token, "/api/presence", json!({"state": "available"}))
        .await;
    assert_eq!(leave(server.http.post(&url).bearer_auth(&token)).await, 204);
    assert!(ringing().await.is_empty());
    server
        .post(&token, "/api/presence", json!({"state": "available"}))
        .await;
    assert_eq!(
        leave(server.http.post(&url).json(&json!({"token": token}))).await,
        204
    );
    assert!(ringing().await.is_empty());
}
