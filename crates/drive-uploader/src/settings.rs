//! How the uploader is set up: credentials, folder, endpoints, sizes, retries.

use std::fmt;
use std::time::Duration;

use crate::credentials::{Credentials, check_http_url};
use crate::error::DriveError;

/// Google's API base (uploads go to `<base>/upload/drive/v3/...`, the rest to `<base>/drive/v3/...`).
pub const DEFAULT_API_BASE: &str = "https://www.googleapis.com";
/// Resumable upload chunks must be multiples of this (Drive's rule).
pub const CHUNK_GRANULARITY: usize = 256 * 1024;
/// Default chunk of resumable uploads: Google recommends at least 8 MiB for throughput; it is
/// also the most memory one upload holds.
pub const DEFAULT_CHUNK_SIZE: usize = 32 * CHUNK_GRANULARITY;
/// Recordings up to this size go in one multipart request (no session to set up); larger ones
/// use a resumable session so a broken connection costs one chunk, not the whole file.
pub const DEFAULT_MULTIPART_MAX: u64 = 5 * 1024 * 1024;

/// The id of the Drive folder recordings go to (the part after `/folders/` in its URL).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct FolderId(String);

impl FolderId {
    /// Checks the id's characters (letters, digits, `-`, `_`), which also makes it safe to
    /// put inside a Drive search query.
    ///
    /// ```
    /// use drive_uploader::FolderId;
    /// assert!(FolderId::parse("1-xXfqt_pgwqSZwXCQO3LpTeAtXd_hmMl").is_ok());
    /// assert!(FolderId::parse("x' or name contains '").is_err());
    /// ```
    pub fn parse(value: &str) -> Result<Self, DriveError> {
        let value = value.trim();
        let ok = !value.is_empty()
            && value.len() <= 200
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(Self(value.to_owned()))
        } else {
            Err(DriveError::Credentials(
                "the Drive folder id is the last part of the folder's URL (letters, digits, - and _)"
                    .into(),
            ))
        }
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for FolderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FolderId({})", self.0)
    }
}

impl fmt::Display for FolderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Retries of one request inside an upload (rate limits, 5xx, dropped connections), before
/// the failure is handed to the caller (whose job queue retries later, with its own backoff).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Tries per request, the first included.
    pub attempts: u32,
    /// Wait before the second try; doubled each time, with jitter.
    pub base_delay: Duration,
    /// Longest wait.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 5,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(16),
        }
    }
}

impl RetryPolicy {
    /// The wait after failed try number `failures` (1-based): exponential, capped, with "equal
    /// jitter" (between half and all of it) so many clients do not retry in step.
    pub fn delay(&self, failures: u32) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(1u32 << failures.saturating_sub(1).min(20))
            .min(self.max_delay);
        let half = exp / 2;
        half + half.mul_f64(jitter())
    }
}

/// A number in [0, 1) that differs between calls (enough for jitter).
pub(crate) fn jitter() -> f64 {
    use std::hash::{BuildHasher as _, Hasher as _};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos(),
    );
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// Everything a [`DriveSink`](crate::DriveSink) needs.
#[derive(Debug, Clone)]
pub struct DriveSettings {
    /// Who uploads.
    pub credentials: Credentials,
    /// Where recordings go. For a service account, a folder in a shared drive where the
    /// account is a Content manager.
    pub folder: FolderId,
    /// API base ([`DEFAULT_API_BASE`]; a local stand-in in tests).
    pub api_base: String,
    /// Bytes per resumable chunk (rounded down to a multiple of 256 KiB, at least 256 KiB).
    pub chunk_size: usize,
    /// Largest recording sent in one multipart request.
    pub multipart_max: u64,
    /// Retries inside one upload.
    pub retry: RetryPolicy,
    /// Time allowed to connect to Google.
    pub connect_timeout: Duration,
    /// Time allowed for one request (one chunk, one list, ...).
    pub request_timeout: Duration,
}

impl DriveSettings {
    /// Default sizes, retries and timeouts, Google's endpoints.
    pub fn new(credentials: Credentials, folder: FolderId) -> Self {
        Self {
            credentials,
            folder,
            api_base: DEFAULT_API_BASE.to_owned(),
            chunk_size: DEFAULT_CHUNK_SIZE,
            multipart_max: DEFAULT_MULTIPART_MAX,
            retry: RetryPolicy::default(),
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(300),
        }
    }

    /// Another API base (a stand-in in tests).
    pub fn api_base(mut self, base: impl Into<String>) -> Self {
        self.api_base = base.into();
        self
    }

    pub(crate) fn validated(mut self) -> Result<Self, DriveError> {
        self.api_base = self.api_base.trim_end_matches('/').to_owned();
        check_http_url("the Drive API base", &self.api_base)?;
        check_http_url("the token endpoint", self.credentials.token_uri())?;
        self.chunk_size = (self.chunk_size / CHUNK_GRANULARITY).max(1) * CHUNK_GRANULARITY;
        self.retry.attempts = self.retry.attempts.max(1);
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_and_stay_capped() {
        let p = RetryPolicy {
            attempts: 10,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
        };
        for failures in 1..12 {
            let d = p.delay(failures);
            let full = (Duration::from_millis(100) * (1 << (failures - 1).min(20)))
                .min(Duration::from_secs(1));
            assert!(d >= full / 2 && d <= full, "{failures}: {d:?} vs {full:?}");
        }
    }
}
