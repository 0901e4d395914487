//! Properties of identity derivation over arbitrary input, including any Unicode.

use access_token::{FALLBACK_IDENTITY, Identity, MAX_IDENTITY_LEN};
use proptest::prelude::*;

/// Names mixing what real display names contain: Latin letters with accents, other scripts,
/// separators, punctuation, emoji and control characters.
fn display_name() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-zA-ZÀ-ÿ '\\-._@]{0,40}",
        "[\\PC]{0,300}",
        proptest::collection::vec(
            prop_oneof![
                Just("Álefe".to_string()),
                Just(" ".to_string()),
                Just("_".to_string()),
                Just("ß".to_string()),
                Just("李".to_string()),
                Just("🎉".to_string()),
                Just("\u{0301}".to_string()),
                Just("\t\n".to_string()),
                "[a-z]{1,8}",
            ],
            0..120
        )
        .prop_map(|parts| parts.concat()),
    ]
}

fn is_valid(s: &str) -> bool {
    Identity::new(s).is_ok()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn derived_identity_is_always_valid(name in display_name()) {
        let id = Identity::from_display_name(&name);
        let s = id.as_str();
        prop_assert!(is_valid(s), "{s:?} from {name:?}");
        prop_assert!(!s.is_empty());
        prop_assert!(s.len() <= MAX_IDENTITY_LEN);
        prop_assert!(!s.starts_with('_') && !s.ends_with('_') && !s.contains("__"), "{s:?}");
    }

    #[test]
    fn derivation_is_idempotent(name in display_name()) {
        let once = Identity::from_display_name(&name);
        let twice = Identity::from_display_name(once.as_str());
        prop_assert_eq!(&once, &twice);
    }

    #[test]
    fn ascii_words_survive(words in proptest::collection::vec("[A-Za-z0-9]{1,10}", 1..10)) {
        let name = words.join(" ");
        let derived = Identity::from_display_name(&name);
        prop_assert_eq!(derived.as_str(), words.join("_"));
    }

    #[test]
    fn user_form_is_valid_and_keeps_the_id(user_id in any::<u64>(), name in display_name()) {
        let id = Identity::for_user(user_id, &name);
        let s = id.as_str();
        prop_assert!(is_valid(s), "{s:?}");
        prop_assert!(s.len() <= MAX_IDENTITY_LEN);
        let prefix = format!("user_{user_id}");
        prop_assert!(s == prefix || s.starts_with(&format!("{prefix}_")), "{s:?}");
        let again = Identity::from_display_name(s);
        prop_assert_eq!(again.as_str(), s);
    }

    #[test]
    fn new_accepts_exactly_the_voice_alphabet(s in "\\PC{0,300}") {
        let expected = !s.is_empty()
            && s.chars().count() <= MAX_IDENTITY_LEN
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        prop_assert_eq!(Identity::new(s.as_str()).is_ok(), expected);
    }
}

#[test]
fn fallback_is_itself_valid_and_stable() {
    assert!(is_valid(FALLBACK_IDENTITY));
    assert_eq!(
        Identity::from_display_name(FALLBACK_IDENTITY).as_str(),
        FALLBACK_IDENTITY
    );
}
