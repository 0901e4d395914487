//! Drive v3 calls: search by recording SID, multipart and resumable uploads, delete.
//!
//! Every call carries `supportsAllDrives=true` (without it Drive answers 404 for files in
//! shared drives). Requests without a body to stream are retried here on throttling, server
//! errors and dropped connections; a 401 refreshes the token once.

use std::io;
use std::str::FromStr as _;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures_util::{StreamExt as _, stream};
use google_apis_common::{Chunk, ContentRange};
use recording_sink::{CheckedReader, MediaReader, RecordingMeta, RecordingSid, SinkError};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, LOCATION, RANGE, RETRY_AFTER};
use serde::Deserialize;
use serde_json::json;
use tokio::io::AsyncReadExt as _;
use tokio_util::io::ReaderStream;

use crate::auth::{AccessToken, DriveAuth};
use crate::error::{DriveError, SourceFailure};
use crate::settings::DriveSettings;

/// The `appProperties` key holding the recording SID: how a retry finds an earlier upload.
pub const SID_PROPERTY: &str = "ramalRecordingSid";
/// Fields asked of every file Drive returns.
const FILE_FIELDS: &str = "id,name,webViewLink,createdTime,size";
/// Stream buffer for multipart bodies.
const STREAM_BUFFER: usize = 64 * 1024;

/// A file in Drive, as much as the uploader asks for.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DriveFile {
    /// Drive's file id.
    pub id: String,
    /// File name.
    #[serde(default)]
    pub name: Option<String>,
    /// Link that opens the file in Drive.
    #[serde(default)]
    pub web_view_link: Option<String>,
    /// Creation time (RFC 3339).
    #[serde(default)]
    pub created_time: Option<String>,
    /// Size in bytes (Drive sends it as a string).
    #[serde(default)]
    pub size: Option<String>,
}

impl DriveFile {
    /// The link people open: Drive's `webViewLink`, or the standard file URL.
    pub fn link(&self) -> String {
        self.web_view_link
            .clone()
            .unwrap_or_else(|| format!("https://drive.google.com/file/d/{}/view", self.id))
    }
}

#[derive(Deserialize)]
struct FileList {
    #[serde(default)]
    files: Vec<DriveFile>,
}

#[derive(Deserialize)]
struct ErrorEnvelope {
    error: ErrorBody,
}

#[derive(Deserialize)]
struct ErrorBody {
    #[serde(default)]
    message: String,
    #[serde(default)]
    errors: Vec<ErrorItem>,
}

#[derive(Deserialize)]
struct ErrorItem {
    #[serde(default)]
    reason: String,
}

/// What Drive said to a chunk or a status query of a resumable session.
enum SessionAnswer {
    /// 308: it holds the bytes before this offset.
    Continue(u64),
    /// 200/201: the file is complete.
    Done(DriveFile),
}

/// The HTTP side of the uploader.
#[derive(Debug, Clone)]
pub(crate) struct DriveClient {
    pub(crate) settings: DriveSettings,
    http: reqwest::Client,
    auth: DriveAuth,
}

impl DriveClient {
    pub(crate) fn new(settings: DriveSettings) -> Result<Self, DriveError> {
        let settings = settings.validated()?;
        let http = reqwest::Client::builder()
            .connect_timeout(settings.connect_timeout)
            // Drive's 308 means "resume incomplete", not a redirect.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("ramal-drive-uploader/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| DriveError::Credentials(format!("cannot build the HTTP client: {e}")))?;
        let auth = DriveAuth::new(settings.credentials.clone(), http.clone());
        Ok(Self {
            settings,
            http,
            auth,
        })
    }

    pub(crate) fn auth(&self) -> &DriveAuth {
        &self.auth
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.settings.api_base)
    }

    /// Files of the folder carrying `sid` in their `appProperties`, oldest first.
    pub(crate) async fn find(&self, sid: &RecordingSid) -> Result<Vec<DriveFile>, DriveError> {
        // Both values are validated (hex SID, folder id of [A-Za-z0-9_-]): no quoting needed.
        let q = format!(
            "appProperties has {{ key='{SID_PROPERTY}' and value='{sid}' }} and '{}' in parents and trashed=false",
            self.settings.folder
        );
        let fields = format!("files({FILE_FIELDS})");
        let url = self.url("/drive/v3/files");
        let response = self
            .call("searching Drive for the recording", |http, token| {
                http.get(&url).bearer_auth(token.expose()).query(&[
                    ("q", q.as_str()),
                    ("fields", fields.as_str()),
                    ("supportsAllDrives", "true"),
                    ("includeItemsFromAllDrives", "true"),
                    ("corpora", "allDrives"),
                    ("pageSize", "100"),
                ])
            })
            .await?;
        let mut files = parse_json::<FileList>("searching Drive for the recording", response)
            .await?
            .files;
        files.sort_by(|a, b| (&a.created_time, &a.id).cmp(&(&b.created_time, &b.id)));
        Ok(files)
    }

    /// Moves nothing to the trash: deletes a duplicate for good (it was never seen by anyone).
    pub(crate) async fn delete(&self, file_id: &str) -> Result<(), DriveError> {
        let url = self.url(&format!("/drive/v3/files/{file_id}"));
        match self
            .call("deleting a duplicate upload", |http, token| {
                http.delete(&url)
                    .bearer_auth(token.expose())
                    .query(&[("supportsAllDrives", "true")])
            })
            .await
        {
            Ok(_) => Ok(()),
            // Another worker removed it first.
            Err(DriveError::Api { status: 404, .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }

    fn metadata(&self, meta: &RecordingMeta) -> serde_json::Value {
        json!({
            "name": meta.file_name(),
            "parents": [self.settings.folder.as_str()],
            "mimeType": meta.media_type().content_type(),
            "appProperties": { SID_PROPERTY: meta.sid().as_str() },
            "description": format!("Call recording {} filed by Ramal", meta.sid()),
        })
    }

    /// One `multipart/related` request: metadata part, then the media streamed as it is read.
    pub(crate) async fn upload_multipart(
        &self,
        meta: &RecordingMeta,
        media: MediaReader,
    ) -> Result<DriveFile, SinkError> {
        let what = "uploading the recording (multipart)";
        let token = self.auth.token().await?;
        let boundary = format!(
            "ramal-{}-{:016x}",
            meta.sid(),
            (crate::settings::jitter() * 1e16) as u64
        );
        let head = format!(
            "--{boundary}\r\nContent-Type: application/json; charset=UTF-8\r\n\r\n{}\r\n--{boundary}\r\nContent-Type: {}\r\n\r\n",
            self.metadata(meta),
            meta.media_type().content_type()
        );
        let tail = format!("\r\n--{boundary}--\r\n");
        let total = head.len() as u64 + meta.length() + tail.len() as u64;

        let failure: Arc<Mutex<Option<SourceFailure>>> = Arc::default();
        let slot = Arc::clone(&failure);
        let media =
            ReaderStream::with_capacity(CheckedReader::new(media, meta.length()), STREAM_BUFFER)
                .map(move |item| {
                    item.map_err(|e| {
                        let text = e.to_string();
                        *slot.lock().unwrap_or_else(|p| p.into_inner()) = Some(SourceFailure(e));
                        io::Error::other(text)
                    })
                });
        let body = stream::once(async move { Ok::<_, io::Error>(Bytes::from(head)) })
            .chain(media)
            .chain(stream::once(async move { Ok(Bytes::from(tail)) }));

        let sent = self
            .http
            .post(self.url("/upload/drive/v3/files"))
            .query(&[
                ("uploadType", "multipart"),
                ("supportsAllDrives", "true"),
                ("fields", FILE_FIELDS),
            ])
            .bearer_auth(token.expose())
            .header(
                CONTENT_TYPE,
                format!("multipart/related; boundary={boundary}"),
            )
            .header(CONTENT_LENGTH, total)
            .timeout(self.settings.request_timeout)
            .body(reqwest::Body::wrap_stream(body))
            .send()
            .await;
        if let Some(SourceFailure(e)) = failure.lock().unwrap_or_else(|p| p.into_inner()).take() {
            return Err(SinkError::from_read(e));
        }
        let response = sent.map_err(|source| DriveError::Transport { what, source })?;
        if response.status() == StatusCode::UNAUTHORIZED {
            // The body cannot be sent again; make the next attempt start with a new token.
            self.auth.invalidate(&token).await;
        }
        Ok(parse_json::<DriveFile>(what, response).await?)
    }

    /// A resumable session: chunks of `chunk_size` bytes, resumed where Drive says it stopped
    /// after any failure; the chunk in flight is the only part of the recording in memory.
    pub(crate) async fn upload_resumable(
        &self,
        meta: &RecordingMeta,
        media: MediaReader,
    ) -> Result<DriveFile, SinkError> {
        let total = meta.length();
        let chunk = self.settings.chunk_size;
        let mut reader = CheckedReader::new(media, total);
        let mut session = self.start_session(meta).await?;
        let mut buf: Vec<u8> = Vec::with_capacity(chunk);
        // Offset in the recording of buf[0].
        let mut offset: u64 = 0;
        // Whether bytes were dropped from memory: only before that can an expired session be
        // restarted in place.
        let mut discarded = false;
        // Chunks Drive answered without keeping a byte of; a session stuck there is given up.
        let mut stalled = 0;
        loop {
            if let Err(e) = fill(&mut reader, &mut buf, chunk, offset, total).await {
                self.cancel_session(&session).await;
                return Err(SinkError::from_read(e));
            }
            match self.send_chunk(&session, offset, &buf, total).await {
                Ok(SessionAnswer::Done(file)) => return Ok(file),
                Ok(SessionAnswer::Continue(next)) => {
                    let end = offset + buf.len() as u64;
                    if next < offset || next > end || next == total {
                        return Err(DriveError::Protocol {
                            what: "uploading a chunk",
                            detail: format!(
                                "Drive acknowledged {next} bytes after a chunk of {offset}..{end}"
                            ),
                        }
                        .into());
                    }
                    if next == offset {
                        stalled += 1;
                        if stalled >= self.settings.retry.attempts {
                            return Err(DriveError::Protocol {
                                what: "uploading a chunk",
                                detail: format!("Drive kept no byte of the chunk at {offset}"),
                            }
                            .into());
                        }
                    } else {
                        stalled = 0;
                        discarded = true;
                    }
                    buf.drain(..(next - offset) as usize);
                    offset = next;
                }
                Err(DriveError::SessionExpired) if !discarded => {
                    tracing::info!(recording.sid = %meta.sid(), "Drive upload session expired before any byte was kept; starting a new one");
                    session = self.start_session(meta).await?;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    async fn start_session(&self, meta: &RecordingMeta) -> Result<String, DriveError> {
        let what = "starting a resumable upload";
        let url = self.url("/upload/drive/v3/files");
        let metadata = self.metadata(meta).to_string();
        let response = self
            .call(what, |http, token| {
                http.post(&url)
                    .query(&[
                        ("uploadType", "resumable"),
                        ("supportsAllDrives", "true"),
                        ("fields", FILE_FIELDS),
                    ])
                    .bearer_auth(token.expose())
                    .header(CONTENT_TYPE, "application/json; charset=UTF-8")
                    .header("X-Upload-Content-Type", meta.media_type().content_type())
                    .header("X-Upload-Content-Length", meta.length())
                    .body(metadata.clone())
            })
            .await?;
        response
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .filter(|v| v.starts_with("http://") || v.starts_with("https://"))
            .map(str::to_owned)
            .ok_or(DriveError::Protocol {
                what,
                detail: "no session URI in the Location header".into(),
            })
    }

    /// Sends `buf` (the recording from `offset`), resuming after failures with status queries.
    async fn send_chunk(
        &self,
        session: &str,
        offset: u64,
        buf: &[u8],
        total: u64,
    ) -> Result<SessionAnswer, DriveError> {
        let what = "uploading a chunk";
        let mut from = offset;
        let mut failures = 0;
        loop {
            let part = &buf[(from - offset) as usize..];
            let range = ContentRange {
                range: (!part.is_empty()).then(|| Chunk {
                    first: from,
                    last: from + part.len() as u64 - 1,
                }),
                total_length: total,
            };
            let sent = self
                .http
                .put(session)
                .header(CONTENT_RANGE, range.header_value())
                .timeout(self.settings.request_timeout)
                .body(Bytes::copy_from_slice(part))
                .send()
                .await;
            let error = match sent {
                Ok(response) => match session_answer(what, response).await {
                    Ok(answer) => return Ok(answer),
                    Err(e) if e.is_retryable_now() => e,
                    Err(e) => return Err(e),
                },
                Err(source) => DriveError::Transport { what, source },
            };
            failures += 1;
            if failures >= self.settings.retry.attempts {
                return Err(error);
            }
            tracing::debug!(error = %error, failures, "a Drive chunk failed; asking the session where it stands");
            tokio::time::sleep(self.settings.retry.delay(failures)).await;
            match self.query_session(session, total).await? {
                SessionAnswer::Done(file) => return Ok(SessionAnswer::Done(file)),
                SessionAnswer::Continue(next) if next >= offset + buf.len() as u64 => {
                    return Ok(SessionAnswer::Continue(next));
                }
                SessionAnswer::Continue(next) if next >= offset => from = next,
                SessionAnswer::Continue(next) => {
                    return Err(DriveError::Protocol {
                        what,
                        detail: format!("the session went back to byte {next}, before {offset}"),
                    });
                }
            }
        }
    }

    /// `PUT` with `Content-Range: bytes */total`: how much of the upload Drive holds.
    async fn query_session(&self, session: &str, total: u64) -> Result<SessionAnswer, DriveError> {
        let what = "asking an upload session where it stands";
        let range = ContentRange {
            range: None,
            total_length: total,
        };
        let mut failures = 0;
        loop {
            let sent = self
                .http
                .put(session)
                .header(CONTENT_RANGE, range.header_value())
                .header(CONTENT_LENGTH, 0)
                .timeout(self.settings.request_timeout)
                .send()
                .await;
            let error = match sent {
                Ok(response) => match session_answer(what, response).await {
                    Ok(answer) => return Ok(answer),
                    Err(e) if e.is_retryable_now() => e,
                    Err(e) => return Err(e),
                },
                Err(source) => DriveError::Transport { what, source },
            };
            failures += 1;
            if failures >= self.settings.retry.attempts {
                return Err(error);
            }
            tokio::time::sleep(self.settings.retry.delay(failures)).await;
        }
    }

    /// Best effort: tells Drive to drop a session whose upload is abandoned.
    async fn cancel_session(&self, session: &str) {
        let _ = self
            .http
            .delete(session)
            .timeout(self.settings.connect_timeout)
            .send()
            .await;
    }

    /// Sends a request built by `build` with a valid token: retried on throttling, server errors
    /// and broken connections; a 401 gets one new token.
    async fn call<F>(&self, what: &'static str, build: F) -> Result<reqwest::Response, DriveError>
    where
        F: Fn(&reqwest::Client, &AccessToken) -> reqwest::RequestBuilder,
    {
        let mut failures = 0;
        let mut refreshed = false;
        loop {
            let token = self.auth.token().await;
            let (error, retry_after) = match token {
                Err(e) => (e, None),
                Ok(token) => {
                    match build(&self.http, &token)
                        .timeout(self.settings.request_timeout)
                        .send()
                        .await
                    {
                        Ok(response) if response.status().is_success() => return Ok(response),
                        Ok(response)
                            if response.status() == StatusCode::UNAUTHORIZED && !refreshed =>
                        {
                            tracing::debug!(
                                what,
                                "Drive refused the access token; getting a new one"
                            );
                            self.auth.invalidate(&token).await;
                            refreshed = true;
                            continue;
                        }
                        Ok(response) => {
                            let retry_after = response
                                .headers()
                                .get(RETRY_AFTER)
                                .and_then(|v| v.to_str().ok())
                                .and_then(|v| v.trim().parse::<u64>().ok())
                                .map(std::time::Duration::from_secs);
                            (api_error(what, response).await, retry_after)
                        }
                        Err(source) => (DriveError::Transport { what, source }, None),
                    }
                }
            };
            failures += 1;
            if !error.is_retryable_now() || failures >= self.settings.retry.attempts {
                return Err(error);
            }
            let wait = retry_after
                .map(|d| d.min(self.settings.retry.max_delay))
                .unwrap_or_else(|| self.settings.retry.delay(failures));
            tracing::debug!(what, error = %error, failures, "retrying a Drive request");
            tokio::time::sleep(wait).await;
        }
    }
}

/// Reads until `buf` holds `chunk` bytes or the recording ends; at the end, checks that nothing
/// follows (a body longer than announced must not complete an upload).
async fn fill(
    reader: &mut CheckedReader<MediaReader>,
    buf: &mut Vec<u8>,
    chunk: usize,
    offset: u64,
    total: u64,
) -> io::Result<()> {
    let mut scratch = [0u8; 8192];
    while buf.len() < chunk && offset + (buf.len() as u64) < total {
        let want = (chunk - buf.len()).min(scratch.len());
        let n = reader.read(&mut scratch[..want]).await?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&scratch[..n]);
    }
    if offset + buf.len() as u64 >= total {
        // Must be the end: CheckedReader fails on an extra byte or a short stream.
        let n = reader.read(&mut scratch[..1]).await?;
        if n != 0 {
            return Err(io::Error::other("bytes after the announced length"));
        }
    }
    Ok(())
}

async fn session_answer(
    what: &'static str,
    response: reqwest::Response,
) -> Result<SessionAnswer, DriveError> {
    match response.status().as_u16() {
        308 => {
            let next = match response.headers().get(RANGE).and_then(|v| v.to_str().ok()) {
                None => 0,
                Some(value) => {
                    let chunk = value
                        .trim()
                        .strip_prefix("bytes=")
                        .and_then(|r| Chunk::from_str(r).ok())
                        .ok_or_else(|| DriveError::Protocol {
                            what,
                            detail: format!("unreadable Range header {value:?}"),
                        })?;
                    chunk.last + 1
                }
            };
            Ok(SessionAnswer::Continue(next))
        }
        200 | 201 => Ok(SessionAnswer::Done(parse_json(what, response).await?)),
        404 | 410 => Err(DriveError::SessionExpired),
        _ => Err(api_error(what, response).await),
    }
}

async fn parse_json<T: serde::de::DeserializeOwned>(
    what: &'static str,
    response: reqwest::Response,
) -> Result<T, DriveError> {
    if !response.status().is_success() {
        return Err(api_error(what, response).await);
    }
    let bytes = response
        .bytes()
        .await
        .map_err(|source| DriveError::Transport { what, source })?;
    serde_json::from_slice(&bytes).map_err(|e| DriveError::Protocol {
        what,
        detail: format!("the answer does not parse: {e}"),
    })
}

/// Drive's error answer, with `storageQuotaExceeded` recognised by its reason (never its text).
async fn api_error(what: &'static str, response: reqwest::Response) -> DriveError {
    let status = response.status().as_u16();
    let body = response.bytes().await.unwrap_or_default();
    let (message, reasons) = match serde_json::from_slice::<ErrorEnvelope>(&body) {
        Ok(envelope) => (
            envelope.error.message,
            envelope
                .error
                .errors
                .into_iter()
                .map(|e| e.reason)
                .filter(|r| !r.is_empty())
                .collect(),
        ),
        Err(_) => (
            String::from_utf8_lossy(&body).chars().take(200).collect(),
            Vec::new(),
        ),
    };
    if status == 403 && reasons.iter().any(|r: &String| r == "storageQuotaExceeded") {
        return DriveError::StorageQuotaExceeded;
    }
    DriveError::Api {
        what,
        status,
        reasons,
        message,
    }
}

impl From<DriveError> for SinkError {
    fn from(e: DriveError) -> Self {
        SinkError::Backend {
            permanent: e.is_permanent(),
            source: Box::new(e),
        }
    }
}
