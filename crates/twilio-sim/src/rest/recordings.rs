//! `/2010-04-01/Accounts/{AC}/Recordings/{RE}[.mp3|.wav|.json]` and the media host.

use actix_web::http::header::LOCATION;
use actix_web::{HttpRequest, HttpResponse, web};
use hmac::{Hmac, KeyInit, Mac};
use serde_json::json;

use super::media_body::MediaBody;
use super::{MediaFault, auth, errors};
use crate::clock::rfc2822;
use crate::config::MediaRedirect;
use crate::media::{MediaFormat, MediaSpec};
use crate::recordings::{Recording, RecordingStatus};
use crate::shared::Shared;

pub(super) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/2010-04-01/Accounts/{account}/Recordings/{file}")
            .route(web::get().to(get_recording))
            .route(web::delete().to(delete_recording)),
    );
}

pub(super) fn media_host_routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/media/{account}/{file}", web::get().to(media_host_get));
}

enum Wanted {
    Media(MediaFormat),
    Json,
}

fn split_file(file: &str) -> Option<(&str, Wanted)> {
    let (sid, wanted) = match file.rsplit_once('.') {
        None => (file, Wanted::Media(MediaFormat::Wav)),
        Some((sid, "wav")) => (sid, Wanted::Media(MediaFormat::Wav)),
        Some((sid, "mp3")) => (sid, Wanted::Media(MediaFormat::Mp3)),
        Some((sid, "json")) => (sid, Wanted::Json),
        Some(_) => return None,
    };
    sid.starts_with("RE").then_some((sid, wanted))
}

fn requested_channels(req: &HttpRequest) -> Option<u8> {
    req.query_string()
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == "RequestedChannels")
        .and_then(|(_, v)| v.parse().ok())
}

pub(super) fn recording_json(shared: &Shared, r: &Recording) -> serde_json::Value {
    let base = format!(
        "/2010-04-01/Accounts/{}/Recordings/{}",
        shared.account_sid, r.sid
    );
    let duration = match r.status {
        RecordingStatus::InProgress => "-1".to_owned(),
        _ => r.duration_secs.to_string(),
    };
    json!({
        "account_sid": shared.account_sid,
        "api_version": "2010-04-01",
        "call_sid": r.call_sid,
        "conference_sid": null,
        "date_created": rfc2822(r.start_time),
        "date_updated": rfc2822(r.start_time + chrono::Duration::seconds(r.duration_secs as i64)),
        "start_time": rfc2822(r.start_time),
        "duration": duration,
        "sid": r.sid,
        "price": null,
        "price_unit": "USD",
        "status": r.status.as_str(),
        "channels": r.channels,
        "source": r.source.as_str(),
        "error_code": null,
        "uri": format!("{base}.json"),
        "encryption_details": null,
        "subresource_uris": {
            "add_on_results": format!("{base}/AddOnResults.json"),
            "transcriptions": format!("{base}/Transcriptions.json"),
        },
        "media_url": format!("{}{base}", shared.api_base),
    })
}

/// Signature of a media-host URL: the host serves only paths the API redirected to.
fn media_token(shared: &Shared, account: &str, file: &str) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(shared.media_key.as_bytes())
        .expect("HMAC accepts keys of any length");
    mac.update(format!("{account}/{file}").as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn serve_media(shared: &Shared, spec: MediaSpec) -> HttpResponse {
    let fault = shared.lock().media_faults.pop_front();
    let fail_at = match fault {
        Some(MediaFault::ServerError) => return errors::internal(),
        Some(MediaFault::DropMidBody) => Some(spec.len() / 2),
        Some(MediaFault::StallMidBody) => {
            let half = spec.len() / 2;
            return HttpResponse::Ok()
                .content_type(spec.format().content_type())
                .body(MediaBody::stalling(spec, half));
        }
        None => None,
    };
    HttpResponse::Ok()
        .content_type(spec.format().content_type())
        .body(MediaBody::new(spec, fail_at))
}

async fn get_recording(
    req: HttpRequest,
    shared: web::Data<Shared>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    if !auth::authorized(&shared, &req) {
        return errors::unauthorized();
    }
    let (account, file) = path.into_inner();
    let Some((sid, wanted)) = split_file(&file) else {
        return errors::resource_not_found(req.path());
    };
    let recording = shared.lock().recording(sid).cloned();
    let Some(recording) = recording.filter(|_| account == shared.account_sid) else {
        return errors::resource_not_found(req.path());
    };
    let format = match wanted {
        Wanted::Json => return HttpResponse::Ok().json(recording_json(&shared, &recording)),
        Wanted::Media(f) => f,
    };
    if recording.status != RecordingStatus::Completed {
        return errors::resource_not_found(req.path());
    }
    let status = match shared.media.redirect {
        MediaRedirect::None => {
            return serve_media(&shared, recording.media(format, requested_channels(&req)));
        }
        MediaRedirect::Found => actix_web::http::StatusCode::FOUND,
        MediaRedirect::TemporaryRedirect => actix_web::http::StatusCode::TEMPORARY_REDIRECT,
    };
    let ext = match format {
        MediaFormat::Mp3 => "mp3",
        MediaFormat::Wav => "wav",
    };
    let target_file = format!("{sid}.{ext}");
    let mut location = format!(
        "{}/media/{account}/{target_file}?Signature={}",
        shared.media_base,
        media_token(&shared, &account, &target_file)
    );
    if let Some(ch) = requested_channels(&req) {
        location.push_str(&format!("&RequestedChannels={ch}"));
    }
    HttpResponse::build(status)
        .insert_header((LOCATION, location))
        .finish()
}

async fn media_host_get(
    req: HttpRequest,
    shared: web::Data<Shared>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (account, file) = path.into_inner();
    let token_ok = req
        .query_string()
        .split('&')
        .any(|kv| kv == format!("Signature={}", media_token(&shared, &account, &file)));
    if !token_ok {
        return HttpResponse::Forbidden().finish();
    }
    let Some((sid, Wanted::Media(format))) = split_file(&file) else {
        return errors::resource_not_found(req.path());
    };
    let recording = shared.lock().recording(sid).cloned();
    match recording {
        Some(r) if r.status == RecordingStatus::Completed => {
            serve_media(&shared, r.media(format, requested_channels(&req)))
        }
        _ => errors::resource_not_found(req.path()),
    }
}

async fn delete_recording(
    req: HttpRequest,
    shared: web::Data<Shared>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    if !auth::authorized(&shared, &req) {
        return errors::unauthorized();
    }
    let (account, file) = path.into_inner();
    let sid = match split_file(&file) {
        Some((sid, Wanted::Json)) => sid.to_owned(),
        Some((sid, Wanted::Media(_))) if !file.contains('.') => sid.to_owned(),
        _ => return errors::resource_not_found(req.path()),
    };
    if account != shared.account_sid {
        return errors::resource_not_found(req.path());
    }
    let mut st = shared.lock();
    match st.recording_mut(&sid) {
        Some(r) if r.status == RecordingStatus::Completed => {
            r.status = RecordingStatus::Deleted;
            HttpResponse::NoContent().finish()
        }
        Some(r) if r.status == RecordingStatus::InProgress => {
            errors::bad_request(21220, "Recording is in progress and cannot be deleted")
        }
        _ => errors::resource_not_found(req.path()),
    }
}
