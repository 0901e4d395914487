//! E.164 parsing at the HTTP boundary (`phone.rs`): never a panic; accepted exactly when a plain
//! reference says so, with the error it predicts; accepted numbers are canonical (kept as
//! given, the only spelling), round-trip, are accepted by call-store too, and are masked in logs.

use call_store::party::PhoneNumber;
use proptest::prelude::*;

use crate::phone::{DestinationPolicy, E164, PhoneError, country_code, mask};

/// What `E164::parse` must answer, from the documented rule: `+`, then 8 to 15 ASCII digits,
/// the first not zero.
fn reference(raw: &str) -> Result<(), PhoneError> {
    let Some(digits) = raw.strip_prefix('+') else {
        return Err(PhoneError::NotE164);
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) || digits.starts_with('0') {
        return Err(PhoneError::NotE164);
    }
    if !(8..=15).contains(&digits.len()) {
        return Err(PhoneError::Length(digits.len()));
    }
    Ok(())
}

fn number_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "\\+[1-9][0-9]{6,16}",
        2 => "\\+?[0-9]{0,18}",
        1 => "\\+[0-9 ()\\-.]{0,18}",
        1 => "[+＋][0-9٠-٩０-９]{0,16}",
        1 => "\\PC{0,20}",
        1 => prop::sample::select(&["", "+", "+0", "++5531999999999", "+5531999999999\n", " +5531999999999", "+553199999999\u{0}"][..])
            .prop_map(str::to_owned),
    ]
}

fn prefix() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "\\+[0-9]{0,5}",
        1 => "\\+?[0-9a-z ]{0,17}",
        1 => "\\PC{0,6}",
    ]
}

proptest! {
    #![proptest_config(super::config(1000))]

    #[test]
    fn e164_parsing_matches_the_reference(raw in number_text()) {
        let got = E164::parse(&raw);
        prop_assert_eq!(got.as_ref().map(|_| ()).map_err(Clone::clone), reference(&raw), "{:?}", raw);
        if let Ok(number) = got {
            prop_assert_eq!(number.as_str(), raw.as_str());
            prop_assert_eq!(number.to_string(), raw.clone());
            prop_assert_eq!(E164::parse(number.as_str()).ok(), Some(number.clone()));
            // Whatever the HTTP edge accepts, the store accepts as the same number.
            prop_assert_eq!(PhoneNumber::parse(&raw).map(|p| p.as_str().to_owned()).ok(), Some(raw.clone()));

            // The first five and last four characters stay, unless that would hide nothing.
            let masked = number.masked();
            prop_assert_eq!(masked.chars().count(), raw.chars().count());
            if raw.len() <= 9 {
                prop_assert!(masked.chars().all(|c| c == '*'), "{}", masked);
            } else {
                prop_assert_eq!(&masked[..5], &raw[..5]);
                prop_assert_eq!(&masked[masked.len() - 4..], &raw[raw.len() - 4..]);
                prop_assert!(masked[5..masked.len() - 4].chars().all(|c| c == '*'));
            }
            let shown = format!("{number:?}");
            prop_assert!(!shown.contains(raw.as_str()), "{} shows the number", shown);

            let code = country_code(&number);
            prop_assert!((1..=3).contains(&code.len()));
            prop_assert!(raw[1..].starts_with(code));
            prop_assert!(DestinationPolicy::same_country_as(&number).allows(&number));
        }
    }

    #[test]
    fn masking_any_text_keeps_its_length(text in "\\PC{0,24}") {
        let masked = mask(&text);
        prop_assert_eq!(masked.chars().count(), text.chars().count());
        prop_assert!(masked.chars().filter(|c| *c != '*').count() <= 9);
    }

    #[test]
    fn destination_policies_allow_exactly_their_prefixes(
        prefixes in prop::collection::vec(prefix(), 0..4),
        raw in "\\+[1-9][0-9]{7,14}",
    ) {
        let number = E164::parse(&raw).map_err(|e| TestCaseError::fail(e.to_string()))?;
        match DestinationPolicy::from_prefixes(&prefixes) {
            Ok(policy) => {
                prop_assert!(!prefixes.is_empty());
                for p in &prefixes {
                    prop_assert!(p.starts_with('+') && p[1..].bytes().all(|b| b.is_ascii_digit()) && p.len() <= 16);
                }
                prop_assert_eq!(policy.allows(&number), prefixes.iter().any(|p| raw.starts_with(p.as_str())));
            }
            Err(message) => prop_assert!(
                prefixes.is_empty()
                    || prefixes.iter().any(|p| !p.starts_with('+') || !p[1..].bytes().all(|b| b.is_ascii_digit()) || p.len() > 16),
                "{:?} refused: {}", prefixes, message
            ),
        }
    }
}
