//! Building and running the server from a configuration and a listener.
//!
//! Tests bind port 0 and read back the real port, so every test runs the whole server.

use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use access_token::ApiKeySecret;
use actix_web::dev::{Server, Service as _};
use actix_web::{App, HttpServer, web};
use base64::Engine as _;
use call_store::CallStore;
use tokio::sync::broadcast;

use crate::auth::{AgentCache, ExternalVerifier, LoginThrottle, Signer, password};
use crate::config::{Config, Secret};
use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::presence::Presence;
use crate::routes;
use crate::state::{AppState, TokenMinter};
use crate::voice::twiml::CallbackUrls;
use crate::webhook::signature::WebhookVerifier;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The database could not be opened or migrated.
    #[error("database: {0}")]
    Store(#[from] call_store::StoreError),
    /// The listener could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A configured secret or key is unusable.
    #[error("{0}")]
    Config(String),
    /// The webhook spool cannot be opened.
    #[error("{0}")]
    Spool(#[from] crate::spool::SpoolError),
    /// The data directory is unusable.
    #[error("data directory {path}: {source}")]
    DataDir {
        /// The path.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// A built server, ready to run.
pub struct Application {
    port: u16,
    server: Server,
    state: AppState,
    /// The recording worker, stopped (its jobs released) when the server stops.
    worker: Option<crate::recordings::WorkerHandle>,
    /// Applies spooled webhook events to the store.
    applier: crate::spool::ApplierHandle,
    /// Signals between instances (PostgreSQL only).
    link: Option<crate::cluster::postgres::LinkHandle>,
}

impl std::fmt::Debug for Application {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Application")
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

impl Application {
    /// Opens the store from the configuration and binds `config.bind`.
    pub async fn build(mut config: Config) -> Result<Self, StartError> {
        std::fs::create_dir_all(&config.data_dir).map_err(|source| StartError::DataDir {
            path: config.data_dir.display().to_string(),
            source,
        })?;
        // Webhook events reach the store through the spool's background applier, so the
        // SQLite writer yields the CPU to request handling (acknowledgements wait for the
        // spool's fsync, never for the writer).
        let target = call_store::StoreTarget::parse(&config.database_url, &config.data_dir)?;
        let options = call_store::StoreOptions {
            background_writer: true,
            ..Default::default()
        };
        let store = call_store::open_target(&target, options).await?;
        let listener = TcpListener::bind(config.bind).map_err(|source| StartError::Bind {
            addr: config.bind.to_string(),
            source,
        })?;
        // The default public URL names the bind address: with port 0 it must name the real port.
        let default_url = format!("http://{}", config.bind);
        if let Ok(addr) = listener.local_addr()
            && config.public_url.base() == default_url
        {
            config.public_url = crate::config::PublicUrl::parse(&format!("http://{addr}"))
                .map_err(|e| StartError::Config(e.to_string()))?;
        }
        let demo = if config.demo {
            Some(
                crate::demo::start(&mut config)
                    .await
                    .map_err(StartError::Config)?,
            )
        } else {
            None
        };
        Self::with_demo(config, store, listener, demo)
    }

    /// Builds the server on an open store and a bound listener.
    pub fn with(
        config: Config,
        store: Arc<dyn CallStore>,
        listener: TcpListener,
    ) -> Result<Self, StartError> {
        Self::with_demo(config, store, listener, None)
    }

    /// Like [`Application::with`], with demo mode's simulator.
    pub fn with_demo(
        config: Config,
        store: Arc<dyn CallStore>,
        listener: TcpListener,
        demo: Option<twilio_sim::Simulator>,
    ) -> Result<Self, StartError> {
        let port = listener
            .local_addr()
            .map_err(|source| StartError::Bind {
                addr: config.bind.to_string(),
                source,
            })?
            .port();
        let (state, link) = build_state(config, store, demo)?;
        let link = link.map(|link| crate::cluster::postgres::start(link, state.clone()));
        if let Some(demo) = &state.demo {
            demo.spawn_bridge(&state);
        }
        let applier = crate::spool::applier::start(&state);
        let server = serve(state.clone(), listener)?;
        let worker = crate::recordings::worker::start(&state);
        Ok(Self {
            port,
            server,
            state,
            worker,
            applier,
            link,
        })
    }

    /// The port actually bound (useful with port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The shared state (for in-process tests and tools).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Runs until the server stops (SIGINT/SIGTERM finish in-flight requests first).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let result = self.server.await;
        // In-flight requests are done: what they spooled is applied before the worker stops
        // (unless the database is down; then it waits in the spool for the next start).
        self.applier.stop().await;
        if let Some(worker) = self.worker {
            worker.stop().await;
        }
        if let Some(link) = self.link {
            link.stop().await;
        }
        result
    }
}

fn build_state(
    config: Config,
    store: Arc<dyn CallStore>,
    demo: Option<twilio_sim::Simulator>,
) -> Result<(AppState, Option<crate::cluster::postgres::Link>), StartError> {
    let session_secret = match &config.auth.session_secret {
        Some(secret) => secret.clone(),
        None => load_or_create_secret(&config.data_dir.join("session.key"))?,
    };
    let (verifier, minter) = match &config.twilio {
        Some(t) => {
            let verifier = WebhookVerifier::new(
                config.public_url.clone(),
                t.auth_token.clone(),
                t.webhook_keys.clone(),
            );
            let secret = ApiKeySecret::new(t.api_key_secret.expose())
                .map_err(|e| StartError::Config(format!("TWILIO_API_KEY_SECRET: {e}")))?;
            let minter = TokenMinter {
                account_sid: t.account_sid,
                api_key_sid: t.api_key_sid,
                api_key_secret: secret,
                twiml_app_sid: t.twiml_app_sid,
                ttl_secs: config.auth.token_ttl_secs,
            };
            (Some(Arc::new(verifier)), Some(Arc::new(minter)))
        }
        None => (None, None),
    };
    let external = config
        .auth
        .external_jwt
        .as_ref()
        .map(ExternalVerifier::new)
        .transpose()
        .map_err(|e| StartError::Config(e.to_string()))?
        .map(Arc::new);
    let (live, _) = broadcast::channel(1024);
    let metrics = Arc::new(Metrics::default());
    let spool = crate::spool::Spool::open(&config.spool_dir, Arc::clone(&metrics))?;
    let recordings =
        Arc::new(crate::recordings::Pipeline::new(&config).map_err(StartError::Config)?);
    // Instances share signals only through PostgreSQL; SQLite means one instance.
    let (bus, link) = match store.backend() {
        call_store::Backend::Postgres => {
            let (bus, link) = crate::cluster::Bus::shared(&config.database_url);
            (bus, Some(link))
        }
        call_store::Backend::Sqlite => (crate::cluster::Bus::local(), None),
    };
    let state = AppState {
        urls: Arc::new(CallbackUrls::under(&config.public_url)),
        config: Arc::new(config),
        store,
        verifier,
        minter,
        signer: Arc::new(Signer::new(session_secret)),
        external,
        throttle: Arc::new(LoginThrottle::default()),
        agents: Arc::new(AgentCache::default()),
        presence: Arc::new(Presence::default()),
        metrics,
        spool,
        live,
        dummy_hash: password::dummy_hash().into(),
        demo: demo.map(crate::demo::Demo::new),
        recordings,
        directory: Arc::default(),
        bus,
    };
    Ok((state, link))
}

/// The session key kept in the data directory when none is configured, so sessions survive
/// restarts. Created with owner-only permissions.
fn load_or_create_secret(path: &Path) -> Result<Secret, StartError> {
    let io = |source| StartError::DataDir {
        path: path.display().to_string(),
        source,
    };
    match std::fs::read_to_string(path) {
        Ok(text) if text.trim().len() >= 32 => return Ok(Secret::new(text.trim())),
        Ok(_) => {
            return Err(StartError::Config(format!(
                "{} is shorter than 32 characters: delete it to generate a new one",
                path.display()
            )));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(io(e)),
    }
    let mut bytes = [0u8; 32];
    argon2::password_hash::rand_core::RngCore::fill_bytes(
        &mut argon2::password_hash::rand_core::OsRng,
        &mut bytes,
    );
    let secret = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    write_private(path, &secret).map_err(io)?;
    Ok(Secret::new(secret))
}

#[cfg(unix)]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::write(path, text)
}

fn serve(state: AppState, listener: TcpListener) -> Result<Server, StartError> {
    let max_body = state.config.max_body_bytes;
    let data = web::Data::new(state);
    let server =
        HttpServer::new(move || {
            let metrics = data.metrics.clone();
            App::new()
                .app_data(data.clone())
                .app_data(web::PayloadConfig::new(max_body))
                .app_data(
                    web::JsonConfig::default()
                        .limit(max_body)
                        .error_handler(|e, _| {
                            ApiError::BadRequest(format!("invalid JSON body: {e}")).into()
                        }),
                )
                .app_data(web::QueryConfig::default().error_handler(|e, _| {
                    ApiError::BadRequest(format!("invalid query: {e}")).into()
                }))
                .app_data(web::PathConfig::default().error_handler(|e, _| {
                    ApiError::BadRequest(format!("invalid path: {e}")).into()
                }))
                .wrap_fn(move |req, srv| {
                    let started = Instant::now();
                    let metrics = metrics.clone();
                    let fut = srv.call(req);
                    async move {
                        let res = fut.await?;
                        let route = res
                            .request()
                            .match_pattern()
                            .unwrap_or_else(|| "unmatched".to_owned());
                        metrics.request(&route, res.status().as_u16(), started.elapsed());
                        Ok(res)
                    }
                })
                .configure(routes::configure)
        })
        .listen(listener)
        .map_err(|source| StartError::Bind {
            addr: "listener".into(),
            source,
        })?
        .shutdown_timeout(30)
        .run();
    Ok(server)
}
