//! The crate's single error type.

/// Why a document could not be rendered, or a value could not be parsed.
///
/// Building never fails: every check happens once, while rendering, so the chainable builders stay
/// infallible and cheap.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TwimlError {
    /// A text or attribute value holds a character that XML 1.0 forbids (a C0 control other than
    /// tab, line feed and carriage return, or U+FFFE / U+FFFF). twilio-python would emit it and
    /// produce a document no XML parser (Twilio's included) accepts; twilio-node throws.
    #[error(
        "character U+{:04X} is not allowed in XML 1.0 (in {} of <{element}>, byte {byte_offset})",
        u32::from(*character),
        attribute.as_deref().map_or_else(|| "the text".to_owned(), |a| format!("attribute `{a}`"))
    )]
    IllegalCharacter {
        /// The offending character.
        character: char,
        /// Name of the element holding the value.
        element: String,
        /// Name of the attribute, or `None` when the character is in text content.
        attribute: Option<String>,
        /// Byte offset of the character inside the value.
        byte_offset: usize,
    },
    /// A name given to [`Element::new`](crate::Element::new) or to `.attr(name, ..)` is not an XML
    /// name (for example it is empty, starts with a digit, or holds a space or `=`).
    #[error("`{name}` is not a valid XML element or attribute name")]
    InvalidName {
        /// The rejected name.
        name: String,
    },
    /// [`FromStr`](core::str::FromStr) on one of the value enums got a string it does not know.
    /// Use [`Raw`](crate::Raw) to send such a value anyway.
    #[error("`{value}` is not a known {kind} value")]
    UnknownValue {
        /// The enum that was parsed, e.g. `DialRecord`.
        kind: &'static str,
        /// The rejected input.
        value: String,
    },
}
