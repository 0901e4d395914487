//! What can go wrong talking to Google, and whether trying again can help.

use std::io;

/// Text of [`DriveError::StorageQuotaExceeded`]: what happened and the three fixes.
pub const STORAGE_QUOTA_HELP: &str = "Google Drive refused the upload: storageQuotaExceeded. \
Service accounts have no storage of their own, so uploading into a folder of someone's My Drive \
that is merely shared with the account fails (the old advice to share a personal folder with the \
service account no longer works). Fix it in one of three ways: use a folder in a shared drive and \
add the service account to that shared drive as a Content manager; or set up domain-wide \
delegation and make the account act as a Workspace user (the impersonated subject); or use a \
user's OAuth refresh token (client id, client secret, refresh token) instead of a service \
account key. Then retry the recording.";

/// A failure of the Drive uploader.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DriveError {
    /// The key file or credential settings are unusable.
    #[error("Google credentials: {0}")]
    Credentials(String),
    /// The token request could not be signed (the private key does not parse).
    #[error("cannot sign the token request with the service account key: {0}")]
    Sign(String),
    /// The token endpoint refused the credentials.
    #[error("Google's token endpoint answered {status}: {error}{}", describe(.description))]
    TokenRefused {
        /// HTTP status.
        status: u16,
        /// OAuth error code (`invalid_grant`, `invalid_client`, ...).
        error: String,
        /// Google's explanation.
        description: Option<String>,
    },
    /// The request did not complete (connection refused or dropped, timeout).
    #[error("{what}: the request to Google failed: {source}")]
    Transport {
        /// What was being done.
        what: &'static str,
        /// The cause.
        #[source]
        source: reqwest::Error,
    },
    /// Drive answered with an error.
    #[error("{what}: Drive answered {status}: {message}{}", reasons_text(.reasons))]
    Api {
        /// What was being done.
        what: &'static str,
        /// HTTP status.
        status: u16,
        /// `error.errors[].reason` values (`rateLimitExceeded`, `notFound`, ...).
        reasons: Vec<String>,
        /// `error.message`.
        message: String,
    },
    /// The account has no storage for the file: see [`STORAGE_QUOTA_HELP`].
    #[error("{}", STORAGE_QUOTA_HELP)]
    StorageQuotaExceeded,
    /// A resumable upload session is gone (404/410); the upload must start over.
    #[error("the resumable upload session expired; the upload starts over on the next attempt")]
    SessionExpired,
    /// An answer that does not follow Drive's protocol.
    #[error("{what}: unexpected answer from Drive: {detail}")]
    Protocol {
        /// What was being done.
        what: &'static str,
        /// What was wrong.
        detail: String,
    },
}

fn describe(description: &Option<String>) -> String {
    description
        .as_deref()
        .map(|d| format!(" ({d})"))
        .unwrap_or_default()
}

fn reasons_text(reasons: &[String]) -> String {
    if reasons.is_empty() {
        String::new()
    } else {
        format!(" [{}]", reasons.join(", "))
    }
}

/// Drive's reasons that say "slow down", not "this is wrong".
const RETRYABLE_REASONS: [&str; 5] = [
    "rateLimitExceeded",
    "userRateLimitExceeded",
    "backendError",
    "internalError",
    "sharingRateLimitExceeded",
];

impl DriveError {
    /// Whether retrying later cannot help without someone changing the configuration.
    ///
    /// Permanent: unusable credentials, a token endpoint refusing them, a full storage quota,
    /// and Drive's 4xx answers other than rate limits and expired tokens (a folder that does not
    /// exist or is not shared with the account, a malformed request).
    pub fn is_permanent(&self) -> bool {
        match self {
            DriveError::Credentials(_) | DriveError::Sign(_) | DriveError::StorageQuotaExceeded => {
                true
            }
            DriveError::TokenRefused { status, .. } => {
                (400..500).contains(status) && *status != 429
            }
            DriveError::Api {
                status, reasons, ..
            } => {
                let retryable = *status == 401
                    || *status == 408
                    || *status == 429
                    || *status >= 500
                    || reasons
                        .iter()
                        .any(|r| RETRYABLE_REASONS.contains(&r.as_str()));
                !retryable
            }
            DriveError::Transport { .. }
            | DriveError::SessionExpired
            | DriveError::Protocol { .. } => false,
        }
    }

    /// Whether retrying this very request soon is reasonable (throttling, server errors,
    /// broken connections).
    pub(crate) fn is_retryable_now(&self) -> bool {
        match self {
            DriveError::Transport { .. } => true,
            DriveError::Api {
                status, reasons, ..
            } => {
                *status == 408
                    || *status == 429
                    || *status >= 500
                    || reasons
                        .iter()
                        .any(|r| RETRYABLE_REASONS.contains(&r.as_str()))
            }
            DriveError::TokenRefused { status, .. } => *status >= 500 || *status == 429,
            _ => false,
        }
    }
}

/// An error met while reading the recording being uploaded, kept aside by the upload so the
/// caller sees it instead of the transport error it caused.
#[derive(Debug)]
pub(crate) struct SourceFailure(pub(crate) io::Error);
