//! History queries: filters, keyset cursors, pages.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use serde::{Serialize, Serializer};

use crate::error::InputError;
use crate::model::CallSummary;
use crate::status::{CallDirection, CallStatus};

/// Default page size.
pub const DEFAULT_PAGE_SIZE: u32 = 50;
/// Largest page `list_calls` returns (larger requests are capped).
pub const MAX_PAGE_SIZE: u32 = 500;
/// Longest phone-number fragment accepted for `number_contains`.
const FRAGMENT_MAX: usize = 32;

/// Which calls a viewer may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Visibility {
    /// Every call (admins).
    #[default]
    All,
    /// The calls this agent took part in (placed, answered, or was called in an internal
    /// call), plus every unanswered inbound call, so anyone can call back.
    Agent(i64),
}

/// A fragment of a phone number (or client identity) to search for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NumberFragment(String);

impl NumberFragment {
    /// 1 to 32 printable ASCII characters without spaces.
    pub fn parse(value: &str) -> Result<Self, InputError> {
        const FIELD: &str = "number";
        let value = value.trim();
        if value.is_empty() {
            return Err(InputError::Missing { field: FIELD });
        }
        if value.len() > FRAGMENT_MAX || !value.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(InputError::invalid(
                FIELD,
                format!("1 to {FRAGMENT_MAX} printable characters without spaces"),
            ));
        }
        Ok(NumberFragment(value.to_owned()))
    }

    /// The fragment.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A `LIKE` pattern matching values that contain the fragment, with `\` escaping the
    /// wildcards the fragment itself may contain.
    pub(crate) fn like_pattern(&self) -> String {
        let mut pattern = String::with_capacity(self.0.len() + 2);
        pattern.push('%');
        for c in self.0.chars() {
            if matches!(c, '%' | '_' | '\\') {
                pattern.push('\\');
            }
            pattern.push(c);
        }
        pattern.push('%');
        pattern
    }
}

/// A position in the history (after the last call of a page), opaque to clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub(crate) started_at_ms: i64,
    pub(crate) id: i64,
}

impl Cursor {
    const VERSION: &'static str = "v1";

    /// The opaque text form.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!(
            "{}:{}:{}",
            Self::VERSION,
            self.started_at_ms,
            self.id
        ))
    }

    /// Parses a cursor produced by [`Cursor::encode`].
    pub fn decode(text: &str) -> Result<Self, InputError> {
        let invalid = || InputError::invalid("cursor", "not a cursor returned by this server");
        let raw = URL_SAFE_NO_PAD.decode(text.trim()).map_err(|_| invalid())?;
        let raw = String::from_utf8(raw).map_err(|_| invalid())?;
        let mut parts = raw.split(':');
        match (parts.next(), parts.next(), parts.next(), parts.next()) {
            (Some(Self::VERSION), Some(at), Some(id), None) => Ok(Cursor {
                started_at_ms: at.parse().map_err(|_| invalid())?,
                id: id.parse().map_err(|_| invalid())?,
            }),
            _ => Err(invalid()),
        }
    }
}

impl Serialize for Cursor {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.encode())
    }
}

/// A history query: filters (all optional, combined with AND), visibility, page.
///
/// Results are newest first, by `(started_at, id)` descending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallQuery {
    /// Only calls in this direction.
    pub direction: Option<CallDirection>,
    /// Only calls with this call-level status.
    pub status: Option<CallStatus>,
    /// Only calls whose agent (who placed or answered) is this one.
    pub agent_id: Option<i64>,
    /// Only calls whose `from` or `to` contains this fragment.
    pub number_contains: Option<NumberFragment>,
    /// Only calls started at or after this time.
    pub started_from: Option<DateTime<Utc>>,
    /// Only calls started before this time.
    pub started_before: Option<DateTime<Utc>>,
    /// Only calls with (true) or without (false) a completed recording.
    pub has_recording: Option<bool>,
    /// Who is asking.
    pub visibility: Visibility,
    /// Continue after this position.
    pub cursor: Option<Cursor>,
    /// Page size (1 to [`MAX_PAGE_SIZE`]; 0 means the default).
    pub limit: u32,
    /// Also count every call matching the filters. The count visits every match, so on a
    /// large history a broad filter's count costs more than the page itself.
    pub with_total: bool,
}

impl Default for CallQuery {
    fn default() -> Self {
        CallQuery {
            direction: None,
            status: None,
            agent_id: None,
            number_contains: None,
            started_from: None,
            started_before: None,
            has_recording: None,
            visibility: Visibility::All,
            cursor: None,
            limit: DEFAULT_PAGE_SIZE,
            with_total: true,
        }
    }
}

impl CallQuery {
    /// Whether the number is the only filter (visibility included).
    pub(crate) fn filters_only_by_number(&self) -> bool {
        let CallQuery {
            direction,
            status,
            agent_id,
            number_contains,
            started_from,
            started_before,
            has_recording,
            visibility,
            cursor: _,
            limit: _,
            with_total: _,
        } = self;
        number_contains.is_some()
            && direction.is_none()
            && status.is_none()
            && agent_id.is_none()
            && started_from.is_none()
            && started_before.is_none()
            && has_recording.is_none()
            && *visibility == Visibility::All
    }

    pub(crate) fn page_size(&self) -> i64 {
        i64::from(match self.limit {
            0 => DEFAULT_PAGE_SIZE,
            n => n.min(MAX_PAGE_SIZE),
        })
    }
}

/// One page of the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CallPage {
    /// The calls, newest first.
    pub items: Vec<CallSummary>,
    /// Where the next page starts; `None` on the last page.
    pub next_cursor: Option<Cursor>,
    /// How many calls match the filters (when `with_total` was asked).
    pub total: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let cursor = Cursor {
            started_at_ms: 1_772_366_400_000,
            id: 42,
        };
        assert_eq!(Cursor::decode(&cursor.encode()).unwrap(), cursor);
        for bad in [
            "",
            "xyz",
            &URL_SAFE_NO_PAD.encode("v2:1:2"),
            &URL_SAFE_NO_PAD.encode("v1:a:2"),
        ] {
            assert_eq!(Cursor::decode(bad).unwrap_err().field(), "cursor");
        }
    }

    #[test]
    fn fragments_escape_like_wildcards() {
        assert_eq!(
            NumberFragment::parse("11_9%").unwrap().like_pattern(),
            "%11\\_9\\%%"
        );
        assert!(NumberFragment::parse("  ").is_err());
        assert!(NumberFragment::parse("12 34").is_err());
    }
}
