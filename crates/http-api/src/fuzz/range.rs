//! The playback `Range` header (`recordings/range.rs`): never a panic, a served range always
//! lies inside the file, and every answer agrees with a reference model written from RFC 9110
//! §14.1.2 plus the module's documented choices (one range only, malformed means 416, another
//! unit means the whole file). The model reads numbers of any length, so a position past
//! `u64::MAX` is simply "beyond the end".

use proptest::prelude::*;

use crate::recordings::range::ByteRange;

/// A decimal of any length, saturated: anything above `u128::MAX` is as good as infinite here.
fn big(digits: &str) -> u128 {
    digits.bytes().fold(0u128, |n, d| {
        n.saturating_mul(10).saturating_add(u128::from(d - b'0'))
    })
}

/// Optional whitespace of HTTP (space and tab), which the parser tolerates around each token.
fn ows(s: &str) -> &str {
    s.trim_matches([' ', '\t'])
}

fn reference(header: Option<&str>, len: u64) -> ByteRange {
    let Some(value) = header else {
        return ByteRange::Full;
    };
    let Some(eq) = value.find('=') else {
        return ByteRange::Unsatisfiable;
    };
    if !ows(&value[..eq]).eq_ignore_ascii_case("bytes") {
        return ByteRange::Full;
    }
    let specs: Vec<&str> = value[eq + 1..]
        .split(',')
        .map(ows)
        .filter(|s| !s.is_empty())
        .collect();
    let [spec] = specs.as_slice() else {
        return ByteRange::Unsatisfiable;
    };
    let Some(dash) = spec.find('-') else {
        return ByteRange::Unsatisfiable;
    };
    let (first, last) = (ows(&spec[..dash]), ows(&spec[dash + 1..]));
    let number = |s: &str| s.bytes().all(|b| b.is_ascii_digit()).then(|| big(s));
    let (Some(first_n), Some(last_n)) = (number(first), number(last)) else {
        return ByteRange::Unsatisfiable;
    };
    let len = u128::from(len);
    // The set of bytes asked for, as [start, end] inclusive.
    let (start, end) = match (first.is_empty(), last.is_empty()) {
        (false, false) if last_n >= first_n => (first_n, last_n.min(len.saturating_sub(1))),
        (false, true) => (first_n, len.saturating_sub(1)),
        (true, false) if last_n > 0 => (len.saturating_sub(last_n), len.saturating_sub(1)),
        _ => return ByteRange::Unsatisfiable,
    };
    if len == 0 || start >= len {
        return ByteRange::Unsatisfiable;
    }
    ByteRange::Partial {
        start: u64::try_from(start).expect("below len"),
        end: u64::try_from(end).expect("below len"),
    }
}

fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (0u64..3000).prop_map(|n| n.to_string()),
        2 => any::<u64>().prop_map(|n| n.to_string()),
        1 => "0{1,3}[0-9]{0,4}",
        1 => "[0-9]{19,30}",
        1 => Just(String::new()),
    ]
}

/// Header values as they reach the parser: visible ASCII, space and tab (what actix's
/// `HeaderValue::to_str` lets through), shaped like range requests most of the time.
fn header() -> impl Strategy<Value = String> {
    let ws = prop::sample::select(&["", "", "", " ", "\t", "  "][..]);
    let spec = (
        ws.clone(),
        number(),
        ws.clone(),
        prop::sample::select(&["-", "-", "-", "", "--", "+"][..]),
        ws.clone(),
        number(),
        ws.clone(),
    )
        .prop_map(|(a, f, b, d, c, l, e)| format!("{a}{f}{b}{d}{c}{l}{e}"));
    prop_oneof![
        6 => (
            prop::sample::select(&["bytes", "Bytes", "BYTES", " bytes ", "bytes\t", "items", "byte", ""][..]),
            prop::sample::select(&["=", "=", "==", " = ", ":"][..]),
            prop::collection::vec(spec, 0..3),
            prop::sample::select(&["", "", ",", " , ", ",,"][..]),
        )
            .prop_map(|(unit, eq, specs, tail)| format!("{unit}{eq}{}{tail}", specs.join(","))),
        1 => "[ -~\t]{0,40}",
    ]
}

fn length() -> impl Strategy<Value = u64> {
    prop_oneof![
        4 => 0u64..4000,
        1 => any::<u64>(),
        1 => prop::sample::select(vec![0, 1, u64::MAX - 1, u64::MAX]),
    ]
}

proptest! {
    #![proptest_config(super::config(1000))]

    #[test]
    fn ranges_agree_with_the_rfc_model(header in header(), len in length()) {
        let got = ByteRange::parse(Some(&header), len);
        prop_assert_eq!(got, reference(Some(&header), len), "{:?} on {} bytes", header, len);
        if let ByteRange::Partial { start, end } = got {
            prop_assert!(start <= end && end < len);
            prop_assert_eq!(got.content_range(len), Some(format!("bytes {start}-{end}/{len}")));
        }
    }

    #[test]
    fn any_text_never_panics_and_stays_inside(header in "\\PC{0,48}", len in length()) {
        if let ByteRange::Partial { start, end } = ByteRange::parse(Some(&header), len) {
            prop_assert!(start <= end && end < len);
        }
    }
}

/// Found by `ranges_agree_with_the_rfc_model`: a last byte position or suffix length too
/// long for `u64` was answered 416, although RFC 9110 reads it as "to the end" (and the
/// whole file for a suffix).
#[test]
fn regression_positions_past_u64_reach_the_end() {
    assert_eq!(
        ByteRange::parse(Some("bytes=0-20000000000000000000"), 1),
        ByteRange::Partial { start: 0, end: 0 }
    );
    assert_eq!(
        ByteRange::parse(Some("bytes=-99999999999999999999999"), 1000),
        ByteRange::Partial { start: 0, end: 999 }
    );
    // A first position that far is still past the end.
    assert_eq!(
        ByteRange::parse(Some("bytes=99999999999999999999999-"), 1000),
        ByteRange::Unsatisfiable
    );
}
