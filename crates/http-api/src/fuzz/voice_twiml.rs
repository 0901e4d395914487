//! The TwiML Ramal answers with (`voice/twiml.rs`) when request data ends up in it: the caller's
//! `From` (as the `caller` `<Parameter>` of every ringing webphone) and `DialCallStatus`.
//! Property: whatever a request carries that call-store accepted, the document renders (a render
//! error would answer Twilio with a 500 and drop the call), and each agent rings once.

use call_store::party::{ClientIdentity, Party};
use proptest::prelude::*;

use crate::config::{CallPolicy, Messages, PublicUrl};
use crate::phone::DestinationPolicy;
use crate::voice::twiml::{CallbackUrls, after_dial, ring_agents};

fn policy(voicemail: bool) -> CallPolicy {
    CallPolicy {
        language: "pt-BR".into(),
        recording: twiml_builder::DialRecord::RecordFromAnswer,
        ring_timeout_secs: 30,
        destinations: DestinationPolicy::from_prefixes(&["+55".into()]).expect("valid prefix"),
        voicemail,
        messages: Messages::defaults_for("pt-BR"),
    }
}

fn urls() -> CallbackUrls {
    CallbackUrls::under(&PublicUrl::parse("https://r.example.com").expect("valid URL"))
}

fn caller() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "\\+[1-9][0-9]{6,14}",
        1 => "client:[!-~]{1,12}",
        1 => "sip:[!-~]{0,20}",
        2 => "\\PC{0,20}",
        1 => ".{0,8}",
        1 => prop::sample::select(&[
            "", "anonymous", "\u{FFFE}", "\u{FFFF}", "a\u{FFFE}b", "sip:\u{FFFF}", "<&\">", "]]>",
            "\u{7F}", "\u{85}", "\u{2028}", "\u{FEFF}", "😀",
        ][..]).prop_map(str::to_owned),
    ]
}

/// Identities as stored for agents (call-store's `ClientIdentity`: printable ASCII).
fn identities() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec("[!-~]{1,20}", 0..4)
}

proptest! {
    #![proptest_config(super::config(1000))]

    #[test]
    fn inbound_calls_ring_whatever_the_caller_sent(
        caller in caller(),
        identities in identities(),
        voicemail in any::<bool>(),
    ) {
        // voice-incoming only gets here when call-store accepted the request's From (not an
        // assumption: a long run would exhaust proptest's reject budget).
        if Party::parse_field(&caller, "From").is_err() {
            return Ok(());
        }
        for identity in &identities {
            prop_assert!(ClientIdentity::parse(identity).is_ok());
        }
        let xml = ring_agents(&policy(voicemail), &urls(), &identities, &caller)
            .map_err(|e| TestCaseError::fail(format!("{e} for caller {caller:?}")))?;
        prop_assert!(xml.ends_with("</Response>"));
        prop_assert_eq!(xml.matches("<Identity>").count(), identities.len());
    }

    #[test]
    fn after_dial_renders_for_any_status(status in "\\PC{0,20}", voicemail in any::<bool>()) {
        let xml = after_dial(&policy(voicemail), &urls(), &status)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(xml.ends_with("<Hangup /></Response>"));
    }
}

/// Found by `inbound_calls_ring_whatever_the_caller_sent`: a `From` of U+FFFE was accepted by
/// call-store, then could not be put in the `caller` `<Parameter>`, so an inbound call with an
/// agent available was answered 500. call-store now refuses such a party (as it refuses
/// control characters), so the request never reaches the TwiML.
#[test]
fn regression_caller_xml_cannot_carry_is_refused_before_the_twiml() {
    for caller in ["\u{FFFE}", "+55\u{FFFF}", "sip:a\u{FFFE}"] {
        assert_eq!(
            Party::parse_field(caller, "From").unwrap_err().field(),
            "From",
            "{caller:?}"
        );
        assert!(ring_agents(&policy(false), &urls(), &["a".to_owned()], caller).is_err());
    }
}
