//! Sending one request and recording it in the transcript.

use std::time::Instant;

use reqwest::header::{CONTENT_TYPE, HeaderName, HeaderValue};

use super::{DeliveryOutcome, DeliveryRecord, Outgoing, form_encode};
use crate::shared::Shared;
use crate::twiml::Method;

/// Bytes of a response body kept in the transcript.
const BODY_KEPT: usize = 64 * 1024;

/// What Twilio's demo URL answers (the number's default voice URL, seed problem 9.8). The
/// simulator cannot reach the internet, and answering for Twilio is exactly what Twilio does.
const DEMO_TWIML: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Say voice=\"alice\">Thanks for the call. Configure your number's voice U R L to change this message.</Say><Pause length=\"1\"/><Say voice=\"alice\">Let us know if we can help you in any way during your development.</Say></Response>";

fn is_twilio_demo(url: &str) -> bool {
    url.starts_with("https://demo.twilio.com/") || url.starts_with("http://demo.twilio.com/")
}

struct Answer {
    outcome: DeliveryOutcome,
    content_type: Option<String>,
    body: Option<String>,
}

async fn request(shared: &Shared, out: &Outgoing) -> Answer {
    let fail = |outcome| Answer {
        outcome,
        content_type: None,
        body: None,
    };
    let (target, forwarded) = shared.transport_url(&out.url);
    let url = match reqwest::Url::parse(&target) {
        Ok(u) => u,
        Err(e) => return fail(DeliveryOutcome::Unsupported(format!("invalid URL: {e}"))),
    };
    if url.scheme() != "http" {
        return fail(DeliveryOutcome::Unsupported(format!(
            "the simulator speaks plain http only, not {}",
            url.scheme()
        )));
    }
    let mut req = match out.method {
        Method::Get => shared.http.get(url),
        Method::Post => shared
            .http
            .post(url)
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(form_encode(&out.params)),
    };
    for (name, value) in out.headers.iter().chain(forwarded.iter()) {
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            req = req.header(n, v);
        }
    }
    let resp = match req.send().await {
        Ok(r) => r,
        Err(e) if e.is_timeout() => return fail(DeliveryOutcome::Timeout),
        Err(e) => return fail(DeliveryOutcome::ConnectionFailed(error_chain(&e))),
    };
    let status = resp.status().as_u16();
    let content_type = resp
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    match resp.bytes().await {
        Ok(bytes) => Answer {
            outcome: DeliveryOutcome::Status(status),
            content_type,
            body: Some(String::from_utf8_lossy(&bytes[..bytes.len().min(BODY_KEPT)]).into_owned()),
        },
        Err(e) if e.is_timeout() => fail(DeliveryOutcome::Timeout),
        Err(e) => fail(DeliveryOutcome::ConnectionFailed(error_chain(&e))),
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(inner) = source {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        source = inner.source();
    }
    s
}

/// Sends `out` once and appends the result to the transcript.
pub(crate) async fn send(shared: &Shared, out: &Outgoing) -> DeliveryRecord {
    let (seq, duplicate) = shared.start_delivery(out.event_id);
    let started = Instant::now();
    let answer = if is_twilio_demo(&out.url) {
        Answer {
            outcome: DeliveryOutcome::Status(200),
            content_type: Some("text/xml".to_owned()),
            body: Some(DEMO_TWIML.to_owned()),
        }
    } else {
        request(shared, out).await
    };
    let error_code = match &answer.outcome {
        DeliveryOutcome::Status(s) if (200..300).contains(s) => None,
        DeliveryOutcome::Status(_) | DeliveryOutcome::Unsupported(_) => Some(11200),
        DeliveryOutcome::Timeout | DeliveryOutcome::ConnectionFailed(_) => Some(11205),
    };
    let record = DeliveryRecord {
        seq,
        event_id: out.event_id,
        kind: out.kind,
        call_sid: out.call_sid.clone(),
        method: out.method,
        url: out.url.clone(),
        params: out.params.clone(),
        headers: out.headers.clone(),
        duplicate,
        outcome: answer.outcome,
        content_type: answer.content_type,
        response_body: answer.body,
        latency: started.elapsed(),
        error_code,
    };
    shared.record_delivery(record.clone());
    record
}
