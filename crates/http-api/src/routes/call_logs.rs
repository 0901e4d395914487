//! The call history for agents: filters, cursor pagination, CSV export.

use actix_web::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use actix_web::{HttpResponse, web};
use call_store::model::{AgentRole, CallSummary};
use call_store::query::{CallQuery, Cursor, NumberFragment, Visibility};
use call_store::status::{CallDirection, CallStatus};
use chrono::{DateTime, Utc};
use futures_util::StreamExt as _;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::CurrentAgent;
use crate::error::ApiError;
use crate::state::AppState;

/// Query string of the history routes.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryParams {
    direction: Option<String>,
    status: Option<String>,
    agent_id: Option<i64>,
    number: Option<String>,
    from: Option<String>,
    to: Option<String>,
    has_recording: Option<bool>,
    cursor: Option<String>,
    limit: Option<u32>,
}

fn time(field: &str, raw: &str) -> Result<DateTime<Utc>, ApiError> {
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            ApiError::BadRequest(format!(
                "{field}: expected an RFC 3339 time such as 2026-11-29T10:00:00Z"
            ))
        })
}

impl HistoryParams {
    fn query(&self, agent: &CurrentAgent) -> Result<CallQuery, ApiError> {
        let direction = match self.direction.as_deref() {
            None | Some("") => None,
            Some("outbound") => Some(CallDirection::Outbound),
            Some("inbound") => Some(CallDirection::Inbound),
            Some("internal") => Some(CallDirection::Internal),
            Some(other) => {
                return Err(ApiError::BadRequest(format!(
                    "direction: {other:?} is not inbound, outbound or internal"
                )));
            }
        };
        let status = match self.status.as_deref() {
            None | Some("") => None,
            Some(s) => Some(CallStatus::parse(s)?),
        };
        let number_contains = match self.number.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(n) => Some(NumberFragment::parse(n)?),
        };
        Ok(CallQuery {
            direction,
            status,
            agent_id: self.agent_id,
            number_contains,
            started_from: self.from.as_deref().map(|t| time("from", t)).transpose()?,
            started_before: self.to.as_deref().map(|t| time("to", t)).transpose()?,
            has_recording: self.has_recording,
            visibility: match agent.0.role {
                AgentRole::Admin => Visibility::All,
                AgentRole::Agent => Visibility::Agent(agent.0.id),
            },
            cursor: self.cursor.as_deref().map(Cursor::decode).transpose()?,
            limit: self.limit.unwrap_or(50).clamp(1, 200),
            // An exact total over a broad filter costs a scan on a million calls: count once,
            // on the first page, which is where the UI shows it.
            with_total: self.cursor.is_none(),
        })
    }
}

/// A call as the API shows it: the store's summary with signed playback links instead of
/// Twilio's credential-protected media URLs.
pub fn call_json(state: &AppState, call: &CallSummary) -> Value {
    let mut value = serde_json::to_value(call).unwrap_or(Value::Null);
    let expires = Utc::now().timestamp() + state.config.auth.recording_link_ttl.as_secs() as i64;
    let link = |sid: &str| {
        format!(
            "/api/twilio/recording/{sid}?{}",
            state.signer.recording_link_query(sid, expires)
        )
    };
    if let Some(obj) = value.as_object_mut() {
        // The API contract gives each leg the id of the agent on it (the webphone tells "a
        // colleague answered" by it); the store knows the identities of the call's agents.
        if let Some(Value::Array(legs)) = obj.get_mut("legs") {
            for (leg, state) in legs
                .iter_mut()
                .filter_map(Value::as_object_mut)
                .zip(&call.legs)
            {
                let id = state.agent_identity.as_ref().and_then(|identity| {
                    if call.agent_identity.as_ref() == Some(identity) {
                        call.user_id
                    } else if call.peer_identity.as_ref() == Some(identity) {
                        call.peer_agent_id
                    } else {
                        None
                    }
                });
                leg.insert("agent_id".into(), json!(id));
            }
        }
        let main = call.recording_sid.as_ref().map(|s| link(s.as_str()));
        obj.insert("recording_url".into(), json!(main));
        if let Some(Value::Array(recordings)) = obj.get_mut("recordings") {
            for (rec, view) in recordings
                .iter_mut()
                .filter_map(Value::as_object_mut)
                .zip(&call.recordings)
            {
                let sid = rec.get("recording_sid").and_then(Value::as_str).map(link);
                rec.insert("playback_url".into(), json!(sid));
                // The filing pipeline, as the calls page shows it.
                let drive = view
                    .copies
                    .iter()
                    .find(|c| c.sink == call_store::model::DRIVE_SINK)
                    .map(|c| c.location.clone());
                rec.insert("drive_file_url".into(), json!(drive));
                rec.insert(
                    "filing".into(),
                    json!(view.job.as_ref().map(|j| j.state.as_str())),
                );
                rec.insert(
                    "last_error".into(),
                    json!(view.job.as_ref().and_then(|j| j.last_error.clone())),
                );
            }
        }
    }
    value
}

/// `GET /api/twilio/call-logs`.
pub async fn list(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    params: web::Query<HistoryParams>,
) -> Result<HttpResponse, ApiError> {
    let query = params.query(&agent)?;
    crate::spool::settle_reads(&state.spool).await;
    let page = state.store.list_calls(&query).await?;
    let items: Vec<Value> = page.items.iter().map(|c| call_json(&state, c)).collect();
    Ok(HttpResponse::Ok().json(json!({
        "items": items,
        "next_cursor": page.next_cursor.map(|c| c.encode()),
        "total": page.total,
    })))
}

/// `GET /api/twilio/call-logs/{sid}`: one call by its parent or any leg's SID.
pub async fn get(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    sid: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let sid = call_store::ids::CallSid::parse(&sid)?;
    crate::spool::settle_reads(&state.spool).await;
    let call = state
        .store
        .get_call(&sid)
        .await?
        .ok_or(ApiError::NotFound)?;
    if !crate::live::visible_to(&call, agent.0.id, agent.0.role) {
        return Err(ApiError::NotFound);
    }
    Ok(HttpResponse::Ok().json(call_json(&state, &call)))
}

/// `GET /api/twilio/call-logs/export.csv`: the filtered history, streamed.
pub async fn export(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    params: web::Query<HistoryParams>,
) -> Result<HttpResponse, ApiError> {
    let mut query = params.query(&agent)?;
    query.limit = 0;
    crate::spool::settle_reads(&state.spool).await;
    let rows = call_store::export_csv(state.store.clone(), query).map(|chunk| {
        chunk
            .map(web::Bytes::from)
            .map_err(|e| ApiError::Internal(format!("export: {e}")))
    });
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            CONTENT_DISPOSITION,
            "attachment; filename=\"ramal-calls.csv\"",
        ))
        .streaming(rows))
}
