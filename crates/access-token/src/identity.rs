//! Client identities valid for Twilio Voice, and their derivation from display names.
//!
//! Twilio Voice addresses a browser or mobile client by the token's identity (`client:<identity>`
//! in TwiML and webhooks). It rejects identities with spaces, delimiters or "unwise" characters and
//! anything longer than 256 characters (errors 31105 and 51003); Twilio's own guidance is to stick to
//! letters, digits and underscore. [`Identity`] enforces exactly that, and
//! [`Identity::from_display_name`] turns any human name into such an identity (the seed project's
//! bug: "Álefe Lins" must become `Alefe_Lins`).

use std::fmt;
use std::str::FromStr;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Longest identity Twilio accepts (error 51003 beyond it).
pub const MAX_IDENTITY_LEN: usize = 256;

/// What [`Identity::from_display_name`] returns when a name has no usable character at all
/// (empty, only symbols, or only letters without a Latin equivalent such as Cyrillic or CJK).
pub const FALLBACK_IDENTITY: &str = "agent";

/// A client identity Twilio Voice accepts: 1 to 256 characters, each `A-Z`, `a-z`, `0-9` or `_`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Identity(String);

impl Identity {
    /// Accepts `value` if it is already a valid Voice identity; never alters it.
    pub fn new(value: impl Into<String>) -> Result<Self, IdentityError> {
        let value = value.into();
        check_voice(&value)?;
        Ok(Self(value))
    }

    /// Derives a valid identity from any display name.
    ///
    /// Rules, applied in order:
    /// 1. Unicode NFKD (compatibility decomposition: `Á` -> `A` + accent, `ﬁ` -> `fi`,
    ///    full-width `Ａ` -> `A`), then combining marks are dropped.
    /// 2. ASCII letters and digits are kept; a few Latin letters with no decomposition are
    ///    transliterated (`ß` -> `ss`, `æ` -> `ae`, `ø` -> `o`, `ł` -> `l`, `đ` -> `d`, ...).
    /// 3. Apostrophes are dropped (`O'Neil` -> `ONeil`).
    /// 4. Letters and digits of other scripts are dropped.
    /// 5. Everything else (spaces, punctuation, symbols, `_`, control characters) separates words:
    ///    each run becomes one `_`, never at the start or end.
    /// 6. The result is cut to 256 characters (and a trailing `_` removed).
    /// 7. If nothing is left, the result is [`FALLBACK_IDENTITY`].
    ///
    /// The result is idempotent: deriving again from a derived identity returns it unchanged.
    /// Different people can derive the same identity: use [`Identity::for_user`] to keep a
    /// unique id in it.
    ///
    /// ```
    /// use access_token::Identity;
    /// assert_eq!(Identity::from_display_name("Álefe Lins").as_str(), "Alefe_Lins");
    /// assert_eq!(Identity::from_display_name("  João  da Silva-Sauro ").as_str(), "Joao_da_Silva_Sauro");
    /// assert_eq!(Identity::from_display_name("Дмитрий").as_str(), "agent");
    /// ```
    pub fn from_display_name(name: &str) -> Self {
        let mut out = String::with_capacity(name.len().min(MAX_IDENTITY_LEN));
        push_sanitized(&mut out, name);
        if out.is_empty() {
            out.push_str(FALLBACK_IDENTITY);
        }
        Self(out)
    }

    /// The seed project's form `user_<id>_<name>`, sanitised as a whole, so the identity stays
    /// unique per user and readable in Twilio's logs.
    ///
    /// A name with no usable character gives `user_<id>`. If the whole would exceed 256
    /// characters, the name part is cut.
    ///
    /// ```
    /// use access_token::Identity;
    /// assert_eq!(Identity::for_user(1, "Álefe Lins").as_str(), "user_1_Alefe_Lins");
    /// assert_eq!(Identity::for_user(7, "").as_str(), "user_7");
    /// ```
    pub fn for_user(user_id: impl fmt::Display, name: &str) -> Self {
        let mut out = String::with_capacity(16 + name.len().min(MAX_IDENTITY_LEN));
        push_sanitized(&mut out, &format!("user_{user_id}_{name}"));
        // "user" always survives sanitising, so `out` is never empty.
        Self(out)
    }

    /// The identity as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The identity as an owned `String`.
    pub fn into_string(self) -> String {
        self.0
    }
}

/// Checks Twilio's general identity rule (any product): 1 to 256 characters, no control
/// characters. Used for identities given with [`crate::AccessToken::raw_identity`].
pub(crate) fn check_general(value: &str) -> Result<(), IdentityError> {
    check_len(value)?;
    match value.chars().enumerate().find(|(_, c)| c.is_control()) {
        Some((position, found)) => Err(IdentityError::ForbiddenCharacter { found, position }),
        None => Ok(()),
    }
}

/// Checks the Voice rule: 1 to 256 characters from `[A-Za-z0-9_]`.
pub(crate) fn check_voice(value: &str) -> Result<(), IdentityError> {
    check_len(value)?;
    match value.chars().enumerate().find(|(_, c)| !is_voice_char(*c)) {
        Some((position, found)) => Err(IdentityError::ForbiddenCharacter { found, position }),
        None => Ok(()),
    }
}

fn check_len(value: &str) -> Result<(), IdentityError> {
    if value.is_empty() {
        return Err(IdentityError::Empty);
    }
    let chars = value.chars().count();
    if chars > MAX_IDENTITY_LEN {
        return Err(IdentityError::TooLong { chars });
    }
    Ok(())
}

fn is_voice_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Appends the sanitised form of `input` to `out` (rules in [`Identity::from_display_name`]).
fn push_sanitized(out: &mut String, input: &str) {
    let mut pending_separator = false;
    for c in input.nfkd() {
        // Stop early: anything past the limit would be cut anyway.
        if out.len() > MAX_IDENTITY_LEN {
            break;
        }
        if is_combining_mark(c) || is_apostrophe(c) {
            continue;
        }
        if c.is_ascii_alphanumeric() {
            push_word(out, c.encode_utf8(&mut [0; 4]), &mut pending_separator);
        } else if let Some(latin) = transliterate(c) {
            push_word(out, latin, &mut pending_separator);
        } else if c.is_alphanumeric() {
            // A letter or digit of another script: no faithful ASCII form, drop it silently.
        } else {
            pending_separator = true;
        }
    }
    out.truncate(MAX_IDENTITY_LEN);
    while out.ends_with('_') {
        out.pop();
    }
}

/// Appends a word piece, preceded by one `_` if a separator was seen since the last piece (never
/// at the start).
fn push_word(out: &mut String, word: &str, pending_separator: &mut bool) {
    if *pending_separator && !out.is_empty() {
        out.push('_');
    }
    *pending_separator = false;
    out.push_str(word);
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '`' | '\u{2019}' | '\u{2018}' | '\u{02BC}')
}

/// Latin letters that NFKD leaves alone but that have a conventional ASCII spelling.
fn transliterate(c: char) -> Option<&'static str> {
    Some(match c {
        'ß' => "ss",
        'ẞ' => "SS",
        'æ' => "ae",
        'Æ' => "AE",
        'œ' => "oe",
        'Œ' => "OE",
        'ø' => "o",
        'Ø' => "O",
        'đ' | 'ð' => "d",
        'Đ' | 'Ð' => "D",
        'ł' => "l",
        'Ł' => "L",
        'þ' => "th",
        'Þ' => "Th",
        'ı' => "i",
        'ħ' => "h",
        'Ħ' => "H",
        _ => return None,
    })
}

impl FromStr for Identity {
    type Err = IdentityError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl TryFrom<String> for Identity {
    type Error = IdentityError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::new(s)
    }
}

impl TryFrom<&str> for Identity {
    type Error = IdentityError;
    fn try_from(s: &str) -> Result<Self, Self::Error> {
        Self::new(s)
    }
}

impl AsRef<str> for Identity {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl serde::Serialize for Identity {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Identity {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Self::new(String::deserialize(deserializer)?).map_err(serde::de::Error::custom)
    }
}

/// Why a string is not an acceptable identity.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdentityError {
    /// The identity is empty.
    #[error("the identity is empty")]
    Empty,
    /// The identity has more than 256 characters (Twilio error 51003).
    #[error("the identity has {chars} characters; Twilio accepts at most 256 (error 51003)")]
    TooLong {
        /// Number of characters found.
        chars: usize,
    },
    /// The identity contains a character Twilio rejects (error 31105).
    #[error(
        "the identity contains {found:?} at position {position}; Twilio Voice accepts only \
         letters, digits and underscore (error 31105): derive one with Identity::from_display_name"
    )]
    ForbiddenCharacter {
        /// The first offending character.
        found: char,
        /// Its zero-based position in characters.
        position: usize,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_problem_9_3() {
        assert_eq!(
            Identity::from_display_name("Álefe Lins").as_str(),
            "Alefe_Lins"
        );
        assert_eq!(
            Identity::for_user(1, "Álefe Lins").as_str(),
            "user_1_Alefe_Lins"
        );
    }

    #[test]
    fn derivation_examples() {
        let cases = [
            ("Conceição Araújo", "Conceicao_Araujo"),
            ("Mary-Jane O'Neil", "Mary_Jane_ONeil"),
            ("Straße 5", "Strasse_5"),
            ("Søren Kierkegaard", "Soren_Kierkegaard"),
            ("Łukasz", "Lukasz"),
            ("ﬁlipe ＡＢＣ", "filipe_ABC"),
            ("ana@example.com", "ana_example_com"),
            ("__x__", "x"),
            ("a\tb\nc", "a_b_c"),
            ("João 🎉 Silva", "Joao_Silva"),
            ("Zoë Ñandú", "Zoe_Nandu"),
            ("Алёна Smith", "Smith"),
            ("", FALLBACK_IDENTITY),
            ("!!!", FALLBACK_IDENTITY),
            ("李小龍", FALLBACK_IDENTITY),
        ];
        for (name, expected) in cases {
            assert_eq!(
                Identity::from_display_name(name).as_str(),
                expected,
                "{name:?}"
            );
        }
    }

    #[test]
    fn long_names_are_cut_without_trailing_underscore() {
        let name = format!("{} b", "a".repeat(255));
        let id = Identity::from_display_name(&name);
        assert_eq!(id.as_str(), "a".repeat(255));
        let id = Identity::for_user(12, &"x".repeat(1000));
        assert_eq!(id.as_str().len(), MAX_IDENTITY_LEN);
        assert!(id.as_str().starts_with("user_12_xxx"));
    }

    #[test]
    fn new_rejects_with_the_reason() {
        assert_eq!(Identity::new(""), Err(IdentityError::Empty));
        assert_eq!(
            Identity::new("a".repeat(257)),
            Err(IdentityError::TooLong { chars: 257 })
        );
        assert_eq!(
            Identity::new("user_1_Álefe"),
            Err(IdentityError::ForbiddenCharacter {
                found: 'Á',
                position: 7
            })
        );
        assert_eq!(
            Identity::new("a b"),
            Err(IdentityError::ForbiddenCharacter {
                found: ' ',
                position: 1
            })
        );
        assert!(Identity::new("a".repeat(256)).is_ok());
        assert!(Identity::new("_leading_and__double_").is_ok());
    }

    #[test]
    fn general_rule_accepts_emails_but_not_controls() {
        assert_eq!(check_general("alice@example.com"), Ok(()));
        assert_eq!(check_general("Ålice Ü"), Ok(()));
        assert_eq!(
            check_general("a\u{0}b"),
            Err(IdentityError::ForbiddenCharacter {
                found: '\u{0}',
                position: 1
            })
        );
        assert_eq!(check_general(""), Err(IdentityError::Empty));
        assert_eq!(check_general(&"é".repeat(256)), Ok(()));
        assert_eq!(
            check_general(&"é".repeat(257)),
            Err(IdentityError::TooLong { chars: 257 })
        );
    }
}
