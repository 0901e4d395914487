//! File names of stored recordings: readable, portable, and ending with the recording SID.

use unicode_normalization::UnicodeNormalization as _;
use unicode_normalization::char::is_combining_mark;

use crate::meta::RecordingMeta;

/// Longest name part kept (agent names, SIP addresses); the whole name stays far below the
/// 255-byte limit of common file systems.
const PART_MAX: usize = 48;

/// `<date>_<time>_<direction>_<counterpart>_<agent>_<duration>s_<sid>.<ext>`, unknown parts
/// omitted.
pub(crate) fn file_name(meta: &RecordingMeta) -> String {
    let call = meta.call();
    let mut parts = vec![call.started_at.format("%Y-%m-%d_%H-%M").to_string()];
    if let Some(direction) = call.direction {
        parts.push(direction.as_str().to_owned());
    }
    let counterpart = call
        .counterpart
        .as_deref()
        .map(|c| c.strip_prefix("client:").unwrap_or(c));
    for part in [counterpart, call.agent.as_deref()].into_iter().flatten() {
        let clean = portable(part);
        if !clean.is_empty() {
            parts.push(clean);
        }
    }
    if let Some(secs) = call.duration_secs {
        parts.push(format!("{secs}s"));
    }
    parts.push(meta.sid().as_str().to_owned());
    format!("{}.{}", parts.join("_"), meta.media_type().extension())
}

/// ASCII letters, digits, `+` and `.`; accents dropped (`Álefe` -> `Alefe`), anything else
/// becomes a single `-`. No `/`, `_` or leading dot can survive, so a part can neither
/// escape its folder, hide the file, nor be confused with the `_` separators.
pub(crate) fn portable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.nfkd().filter(|c| !is_combining_mark(*c)) {
        if c.is_ascii_alphanumeric() || c == '+' || (c == '.' && !out.is_empty()) {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        if out.len() >= PART_MAX {
            break;
        }
    }
    out.trim_end_matches(['-', '.']).to_owned()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone as _;
    use proptest::prelude::*;

    use super::*;
    use crate::meta::{CallInfo, Direction, MediaType, RecordingSid};

    const SID: &str = "RE0123456789abcdef0123456789abcdef";

    fn meta(call: CallInfo) -> RecordingMeta {
        RecordingMeta::new(RecordingSid::parse(SID).unwrap(), call, MediaType::Mp3, 10).unwrap()
    }

    #[test]
    fn the_guides_layout() {
        let call = CallInfo {
            started_at: chrono::Utc
                .with_ymd_and_hms(2026, 11, 29, 14, 3, 27)
                .unwrap(),
            direction: Some(Direction::Outbound),
            counterpart: Some("+5531999999999".into()),
            agent: Some("Ana Souza".into()),
            duration_secs: Some(42),
        };
        assert_eq!(
            meta(call).file_name(),
            format!("2026-11-29_14-03_outbound_+5531999999999_Ana-Souza_42s_{SID}.mp3")
        );
    }

    #[test]
    fn unknown_parts_are_left_out_and_accents_dropped() {
        let mut call = CallInfo::at(chrono::Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap());
        assert_eq!(
            meta(call.clone()).file_name(),
            format!("2026-01-02_03-04_{SID}.mp3")
        );
        call.direction = Some(Direction::Internal);
        call.counterpart = Some("client:bruno_lima".into());
        call.agent = Some("Álefe  Lins / Jr.".into());
        assert_eq!(
            meta(call).file_name(),
            format!("2026-01-02_03-04_internal_bruno-lima_Alefe-Lins-Jr_{SID}.mp3")
        );
    }

    proptest! {
        #[test]
        fn parts_never_escape_or_hide(text in ".{0,200}") {
            let p = portable(&text);
            prop_assert!(p.len() <= PART_MAX);
            prop_assert!(!p.contains('/') && !p.contains('\\') && !p.contains('_'));
            prop_assert!(!p.starts_with('.') && !p.starts_with('-'));
            prop_assert!(p.bytes().all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b)));
        }
    }
}
