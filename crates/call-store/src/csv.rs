//! CSV export of the history, streamed page by page (keyset batches; nothing buffers the
//! whole table).

use std::fmt::Write as _;
use std::sync::Arc;

use chrono::{DateTime, SecondsFormat, Utc};
use futures_util::Stream;
use futures_util::stream;

use crate::error::StoreError;
use crate::model::CallSummary;
use crate::party::Party;
use crate::query::CallQuery;
use crate::store::CallStore;

/// Calls fetched per batch while exporting.
pub const EXPORT_BATCH: u32 = 500;

/// The header line of the export.
pub const CSV_HEADER: &str = "id,call_sid,created_at,direction,status,from_number,to_number,duration,\
answered,voicemail,user_id,user_name,agent_identity,recording_sid,recording_url,drive_file_url,\
answered_at,ended_at,contact_wa_id,contact_name,channel_id\r\n";

/// Streams the calls matching `query` as CSV: the header, then one chunk of rows per batch,
/// newest first. `query.limit` is the batch size (0 means [`EXPORT_BATCH`]); its cursor and
/// `with_total` are ignored. Lines end with CRLF (RFC 4180). Text that a spreadsheet would run as a formula
/// (starting with `=`, `+`, `-`, `@`) is prefixed with `'`, except E.164 numbers.
///
/// The stream owns its `Arc`, so it can be handed to an HTTP response body.
pub fn export_csv(
    store: Arc<dyn CallStore>,
    query: CallQuery,
) -> impl Stream<Item = Result<String, StoreError>> + Send + 'static {
    enum Step {
        Header,
        Rows,
        Done,
    }
    let limit = if query.limit == 0 {
        EXPORT_BATCH
    } else {
        query.limit
    };
    let query = CallQuery {
        cursor: None,
        limit,
        with_total: false,
        ..query
    };
    stream::unfold(
        (Step::Header, store, query),
        |(step, store, mut query)| async move {
            match step {
                Step::Header => Some((Ok(CSV_HEADER.to_owned()), (Step::Rows, store, query))),
                Step::Done => None,
                Step::Rows => match store.list_calls(&query).await {
                    Err(e) => Some((Err(e), (Step::Done, store, query))),
                    Ok(page) if page.items.is_empty() => None,
                    Ok(page) => {
                        let mut chunk = String::with_capacity(page.items.len() * 256);
                        for call in &page.items {
                            write_row(&mut chunk, call);
                        }
                        let next = match page.next_cursor {
                            Some(cursor) => {
                                query.cursor = Some(cursor);
                                Step::Rows
                            }
                            None => Step::Done,
                        };
                        Some((Ok(chunk), (next, store, query)))
                    }
                },
            }
        },
    )
}

fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Quotes a field when needed (RFC 4180).
fn push_field(out: &mut String, value: &str) {
    if value.contains([',', '"', '\r', '\n']) {
        out.push('"');
        out.push_str(&value.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(value);
    }
}

/// Free text: neutralises spreadsheet formulas, then quotes.
fn push_text(out: &mut String, value: &str) {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        push_field(out, &format!("'{value}"));
    } else {
        push_field(out, value);
    }
}

fn push_party(out: &mut String, party: &Party) {
    match party {
        Party::Phone(number) => push_field(out, number.as_str()),
        other => push_text(out, &other.to_string()),
    }
}

fn write_row(out: &mut String, call: &CallSummary) {
    let opt = |v: Option<String>| v.unwrap_or_default();
    let _ = write!(
        out,
        "{},{},{},{},{},",
        call.id,
        call.call_sid,
        time(call.created_at),
        call.direction,
        call.status
    );
    push_party(out, &call.from_number);
    out.push(',');
    push_party(out, &call.to_number);
    let _ = write!(
        out,
        ",{},{},{},{},",
        call.duration,
        call.answered,
        call.voicemail,
        opt(call.user_id.map(|id| id.to_string()))
    );
    push_text(out, call.user_name.as_deref().unwrap_or_default());
    out.push(',');
    push_text(
        out,
        call.agent_identity
            .as_ref()
            .map(|i| i.as_str())
            .unwrap_or_default(),
    );
    out.push(',');
    push_field(
        out,
        &opt(call.recording_sid.as_ref().map(ToString::to_string)),
    );
    out.push(',');
    push_text(out, call.recording_url.as_deref().unwrap_or_default());
    out.push(',');
    push_text(out, call.drive_file_url.as_deref().unwrap_or_default());
    let _ = write!(
        out,
        ",{},{},",
        opt(call.answered_at.map(time)),
        opt(call.ended_at.map(time))
    );
    push_text(out, call.contact_wa_id.as_deref().unwrap_or_default());
    out.push(',');
    push_text(out, call.contact_name.as_deref().unwrap_or_default());
    let _ = write!(
        out,
        ",{}\r\n",
        opt(call.channel_id.map(|id| id.to_string()))
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_neutralises_formulas() {
        let mut out = String::new();
        push_text(&mut out, "=SUM(A1)");
        out.push('|');
        push_text(&mut out, "Ana, \"a chefe\"");
        out.push('|');
        push_party(&mut out, &Party::parse("+5511987654321").unwrap());
        out.push('|');
        push_party(&mut out, &Party::parse("-anonymous").unwrap());
        assert_eq!(
            out,
            "'=SUM(A1)|\"Ana, \"\"a chefe\"\"\"|+5511987654321|'-anonymous"
        );
    }
}
