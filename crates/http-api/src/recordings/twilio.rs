//! Recording media from Twilio's REST API: Basic auth with the API key, redirects followed by
//! hand so the credentials never reach another host, and the answer checked before use.

use std::time::Duration;

use base64::Engine as _;
use call_store::ids::RecordingSid;
use futures_util::TryStreamExt as _;
use recording_sink::{MediaReader, MediaType};
use reqwest::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HeaderValue, LOCATION, RANGE};
use reqwest::{StatusCode, Url};
use tokio_util::io::StreamReader;

use crate::config::{Config, Secret};

/// Redirects followed before giving up (Twilio uses one, to its media storage).
const MAX_REDIRECTS: usize = 5;
/// Time allowed to connect to Twilio or its media host.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Longest silence while reading an answer: a stalled download fails instead of holding a job
/// until its lease ends.
const READ_TIMEOUT: Duration = Duration::from_secs(60);

/// Why recording media could not be fetched.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The request did not complete.
    #[error("Twilio could not be reached: {0}")]
    Transport(#[source] reqwest::Error),
    /// Twilio refused the API key.
    #[error(
        "Twilio refused the API key ({0}): check TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET (a Standard key of this account)"
    )]
    Unauthorized(u16),
    /// Twilio has no media for the recording.
    #[error(
        "Twilio has no media for this recording (404: not completed yet, deleted, or stored externally)"
    )]
    NotFound,
    /// Another error status.
    #[error("Twilio answered {0} to the media request")]
    Status(u16),
    /// The answer is not audio.
    #[error("Twilio sent {0:?} where audio was expected")]
    NotAudio(String),
    /// No usable `Content-Length`.
    #[error("Twilio's answer has no usable Content-Length")]
    NoLength,
    /// An empty body.
    #[error("Twilio sent an empty recording")]
    Empty,
    /// A redirect that cannot be followed.
    #[error("Twilio's redirect cannot be followed: {0}")]
    Redirect(String),
}

impl FetchError {
    /// Whether trying again later cannot help (wrong credentials).
    pub fn is_permanent(&self) -> bool {
        matches!(self, FetchError::Unauthorized(_))
    }
}

/// A checked media answer, ready to stream.
#[derive(Debug)]
pub struct Download {
    /// Audio format from `Content-Type`.
    pub media_type: MediaType,
    /// Exact size from `Content-Length`.
    pub length: u64,
    response: reqwest::Response,
}

impl Download {
    /// The body as an `AsyncRead`.
    pub fn into_reader(self) -> MediaReader {
        let stream = self.response.bytes_stream().map_err(std::io::Error::other);
        Box::new(StreamReader::new(stream))
    }
}

/// Twilio's REST API for recording media.
#[derive(Clone)]
pub struct TwilioMedia {
    http: reqwest::Client,
    api_base: Url,
    account_sid: String,
    key_sid: String,
    key_secret: Secret,
}

impl std::fmt::Debug for TwilioMedia {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TwilioMedia")
            .field("api_base", &self.api_base.as_str())
            .field("key_sid", &self.key_sid)
            .finish_non_exhaustive()
    }
}

impl TwilioMedia {
    /// The client for the configured account; `None` without one.
    pub fn from_config(config: &Config) -> Result<Option<Self>, String> {
        let Some(twilio) = &config.twilio else {
            return Ok(None);
        };
        let api_base = Url::parse(&config.twilio_api_base)
            .map_err(|e| format!("RAMAL_TWILIO_API_BASE: {e}"))?;
        let http = reqwest::Client::builder()
            // Redirects are followed by hand: see `send`.
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(CONNECT_TIMEOUT)
            .read_timeout(READ_TIMEOUT)
            .user_agent(concat!("ramal/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        Ok(Some(Self {
            http,
            api_base,
            account_sid: twilio.account_sid.to_string(),
            key_sid: twilio.api_key_sid.to_string(),
            key_secret: twilio.api_key_secret.clone(),
        }))
    }

    fn recording_url(&self, sid: &RecordingSid, suffix: &str) -> Result<Url, FetchError> {
        let path = format!(
            "2010-04-01/Accounts/{}/Recordings/{sid}{suffix}",
            self.account_sid
        );
        // The base may carry a path prefix (a proxy); join below it.
        let mut base = self.api_base.clone();
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        base.join(&path)
            .map_err(|e| FetchError::Redirect(format!("bad recording URL: {e}")))
    }

    fn authorization(&self) -> HeaderValue {
        let raw = format!("{}:{}", self.key_sid, self.key_secret.expose());
        let mut value = HeaderValue::from_str(&format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(raw)
        ))
        .unwrap_or_else(|_| HeaderValue::from_static(""));
        value.set_sensitive(true);
        value
    }

    /// Whether `url` is on the API's own origin (scheme, host and port): the only place the
    /// credentials are sent.
    fn same_origin(&self, url: &Url) -> bool {
        url.scheme() == self.api_base.scheme()
            && url.host_str() == self.api_base.host_str()
            && url.port_or_known_default() == self.api_base.port_or_known_default()
    }

    /// `GET` following redirects; `Authorization` goes only to the API's origin.
    async fn send(
        &self,
        mut url: Url,
        range: Option<&str>,
    ) -> Result<reqwest::Response, FetchError> {
        for _ in 0..=MAX_REDIRECTS {
            let mut request = self.http.get(url.clone());
            if self.same_origin(&url) {
                request = request.header(AUTHORIZATION, self.authorization());
            }
            if let Some(range) = range {
                request = request.header(RANGE, range);
            }
            let response = request.send().await.map_err(FetchError::Transport)?;
            if !response.status().is_redirection() {
                return Ok(response);
            }
            let location = response
                .headers()
                .get(LOCATION)
                .and_then(|v| v.to_str().ok())
                .ok_or_else(|| FetchError::Redirect("no Location header".into()))?;
            let next = url
                .join(location)
                .map_err(|e| FetchError::Redirect(format!("bad Location: {e}")))?;
            if !matches!(next.scheme(), "http" | "https")
                || (url.scheme() == "https" && next.scheme() == "http")
            {
                return Err(FetchError::Redirect(format!(
                    "refusing to follow a redirect to {}:",
                    next.scheme()
                )));
            }
            url = next;
        }
        Err(FetchError::Redirect("too many redirects".into()))
    }

    /// Downloads a recording's MP3 for filing: only a `200` with an audio type and a non-zero
    /// `Content-Length` is accepted (the sinks then check the body has exactly that length).
    pub async fn download(&self, sid: &RecordingSid) -> Result<Download, FetchError> {
        let response = self.send(self.recording_url(sid, ".mp3")?, None).await?;
        let response = check_status(response)?;
        if response.status() != StatusCode::OK {
            return Err(FetchError::Status(response.status().as_u16()));
        }
        let content_type = header(&response, CONTENT_TYPE.as_str()).unwrap_or_default();
        let media_type = MediaType::from_content_type(&content_type)
            .ok_or(FetchError::NotAudio(content_type))?;
        let length = header(&response, CONTENT_LENGTH.as_str())
            .and_then(|v| v.parse::<u64>().ok())
            .ok_or(FetchError::NoLength)?;
        if length == 0 {
            return Err(FetchError::Empty);
        }
        Ok(Download {
            media_type,
            length,
            response,
        })
    }

    /// Opens a recording's MP3 for playback, passing `range` on. Twilio's range support is
    /// undocumented: the caller serves whatever status (200 or 206) comes back.
    pub async fn open(
        &self,
        sid: &RecordingSid,
        range: Option<&str>,
    ) -> Result<reqwest::Response, FetchError> {
        let response = self.send(self.recording_url(sid, ".mp3")?, range).await?;
        let response = check_status(response)?;
        match response.status().as_u16() {
            200 | 206 => Ok(response),
            other => Err(FetchError::Status(other)),
        }
    }

    /// Deletes a recording (media gone for good; Twilio keeps metadata 40 days). A recording
    /// already gone counts as deleted.
    pub async fn delete(&self, sid: &RecordingSid) -> Result<(), FetchError> {
        let response = self
            .http
            .delete(self.recording_url(sid, ".json")?)
            .header(AUTHORIZATION, self.authorization())
            .send()
            .await
            .map_err(FetchError::Transport)?;
        match check_status(response) {
            Ok(_) | Err(FetchError::NotFound) => Ok(()),
            Err(e) => Err(e),
        }
    }
}

fn header(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn check_status(response: reqwest::Response) -> Result<reqwest::Response, FetchError> {
    match response.status().as_u16() {
        200..=299 => Ok(response),
        401 | 403 => Err(FetchError::Unauthorized(response.status().as_u16())),
        404 => Err(FetchError::NotFound),
        other => Err(FetchError::Status(other)),
    }
}
