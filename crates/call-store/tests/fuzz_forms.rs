//! Fuzzing of webhook form parsing: `VoiceRequest`, `StatusEvent` and `RecordingEvent::from_form`
//! on key/value soups (valid callbacks with fields overwritten, duplicated, dropped or emptied;
//! random keys; junk, percent-encoding debris, huge values) and on any reception time.
//!
//! Properties: never a panic; `Ok` carries exactly what the first occurrence of each field said,
//! within the documented bounds, and survives a JSON round trip (what the store writes it reads
//! back); `Err` is an `InputError` naming a field the parser reads. Only first occurrences count,
//! so later duplicates and unknown keys change nothing.
//!
//! Case count: `RAMAL_FUZZ_CASES` (default: a smoke run); `scripts/fuzz` runs it long. Failures
//! proptest finds are kept in `proptest-regressions/fuzz_forms.txt` (committed).

use std::collections::HashMap;

use call_store::InputError;
use call_store::events::{CallEvent, RecordingEvent, StatusEvent, VoiceRequest};
use call_store::form::{MAX_DURATION_SECONDS, earliest_event_time};
use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

/// Cases per property in the default test run (CI's smoke run).
const SMOKE_CASES: u32 = 256;

fn config() -> ProptestConfig {
    let cases = match std::env::var("RAMAL_FUZZ_CASES") {
        Ok(v) => v
            .parse()
            .unwrap_or_else(|_| panic!("RAMAL_FUZZ_CASES={v:?} is not a whole number")),
        Err(_) => SMOKE_CASES,
    };
    ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/proptest-regressions/fuzz_forms.txt"
        )))),
        ..ProptestConfig::default()
    }
}

type Form = Vec<(String, String)>;

const VOICE_FIELDS: &[&str] = &[
    "CallSid",
    "ParentCallSid",
    "AccountSid",
    "From",
    "To",
    "Direction",
    "CallStatus",
];
const STATUS_FIELDS: &[&str] = &[
    "CallSid",
    "ParentCallSid",
    "AccountSid",
    "From",
    "To",
    "Direction",
    "CallStatus",
    "SequenceNumber",
    "CallDuration",
    "Timestamp",
    "SipResponseCode",
    "CallbackSource",
    "AnsweredBy",
];
const RECORDING_FIELDS: &[&str] = &[
    "CallSid",
    "RecordingSid",
    "AccountSid",
    "RecordingUrl",
    "RecordingStatus",
    "RecordingDuration",
    "RecordingChannels",
    "RecordingStartTime",
    "RecordingSource",
    "RecordingTrack",
    "ErrorCode",
];

// ---- Reading a form the way the parsers are documented to ----------------------------------

/// The first value of `name` (the parsers' rule for repeated names).
fn first<'f>(form: &'f Form, name: &str) -> Option<&'f str> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The first value of `name`, empty counting as absent.
fn present<'f>(form: &'f Form, name: &str) -> Option<&'f str> {
    first(form, name).filter(|v| !v.is_empty())
}

/// A plain decimal (what Twilio sends), as the number it writes.
fn plain_decimal(value: &str) -> Option<u64> {
    (!value.is_empty() && value.len() <= 18 && value.bytes().all(|b| b.is_ascii_digit()))
        .then(|| value.parse().ok())
        .flatten()
}

/// Checks an `Err`: a typed error about a field this parser reads, `Missing` only when the
/// field is absent or empty (or is a `client:` party without identity), `Invalid` only when
/// it has a value.
fn check_error(err: &InputError, form: &Form, fields: &[&str]) -> Result<(), TestCaseError> {
    let field = err.field();
    prop_assert!(
        fields.contains(&field) || field == "received_at",
        "error names {field:?}, which the parser does not read: {err}"
    );
    match err {
        InputError::Missing { field } => {
            let value = first(form, field);
            prop_assert!(
                value.is_none_or(|v| v.is_empty() || v == "client:"),
                "Missing {field} although it is {value:?}"
            );
        }
        // A value is blamed only when there is one.
        InputError::Invalid { field, .. } => prop_assert!(
            *field == "received_at" || present(form, field).is_some(),
            "{field} called invalid although absent: {err}"
        ),
        _ => prop_assert!(false, "an InputError this suite does not know: {err}"),
    }
    Ok(())
}

fn check_party(got: &impl ToString, form: &Form, field: &str) -> Result<(), TestCaseError> {
    // The wire form is kept exactly; an absent field is an empty label.
    prop_assert_eq!(got.to_string(), first(form, field).unwrap_or(""));
    Ok(())
}

fn check_json_round_trip(event: CallEvent) -> Result<(), TestCaseError> {
    let json = serde_json::to_string(&event).map_err(|e| TestCaseError::fail(e.to_string()))?;
    let back: CallEvent = serde_json::from_str(&json)
        .map_err(|e| TestCaseError::fail(format!("{e}: stored event cannot be read back")))?;
    prop_assert_eq!(back, event);
    Ok(())
}

fn check_time(at: DateTime<Utc>, received_at: DateTime<Utc>) -> Result<(), TestCaseError> {
    prop_assert!(at >= earliest_event_time());
    // No upper bound is left when a day after the reception time is past chrono's range.
    prop_assert!(
        received_at
            .checked_add_signed(Duration::days(1))
            .is_none_or(|latest| at <= latest)
    );
    prop_assert_eq!(
        at.timestamp_subsec_nanos() % 1_000_000,
        0,
        "not whole milliseconds"
    );
    Ok(())
}

fn check_voice(form: &Form, received_at: DateTime<Utc>) -> Result<(), TestCaseError> {
    match VoiceRequest::from_form(form, received_at) {
        Ok(event) => {
            prop_assert_eq!(Some(event.call_sid.as_str()), first(form, "CallSid"));
            prop_assert_eq!(
                event.parent_call_sid.as_ref().map(|s| s.as_str()),
                present(form, "ParentCallSid")
            );
            prop_assert_eq!(
                event.account_sid.as_ref().map(|s| s.as_str()),
                present(form, "AccountSid")
            );
            check_party(&event.from, form, "From")?;
            check_party(&event.to, form, "To")?;
            prop_assert_eq!(Some(event.direction.as_str()), first(form, "Direction"));
            prop_assert_eq!(Some(event.status.as_str()), first(form, "CallStatus"));
            check_time(event.received_at, received_at)?;
            check_json_round_trip(event.into())
        }
        Err(err) => check_error(&err, form, VOICE_FIELDS),
    }
}

fn check_status(form: &Form, received_at: DateTime<Utc>) -> Result<(), TestCaseError> {
    match StatusEvent::from_form(form, received_at) {
        Ok(event) => {
            prop_assert_eq!(Some(event.call_sid.as_str()), first(form, "CallSid"));
            prop_assert_eq!(
                event.parent_call_sid.as_ref().map(|s| s.as_str()),
                present(form, "ParentCallSid")
            );
            check_party(&event.from, form, "From")?;
            check_party(&event.to, form, "To")?;
            prop_assert_eq!(Some(event.status.as_str()), first(form, "CallStatus"));
            let numbers = [
                ("SequenceNumber", event.sequence_number.map(u64::from)),
                ("CallDuration", event.call_duration.map(u64::from)),
                ("SipResponseCode", event.sip_response_code.map(u64::from)),
            ];
            for (field, got) in numbers {
                prop_assert_eq!(got.is_some(), present(form, field).is_some(), "{}", field);
                if let Some(n) = present(form, field).and_then(plain_decimal) {
                    prop_assert_eq!(got, Some(n), "{}", field);
                }
            }
            prop_assert!(
                event
                    .call_duration
                    .is_none_or(|d| d <= MAX_DURATION_SECONDS)
            );
            prop_assert!(
                event
                    .sip_response_code
                    .is_none_or(|c| (100..=699).contains(&c))
            );
            prop_assert_eq!(
                event.callback_source.as_deref(),
                present(form, "CallbackSource")
            );
            prop_assert_eq!(event.answered_by.as_deref(), present(form, "AnsweredBy"));
            check_time(event.timestamp, received_at)?;
            if present(form, "Timestamp").is_none() {
                prop_assert_eq!(
                    event.timestamp.timestamp_millis(),
                    received_at.timestamp_millis()
                );
            }
            check_json_round_trip(event.into())
        }
        Err(err) => check_error(&err, form, STATUS_FIELDS),
    }
}

fn check_recording(form: &Form, received_at: DateTime<Utc>) -> Result<(), TestCaseError> {
    match RecordingEvent::from_form(form, received_at) {
        Ok(event) => {
            prop_assert_eq!(Some(event.call_sid.as_str()), first(form, "CallSid"));
            prop_assert_eq!(
                Some(event.recording_sid.as_str()),
                first(form, "RecordingSid")
            );
            prop_assert_eq!(event.url.as_deref(), present(form, "RecordingUrl"));
            prop_assert_eq!(Some(event.status.as_str()), first(form, "RecordingStatus"));
            prop_assert!(event.duration.is_none_or(|d| d <= MAX_DURATION_SECONDS));
            prop_assert!(event.channels.is_none_or(|c| c == 1 || c == 2));
            prop_assert!(event.error_code.is_none_or(|c| c != 0 && c <= 999_999));
            if let Some(n) = present(form, "RecordingDuration").and_then(plain_decimal) {
                prop_assert_eq!(event.duration.map(u64::from), Some(n));
            }
            prop_assert_eq!(
                event.source.as_ref().map(|s| s.as_str()),
                present(form, "RecordingSource")
            );
            prop_assert_eq!(event.track.as_deref(), present(form, "RecordingTrack"));
            if let Some(start) = event.start_time {
                check_time(start, received_at)?;
            }
            check_time(event.received_at, received_at)?;
            check_json_round_trip(event.into())
        }
        Err(err) => check_error(&err, form, RECORDING_FIELDS),
    }
}

/// The same result (value or error) from all three parsers.
fn outcomes(form: &Form, received_at: DateTime<Utc>) -> [String; 3] {
    [
        format!("{:?}", VoiceRequest::from_form(form, received_at)),
        format!("{:?}", StatusEvent::from_form(form, received_at)),
        format!("{:?}", RecordingEvent::from_form(form, received_at)),
    ]
}

// ---- Strategies -----------------------------------------------------------------------------

fn hex_digits(len: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(&b"0123456789abcdefABCDEF"[..]), len)
        .prop_map(|b| String::from_utf8(b).expect("ASCII"))
}

fn sid(prefix: &'static str) -> impl Strategy<Value = String> {
    prop_oneof![
        8 => hex_digits(32).prop_map(move |h| format!("{prefix}{h}")),
        1 => (prop::sample::select(&["CA", "RE", "AC", "ca", "XX", ""][..]), hex_digits(32))
            .prop_map(|(p, h)| format!("{p}{h}")),
        1 => (0usize..40).prop_flat_map(move |n| hex_digits(n).prop_map(move |h| format!("{prefix}{h}"))),
        1 => (hex_digits(31), any::<char>()).prop_map(move |(h, c)| format!("{prefix}{h}{c}")),
    ]
}

/// RFC 2822 dates around the reception time, and the corners of the format.
fn rfc2822() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (-3_000_000_000i64..3_000_000_000i64).prop_map(|offset| {
            let base = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
            (base + Duration::milliseconds(offset)).to_rfc2822()
        }),
        1 => (0i64..400_000_000_000i64, -1439i32..1440).prop_map(|(secs, minutes)| {
            let offset = chrono::FixedOffset::east_opt(minutes * 60).unwrap();
            DateTime::from_timestamp(secs - 62_000_000_000, 0)
                // Not `to_rfc2822`: it panics outside years 0..=9999, which are wanted here.
                .map(|t| t.with_timezone(&offset).format("%a, %d %b %Y %H:%M:%S %z").to_string())
                .unwrap_or_default()
        }),
        1 => prop::sample::select(&[
            "Mon, 01 Jan 2007 00:00:00 +0000", "Fri, 31 Dec 9999 23:59:59 +0000",
            "Mon, 1 Jan 0001 00:00:00 -9999", "Sun, 01 Mar 2026 25:61:61 +0000",
            "01 Mar 2026 11:00:00 GMT", "Sun, 01 Mar 2026 11:00:00 Z", "2026-03-01T11:00:00Z",
            "Sun, 29 Feb 2026 11:00:00 +0000", "Sun,01 Mar 2026 11:00 +2400", "  ",
        ][..]).prop_map(str::to_owned),
    ]
}

fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (0u32..100_000).prop_map(|n| n.to_string()),
        2 => prop::sample::select(&[
            "0", "1", "2", "3", "99", "100", "699", "700", "86400", "86401", "999999", "1000000",
            "4294967295", "4294967296", "-1", "-0", "+5", " 7 ", "1.5", "1e3", "0x10", "٣",
            "99999999999999999999999999", "\u{3000}42\u{3000}", "",
        ][..]).prop_map(str::to_owned),
    ]
}

fn party() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "\\+[1-9][0-9]{6,14}",
        1 => "\\+[0-9 ]{0,17}",
        2 => "client:[A-Za-z0-9_]{0,12}",
        1 => "client:\\PC{0,8}",
        1 => "(sip|SIP|sips|Sip):[a-z0-9@.;=]{0,20}",
        1 => prop::sample::select(&["", "anonymous", "unknown", "Restricted", "+2562533", "sip:", "sips", "client:"][..])
            .prop_map(str::to_owned),
        1 => junk(),
    ]
}

fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(&[
            "queued", "initiated", "ringing", "in-progress", "completed", "busy", "failed",
            "no-answer", "canceled", "inbound", "outbound-api", "outbound-dial", "trunking-originating",
            "absent", "processing", "DialVerb", "RecordVerb", "OutboundAPI", "Trunking",
        ][..]).prop_map(str::to_owned),
        2 => "[a-z-]{1,34}",
        1 => "[A-Za-z0-9]{1,34}",
        1 => junk(),
    ]
}

fn url() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "(https|http|HTTPS|Http|ftp)://[a-z.]{1,12}/[A-Za-z0-9/%._-]{0,40}",
        1 => (0usize..3000).prop_map(|n| format!("https://api.twilio.com/{}", "a".repeat(n))),
        1 => junk(),
    ]
}

/// Anything: percent-encoding debris, controls, non-characters, multi-byte text, huge values.
fn junk() -> BoxedStrategy<String> {
    prop_oneof![
        4 => "\\PC{0,24}",
        3 => ".{0,16}",
        2 => prop::collection::vec(prop::sample::select(&[
            "%", "%2", "%ZZ", "%00", "%C3", "%E2%82", "+", "=", "&", "\0", "\r\n", "\u{FFFE}",
            "\u{FFFF}", "\u{FEFF}", "\u{1F}", "\u{7F}", "\u{85}", "\u{2028}", "😀", "ç", " ",
        ][..]), 0..12).prop_map(|p| p.concat()),
        1 => (0usize..200_000, any::<char>()).prop_map(|(n, c)| c.to_string().repeat(n)),
    ]
    .boxed()
}

/// A plausible value for `field`, or junk.
fn value_for(field: &str) -> BoxedStrategy<String> {
    match field {
        "CallSid" | "ParentCallSid" => sid("CA").boxed(),
        "RecordingSid" => sid("RE").boxed(),
        "AccountSid" => sid("AC").boxed(),
        "From" | "To" => party().boxed(),
        "Direction" | "CallStatus" | "RecordingStatus" | "RecordingSource" => token().boxed(),
        "Timestamp" | "RecordingStartTime" => rfc2822().boxed(),
        "RecordingUrl" => url().boxed(),
        "SequenceNumber" | "CallDuration" | "SipResponseCode" | "RecordingDuration"
        | "RecordingChannels" | "ErrorCode" => number().boxed(),
        "CallbackSource" | "AnsweredBy" | "RecordingTrack" => prop_oneof![
            3 => "[a-z_-]{0,20}",
            1 => "\\PC{60,70}",
            1 => junk(),
        ]
        .boxed(),
        _ => junk(),
    }
}

const ALL_FIELDS: &[&str] = &[
    "CallSid",
    "ParentCallSid",
    "AccountSid",
    "From",
    "To",
    "Direction",
    "CallStatus",
    "SequenceNumber",
    "CallDuration",
    "Timestamp",
    "SipResponseCode",
    "CallbackSource",
    "AnsweredBy",
    "RecordingSid",
    "RecordingUrl",
    "RecordingStatus",
    "RecordingDuration",
    "RecordingChannels",
    "RecordingStartTime",
    "RecordingSource",
    "RecordingTrack",
    "ErrorCode",
];

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => prop::sample::select(ALL_FIELDS).prop_map(str::to_owned),
        1 => prop::sample::select(&["callsid", "CallSid ", " CallSid", "Call%53id", "CALLSTATUS", "", "Caller", "Digits"][..])
            .prop_map(str::to_owned),
        1 => junk(),
    ]
}

fn pair() -> impl Strategy<Value = (String, String)> {
    key().prop_flat_map(|k| {
        let v = value_for(&k);
        (Just(k), v)
    })
}

/// A complete, valid callback of every kind (the union of their fields).
fn valid_base() -> impl Strategy<Value = Form> {
    (
        hex_digits(32),
        hex_digits(32),
        "\\+[1-9][0-9]{7,13}",
        prop::sample::select(&["ringing", "in-progress", "completed", "busy"][..]),
    )
        .prop_map(|(call, rec, from, status)| {
            [
                ("CallSid", format!("CA{call}")),
                ("From", from),
                ("To", "client:agent_1".to_owned()),
                ("Direction", "inbound".to_owned()),
                ("CallStatus", status.to_owned()),
                ("SequenceNumber", "2".to_owned()),
                ("CallDuration", "31".to_owned()),
                ("Timestamp", "Sun, 01 Mar 2026 11:58:00 +0000".to_owned()),
                ("RecordingSid", format!("RE{rec}")),
                (
                    "RecordingUrl",
                    format!("https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE{rec}"),
                ),
                ("RecordingStatus", "completed".to_owned()),
                ("RecordingDuration", "30".to_owned()),
                ("RecordingChannels", "2".to_owned()),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect()
        })
}

/// Valid callbacks with a few fields overwritten, duplicated, emptied or dropped, and pure
/// soups of random pairs.
fn form() -> impl Strategy<Value = Form> {
    prop_oneof![
        3 => (valid_base(), prop::collection::vec((0usize..4, pair()), 0..6)).prop_map(|(mut form, edits)| {
            for (op, (k, v)) in edits {
                match op {
                    0 => form.insert(0, (k, v)),
                    1 => form.push((k, v)),
                    2 => form.retain(|(existing, _)| *existing != k),
                    _ => {
                        if let Some(slot) = form.iter_mut().find(|(existing, _)| *existing == k) {
                            slot.1 = v;
                        }
                    }
                }
            }
            form
        }),
        1 => prop::collection::vec(pair(), 0..24),
    ]
}

/// Reception times: mostly now-ish, sometimes anywhere chrono can represent.
fn received_at() -> impl Strategy<Value = DateTime<Utc>> {
    prop_oneof![
        8 => (0i64..86_400_000).prop_map(|ms| {
            Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap() + Duration::milliseconds(ms)
        }),
        1 => any::<i64>().prop_map(|ms| DateTime::from_timestamp_millis(ms).unwrap_or(DateTime::<Utc>::MAX_UTC)),
        1 => prop::sample::select(vec![DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC]),
    ]
}

// ---- Properties -----------------------------------------------------------------------------

proptest! {
    #![proptest_config(config())]

    #[test]
    fn voice_requests_parse_or_name_the_bad_field(form in form(), at in received_at()) {
        check_voice(&form, at)?;
    }

    #[test]
    fn status_callbacks_parse_or_name_the_bad_field(form in form(), at in received_at()) {
        check_status(&form, at)?;
    }

    #[test]
    fn recording_callbacks_parse_or_name_the_bad_field(form in form(), at in received_at()) {
        check_recording(&form, at)?;
    }

    /// Only the first occurrence of a name counts: appending pairs for names already present,
    /// or pairs no parser reads, changes nothing; nor does reading the form from a map.
    #[test]
    fn later_duplicates_and_unknown_keys_change_nothing(
        form in form(),
        extra in prop::collection::vec(pair(), 0..8),
        at in received_at(),
    ) {
        let before = outcomes(&form, at);
        let mut noisy = form.clone();
        for (k, v) in extra {
            if first(&form, &k).is_some() || !ALL_FIELDS.contains(&k.as_str()) {
                noisy.push((k, v));
            }
        }
        prop_assert_eq!(&outcomes(&noisy, at), &before);

        let mut map = HashMap::new();
        for (k, v) in &form {
            map.entry(k.clone()).or_insert_with(|| v.clone());
        }
        prop_assert_eq!(
            format!("{:?}", StatusEvent::from_form(&map, at)),
            before[1].clone()
        );
    }
}

/// Found by all three `..._parse_or_name_the_bad_field` properties: a reception time in
/// chrono's last day (shrunk to `+262142-12-31T00:00:00Z`) made the "at most a day ahead"
/// check overflow and panic (`DateTime + TimeDelta overflowed`) instead of parsing.
#[test]
fn regression_reception_time_in_the_last_representable_day_does_not_panic() {
    let form: Form = [
        ("CallSid", "CA00000000000000000000000000000000"),
        ("From", "+10000000"),
        ("To", "client:agent_1"),
        ("Direction", "inbound"),
        ("CallStatus", "ringing"),
        ("Timestamp", "Sun, 01 Mar 2026 11:58:00 +0000"),
        ("RecordingSid", "RE00000000000000000000000000000000"),
        ("RecordingStatus", "completed"),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    let shrunk = Utc.with_ymd_and_hms(262_142, 12, 31, 0, 0, 0).unwrap();
    for at in [shrunk, DateTime::<Utc>::MAX_UTC] {
        let voice = VoiceRequest::from_form(&form, at).unwrap();
        assert_eq!(voice.received_at.timestamp_millis(), at.timestamp_millis());
        let status = StatusEvent::from_form(&form, at).unwrap();
        assert_eq!(
            status.timestamp.to_rfc2822(),
            "Sun, 1 Mar 2026 11:58:00 +0000"
        );
        RecordingEvent::from_form(&form, at).unwrap();
    }
    // The other end stays refused, as before 2008.
    let err = StatusEvent::from_form(&form[..5], DateTime::<Utc>::MIN_UTC).unwrap_err();
    assert_eq!(err.field(), "received_at");
}
