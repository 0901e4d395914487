//! OAuth access tokens: a signed JWT assertion for service accounts, a refresh-token grant for
//! users; cached, refreshed before they expire, dropped when Drive says they are no longer good.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::credentials::Credentials;
use crate::error::DriveError;

/// The scope asked for. `drive` (not `drive.file`) reaches folders the account did not create,
/// such as a shared drive's folder made by a person.
pub const DRIVE_SCOPE: &str = "https://www.googleapis.com/auth/drive";

/// Longest lifetime Google grants to a JWT assertion.
const ASSERTION_LIFETIME_SECS: i64 = 3600;
/// A token is replaced this long before it expires (at most a quarter of its life), so a
/// request never leaves with a token about to die in flight.
const REFRESH_MARGIN: Duration = Duration::from_secs(300);
/// How long a token request may take.
const TOKEN_TIMEOUT: Duration = Duration::from_secs(30);

/// An access token. `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(String);

impl AccessToken {
    /// The bearer value.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(***)")
    }
}

#[derive(Debug)]
struct Cached {
    token: AccessToken,
    refresh_at: Instant,
}

#[derive(Debug)]
struct Inner {
    credentials: Credentials,
    http: reqwest::Client,
    cache: tokio::sync::Mutex<Option<Cached>>,
}

/// Gets and caches access tokens for Drive. Cheap to clone; clones share the cache, and
/// concurrent callers wait for one token request instead of each making their own.
///
/// It also implements [`google_apis_common::GetToken`], so the same credentials can drive a
/// `google-drive3` hub.
#[derive(Debug, Clone)]
pub struct DriveAuth {
    inner: Arc<Inner>,
}

#[derive(Serialize)]
struct Claims<'a> {
    iss: &'a str,
    scope: &'a str,
    aud: &'a str,
    iat: i64,
    exp: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    sub: Option<&'a str>,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    expires_in: Option<u64>,
}

#[derive(Deserialize)]
struct TokenErrorAnswer {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

impl DriveAuth {
    /// Tokens for `credentials`, requested with `http`.
    pub fn new(credentials: Credentials, http: reqwest::Client) -> Self {
        Self {
            inner: Arc::new(Inner {
                credentials,
                http,
                cache: tokio::sync::Mutex::new(None),
            }),
        }
    }

    /// The credentials in use.
    pub fn credentials(&self) -> &Credentials {
        &self.inner.credentials
    }

    /// A token valid for a while: the cached one, or a new one.
    pub async fn token(&self) -> Result<AccessToken, DriveError> {
        let mut cache = self.inner.cache.lock().await;
        if let Some(cached) = cache.as_ref().filter(|c| Instant::now() < c.refresh_at) {
            return Ok(cached.token.clone());
        }
        let (token, lifetime) = self.request().await?;
        let margin = REFRESH_MARGIN.min(lifetime / 4);
        *cache = Some(Cached {
            token: token.clone(),
            refresh_at: Instant::now() + lifetime.saturating_sub(margin),
        });
        Ok(token)
    }

    /// Forgets `token` if it is the cached one (Drive answered 401 to it).
    pub async fn invalidate(&self, token: &AccessToken) {
        let mut cache = self.inner.cache.lock().await;
        if cache.as_ref().is_some_and(|c| c.token == *token) {
            *cache = None;
        }
    }

    async fn request(&self) -> Result<(AccessToken, Duration), DriveError> {
        let credentials = &self.inner.credentials;
        let form: Vec<(&str, String)> = match credentials {
            Credentials::ServiceAccount { key, subject } => {
                let now = chrono::Utc::now().timestamp();
                let claims = Claims {
                    iss: key.client_email(),
                    scope: DRIVE_SCOPE,
                    aud: key.token_uri(),
                    iat: now,
                    exp: now + ASSERTION_LIFETIME_SECS,
                    sub: subject.as_deref(),
                };
                let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
                header.kid = key.private_key_id().map(str::to_owned);
                let signing_key =
                    jsonwebtoken::EncodingKey::from_rsa_pem(key.private_key_pem().as_bytes())
                        .map_err(|e| DriveError::Sign(e.to_string()))?;
                let assertion = jsonwebtoken::encode(&header, &claims, &signing_key)
                    .map_err(|e| DriveError::Sign(e.to_string()))?;
                vec![
                    (
                        "grant_type",
                        "urn:ietf:params:oauth:grant-type:jwt-bearer".to_owned(),
                    ),
                    ("assertion", assertion),
                ]
            }
            Credentials::User(user) => vec![
                ("grant_type", "refresh_token".to_owned()),
                ("client_id", user.client_id.clone()),
                ("client_secret", user.client_secret.expose().to_owned()),
                ("refresh_token", user.refresh_token.expose().to_owned()),
            ],
        };
        let what = "requesting an access token";
        let response = self
            .inner
            .http
            .post(credentials.token_uri())
            .form(&form)
            .timeout(TOKEN_TIMEOUT)
            .send()
            .await
            .map_err(|source| DriveError::Transport { what, source })?;
        let status = response.status().as_u16();
        let body = response
            .bytes()
            .await
            .map_err(|source| DriveError::Transport { what, source })?;
        if !(200..300).contains(&status) {
            let (error, description) = match serde_json::from_slice::<TokenErrorAnswer>(&body) {
                Ok(e) => (e.error, e.error_description),
                Err(_) => ("unexpected_answer".to_owned(), None),
            };
            return Err(DriveError::TokenRefused {
                status,
                error,
                description,
            });
        }
        let answer: TokenAnswer =
            serde_json::from_slice(&body).map_err(|e| DriveError::Protocol {
                what,
                detail: format!("token answer does not parse: {e}"),
            })?;
        tracing::debug!(
            expires_in = answer.expires_in,
            "obtained a Google access token"
        );
        let lifetime = Duration::from_secs(answer.expires_in.unwrap_or(3600).max(1));
        Ok((AccessToken(answer.access_token), lifetime))
    }
}

impl google_apis_common::GetToken for DriveAuth {
    fn get_token<'a>(
        &'a self,
        _scopes: &'a [&str],
    ) -> std::pin::Pin<
        Box<
            dyn std::future::Future<
                    Output = Result<Option<String>, Box<dyn std::error::Error + Send + Sync>>,
                > + Send
                + 'a,
        >,
    > {
        Box::pin(async move {
            let token = self.token().await?;
            Ok(Some(token.expose().to_owned()))
        })
    }
}
