//! Account, API key, TwiML App and incoming phone number resources (what `ramal doctor`
//! inspects and fixes).
//!
//! As in Twilio, the Account and Key resources need the Account SID + Auth Token: Standard API
//! keys (the simulator's) may use every other resource but not those two.

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::{auth, errors};
use crate::clock::rfc2822;
use crate::resources::{Application, IncomingPhoneNumber};
use crate::shared::{Dated, Shared};
use crate::twiml::Method;

pub(super) fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/2010-04-01/Accounts/{file}", web::get().to(get_account))
        .route(
            "/2010-04-01/Accounts/{account}/Keys/{file}",
            web::get().to(get_key),
        )
        .service(
            web::resource("/2010-04-01/Accounts/{account}/Applications/{file}")
                .route(web::get().to(get_application))
                .route(web::post().to(update_application)),
        )
        .route(
            "/2010-04-01/Accounts/{account}/IncomingPhoneNumbers.json",
            web::get().to(list_numbers),
        )
        .service(
            web::resource("/2010-04-01/Accounts/{account}/IncomingPhoneNumbers/{file}")
                .route(web::get().to(get_number))
                .route(web::post().to(update_number)),
        );
}

fn url_or_null(u: &Option<String>) -> Value {
    u.as_ref().map_or(Value::Null, |s| json!(s))
}

fn account_json(shared: &Shared) -> Value {
    let base = format!("/2010-04-01/Accounts/{}", shared.account_sid);
    json!({
        "auth_token": shared.auth_token.expose(),
        "date_created": "Mon, 01 Jan 2024 00:00:00 +0000",
        "date_updated": "Mon, 01 Jan 2024 00:00:00 +0000",
        "friendly_name": "Ramal simulated account",
        "owner_account_sid": shared.account_sid,
        "sid": shared.account_sid,
        "status": "active",
        "subresource_uris": {
            "applications": format!("{base}/Applications.json"),
            "calls": format!("{base}/Calls.json"),
            "incoming_phone_numbers": format!("{base}/IncomingPhoneNumbers.json"),
            "keys": format!("{base}/Keys.json"),
            "recordings": format!("{base}/Recordings.json"),
        },
        "type": "Full",
        "uri": format!("{base}.json"),
    })
}

fn application_json(shared: &Shared, app: &Dated<Application>) -> Value {
    let a = &app.value;
    json!({
        "account_sid": shared.account_sid,
        "api_version": "2010-04-01",
        "date_created": rfc2822(app.created),
        "date_updated": rfc2822(app.updated),
        "friendly_name": a.friendly_name,
        "message_status_callback": null,
        "sid": a.sid,
        "sms_fallback_method": "POST",
        "sms_fallback_url": null,
        "sms_method": "POST",
        "sms_status_callback": null,
        "sms_url": null,
        "status_callback": url_or_null(&a.status_callback),
        "status_callback_method": a.status_callback_method.as_str(),
        "uri": format!("/2010-04-01/Accounts/{}/Applications/{}.json", shared.account_sid, a.sid),
        "voice_caller_id_lookup": a.voice_caller_id_lookup,
        "voice_fallback_method": a.voice_fallback_method.as_str(),
        "voice_fallback_url": url_or_null(&a.voice_fallback_url),
        "voice_method": a.voice_method.as_str(),
        "voice_url": url_or_null(&a.voice_url),
        "public_application_connect_enabled": true,
    })
}

fn number_json(shared: &Shared, number: &Dated<IncomingPhoneNumber>) -> Value {
    let n = &number.value;
    json!({
        "account_sid": shared.account_sid,
        "address_sid": null,
        "address_requirements": "none",
        "api_version": "2010-04-01",
        "beta": false,
        "capabilities": {"voice": true, "sms": true, "mms": false, "fax": false},
        "date_created": rfc2822(number.created),
        "date_updated": rfc2822(number.updated),
        "friendly_name": n.friendly_name,
        "identity_sid": null,
        "phone_number": n.phone_number,
        "origin": "twilio",
        "sid": n.sid,
        "sms_application_sid": "",
        "sms_fallback_method": "POST",
        "sms_fallback_url": "",
        "sms_method": "POST",
        "sms_url": "",
        "status_callback": url_or_null(&n.status_callback),
        "status_callback_method": n.status_callback_method.as_str(),
        "trunk_sid": null,
        "uri": format!("/2010-04-01/Accounts/{}/IncomingPhoneNumbers/{}.json", shared.account_sid, n.sid),
        "voice_receive_mode": "voice",
        "voice_application_sid": n.voice_application_sid.clone().unwrap_or_default(),
        "voice_caller_id_lookup": n.voice_caller_id_lookup,
        "voice_fallback_method": n.voice_fallback_method.as_str(),
        "voice_fallback_url": url_or_null(&n.voice_fallback_url),
        "voice_method": n.voice_method.as_str(),
        "voice_url": url_or_null(&n.voice_url),
        "emergency_status": "Inactive",
        "emergency_address_sid": null,
        "emergency_address_status": "unregistered",
        "bundle_sid": null,
        "status": "in-use",
    })
}

/// Why a resource request is refused before it is looked at.
enum Denied {
    Unauthorized,
    NotFound,
}

impl Denied {
    fn response(&self, req: &HttpRequest) -> HttpResponse {
        match self {
            Self::Unauthorized => errors::unauthorized(),
            Self::NotFound => errors::resource_not_found(req.path()),
        }
    }
}

/// Checks auth and the account in the path; on success returns the `{file}` without `.json`.
fn check(shared: &Shared, req: &HttpRequest, account: &str, file: &str) -> Result<String, Denied> {
    if !auth::authorized(shared, req) {
        return Err(Denied::Unauthorized);
    }
    sid_in_path(shared, account, file)
}

/// [`check`] for the resources only the account's own credentials may read.
fn check_account_only(
    shared: &Shared,
    req: &HttpRequest,
    account: &str,
    file: &str,
) -> Result<String, Denied> {
    if !auth::authorized_as_account(shared, req) {
        return Err(Denied::Unauthorized);
    }
    sid_in_path(shared, account, file)
}

fn sid_in_path(shared: &Shared, account: &str, file: &str) -> Result<String, Denied> {
    match file.strip_suffix(".json") {
        Some(sid) if account == shared.account_sid => Ok(sid.to_owned()),
        _ => Err(Denied::NotFound),
    }
}

async fn get_account(
    req: HttpRequest,
    shared: web::Data<Shared>,
    path: web::Path<String>,
) -> HttpResponse {
    let file = path.into_inner();
    let account = file.strip_suffix(".json").unwrap_or(&file).to_owned();
    match check_account_only(&shared, &req, &account, &file) {
        Ok(_) => HttpResponse::Ok().json(account_json(&shared)),
        Err(denied) => denied.response(&req),
    }
}

/// `GET /2010-04-01/Accounts/{AC}/Keys/{SK}.json`: whether a key belongs to the account (the
/// secret is never returned, as in Twilio).
async fn get_key(
    req: HttpRequest,
    shared: web::Data<Shared>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (account, file) = path.into_inner();
    let sid = match check_account_only(&shared, &req, &account, &file) {
        Ok(sid) => sid,
        Err(denied) => return denied.response(&req),
    };
    if !shared.api_keys.iter().any(|k| k.sid == sid) {
        return errors::resource_not_found(req.path());
    }
    HttpResponse::Ok().json(json!({
        "date_created": "Mon, 01 Jan 2024 00:00:00 +0000",
        "date_updated": "Mon, 01 Jan 2024 00:00:00 +0000",
        "friendly_name": "ramal",
        "sid": sid,
    }))
}

async fn get_application(
    req: HttpRequest,
    shared: web::Data<Shared>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (account, file) = path.into_inner();
    let sid = match check(&shared, &req, &account, &file) {
        Ok(sid) => sid,
        Err(denied) => return denied.response(&req),
    };
    let app = shared.lock().application.clone();
    if app.value.sid != sid {
        return errors::resource_not_found(req.path());
    }
    HttpResponse::Ok().json(application_json(&shared, &app))
}

/// An update field Twilio would refuse: error code and message.
struct Invalid(u32, String);

impl Invalid {
    fn response(&self) -> HttpResponse {
        errors::bad_request(self.0, &self.1)
    }
}

/// An empty value clears an optional URL, as Twilio does.
fn url_value(value: &str) -> Option<String> {
    (!value.is_empty()).then(|| value.to_owned())
}

fn parse_method(name: &str, value: &str) -> Result<Method, Invalid> {
    Method::parse(value)
        .ok_or_else(|| Invalid(21209, format!("{name} must be GET or POST, not {value}")))
}

fn parse_bool(name: &str, value: &str) -> Result<bool, Invalid> {
    match value {
        "true" | "True" => Ok(true),
        "false" | "False" => Ok(false),
        _ => Err(Invalid(20001, format!("{name} must be true or false"))),
    }
}

fn apply_to_application(app: &mut Application, name: &str, value: String) -> Result<(), Invalid> {
    match name {
        "FriendlyName" => app.friendly_name = value,
        "VoiceUrl" => app.voice_url = url_value(&value),
        "VoiceMethod" => app.voice_method = parse_method(name, &value)?,
        "VoiceFallbackUrl" => app.voice_fallback_url = url_value(&value),
        "VoiceFallbackMethod" => app.voice_fallback_method = parse_method(name, &value)?,
        "StatusCallback" => app.status_callback = url_value(&value),
        "StatusCallbackMethod" => app.status_callback_method = parse_method(name, &value)?,
        "VoiceCallerIdLookup" => app.voice_caller_id_lookup = parse_bool(name, &value)?,
        _ => {}
    }
    Ok(())
}

fn apply_to_number(n: &mut IncomingPhoneNumber, name: &str, value: String) -> Result<(), Invalid> {
    match name {
        "FriendlyName" => n.friendly_name = value,
        "VoiceUrl" => n.voice_url = url_value(&value),
        "VoiceMethod" => n.voice_method = parse_method(name, &value)?,
        "VoiceFallbackUrl" => n.voice_fallback_url = url_value(&value),
        "VoiceFallbackMethod" => n.voice_fallback_method = parse_method(name, &value)?,
        "StatusCallback" => n.status_callback = url_value(&value),
        "StatusCallbackMethod" => n.status_callback_method = parse_method(name, &value)?,
        "VoiceApplicationSid" => n.voice_application_sid = url_value(&value),
        "VoiceCallerIdLookup" => n.voice_caller_id_lookup = parse_bool(name, &value)?,
        _ => {}
    }
    Ok(())
}

async fn update_application(
    req: HttpRequest,
    shared: web::Data<Shared>,
    path: web::Path<(String, String)>,
    form: web::Form<Vec<(String, String)>>,
) -> HttpResponse {
    let (account, file) = path.into_inner();
    let sid = match check(&shared, &req, &account, &file) {
        Ok(sid) => sid,
        Err(denied) => return denied.response(&req),
    };
    let mut st = shared.lock();
    if st.application.value.sid != sid {
        return errors::resource_not_found(req.path());
    }
    let mut app = st.application.value.clone();
    for (name, value) in form.into_inner() {
        if let Err(invalid) = apply_to_application(&mut app, &name, value) {
            return invalid.response();
        }
    }
    st.application.value = app;
    st.application.updated = chrono::Utc::now();
    HttpResponse::Ok().json(application_json(&shared, &st.application))
}

fn query_value(req: &HttpRequest, name: &str) -> Option<String> {
    web::Query::<Vec<(String, String)>>::from_query(req.query_string())
        .ok()?
        .into_inner()
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

async fn list_numbers(
    req: HttpRequest,
    shared: web::Data<Shared>,
    path: web::Path<String>,
) -> HttpResponse {
    let account = path.into_inner();
    if let Err(denied) = check(&shared, &req, &account, "x.json") {
        return denied.response(&req);
    }
    let number = shared.lock().number.clone();
    // Twilio matches PhoneNumber as a pattern; digits contained in the number is close enough.
    let matches = match query_value(&req, "PhoneNumber") {
        None => true,
        Some(wanted) => {
            let digits: String = wanted.chars().filter(char::is_ascii_digit).collect();
            number.value.phone_number.contains(&digits)
        }
    };
    let uri = format!("{}?{}", req.path(), req.query_string());
    let records: Vec<Value> = if matches {
        vec![number_json(&shared, &number)]
    } else {
        Vec::new()
    };
    HttpResponse::Ok().json(json!({
        "end": records.len().saturating_sub(1),
        "first_page_uri": uri,
        "incoming_phone_numbers": records,
        "next_page_uri": null,
        "page": 0,
        "page_size": 50,
        "previous_page_uri": null,
        "start": 0,
        "uri": uri,
    }))
}

async fn get_number(
    req: HttpRequest,
    shared: web::Data<Shared>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (account, file) = path.into_inner();
    let sid = match check(&shared, &req, &account, &file) {
        Ok(sid) => sid,
        Err(denied) => return denied.response(&req),
    };
    let number = shared.lock().number.clone();
    if number.value.sid != sid {
        return errors::resource_not_found(req.path());
    }
    HttpResponse::Ok().json(number_json(&shared, &number))
}

async fn update_number(
    req: HttpRequest,
    shared: web::Data<Shared>,
    path: web::Path<(String, String)>,
    form: web::Form<Vec<(String, String)>>,
) -> HttpResponse {
    let (account, file) = path.into_inner();
    let sid = match check(&shared, &req, &account, &file) {
        Ok(sid) => sid,
        Err(denied) => return denied.response(&req),
    };
    let mut st = shared.lock();
    if st.number.value.sid != sid {
        return errors::resource_not_found(req.path());
    }
    let mut n = st.number.value.clone();
    for (name, value) in form.into_inner() {
        if let Err(invalid) = apply_to_number(&mut n, &name, value) {
            return invalid.response();
        }
    }
    st.number.value = n;
    st.number.updated = chrono::Utc::now();
    HttpResponse::Ok().json(number_json(&shared, &st.number))
}
