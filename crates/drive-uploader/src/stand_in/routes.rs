//! The stand-in's HTTP endpoints.

// Checks return the finished error answer; boxing it would only add noise to test code.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::dev::{ServerHandle, Service as _};
use actix_web::http::StatusCode;
use actix_web::http::header::{AUTHORIZATION, CONTENT_RANGE, CONTENT_TYPE, LOCATION};
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use futures_util::StreamExt as _;
use serde::Deserialize;
use serde_json::json;

use super::state::{Session, Token};
use super::{Fault, Shared, StandInRequest, StoredFile};
use crate::auth::DRIVE_SCOPE;
use crate::client::SID_PROPERTY;

/// Drive's rule for resumable chunks.
const GRANULARITY: u64 = 256 * 1024;
/// Largest multipart body accepted (Drive's own limit is 5 MB of media; a little slack).
const MULTIPART_LIMIT: usize = 64 * 1024 * 1024;

pub(super) fn serve(shared: Arc<Shared>, listener: TcpListener) -> std::io::Result<ServerHandle> {
    let data = web::Data::from(shared);
    let server = HttpServer::new(move || {
        let log = data.clone();
        App::new()
            .app_data(data.clone())
            .app_data(web::PayloadConfig::new(MULTIPART_LIMIT))
            .wrap_fn(move |req, srv| {
                let entry = StandInRequest {
                    method: req.method().to_string(),
                    path: req.path().to_owned(),
                    query: req.query_string().to_owned(),
                    status: 0,
                };
                let log = log.clone();
                // Logged before the handler runs, so a dropped connection is logged too.
                let index = {
                    let mut st = log.lock();
                    st.requests.push(entry);
                    st.requests.len() - 1
                };
                let fut = srv.call(req);
                async move {
                    let res = fut.await?;
                    if let Some(e) = log.lock().requests.get_mut(index) {
                        e.status = res.status().as_u16();
                    }
                    Ok(res)
                }
            })
            .route("/token", web::post().to(token))
            .route("/drive/v3/files", web::get().to(list))
            .route("/drive/v3/files/{id}", web::delete().to(delete_file))
            .route("/upload/drive/v3/files", web::post().to(upload_start))
            .route("/upload/drive/v3/files", web::put().to(upload_chunk))
            .route("/upload/drive/v3/files", web::delete().to(upload_cancel))
    })
    .workers(2)
    .disable_signals()
    .shutdown_timeout(1)
    .listen(listener)?
    .run();
    let handle = server.handle();
    tokio::spawn(server);
    Ok(handle)
}

/// Ends the connection without an answer. The panic payload is resumed rather than raised, so
/// no panic message is printed; the runtime catches it in the connection's task, which closes
/// the socket, as a network failure would.
fn drop_connection() -> ! {
    std::panic::resume_unwind(Box::new("stand-in: injected connection drop"))
}

fn google_error(status: u16, reason: &str, message: &str) -> HttpResponse {
    HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .json(json!({
            "error": {
                "code": status,
                "message": message,
                "errors": [{"domain": "global", "reason": reason, "message": message}],
            }
        }))
}

fn query(req: &HttpRequest) -> HashMap<String, String> {
    web::Query::<HashMap<String, String>>::from_query(req.query_string())
        .map(|q| q.into_inner())
        .unwrap_or_default()
}

/// Answers the fault due for this Drive request, if any. `DropConnection` is returned to the
/// caller, which decides how much of the body to read first.
fn fault_answer(shared: &Shared) -> Result<Option<Fault>, HttpResponse> {
    match shared.lock().take_fault() {
        Some(Fault::ServerError) => Err(google_error(500, "backendError", "Internal Error")),
        Some(Fault::RateLimited) => Err(google_error(
            429,
            "rateLimitExceeded",
            "Rate Limit Exceeded",
        )),
        other => Ok(other),
    }
}

fn check_bearer(shared: &Shared, req: &HttpRequest) -> Result<(), HttpResponse> {
    let token = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    match token {
        Some(t) if shared.lock().token_valid(t) => Ok(()),
        _ => Err(HttpResponse::Unauthorized().json(json!({
            "error": {
                "code": 401,
                "message": "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.",
                "errors": [{"message": "Invalid Credentials", "domain": "global", "reason": "authError", "location": "Authorization", "locationType": "header"}],
                "status": "UNAUTHENTICATED"
            }
        }))),
    }
}

/// Shared-drive items are invisible to calls that do not say `supportsAllDrives=true`.
fn check_all_drives(shared: &Shared, q: &HashMap<String, String>) -> Result<(), HttpResponse> {
    if q.get("supportsAllDrives").map(String::as_str) == Some("true") {
        Ok(())
    } else {
        Err(google_error(
            404,
            "notFound",
            &format!("File not found: {}.", shared.config.folder_id),
        ))
    }
}

fn file_json(f: &StoredFile) -> serde_json::Value {
    json!({
        "kind": "drive#file",
        "id": f.id,
        "name": f.name,
        "mimeType": f.mime_type,
        "parents": f.parents,
        "appProperties": f.app_properties,
        "createdTime": f.created_time,
        "webViewLink": f.web_view_link,
        "size": f.content.len().to_string(),
    })
}

#[derive(Deserialize)]
struct AssertionClaims {
    iat: i64,
    exp: i64,
    scope: String,
}

async fn token(
    shared: web::Data<Shared>,
    form: web::Form<HashMap<String, String>>,
) -> HttpResponse {
    {
        let mut st = shared.lock();
        if st.token_faults > 0 {
            st.token_faults -= 1;
            return HttpResponse::InternalServerError()
                .json(json!({"error": "internal_failure", "error_description": "Backend Error"}));
        }
    }
    let refused = |error: &str, description: &str| {
        HttpResponse::BadRequest().json(json!({"error": error, "error_description": description}))
    };
    match form.get("grant_type").map(String::as_str) {
        Some("urn:ietf:params:oauth:grant-type:jwt-bearer") => {
            let Some(assertion) = form.get("assertion") else {
                return refused("invalid_request", "Missing required parameter: assertion");
            };
            let Ok(key) =
                jsonwebtoken::DecodingKey::from_rsa_pem(shared.config.public_key_pem.as_bytes())
            else {
                return HttpResponse::InternalServerError().finish();
            };
            let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
            validation.set_audience(&[format!("{}/token", shared.base)]);
            validation.set_issuer(&[&shared.config.client_email]);
            validation.set_required_spec_claims(&["exp", "iat", "iss", "aud"]);
            let claims = match jsonwebtoken::decode::<AssertionClaims>(assertion, &key, &validation)
            {
                Ok(data) => data.claims,
                Err(e) => {
                    let text = match e.kind() {
                        jsonwebtoken::errors::ErrorKind::InvalidSignature => "Invalid JWT Signature.".to_owned(),
                        jsonwebtoken::errors::ErrorKind::ExpiredSignature => "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.".to_owned(),
                        other => format!("Invalid JWT: {other:?}"),
                    };
                    return refused("invalid_grant", &text);
                }
            };
            if claims.exp - claims.iat > 3600 {
                return refused(
                    "invalid_grant",
                    "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.",
                );
            }
            if !claims.scope.split(' ').any(|s| s == DRIVE_SCOPE) {
                return refused("invalid_scope", "The Drive scope was not requested.");
            }
        }
        Some("refresh_token") => {
            let (id, secret, refresh) = &shared.config.oauth_client;
            if form.get("client_id") != Some(id) || form.get("client_secret") != Some(secret) {
                return HttpResponse::Unauthorized()
                    .json(json!({"error": "invalid_client", "error_description": "Unauthorized"}));
            }
            if form.get("refresh_token") != Some(refresh) {
                return refused("invalid_grant", "Bad Request");
            }
        }
        _ => return refused("unsupported_grant_type", "Invalid grant_type"),
    }
    let mut st = shared.lock();
    let access = st.next_id("ya29.stand-in.");
    let lifetime = st.token_lifetime;
    st.tokens.insert(
        access.clone(),
        Token {
            expires: Instant::now() + lifetime,
            revoked: false,
        },
    );
    st.tokens_issued += 1;
    HttpResponse::Ok().json(json!({
        "access_token": access,
        "expires_in": lifetime.as_secs().max(1),
        "token_type": "Bearer",
    }))
}

/// The one search shape the uploader sends:
/// `appProperties has { key='K' and value='V' } and 'FOLDER' in parents and trashed=false`.
fn parse_search(q: &str) -> Option<(String, String, Option<String>)> {
    let quoted_after = |text: &str, marker: &str| -> Option<String> {
        let rest = &text[text.find(marker)? + marker.len()..];
        Some(rest[..rest.find('\'')?].to_owned())
    };
    if !q.contains("trashed=false") || !q.starts_with("appProperties has {") {
        return None;
    }
    let key = quoted_after(q, "key='")?;
    let value = quoted_after(q, "value='")?;
    let folder = q.find("' in parents").and_then(|end| {
        q[..end]
            .rfind('\'')
            .map(|start| q[start + 1..end].to_owned())
    });
    Some((key, value, folder))
}

async fn list(shared: web::Data<Shared>, req: HttpRequest) -> HttpResponse {
    if let Err(answer) = check_bearer(&shared, &req) {
        return answer;
    }
    match fault_answer(&shared) {
        Err(answer) => return answer,
        Ok(Some(_)) => drop_connection(),
        Ok(None) => {}
    }
    let q = query(&req);
    let all_drives = q.get("supportsAllDrives").map(String::as_str) == Some("true")
        && q.get("includeItemsFromAllDrives").map(String::as_str) == Some("true");
    let Some((key, value, folder)) = q.get("q").and_then(|q| parse_search(q)) else {
        return google_error(400, "invalid", "Invalid Value");
    };
    let files: Vec<serde_json::Value> = if all_drives {
        shared
            .lock()
            .files
            .iter()
            .filter(|f| f.app_properties.get(&key) == Some(&value))
            .filter(|f| folder.as_ref().is_none_or(|p| f.parents.contains(p)))
            .map(file_json)
            .collect()
    } else {
        Vec::new()
    };
    HttpResponse::Ok()
        .json(json!({"kind": "drive#fileList", "incompleteSearch": false, "files": files}))
}

async fn delete_file(
    shared: web::Data<Shared>,
    req: HttpRequest,
    id: web::Path<String>,
) -> HttpResponse {
    if let Err(answer) = check_bearer(&shared, &req) {
        return answer;
    }
    match fault_answer(&shared) {
        Err(answer) => return answer,
        Ok(Some(_)) => drop_connection(),
        Ok(None) => {}
    }
    if let Err(answer) = check_all_drives(&shared, &query(&req)) {
        return answer;
    }
    let mut st = shared.lock();
    let before = st.files.len();
    st.files.retain(|f| f.id != *id);
    if st.files.len() < before {
        HttpResponse::NoContent().finish()
    } else {
        google_error(404, "notFound", &format!("File not found: {id}."))
    }
}

/// Checks an upload's target: the shared-drive flag, the folder, the quota.
fn check_upload_target(
    shared: &Shared,
    q: &HashMap<String, String>,
    metadata: &serde_json::Value,
) -> Result<(), HttpResponse> {
    check_all_drives(shared, q)?;
    let folder = &shared.config.folder_id;
    let parents_ok = metadata["parents"]
        .as_array()
        .is_some_and(|p| p.len() == 1 && p[0].as_str() == Some(folder.as_str()));
    if !parents_ok {
        return Err(google_error(
            404,
            "notFound",
            "File not found: parent folder.",
        ));
    }
    if metadata["appProperties"][SID_PROPERTY].as_str().is_none() {
        return Err(google_error(
            400,
            "invalid",
            "the stand-in expects the recording SID in appProperties",
        ));
    }
    if shared.lock().quota_exceeded {
        return Err(google_error(
            403,
            "storageQuotaExceeded",
            "The user's Drive storage quota has been exceeded.",
        ));
    }
    Ok(())
}

async fn upload_start(
    shared: web::Data<Shared>,
    req: HttpRequest,
    body: web::Bytes,
) -> HttpResponse {
    if let Err(answer) = check_bearer(&shared, &req) {
        return answer;
    }
    let q = query(&req);
    match fault_answer(&shared) {
        Err(answer) => return answer,
        // Half the body arrived (it is already read here): nothing is created.
        Ok(Some(_)) => drop_connection(),
        Ok(None) => {}
    }
    match q.get("uploadType").map(String::as_str) {
        Some("multipart") => multipart(&shared, &req, &q, &body),
        Some("resumable") => {
            let Ok(metadata) = serde_json::from_slice::<serde_json::Value>(&body) else {
                return google_error(400, "parseError", "Parse Error");
            };
            if let Err(answer) = check_upload_target(&shared, &q, &metadata) {
                return answer;
            }
            let header = |name: &str| {
                req.headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned)
            };
            let Some(total) = header("X-Upload-Content-Length").and_then(|v| v.parse::<u64>().ok())
            else {
                return google_error(
                    400,
                    "invalid",
                    "X-Upload-Content-Length is required by the stand-in",
                );
            };
            let mime_type = header("X-Upload-Content-Type")
                .unwrap_or_else(|| "application/octet-stream".into());
            let mut st = shared.lock();
            let id = st.next_id("session");
            st.sessions.insert(
                id.clone(),
                Session {
                    metadata,
                    mime_type,
                    total,
                    received: Vec::new(),
                },
            );
            HttpResponse::Ok()
                .insert_header((
                    LOCATION,
                    format!(
                        "{}/upload/drive/v3/files?uploadType=resumable&upload_id={id}",
                        shared.base
                    ),
                ))
                .finish()
        }
        _ => google_error(400, "invalid", "Invalid uploadType"),
    }
}

fn multipart(
    shared: &Shared,
    req: &HttpRequest,
    q: &HashMap<String, String>,
    body: &[u8],
) -> HttpResponse {
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let Some(boundary) = content_type
        .strip_prefix("multipart/related")
        .and_then(|rest| rest.split("boundary=").nth(1))
        .map(|b| b.trim_matches('"').to_owned())
    else {
        return google_error(
            400,
            "badContent",
            "Content-Type must be multipart/related with a boundary",
        );
    };
    let Some(parts) = split_multipart(body, &boundary) else {
        return google_error(400, "badContent", "Malformed multipart body");
    };
    let [(meta_headers, meta_body), (media_headers, media)] = parts.as_slice() else {
        return google_error(400, "badContent", "A multipart upload has two parts");
    };
    if !meta_headers
        .to_ascii_lowercase()
        .contains("application/json")
    {
        return google_error(400, "badContent", "The first part must be JSON metadata");
    }
    let Ok(metadata) = serde_json::from_slice::<serde_json::Value>(meta_body) else {
        return google_error(400, "parseError", "Parse Error");
    };
    if let Err(answer) = check_upload_target(shared, q, &metadata) {
        return answer;
    }
    let mime_type = media_headers
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-type:")
                .map(|v| v.trim().to_owned())
        })
        .unwrap_or_else(|| "application/octet-stream".into());
    let file = shared
        .lock()
        .create_file(&metadata, &mime_type, media.clone(), &shared.base, false);
    HttpResponse::Ok().json(file_json(&file))
}

/// Splits a `multipart/related` body into (headers, content) parts.
fn split_multipart(body: &[u8], boundary: &str) -> Option<Vec<(String, Vec<u8>)>> {
    let delimiter = format!("--{boundary}");
    let find = |hay: &[u8], needle: &[u8], from: usize| {
        hay.get(from..)?
            .windows(needle.len())
            .position(|w| w == needle)
            .map(|p| p + from)
    };
    let mut parts = Vec::new();
    let mut at = find(body, delimiter.as_bytes(), 0)? + delimiter.len();
    loop {
        if body.get(at..at + 2)? == b"--" {
            return Some(parts);
        }
        at += 2; // CRLF after the delimiter
        let headers_end = find(body, b"\r\n\r\n", at)?;
        let headers = String::from_utf8_lossy(&body[at..headers_end]).into_owned();
        let content_start = headers_end + 4;
        let next = find(body, format!("\r\n{delimiter}").as_bytes(), content_start)?;
        parts.push((headers, body[content_start..next].to_vec()));
        at = next + 2 + delimiter.len();
    }
}

/// `bytes a-b/total` or `bytes */total`.
fn parse_content_range(value: &str) -> Option<(Option<(u64, u64)>, u64)> {
    let rest = value.trim().strip_prefix("bytes ")?;
    let (range, total) = rest.split_once('/')?;
    let total = total.parse().ok()?;
    if range == "*" {
        return Some((None, total));
    }
    let (a, b) = range.split_once('-')?;
    let (a, b): (u64, u64) = (a.parse().ok()?, b.parse().ok()?);
    (a <= b && b < total).then_some((Some((a, b)), total))
}

fn session_status(shared: &Shared, id: &str) -> HttpResponse {
    let mut st = shared.lock();
    let Some(session) = st.sessions.get(id) else {
        return google_error(404, "notFound", "Upload session not found");
    };
    let received = session.received.len() as u64;
    if received == session.total {
        let session = st.sessions.remove(id).expect("present");
        if st.quota_exceeded {
            return google_error(
                403,
                "storageQuotaExceeded",
                "The user's Drive storage quota has been exceeded.",
            );
        }
        let file = st.create_file(
            &session.metadata,
            &session.mime_type,
            session.received,
            &shared.base,
            true,
        );
        return HttpResponse::Ok().json(file_json(&file));
    }
    let mut answer = HttpResponse::build(StatusCode::PERMANENT_REDIRECT);
    if received > 0 {
        answer.insert_header(("Range", format!("bytes=0-{}", received - 1)));
    }
    answer.finish()
}

async fn upload_chunk(
    shared: web::Data<Shared>,
    req: HttpRequest,
    mut payload: web::Payload,
) -> HttpResponse {
    let q = query(&req);
    let Some(id) = q.get("upload_id").cloned() else {
        return google_error(400, "invalid", "upload_id is required");
    };
    let Some((range, total)) = req
        .headers()
        .get(CONTENT_RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(parse_content_range)
    else {
        return google_error(400, "invalid", "Invalid Content-Range");
    };
    let (expected_total, received) = match shared.lock().sessions.get(&id) {
        Some(s) => (s.total, s.received.len() as u64),
        None => return google_error(404, "notFound", "Upload session not found"),
    };
    if total != expected_total {
        return google_error(
            400,
            "invalid",
            "Content-Range total differs from the session's",
        );
    }
    let Some((first, last)) = range else {
        return session_status(&shared, &id);
    };
    let len = last - first + 1;
    if first > received {
        return google_error(400, "invalid", "Chunk starts after the bytes received");
    }
    if last + 1 < total && len % GRANULARITY != 0 {
        return google_error(
            400,
            "invalid",
            "Chunks other than the last must be multiples of 256 KiB",
        );
    }
    let delay = shared.lock().chunk_delay;
    if delay > Duration::ZERO {
        tokio::time::sleep(delay).await;
    }
    let fault = match fault_answer(&shared) {
        Err(answer) => return answer,
        Ok(fault) => fault,
    };
    // Read the body (half of it, when the connection is to drop).
    let stop_at = if fault.is_some() { len / 2 } else { len };
    let mut chunk = Vec::with_capacity(len as usize);
    while (chunk.len() as u64) < stop_at {
        match payload.next().await {
            Some(Ok(bytes)) => chunk.extend_from_slice(&bytes),
            Some(Err(_)) | None => break,
        }
    }
    if fault.is_some() {
        // Keep the aligned part of what arrived, as Google does, then vanish.
        let keep = (chunk.len() as u64).min(stop_at) / GRANULARITY * GRANULARITY;
        append(&shared, &id, first, &chunk[..keep as usize]);
        drop_connection();
    }
    if chunk.len() as u64 != len {
        return google_error(400, "invalid", "Body length differs from Content-Range");
    }
    append(&shared, &id, first, &chunk);
    session_status(&shared, &id)
}

/// Appends the part of `bytes` (starting at `first`) the session does not hold yet.
fn append(shared: &Shared, id: &str, first: u64, bytes: &[u8]) {
    let mut st = shared.lock();
    if let Some(session) = st.sessions.get_mut(id) {
        let have = session.received.len() as u64;
        if first <= have {
            let skip = ((have - first) as usize).min(bytes.len());
            session.received.extend_from_slice(&bytes[skip..]);
        }
    }
}

async fn upload_cancel(shared: web::Data<Shared>, req: HttpRequest) -> HttpResponse {
    let q = query(&req);
    let removed = q
        .get("upload_id")
        .is_some_and(|id| shared.lock().sessions.remove(id).is_some());
    if removed {
        HttpResponse::build(StatusCode::from_u16(499).unwrap_or(StatusCode::OK)).finish()
    } else {
        google_error(404, "notFound", "Upload session not found")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_queries_parse() {
        let (k, v, f) = parse_search(
            "appProperties has { key='ramalRecordingSid' and value='RE1' } and 'F0' in parents and trashed=false",
        )
        .unwrap();
        assert_eq!(
            (k.as_str(), v.as_str(), f.as_deref()),
            ("ramalRecordingSid", "RE1", Some("F0"))
        );
        assert!(parse_search("name contains 'x'").is_none());
    }

    #[test]
    fn multipart_bodies_split() {
        let body = b"--b1\r\nContent-Type: application/json\r\n\r\n{}\r\n--b1\r\nContent-Type: audio/mpeg\r\n\r\n\x00\r\n\x01\r\n--b1--\r\n";
        let parts = split_multipart(body, "b1").unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[1].1, b"\x00\r\n\x01");
    }

    #[test]
    fn content_ranges_parse() {
        assert_eq!(
            parse_content_range("bytes 0-9/10"),
            Some((Some((0, 9)), 10))
        );
        assert_eq!(parse_content_range("bytes */10"), Some((None, 10)));
        assert_eq!(parse_content_range("bytes 5-20/10"), None);
    }
}
