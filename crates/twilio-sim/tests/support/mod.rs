//! A tiny Twilio-webhook server for the tests: answers fixed TwiML per path, records every
//! request with its parameters, and checks each signature the way a real server must.

#![allow(dead_code, unreachable_pub)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::dev::ServerHandle;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use twilio_sim::signature::{
    SIGNATURE_HEADER, SIGNATURE_SETTINGS_HEADER, sign_hmac_sha1, sign_hmac_sha256,
};

/// What the hook answers on one path.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
    pub delay: Duration,
}

impl Reply {
    pub fn twiml(body: &str) -> Self {
        Self {
            status: 200,
            content_type: "text/xml",
            body: body.to_owned(),
            delay: Duration::ZERO,
        }
    }
}

/// One request the hook received.
#[derive(Clone, Debug)]
pub struct Got {
    pub method: String,
    /// Path and query as requested.
    pub path: String,
    pub params: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    /// Whether the signature is valid for the URL the hook believes it serves.
    pub signature_ok: bool,
}

impl Got {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn route(&self) -> &str {
        self.path.split('?').next().unwrap_or("")
    }
}

/// Keys the hook validates with.
#[derive(Clone, Debug)]
pub struct Keys {
    pub auth_token: String,
    pub shared_key: Option<String>,
    /// The URL base Twilio was configured with (differs from the hook's own behind a proxy).
    pub public_base: Option<String>,
}

struct HookState {
    base: String,
    keys: Keys,
    replies: HashMap<String, Reply>,
    got: Vec<Got>,
}

pub struct Hook {
    pub base: String,
    state: Arc<Mutex<HookState>>,
    handle: ServerHandle,
}

impl Drop for Hook {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
    }
}

fn signature_ok(st: &HookState, req: &HttpRequest, url: &str, params: &[(String, String)]) -> bool {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let Some(given) = header(SIGNATURE_HEADER) else {
        return false;
    };
    let signed_params: Vec<(String, String)> = if req.method() == actix_web::http::Method::GET {
        Vec::new()
    } else {
        params.to_vec()
    };
    match header(SIGNATURE_SETTINGS_HEADER) {
        None => given == sign_hmac_sha1(&st.keys.auth_token, url, &signed_params),
        Some(settings) => {
            if !settings.ends_with("algorithm=HMAC_SHA256") {
                return false;
            }
            match &st.keys.shared_key {
                Some(k) => given == sign_hmac_sha256(k, url, &signed_params),
                None => false,
            }
        }
    }
}

async fn handle(
    req: HttpRequest,
    body: web::Bytes,
    state: web::Data<Mutex<HookState>>,
) -> HttpResponse {
    let path_and_query = match req.query_string() {
        "" => req.path().to_owned(),
        q => format!("{}?{q}", req.path()),
    };
    let body_params =
        web::Query::<Vec<(String, String)>>::from_query(std::str::from_utf8(&body).unwrap_or(""))
            .map(|q| q.into_inner())
            .unwrap_or_default();
    let params = if req.method() == actix_web::http::Method::GET {
        web::Query::<Vec<(String, String)>>::from_query(req.query_string())
            .map(|q| q.into_inner())
            .unwrap_or_default()
    } else {
        body_params
    };
    let reply = {
        let mut st = state.lock().unwrap();
        let base = st
            .keys
            .public_base
            .clone()
            .unwrap_or_else(|| st.base.clone());
        let ok = signature_ok(&st, &req, &format!("{base}{path_and_query}"), &params);
        let headers = req
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_owned()))
            .collect();
        st.got.push(Got {
            method: req.method().to_string(),
            path: path_and_query.clone(),
            params,
            headers,
            signature_ok: ok,
        });
        st.replies.get(req.path()).cloned()
    };
    match reply {
        Some(r) => {
            if !r.delay.is_zero() {
                tokio::time::sleep(r.delay).await;
            }
            let base = state.lock().unwrap().base.clone();
            HttpResponse::build(actix_web::http::StatusCode::from_u16(r.status).unwrap())
                .content_type(r.content_type)
                .body(r.body.replace("{base}", &base))
        }
        None => HttpResponse::NoContent().finish(),
    }
}

impl Hook {
    pub async fn start(keys: Keys) -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(HookState {
            base: base.clone(),
            keys,
            replies: HashMap::new(),
            got: Vec::new(),
        }));
        let data = web::Data::from(Arc::clone(&state));
        let server = HttpServer::new(move || {
            App::new()
                .app_data(data.clone())
                .default_service(web::to(handle))
        })
        .workers(1)
        .disable_signals()
        .shutdown_timeout(1)
        .listen(listener)
        .unwrap()
        .run();
        let handle = server.handle();
        tokio::spawn(server);
        Self {
            base,
            state,
            handle,
        }
    }

    pub async fn for_sim() -> Self {
        Self::start(Keys {
            auth_token: twilio_sim::DEFAULT_AUTH_TOKEN.to_owned(),
            shared_key: None,
            public_base: None,
        })
        .await
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Answers `path` with TwiML (`{base}` is replaced by the hook's base URL).
    pub fn on(&self, path: &str, twiml: &str) -> &Self {
        self.reply(path, Reply::twiml(twiml))
    }

    pub fn reply(&self, path: &str, reply: Reply) -> &Self {
        self.state
            .lock()
            .unwrap()
            .replies
            .insert(path.to_owned(), reply);
        self
    }

    pub fn got(&self) -> Vec<Got> {
        self.state.lock().unwrap().got.clone()
    }

    pub fn got_on(&self, route: &str) -> Vec<Got> {
        self.got()
            .into_iter()
            .filter(|g| g.route() == route)
            .collect()
    }
}
