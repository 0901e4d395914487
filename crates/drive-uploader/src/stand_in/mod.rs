//! A local Google stand-in for tests and benchmarks (feature `stand-in`): an OAuth token
//! endpoint and the Drive v3 upload, list and delete endpoints on `127.0.0.1`, with faults to
//! inject.
//!
//! It checks what Google checks, so a client that works against it sends what Google expects:
//! - the token endpoint verifies the RS256 assertion's signature against the service account's
//!   public key, and its `iss`, `aud` (the token URI), `scope` and `exp` (at most an hour after
//!   `iat`); or a refresh-token grant's client id, secret and token;
//! - Drive calls need a live bearer token (401 `authError` otherwise, as after expiry);
//! - every Drive call must say `supportsAllDrives=true`, or the shared-drive folder is "not
//!   found"; a search must also say `includeItemsFromAllDrives=true`, or finds nothing;
//! - uploads go to the configured folder only; multipart bodies are parsed part by part;
//!   resumable chunks must be multiples of 256 KiB (but the last), start where the session
//!   stands, and are answered `308` with `Range: bytes=0-N`; `bytes */total` asks the status.
//!
//! Faults: 500 `backendError`, 429 `rateLimitExceeded`, a connection dropped mid-request (for a
//! chunk: after part of it was received and kept, as Google does), queued for the next requests
//! or at random with a seeded rate; expired tokens; expired upload sessions; a full storage
//! quota (`403 storageQuotaExceeded`, what a service account gets in a My Drive folder).
//!
//! The keys it uses are throwaway test keys committed under `src/stand_in/keys/`: they sign
//! nothing but test traffic to this stand-in.

mod routes;
mod state;

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use actix_web::dev::ServerHandle;

use crate::credentials::{Credentials, Hidden, ServiceAccountKey, UserRefreshToken};
use crate::settings::{DriveSettings, FolderId};
use state::{Rng, State};

/// THROWAWAY TEST KEY (PKCS#8 PEM): the stand-in's service account. Never use it elsewhere.
pub const THROWAWAY_TEST_PRIVATE_KEY: &str =
    include_str!("keys/THROWAWAY_TEST_ONLY_service_account.pem");
/// Public half of [`THROWAWAY_TEST_PRIVATE_KEY`]: what the token endpoint verifies with.
pub const THROWAWAY_TEST_PUBLIC_KEY: &str =
    include_str!("keys/THROWAWAY_TEST_ONLY_service_account.pub.pem");
/// Another THROWAWAY TEST KEY, which the stand-in does not trust (forged assertions).
pub const THROWAWAY_IMPOSTOR_PRIVATE_KEY: &str =
    include_str!("keys/THROWAWAY_TEST_ONLY_impostor.pem");

/// An injectable failure of a Drive request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// `500` with reason `backendError`.
    ServerError,
    /// `429` with reason `rateLimitExceeded`.
    RateLimited,
    /// The connection closes without an answer; an upload chunk is half received first (and
    /// the 256 KiB-aligned part of that half is kept by the session).
    DropConnection,
}

/// A file the stand-in holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredFile {
    /// File id.
    pub id: String,
    /// Name.
    pub name: String,
    /// MIME type.
    pub mime_type: String,
    /// Parent folders.
    pub parents: Vec<String>,
    /// `appProperties`.
    pub app_properties: BTreeMap<String, String>,
    /// Creation time (RFC 3339; strictly increasing with creation order).
    pub created_time: String,
    /// The link returned as `webViewLink`.
    pub web_view_link: String,
    /// The bytes.
    pub content: Vec<u8>,
    /// Whether it came through a resumable session (else multipart).
    pub resumable: bool,
}

/// One request the stand-in received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StandInRequest {
    /// HTTP method.
    pub method: String,
    /// Path.
    pub path: String,
    /// Raw query string.
    pub query: String,
    /// Status answered (0 when the connection was dropped).
    pub status: u16,
}

/// How a stand-in starts.
#[derive(Debug, Clone)]
pub struct StandInConfig {
    /// The service account it knows.
    pub client_email: String,
    /// The account's public key (PEM) that assertions must verify against.
    pub public_key_pem: String,
    /// The one folder uploads may go to (a shared-drive folder).
    pub folder_id: String,
    /// Lifetime of the access tokens it grants.
    pub token_lifetime: Duration,
    /// The OAuth client and refresh token it accepts: (client id, client secret, refresh token).
    pub oauth_client: (String, String, String),
}

impl Default for StandInConfig {
    fn default() -> Self {
        Self {
            client_email: "ramal-recordings@ramal-test.iam.gserviceaccount.com".into(),
            public_key_pem: THROWAWAY_TEST_PUBLIC_KEY.into(),
            folder_id: "0AStandInSharedDriveFolder_ramal-test".into(),
            token_lifetime: Duration::from_secs(3600),
            oauth_client: (
                "ramal-test.apps.googleusercontent.com".into(),
                "stand-in-client-secret".into(),
                "1//stand-in-refresh-token".into(),
            ),
        }
    }
}

#[derive(Debug)]
pub(crate) struct Shared {
    config: StandInConfig,
    base: String,
    state: Mutex<State>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A running Google stand-in. Stops when dropped.
#[derive(Debug)]
pub struct GoogleStandIn {
    shared: Arc<Shared>,
    handle: ServerHandle,
}

impl GoogleStandIn {
    /// Starts with the default configuration (the throwaway test key) on `127.0.0.1:0`.
    pub async fn start() -> std::io::Result<Self> {
        Self::start_with(StandInConfig::default()).await
    }

    /// Starts on `127.0.0.1:0` within the current tokio runtime.
    pub async fn start_with(config: StandInConfig) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let base = format!("http://{}", listener.local_addr()?);
        let shared = Arc::new(Shared {
            state: Mutex::new(State::new(config.token_lifetime)),
            config,
            base,
        });
        let handle = routes::serve(Arc::clone(&shared), listener)?;
        Ok(Self { shared, handle })
    }

    /// `http://127.0.0.1:<port>`: the Drive API base (`RAMAL_DRIVE_API_BASE`).
    pub fn base_url(&self) -> &str {
        &self.shared.base
    }

    /// The token endpoint (`token_uri` of the key files it hands out).
    pub fn token_uri(&self) -> String {
        format!("{}/token", self.shared.base)
    }

    /// The folder uploads may go to.
    pub fn folder_id(&self) -> &str {
        &self.shared.config.folder_id
    }

    /// A service account key file (JSON) for this stand-in, with the throwaway test key.
    pub fn service_account_key_json(&self) -> String {
        self.key_json(THROWAWAY_TEST_PRIVATE_KEY)
    }

    /// A key file naming the same account but signed with a key the stand-in does not trust.
    pub fn impostor_key_json(&self) -> String {
        self.key_json(THROWAWAY_IMPOSTOR_PRIVATE_KEY)
    }

    fn key_json(&self, pem: &str) -> String {
        serde_json::json!({
            "type": "service_account",
            "project_id": "ramal-test",
            "private_key_id": "throwaway-test-key",
            "private_key": pem,
            "client_email": self.shared.config.client_email,
            "client_id": "100000000000000000001",
            "token_uri": self.token_uri(),
        })
        .to_string()
    }

    /// Service account credentials for this stand-in.
    pub fn service_account(&self) -> Credentials {
        Credentials::ServiceAccount {
            key: ServiceAccountKey::from_json(&self.service_account_key_json())
                .expect("the stand-in's key file parses"),
            subject: None,
        }
    }

    /// User (refresh token) credentials this stand-in accepts.
    pub fn user_credentials(&self) -> Credentials {
        let (id, secret, refresh) = &self.shared.config.oauth_client;
        Credentials::User(UserRefreshToken {
            client_id: id.clone(),
            client_secret: Hidden::new(secret.clone()),
            refresh_token: Hidden::new(refresh.clone()),
            token_uri: self.token_uri(),
        })
    }

    /// Settings for a sink using `credentials` against this stand-in's folder, with short
    /// retry waits.
    pub fn settings(&self, credentials: Credentials) -> DriveSettings {
        let mut settings = DriveSettings::new(
            credentials,
            FolderId::parse(self.folder_id()).expect("the stand-in's folder id is valid"),
        )
        .api_base(self.base_url());
        settings.retry.base_delay = Duration::from_millis(5);
        settings.retry.max_delay = Duration::from_millis(50);
        settings
    }

    /// Every file held, in creation order.
    pub fn files(&self) -> Vec<StoredFile> {
        self.shared.lock().files.clone()
    }

    /// The file with this id.
    pub fn file(&self, id: &str) -> Option<StoredFile> {
        self.shared
            .lock()
            .files
            .iter()
            .find(|f| f.id == id)
            .cloned()
    }

    /// The file a `webViewLink` points to.
    pub fn file_by_link(&self, link: &str) -> Option<StoredFile> {
        self.shared
            .lock()
            .files
            .iter()
            .find(|f| f.web_view_link == link)
            .cloned()
    }

    /// Files whose `appProperties` hold `value` under `key`.
    pub fn files_with_property(&self, key: &str, value: &str) -> Vec<StoredFile> {
        self.shared
            .lock()
            .files
            .iter()
            .filter(|f| f.app_properties.get(key).map(String::as_str) == Some(value))
            .cloned()
            .collect()
    }

    /// Makes the next `count` Drive requests (not token requests) fail with `fault`.
    pub fn inject(&self, fault: Fault, count: usize) {
        self.shared
            .lock()
            .faults
            .extend(std::iter::repeat_n(fault, count));
    }

    /// Makes each Drive request fail with probability `rate` (one of the three faults at
    /// random), reproducibly for a `seed`. A rate of 0 stops it.
    pub fn set_failure_rate(&self, rate: f64, seed: u64) {
        self.shared.lock().storm = (rate > 0.0).then(|| (rate, Rng::new(seed)));
    }

    /// Makes the next `count` token requests fail with a 500.
    pub fn inject_token_faults(&self, count: usize) {
        self.shared.lock().token_faults += count;
    }

    /// Answers uploads with `403 storageQuotaExceeded` (or stops).
    pub fn set_storage_quota_exceeded(&self, exceeded: bool) {
        self.shared.lock().quota_exceeded = exceeded;
    }

    /// Every token granted so far stops working (401), as when tokens expire.
    pub fn expire_tokens(&self) {
        for token in self.shared.lock().tokens.values_mut() {
            token.revoked = true;
        }
    }

    /// Every open upload session is forgotten (404 to its next request).
    pub fn expire_sessions(&self) {
        self.shared.lock().sessions.clear();
    }

    /// Lifetime of the tokens granted from now on.
    pub fn set_token_lifetime(&self, lifetime: Duration) {
        self.shared.lock().token_lifetime = lifetime;
    }

    /// Waits this long before reading each upload chunk (slow uploads for crash tests).
    pub fn set_chunk_delay(&self, delay: Duration) {
        self.shared.lock().chunk_delay = delay;
    }

    /// How many tokens were granted.
    pub fn tokens_issued(&self) -> usize {
        self.shared.lock().tokens_issued
    }

    /// Upload sessions open now.
    pub fn open_sessions(&self) -> usize {
        self.shared.lock().sessions.len()
    }

    /// Every request received, in order.
    pub fn requests(&self) -> Vec<StandInRequest> {
        self.shared.lock().requests.clone()
    }

    /// Stops the server and waits for it.
    pub async fn shutdown(self) {
        self.handle.stop(false).await;
    }
}

impl Drop for GoogleStandIn {
    fn drop(&mut self) {
        drop(self.handle.stop(false));
    }
}
