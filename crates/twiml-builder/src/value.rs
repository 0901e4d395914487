//! Attribute values: typed enums, the raw-string escape hatch, and the internal representation
//! that renders without allocating.

use std::borrow::Cow;

pub(crate) mod sealed {
    /// Keeps [`TwimlEnum`](super::TwimlEnum) implementable only by this crate's enums, whose
    /// values are known to need no escaping.
    pub trait Sealed {}
}

/// Implemented by every value enum of this crate ([`DialRecord`](crate::DialRecord),
/// [`CallProgressEvent`](crate::CallProgressEvent), ...). Sealed.
pub trait TwimlEnum: sealed::Sealed + Copy + 'static {
    /// The wire strings of all variants, in declaration order.
    const VALUES: &'static [&'static str];
    /// Position of `self` in [`VALUES`](Self::VALUES).
    fn index(self) -> usize;
    /// The wire string Twilio expects, e.g. `record-from-answer`.
    fn wire(self) -> &'static str {
        Self::VALUES[self.index()]
    }
}

/// A value Twilio accepts but this crate has no variant for yet. Every enum-typed setter takes it:
///
/// ```
/// use twiml_builder::{Dial, DialRecord, Raw};
/// let typed = Dial::new().record(DialRecord::RecordFromAnswer);
/// let later = Dial::new().record(Raw::new("record-from-some-future-mode"));
/// # let _ = (typed, later);
/// ```
///
/// The string is escaped like any other attribute value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Raw<'a>(Cow<'a, str>);

impl<'a> Raw<'a> {
    /// Wraps `value`, sent to Twilio as is (escaped).
    pub fn new(value: impl Into<Cow<'a, str>>) -> Self {
        Self(value.into())
    }

    /// The wrapped string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Either a known enum value or a [`Raw`] string: what enum-typed setters accept, through
/// `impl Into<Choice<..>>`, so both `DialRecord::RecordFromAnswer` and `Raw::new("..")` work.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Choice<'a, E> {
    /// A value this crate knows.
    Known(E),
    /// Any other string.
    Raw(Cow<'a, str>),
}

impl<E: TwimlEnum> Choice<'_, E> {
    /// The wire string.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Known(value) => value.wire(),
            Self::Raw(value) => value,
        }
    }
}

impl<E: TwimlEnum> From<E> for Choice<'_, E> {
    fn from(value: E) -> Self {
        Self::Known(value)
    }
}

impl<'a, E> From<Raw<'a>> for Choice<'a, E> {
    fn from(value: Raw<'a>) -> Self {
        Self::Raw(value.0)
    }
}

/// `speechTimeout` of `<Gather>`: a number of seconds, or `auto`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SpeechTimeout {
    /// `auto`: Twilio decides when the caller stopped speaking.
    Auto,
    /// Seconds of silence that end the speech input.
    Seconds(u32),
}

/// How an attribute value is stored until rendering. Only caller-provided strings are escaped;
/// numbers, booleans and enum values are known to be clean.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AttrValue<'a> {
    /// Caller text, escaped at render time.
    Text(Cow<'a, str>),
    /// An enum wire string (never needs escaping).
    Token(&'static str),
    /// A decimal number.
    UInt(u32),
    /// `true` / `false`, as twilio-python lowercases Python booleans.
    Bool(bool),
    /// A space-separated list of enum values, stored inline (no allocation).
    Tokens(TokenList),
}

/// Up to [`TokenList::CAPACITY`] enum values packed four bits each, with the enum's name table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TokenList {
    names: &'static [&'static str],
    packed: u64,
    len: u8,
}

impl TokenList {
    const CAPACITY: u8 = 16;
    const BITS: u32 = 4;

    pub(crate) fn iter(self) -> impl Iterator<Item = &'static str> {
        (0..u32::from(self.len)).map(move |slot| {
            let index = (self.packed >> (slot * Self::BITS)) & 0xF;
            // `index` < 16 and came from `TwimlEnum::index`, so it is in range.
            self.names[usize::try_from(index).unwrap_or_default()]
        })
    }

    pub(crate) fn rendered_len(self) -> usize {
        self.iter().map(|name| name.len() + 1).sum()
    }
}

impl<'a> AttrValue<'a> {
    pub(crate) fn from_choice<E: TwimlEnum>(choice: Choice<'a, E>) -> Self {
        match choice {
            Choice::Known(value) => Self::Token(value.wire()),
            Choice::Raw(value) => Self::Text(value),
        }
    }

    /// Space-joins `items`. Stays allocation-free while every item is a known value of an enum
    /// with at most 16 variants and there are at most 16 items; otherwise falls back to a string.
    pub(crate) fn from_choices<E, I>(items: I) -> Self
    where
        E: TwimlEnum,
        I: IntoIterator,
        I::Item: Into<Choice<'a, E>>,
    {
        let mut list = TokenList {
            names: E::VALUES,
            packed: 0,
            len: 0,
        };
        let mut joined: Option<String> = None;
        for item in items {
            let choice = item.into();
            if let Some(text) = joined.as_mut() {
                // At least one item is already in `text`, even if it was an empty string.
                text.push(' ');
                text.push_str(choice.as_str());
                continue;
            }
            match choice {
                Choice::Known(value)
                    if list.len < TokenList::CAPACITY
                        && E::VALUES.len() <= 1 << TokenList::BITS =>
                {
                    list.packed |=
                        (value.index() as u64) << (u32::from(list.len) * TokenList::BITS);
                    list.len += 1;
                }
                other => {
                    let mut text = list.iter().collect::<Vec<_>>().join(" ");
                    if !text.is_empty() {
                        text.push(' ');
                    }
                    text.push_str(other.as_str());
                    joined = Some(text);
                }
            }
        }
        joined.map_or(Self::Tokens(list), |text| Self::Text(Cow::Owned(text)))
    }

    pub(crate) fn from_numbers(items: impl IntoIterator<Item = u32>) -> Self {
        let mut text = String::new();
        for (i, item) in items.into_iter().enumerate() {
            if i > 0 {
                text.push(' ');
            }
            text.push_str(itoa(item, &mut [0; 10]));
        }
        Self::Text(Cow::Owned(text))
    }

    /// Upper estimate of the rendered length, used to pre-size the output.
    pub(crate) fn len_hint(&self) -> usize {
        match self {
            Self::Text(text) => text.len(),
            Self::Token(token) => token.len(),
            Self::UInt(_) => 10,
            Self::Bool(_) => 5,
            Self::Tokens(list) => list.rendered_len(),
        }
    }
}

impl From<SpeechTimeout> for AttrValue<'_> {
    fn from(value: SpeechTimeout) -> Self {
        match value {
            SpeechTimeout::Auto => Self::Token("auto"),
            SpeechTimeout::Seconds(seconds) => Self::UInt(seconds),
        }
    }
}

/// Formats `value` in decimal into `buf` without allocating.
pub(crate) fn itoa(mut value: u32, buf: &mut [u8; 10]) -> &str {
    let mut start = buf.len();
    loop {
        start -= 1;
        // `value % 10` < 10, so the cast cannot truncate.
        buf[start] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    // Only ASCII digits were written.
    std::str::from_utf8(&buf[start..]).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{CallProgressEvent, RingTone};

    #[test]
    fn itoa_matches_display() {
        for n in [0, 7, 10, 99, 100, 4_294_967_295] {
            assert_eq!(itoa(n, &mut [0; 10]), n.to_string());
        }
    }

    #[test]
    fn known_lists_stay_inline_and_keep_order() {
        let value =
            AttrValue::from_choices([CallProgressEvent::Completed, CallProgressEvent::Initiated]);
        let AttrValue::Tokens(list) = value else {
            panic!("expected inline list, got {value:?}")
        };
        assert_eq!(list.iter().collect::<Vec<_>>(), ["completed", "initiated"]);
    }

    #[test]
    fn raw_item_switches_to_a_string_keeping_earlier_items() {
        let value = AttrValue::from_choices::<CallProgressEvent, _>([
            Choice::from(CallProgressEvent::Ringing),
            Choice::from(Raw::new("future")),
            Choice::from(CallProgressEvent::Answered),
        ]);
        assert_eq!(
            value,
            AttrValue::Text(Cow::Owned("ringing future answered".into()))
        );
    }

    #[test]
    fn lists_longer_than_capacity_fall_back_to_a_string() {
        let items = vec![CallProgressEvent::Initiated; 17];
        let AttrValue::Text(text) = AttrValue::from_choices(items) else {
            panic!("expected text")
        };
        assert_eq!(text.split(' ').count(), 17);
    }

    #[test]
    fn enums_with_many_variants_fall_back_to_a_string() {
        let AttrValue::Text(text) = AttrValue::from_choices([RingTone::UsOld, RingTone::Za]) else {
            panic!("expected text")
        };
        assert_eq!(text, "us-old za");
    }
}
