//! Who the uploader is to Google: a service account (key file) or a user (OAuth refresh token).

use std::fmt;
use std::path::Path;

use serde::Deserialize;

use crate::error::DriveError;

/// Google's token endpoint, used when a key file or configuration does not name one.
pub const DEFAULT_TOKEN_URI: &str = "https://oauth2.googleapis.com/token";

/// A value that never prints (private keys, client secrets, refresh tokens).
#[derive(Clone, PartialEq, Eq)]
pub struct Hidden(String);

impl Hidden {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Hidden {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// A service account's JSON key file, as the Google Cloud console downloads it.
///
/// ```
/// use drive_uploader::ServiceAccountKey;
/// let json = r#"{"type": "service_account", "client_email": "ramal@example.iam.gserviceaccount.com",
///   "private_key": "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----\n",
///   "private_key_id": "k1", "token_uri": "https://oauth2.googleapis.com/token"}"#;
/// let key = ServiceAccountKey::from_json(json).unwrap();
/// assert_eq!(key.client_email(), "ramal@example.iam.gserviceaccount.com");
/// assert!(!format!("{key:?}").contains("PRIVATE KEY"));
/// ```
#[derive(Clone, PartialEq, Eq, Deserialize)]
pub struct ServiceAccountKey {
    #[serde(rename = "type")]
    kind: String,
    client_email: String,
    private_key: Hidden,
    #[serde(default)]
    private_key_id: Option<String>,
    #[serde(default = "default_token_uri")]
    token_uri: String,
}

fn default_token_uri() -> String {
    DEFAULT_TOKEN_URI.to_owned()
}

impl<'de> Deserialize<'de> for Hidden {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Hidden)
    }
}

impl ServiceAccountKey {
    /// Parses a key file's content, checking it is a service account key with a PEM
    /// private key and an http(s) token URI.
    pub fn from_json(json: &str) -> Result<Self, DriveError> {
        let key: Self = serde_json::from_str(json).map_err(|e| {
            DriveError::Credentials(format!(
                "not a service account key file ({e}); download one from Google Cloud console -> IAM -> Service accounts -> Keys -> Add key -> JSON"
            ))
        })?;
        if key.kind != "service_account" {
            return Err(DriveError::Credentials(format!(
                "the key file's type is {:?}, not \"service_account\" (an OAuth client file is not a key: use the refresh-token settings for it)",
                key.kind
            )));
        }
        if !key
            .private_key
            .expose()
            .contains("-----BEGIN PRIVATE KEY-----")
        {
            return Err(DriveError::Credentials(
                "the key file's private_key is not a PKCS#8 PEM key (-----BEGIN PRIVATE KEY-----)"
                    .into(),
            ));
        }
        check_http_url("token_uri", &key.token_uri)?;
        Ok(key)
    }

    /// Reads and parses a key file.
    pub fn from_file(path: &Path) -> Result<Self, DriveError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            DriveError::Credentials(format!("cannot read the key file {}: {e}", path.display()))
        })?;
        Self::from_json(&text)
    }

    /// The account's e-mail address (the `iss` of its token requests; what to add as a
    /// member of the shared drive).
    pub fn client_email(&self) -> &str {
        &self.client_email
    }

    /// Where tokens are requested (the key's `token_uri`).
    pub fn token_uri(&self) -> &str {
        &self.token_uri
    }

    /// The key's id, sent as the JWT `kid`.
    pub fn private_key_id(&self) -> Option<&str> {
        self.private_key_id.as_deref()
    }

    pub(crate) fn private_key_pem(&self) -> &str {
        self.private_key.expose()
    }
}

impl fmt::Debug for ServiceAccountKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceAccountKey")
            .field("client_email", &self.client_email)
            .field("private_key_id", &self.private_key_id)
            .field("token_uri", &self.token_uri)
            .finish_non_exhaustive()
    }
}

/// A Google user's OAuth grant: an OAuth client (id and secret) and a refresh token obtained
/// once with the user's consent. Files are then owned by, and count against, that user's
/// storage: the way to upload into a personal My Drive folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRefreshToken {
    /// OAuth client id (`….apps.googleusercontent.com`).
    pub client_id: String,
    /// OAuth client secret.
    pub client_secret: Hidden,
    /// The user's refresh token.
    pub refresh_token: Hidden,
    /// Token endpoint ([`DEFAULT_TOKEN_URI`] for Google).
    pub token_uri: String,
}

/// How the uploader authenticates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credentials {
    /// A service account key, optionally impersonating a Workspace user through domain-wide
    /// delegation (the JWT's `sub`).
    ServiceAccount {
        /// The key.
        key: ServiceAccountKey,
        /// The user to act as, when domain-wide delegation is set up.
        subject: Option<String>,
    },
    /// A user's refresh token.
    User(UserRefreshToken),
}

impl Credentials {
    /// The token endpoint these credentials use.
    pub fn token_uri(&self) -> &str {
        match self {
            Credentials::ServiceAccount { key, .. } => key.token_uri(),
            Credentials::User(user) => &user.token_uri,
        }
    }
}

pub(crate) fn check_http_url(what: &str, url: &str) -> Result<(), DriveError> {
    if url.starts_with("https://") || url.starts_with("http://") {
        Ok(())
    } else {
        Err(DriveError::Credentials(format!(
            "{what} {url:?} is not an http(s) URL"
        )))
    }
}
