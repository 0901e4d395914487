//! Reading Twilio's form fields: lookup, and the value parsers shared by the event types.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, TimeZone, Utc};

use crate::error::InputError;

/// Read access to a decoded `application/x-www-form-urlencoded` body.
///
/// Implemented for the shapes http-api and the simulator naturally hold: a list of pairs
/// (the first occurrence of a name wins) and maps. Empty values count as absent for optional
/// fields, as Twilio sometimes sends `Name=` for "no value".
pub trait FormFields {
    /// The first value of `name`, if any.
    fn field(&self, name: &str) -> Option<&str>;
}

impl FormFields for [(String, String)] {
    fn field(&self, name: &str) -> Option<&str> {
        self.iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

impl FormFields for Vec<(String, String)> {
    fn field(&self, name: &str) -> Option<&str> {
        self.as_slice().field(name)
    }
}

impl FormFields for [(&str, &str)] {
    fn field(&self, name: &str) -> Option<&str> {
        self.iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| *value)
    }
}

impl<S: std::hash::BuildHasher> FormFields for HashMap<String, String, S> {
    fn field(&self, name: &str) -> Option<&str> {
        self.get(name).map(String::as_str)
    }
}

impl FormFields for BTreeMap<String, String> {
    fn field(&self, name: &str) -> Option<&str> {
        self.get(name).map(String::as_str)
    }
}

/// Longest call or recording accepted: Twilio ends calls after 24 hours (4 hours by default),
/// so anything longer is corrupt input.
pub const MAX_DURATION_SECONDS: u32 = 86_400;
/// How far ahead of the reception time an event timestamp may be (clock skew allowance).
pub const MAX_FUTURE_SKEW: Duration = Duration::days(1);

/// Twilio was founded in 2008: no genuine event is older.
pub fn earliest_event_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2008, 1, 1, 0, 0, 0)
        .single()
        .expect("valid constant date")
}

/// Cuts a timestamp to whole milliseconds, the precision the database keeps.
pub fn truncate_to_millis(at: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(at.timestamp_millis()).unwrap_or(at)
}

pub(crate) fn optional<'a, F: FormFields + ?Sized>(form: &'a F, name: &str) -> Option<&'a str> {
    form.field(name).filter(|value| !value.is_empty())
}

pub(crate) fn required<'a, F: FormFields + ?Sized>(
    form: &'a F,
    name: &'static str,
) -> Result<&'a str, InputError> {
    optional(form, name).ok_or(InputError::Missing { field: name })
}

/// A duration in whole seconds, 0..=24 h.
pub(crate) fn duration_seconds(value: &str, field: &'static str) -> Result<u32, InputError> {
    let seconds: i64 = value
        .trim()
        .parse()
        .map_err(|_| InputError::invalid(field, "not a whole number of seconds"))?;
    if seconds < 0 {
        return Err(InputError::invalid(field, "negative duration"));
    }
    u32::try_from(seconds)
        .ok()
        .filter(|s| *s <= MAX_DURATION_SECONDS)
        .ok_or_else(|| {
            InputError::invalid(
                field,
                format!("longer than {MAX_DURATION_SECONDS} seconds (24 hours)"),
            )
        })
}

/// A non-negative integer no larger than `max`.
pub(crate) fn bounded_int(
    value: &str,
    field: &'static str,
    min: u32,
    max: u32,
) -> Result<u32, InputError> {
    value
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|n| (min..=max).contains(n))
        .ok_or_else(|| {
            InputError::invalid(
                field,
                format!("expected a whole number from {min} to {max}"),
            )
        })
}

/// Checks that `at` is after 2008 and at most a day after `reference` (the reception time).
pub(crate) fn plausible_time(
    at: DateTime<Utc>,
    reference: DateTime<Utc>,
    field: &'static str,
) -> Result<DateTime<Utc>, InputError> {
    if at < earliest_event_time() {
        return Err(InputError::invalid(field, "before 2008"));
    }
    // Within a day of chrono's last instant there is no later time to compare with.
    if reference
        .checked_add_signed(MAX_FUTURE_SKEW)
        .is_some_and(|latest| at > latest)
    {
        return Err(InputError::invalid(
            field,
            "more than a day after the event was received",
        ));
    }
    Ok(truncate_to_millis(at))
}

/// An RFC 2822 date (`Mon, 16 Aug 2010 03:45:01 +0000`), as Twilio sends them, checked
/// with [`plausible_time`].
pub(crate) fn rfc2822_time(
    value: &str,
    reference: DateTime<Utc>,
    field: &'static str,
) -> Result<DateTime<Utc>, InputError> {
    let parsed = DateTime::parse_from_rfc2822(value.trim())
        .map_err(|_| InputError::invalid(field, "not an RFC 2822 date"))?;
    plausible_time(parsed.with_timezone(&Utc), reference, field)
}

/// Free text Twilio sends in minor fields (`CallbackSource`, `AnsweredBy`, `RecordingTrack`):
/// printable, no control characters, bounded length.
pub(crate) fn short_text(
    value: &str,
    field: &'static str,
    max: usize,
) -> Result<String, InputError> {
    if value.chars().count() > max {
        return Err(InputError::invalid(
            field,
            format!("longer than {max} characters"),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(InputError::invalid(field, "contains control characters"));
    }
    Ok(value.to_owned())
}

/// Longest URL kept.
const URL_MAX: usize = 2048;

/// An `http://` or `https://` URL without spaces (Twilio sends `https://api.twilio.com/...`;
/// simulators may use plain http on loopback).
pub(crate) fn url(value: &str, field: &'static str) -> Result<String, InputError> {
    let lower = value
        .get(..8)
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if !(lower.starts_with("https://") || lower.starts_with("http://")) {
        return Err(InputError::invalid(field, "must be an http or https URL"));
    }
    if value.len() > URL_MAX || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(InputError::invalid(
            field,
            format!("a URL has no spaces and at most {URL_MAX} characters"),
        ));
    }
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_bounded() {
        assert_eq!(duration_seconds("0", "d").unwrap(), 0);
        assert_eq!(duration_seconds("86400", "d").unwrap(), 86_400);
        assert!(duration_seconds("86401", "d").is_err());
        assert!(duration_seconds("-1", "d").is_err());
        assert!(duration_seconds("1.5", "d").is_err());
        assert!(duration_seconds("99999999999999999999", "d").is_err());
    }

    #[test]
    fn times_must_be_plausible() {
        let now = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
        assert!(rfc2822_time("Sun, 01 Mar 2026 11:59:00 +0000", now, "t").is_ok());
        assert!(rfc2822_time("Mon, 02 Mar 2026 11:59:00 +0000", now, "t").is_ok());
        assert!(rfc2822_time("Tue, 03 Mar 2026 12:00:01 +0000", now, "t").is_err());
        assert!(rfc2822_time("Mon, 31 Dec 2007 23:59:59 +0000", now, "t").is_err());
        assert!(rfc2822_time("2026-03-01T11:59:00Z", now, "t").is_err());
    }

    #[test]
    fn first_occurrence_wins_and_empty_is_absent() {
        let form = vec![
            ("To".to_owned(), "+5511999999999".to_owned()),
            ("To".to_owned(), "+5511888888888".to_owned()),
            ("ParentCallSid".to_owned(), String::new()),
        ];
        assert_eq!(optional(&form, "To"), Some("+5511999999999"));
        assert_eq!(optional(&form, "ParentCallSid"), None);
        assert!(matches!(
            required(&form, "CallSid"),
            Err(InputError::Missing { field: "CallSid" })
        ));
    }
}
