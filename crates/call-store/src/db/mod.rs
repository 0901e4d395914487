//! The two database backends and what they share.
//!
//! `queries/` holds every query and the event-application logic once; each backend
//! module compiles it against its own connection type and adds what differs: how writers
//! are serialized and how jobs are claimed.

pub(crate) mod postgres;
pub(crate) mod rows;
pub(crate) mod sqlite;

use chrono::{DateTime, Utc};

use crate::error::InputError;

/// How a "number contains" filter is evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NumberPlan {
    /// `LIKE` on both columns while walking the history in order: best when matches are
    /// common (a page fills quickly) or the fragment is too short for trigrams.
    Scan,
    /// The backend's trigram index: best when matches are rare.
    Index,
}

/// Shortest fragment a trigram index can look up.
pub(crate) const TRIGRAM: usize = 3;

/// A lease length as milliseconds, refusing absurd values (zero, or more than a day).
pub(crate) fn lease_ms(lease: std::time::Duration) -> Result<i64, InputError> {
    const DAY_MS: u128 = 86_400_000;
    let ms = lease.as_millis();
    if ms == 0 || ms > DAY_MS {
        return Err(InputError::invalid("lease", "between 1 ms and 24 hours"));
    }
    Ok(i64::try_from(ms).expect("bounded by a day"))
}

/// A retry time as stored milliseconds.
pub(crate) fn retry_ms(at: Option<DateTime<Utc>>) -> Option<i64> {
    at.map(rows::to_ms)
}

/// Refuses a job claim of zero jobs or an absurd batch.
pub(crate) fn claim_limit(limit: u32) -> Result<u32, InputError> {
    if limit == 0 || limit > 1000 {
        return Err(InputError::invalid("limit", "between 1 and 1000"));
    }
    Ok(limit)
}
