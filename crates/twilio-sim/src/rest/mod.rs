//! The simulator's own HTTP servers: Twilio's REST API (recordings, account, app, number) on one
//! port, and a "media host" on another that serves redirected recording downloads.

mod account;
mod auth;
mod errors;
mod media_body;
mod recordings;

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

use actix_web::dev::{ServerHandle, Service};
use actix_web::http::header::{AUTHORIZATION, HeaderMap};
use actix_web::{App, HttpServer, web};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use crate::error::SimError;
use crate::shared::Shared;

/// Which of the simulator's listeners received a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Listener {
    /// The REST API (`RAMAL_TWILIO_API_BASE`).
    Api,
    /// The media host that redirected recording downloads point to.
    MediaHost,
}

/// The `Authorization` header of a received request, without its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthorizationSeen {
    /// No `Authorization` header.
    None,
    /// HTTP Basic with this user name (Account SID or API key SID); the password is not kept.
    Basic {
        /// The user name.
        username: String,
    },
    /// Some other scheme (e.g. `Bearer`).
    Other,
}

impl AuthorizationSeen {
    /// Whether any `Authorization` header was present.
    pub fn present(&self) -> bool {
        !matches!(self, Self::None)
    }

    fn from_headers(headers: &HeaderMap) -> Self {
        let Some(value) = headers.get(AUTHORIZATION).and_then(|v| v.to_str().ok()) else {
            return Self::None;
        };
        let Some(encoded) = value.strip_prefix("Basic ") else {
            return Self::Other;
        };
        let decoded = STANDARD
            .decode(encoded.trim())
            .ok()
            .and_then(|b| String::from_utf8(b).ok());
        match decoded.as_deref().and_then(|d| d.split_once(':')) {
            Some((user, _)) => Self::Basic {
                username: user.to_owned(),
            },
            None => Self::Other,
        }
    }
}

/// One request the simulator's servers received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedRequest {
    /// Which listener got it.
    pub listener: Listener,
    /// HTTP method.
    pub method: String,
    /// Path.
    pub path: String,
    /// Raw query string.
    pub query: String,
    /// The `Authorization` header, secret removed.
    pub authorization: AuthorizationSeen,
    /// Status answered.
    pub status: u16,
}

/// A failure injected into the next recording media downloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaFault {
    /// Answer `500` with a Twilio JSON error.
    ServerError,
    /// Announce the full `Content-Length`, send half the bytes, then drop the connection.
    DropMidBody,
    /// Announce the full `Content-Length`, send half the bytes, then go quiet with the
    /// connection left open (a stalled transfer: only the client's read timeout ends it).
    StallMidBody,
}

/// The two running servers.
#[derive(Debug)]
pub(crate) struct Servers {
    pub(crate) api_addr: SocketAddr,
    pub(crate) media_addr: SocketAddr,
    api: ServerHandle,
    media: ServerHandle,
}

impl Servers {
    pub(crate) async fn stop(&self) {
        self.api.stop(true).await;
        self.media.stop(true).await;
    }
}

impl Drop for Servers {
    fn drop(&mut self) {
        // `stop` sends the command at once; the returned future only waits for completion.
        drop(self.api.stop(false));
        drop(self.media.stop(false));
    }
}

/// Binds both listeners on 127.0.0.1 (port 0) before anything else needs their addresses.
pub(crate) fn bind() -> Result<(TcpListener, TcpListener), SimError> {
    let api = TcpListener::bind("127.0.0.1:0").map_err(SimError::Bind)?;
    let media = TcpListener::bind("127.0.0.1:0").map_err(SimError::Bind)?;
    Ok((api, media))
}

fn log_request(listener: Listener, req: &actix_web::dev::ServiceRequest) -> ReceivedRequest {
    ReceivedRequest {
        listener,
        method: req.method().to_string(),
        path: req.path().to_owned(),
        query: req.query_string().to_owned(),
        authorization: AuthorizationSeen::from_headers(req.headers()),
        status: 0,
    }
}

/// Starts both servers on the given listeners; they run on the current tokio runtime.
pub(crate) fn start(
    shared: Arc<Shared>,
    api: TcpListener,
    media: TcpListener,
    workers: usize,
) -> Result<Servers, SimError> {
    let api_addr = api.local_addr().map_err(SimError::Bind)?;
    let media_addr = media.local_addr().map_err(SimError::Bind)?;

    let data = web::Data::from(Arc::clone(&shared));
    let api_server = HttpServer::new(move || {
        let logger = data.clone();
        App::new()
            .app_data(data.clone())
            .wrap_fn(move |req, srv| {
                let mut entry = log_request(Listener::Api, &req);
                let logger = logger.clone();
                let fut = srv.call(req);
                async move {
                    let res = fut.await?;
                    entry.status = res.status().as_u16();
                    logger.lock().requests.push(entry);
                    Ok(res)
                }
            })
            .configure(recordings::routes)
            .configure(account::routes)
            .default_service(web::to(errors::not_found))
    })
    .workers(workers.max(1))
    .disable_signals()
    .shutdown_timeout(1)
    .listen(api)
    .map_err(SimError::Bind)?
    .run();

    let data = web::Data::from(shared);
    let media_server = HttpServer::new(move || {
        let logger = data.clone();
        App::new()
            .app_data(data.clone())
            .wrap_fn(move |req, srv| {
                let mut entry = log_request(Listener::MediaHost, &req);
                let logger = logger.clone();
                let fut = srv.call(req);
                async move {
                    let res = fut.await?;
                    entry.status = res.status().as_u16();
                    logger.lock().requests.push(entry);
                    Ok(res)
                }
            })
            .configure(recordings::media_host_routes)
            .default_service(web::to(errors::not_found))
    })
    .workers(workers.max(1))
    .disable_signals()
    .shutdown_timeout(1)
    .listen(media)
    .map_err(SimError::Bind)?
    .run();

    let servers = Servers {
        api_addr,
        media_addr,
        api: api_server.handle(),
        media: media_server.handle(),
    };
    tokio::spawn(api_server);
    tokio::spawn(media_server);
    Ok(servers)
}
