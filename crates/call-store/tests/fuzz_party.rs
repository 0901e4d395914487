//! Fuzzing of `From`/`To` parsing (`Party`, `PhoneNumber`, `ClientIdentity`): never a panic;
//! what is accepted is exactly what a plain reference classifier accepts, is kept verbatim
//! (Display and serde round-trip to an equal value), and masking hides the middle digits.
//!
//! Case count: `RAMAL_FUZZ_CASES` (default: a smoke run); `scripts/fuzz` runs it long. Failures
//! proptest finds are kept in `proptest-regressions/fuzz_party.txt` (committed).

use call_store::party::{ClientIdentity, Party, PhoneNumber};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

/// Cases per property in the default test run (CI's smoke run).
const SMOKE_CASES: u32 = 512;

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
            "/proptest-regressions/fuzz_party.txt"
        )))),
        ..ProptestConfig::default()
    }
}

// ---- Reference model (from the documented rules) --------------------------------------------

/// E.164 as documented: `+`, 7 to 15 ASCII digits, the first not `0`.
fn is_e164(value: &str) -> bool {
    let Some(digits) = value.strip_prefix('+') else {
        return false;
    };
    (7..=15).contains(&digits.len())
        && digits.chars().all(|c| c.is_ascii_digit())
        && !digits.starts_with('0')
}

/// A client identity: 1 to 256 printable ASCII characters, no space.
fn is_identity(value: &str) -> bool {
    (1..=256).contains(&value.len()) && value.chars().all(|c| ('!'..='~').contains(&c))
}

#[derive(Debug, PartialEq, Eq)]
enum Kind {
    Phone,
    Client,
    Sip,
    Other,
    Refused,
}

fn classify(value: &str) -> Kind {
    // Controls, and the two characters XML cannot carry (parties are echoed into TwiML).
    if value
        .chars()
        .any(|c| c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}')
    {
        return Kind::Refused;
    }
    if let Some(identity) = value.strip_prefix("client:") {
        return if is_identity(identity) {
            Kind::Client
        } else {
            Kind::Refused
        };
    }
    let lower = value.to_ascii_lowercase();
    if lower.starts_with("sip:") || lower.starts_with("sips:") {
        return if value.len() <= 512 && !value.chars().any(char::is_whitespace) {
            Kind::Sip
        } else {
            Kind::Refused
        };
    }
    if value.starts_with('+') {
        return if is_e164(value) {
            Kind::Phone
        } else {
            Kind::Refused
        };
    }
    if value.chars().count() <= 64 {
        Kind::Other
    } else {
        Kind::Refused
    }
}

fn kind_of(party: &Party) -> Kind {
    match party {
        Party::Phone(_) => Kind::Phone,
        Party::Client(_) => Kind::Client,
        Party::Sip(_) => Kind::Sip,
        Party::Other(_) => Kind::Other,
    }
}

// ---- Strategies -----------------------------------------------------------------------------

fn party_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "\\+[0-9]{0,17}",
        1 => "\\+[1-9][0-9]{5,15}[ \\-x٣]?",
        2 => "client:[!-~]{0,10}",
        1 => "client:.{0,6}",
        1 => (250usize..260).prop_map(|n| format!("client:{}", "a".repeat(n))),
        2 => "(sip|SIP|sIp|sips|SIPS|si|sipx):[^ ]{0,12}",
        1 => "(sip|sips):\\PC{0,3}",
        1 => (505usize..515).prop_map(|n| format!("sip:{}", "a".repeat(n))),
        2 => "\\PC{0,70}",
        1 => ".{0,12}",
        1 => prop::sample::select(&[
            "", "anonymous", "+", "client:", "sip:", "sips:", "SIP:", "sip", "+2562533", "\u{FFFE}",
            "\u{130}sip:x", "ſip:x", "sİp:x", "\u{0}", "\u{85}", "\u{2028}", "+5531\u{A0}9",
        ][..]).prop_map(str::to_owned),
    ]
}

// ---- Properties -----------------------------------------------------------------------------

proptest! {
    #![proptest_config(config())]

    /// Accepted iff the reference classifier accepts, as the same kind; refusals name the field.
    #[test]
    fn parties_are_classified_as_documented(value in party_text()) {
        let expected = classify(&value);
        match Party::parse_field(&value, "From") {
            Ok(party) => prop_assert_eq!(kind_of(&party), expected, "{:?}", value),
            Err(err) => {
                prop_assert_eq!(Kind::Refused, expected, "{:?} refused: {}", value, err);
                prop_assert_eq!(err.field(), "From");
            }
        }
    }

    /// What is accepted is kept verbatim and comes back equal through Display and serde.
    #[test]
    fn accepted_parties_round_trip(value in party_text()) {
        if let Ok(party) = Party::parse(&value) {
            prop_assert_eq!(party.to_string(), value.clone());
            prop_assert_eq!(Party::parse(&party.to_string()).ok(), Some(party.clone()));
            let json = serde_json::to_string(&party).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let back: Party = serde_json::from_str(&json).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(back, party.clone());
            if let Party::Client(identity) = &party {
                let again = ClientIdentity::parse(identity.as_str()).ok();
                prop_assert_eq!(again.as_ref(), Some(identity));
            }
        }
    }

    /// Phone numbers: accepted iff E.164, canonical (kept as given, which is the only
    /// spelling), and masked to the first and last two digits in logs.
    #[test]
    fn phone_numbers_are_canonical_and_masked(value in party_text()) {
        match PhoneNumber::parse(&value) {
            Ok(number) => {
                prop_assert!(is_e164(&value), "{:?} accepted", value);
                prop_assert_eq!(number.as_str(), value.as_str());
                prop_assert_eq!(PhoneNumber::parse(number.as_str()).ok(), Some(number.clone()));
                let masked = number.masked();
                let digits = &value[1..];
                prop_assert_eq!(masked.len(), value.len());
                prop_assert_eq!(&masked[..3], &value[..3]);
                prop_assert_eq!(&masked[masked.len() - 2..], &value[value.len() - 2..]);
                prop_assert_eq!(masked[3..masked.len() - 2].matches('*').count(), digits.len() - 4);
                let shown = format!("{number:?}");
                prop_assert!(!shown.contains(&value[3..value.len() - 2]), "{} shows {}", shown, value);
            }
            Err(err) => {
                prop_assert!(!is_e164(&value), "{:?} refused: {}", value, err);
            }
        }
    }
}

/// Found by `parties_are_classified_as_documented`: the scheme test sliced the first five
/// bytes as a `str`, so a non-ASCII character right after `sip:` (`sip:¡`) made it `Other`,
/// and such a SIP URI longer than a caller-ID label was refused.
#[test]
fn regression_sip_scheme_followed_by_non_ascii_is_a_sip_address() {
    for value in ["sip:¡", "SIP:é@example.com", "sips:ü", "sip:"] {
        assert_eq!(kind_of(&Party::parse(value).unwrap()), Kind::Sip, "{value}");
    }
    let long = format!("sip:{}@example.com", "é".repeat(70));
    assert_eq!(Party::parse(&long).unwrap(), Party::Sip(long.clone()));
}
