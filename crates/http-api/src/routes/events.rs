//! `GET /api/events`: server-sent events with live call and presence updates.

use std::time::Duration;

use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use actix_web::{HttpResponse, web};
use futures_util::stream;
use tokio::sync::broadcast::error::RecvError;

use crate::auth::CurrentAgent;
use crate::live::{LiveEvent, visible_to};
use crate::routes::call_logs::call_json;
use crate::state::AppState;

/// Keeps proxies and browsers from closing an idle stream.
const PING_EVERY: Duration = Duration::from_secs(15);

/// Streams the calls this agent may see as they change, and presence changes.
pub async fn events(state: web::Data<AppState>, agent: CurrentAgent) -> HttpResponse {
    let rx = state.live.subscribe();
    let me = agent.0;
    let body = stream::unfold((rx, state, true), move |(mut rx, state, first)| {
        let me = me.clone();
        async move {
            if first {
                // Tells the browser how long to wait before reconnecting.
                let hello = web::Bytes::from_static(b"retry: 3000\n: connected\n\n");
                return Some((Ok::<_, actix_web::Error>(hello), (rx, state, false)));
            }
            loop {
                let next = tokio::time::timeout(PING_EVERY, rx.recv()).await;
                let chunk = match next {
                    Err(_) => Some(": ping\n\n".to_owned()),
                    Ok(Ok(LiveEvent::Call(call))) => visible_to(&call, me.id, me.role)
                        .then(|| format!("event: call\ndata: {}\n\n", call_json(&state, &call))),
                    Ok(Ok(LiveEvent::Presence {
                        agent_id,
                        state: word,
                    })) => Some(format!(
                        "event: presence\ndata: {{\"agent_id\":{agent_id},\"state\":\"{word}\"}}\n\n"
                    )),
                    Ok(Ok(LiveEvent::DemoIncoming {
                        agent_id,
                        call_sid,
                        from,
                    })) => (agent_id == me.id).then(|| {
                        let data = serde_json::json!({"call_sid": call_sid, "from": from});
                        format!("event: demo-incoming\ndata: {data}\n\n")
                    }),
                    // A slow client missed events: tell it to reload the list.
                    Ok(Err(RecvError::Lagged(n))) => Some(format!("event: resync\ndata: {n}\n\n")),
                    Ok(Err(RecvError::Closed)) => return None,
                };
                if let Some(chunk) = chunk {
                    return Some((Ok(web::Bytes::from(chunk)), (rx, state, false)));
                }
            }
        }
    });
    HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, "text/event-stream"))
        .insert_header((CACHE_CONTROL, "no-cache"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(body)
}
