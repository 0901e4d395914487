//! Escaping exactly as Python's `xml.etree.ElementTree` does, plus rejection of characters XML 1.0
//! forbids.
//!
//! One byte-class table per context; the scanner copies runs of plain bytes with a single
//! `push_str`, so a value without special characters costs one table lookup per byte and one copy.
//! Slicing at the special bytes is always on a char boundary because they are all ASCII, except
//! 0xEF which is only inspected, never sliced at.

/// Byte needs no treatment.
const PLAIN: u8 = 0;
/// Byte is replaced by an entity (see [`entity`]).
const ESCAPE: u8 = 1;
/// Byte is a C0 control XML 1.0 forbids.
const ILLEGAL: u8 = 2;
/// Lead byte of U+F000..U+FFFF: U+FFFE and U+FFFF (`EF BF BE`, `EF BF BF`) are forbidden.
const CHECK_EF: u8 = 3;

const fn class_table(attribute: bool) -> [u8; 256] {
    let mut table = [PLAIN; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = ILLEGAL;
        b += 1;
    }
    // Tab, LF and CR are legal; ElementTree keeps them raw in text and turns them into numeric
    // references in attributes (an attribute parser would otherwise normalise them to spaces).
    let whitespace = if attribute { ESCAPE } else { PLAIN };
    table[b'\t' as usize] = whitespace;
    table[b'\n' as usize] = whitespace;
    table[b'\r' as usize] = whitespace;
    table[b'&' as usize] = ESCAPE;
    table[b'<' as usize] = ESCAPE;
    table[b'>' as usize] = ESCAPE;
    if attribute {
        table[b'"' as usize] = ESCAPE;
    }
    table[0xEF] = CHECK_EF;
    table
}

static TEXT: [u8; 256] = class_table(false);
static ATTRIBUTE: [u8; 256] = class_table(true);

/// Where an escaped value goes; decides the escaping rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Context {
    /// Character data between tags: `&`, `<`, `>` only.
    Text,
    /// A double-quoted attribute value: also `"`, tab, LF and CR.
    Attribute,
}

/// A forbidden character found while escaping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct IllegalChar {
    pub(crate) character: char,
    pub(crate) byte_offset: usize,
}

fn entity(byte: u8) -> &'static str {
    match byte {
        b'&' => "&amp;",
        b'<' => "&lt;",
        b'>' => "&gt;",
        b'"' => "&quot;",
        b'\n' => "&#10;",
        b'\r' => "&#13;",
        // Only tab is left: the tables mark no other byte ESCAPE.
        _ => "&#09;",
    }
}

/// Appends `value` to `out`, escaped for `context`.
///
/// On error `out` may hold a prefix of the escaped value; callers roll back the whole document.
#[inline]
pub(crate) fn escape_into(
    value: &str,
    context: Context,
    out: &mut String,
) -> Result<(), IllegalChar> {
    let bytes = value.as_bytes();
    let first = first_candidate(bytes, context);
    if first == bytes.len() {
        // The common case: nothing to escape, one copy.
        out.push_str(value);
        return Ok(());
    }
    escape_from(value, first, context, out)
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// High bit set in each byte of `word` that is zero (exact for the lowest such byte; higher
/// ones may be false positives, which only send us to the byte-by-byte check).
#[inline(always)]
const fn zero_bytes(word: u64) -> u64 {
    word.wrapping_sub(ONES) & !word & HIGHS
}

/// Index of the first byte that may need escaping or rejecting, or `bytes.len()`.
///
/// Scans eight bytes per step with word arithmetic (no `unsafe`, no SIMD intrinsics): a byte
/// below 0x20, `&`, `<`, `>`, `"` (attributes only) or 0xEF (lead byte of U+FFFE/U+FFFF). A hit
/// is confirmed byte by byte with the context's table, so in text tab, LF and CR (below 0x20 but
/// plain there) are skipped.
#[inline]
fn first_candidate(bytes: &[u8], context: Context) -> usize {
    let table = table(context);
    // In text `"` is plain: test for `&` twice instead of branching.
    let quote = match context {
        Context::Text => u64::from(b'&'),
        Context::Attribute => u64::from(b'"'),
    };
    let mut chunks = bytes.chunks_exact(8);
    let mut offset = 0;
    for chunk in &mut chunks {
        let mut word_bytes = [0u8; 8];
        word_bytes.copy_from_slice(chunk);
        let word = u64::from_le_bytes(word_bytes);
        let hits = (word.wrapping_sub(ONES * 0x20) & !word & HIGHS)
            | zero_bytes(word ^ (ONES * u64::from(b'&')))
            | zero_bytes(word ^ (ONES * u64::from(b'<')))
            | zero_bytes(word ^ (ONES * u64::from(b'>')))
            | zero_bytes(word ^ (ONES * quote))
            | zero_bytes(word ^ (ONES * 0xEF));
        if hits != 0
            && let Some(i) = chunk.iter().position(|&b| table[usize::from(b)] != PLAIN)
        {
            return offset + i;
        }
        offset += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| table[usize::from(b)] != PLAIN)
        .map_or(bytes.len(), |i| offset + i)
}

fn table(context: Context) -> &'static [u8; 256] {
    match context {
        Context::Text => &TEXT,
        Context::Attribute => &ATTRIBUTE,
    }
}

/// The slow path, from the first candidate byte on: copies plain runs, substitutes entities.
fn escape_from(
    value: &str,
    first: usize,
    context: Context,
    out: &mut String,
) -> Result<(), IllegalChar> {
    let table = table(context);
    let bytes = value.as_bytes();
    let mut run_start = 0;
    let mut i = first;
    while i < bytes.len() {
        let byte = bytes[i];
        match table[usize::from(byte)] {
            PLAIN => {}
            ESCAPE => {
                out.push_str(&value[run_start..i]);
                out.push_str(entity(byte));
                run_start = i + 1;
            }
            CHECK_EF => {
                if bytes.get(i + 1) == Some(&0xBF) && matches!(bytes.get(i + 2), Some(0xBE | 0xBF))
                {
                    let character = if bytes[i + 2] == 0xBE {
                        '\u{FFFE}'
                    } else {
                        '\u{FFFF}'
                    };
                    return Err(IllegalChar {
                        character,
                        byte_offset: i,
                    });
                }
            }
            _ => {
                return Err(IllegalChar {
                    character: char::from(byte),
                    byte_offset: i,
                });
            }
        }
        i += 1;
    }
    out.push_str(&value[run_start..]);
    Ok(())
}

/// Whether `name` matches the XML 1.0 `Name` production (namespaces allowed, as in `xml:lang`).
pub(crate) fn is_xml_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(is_name_start) && chars.all(is_name_char)
}

fn is_name_start(c: char) -> bool {
    matches!(c,
        ':' | 'A'..='Z' | '_' | 'a'..='z'
        | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}'
        | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}'
        | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}'
        | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}' | '\u{10000}'..='\u{EFFFF}')
}

fn is_name_char(c: char) -> bool {
    is_name_start(c)
        || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn esc(value: &str, context: Context) -> Result<String, IllegalChar> {
        let mut out = String::new();
        escape_into(value, context, &mut out).map(|()| out)
    }

    #[test]
    fn text_escapes_only_amp_lt_gt() {
        assert_eq!(
            esc("a&b<c>d\"e'f\ng\rh\ti", Context::Text).unwrap(),
            "a&amp;b&lt;c&gt;d\"e'f\ng\rh\ti"
        );
    }

    #[test]
    fn attribute_escapes_quote_and_whitespace() {
        assert_eq!(
            esc("a&b<c>d\"e'f\ng\rh\ti", Context::Attribute).unwrap(),
            "a&amp;b&lt;c&gt;d&quot;e'f&#10;g&#13;h&#09;i"
        );
    }

    #[test]
    fn non_ascii_is_copied_raw() {
        let s = "Olá, ligação não atendida — ação \u{FFFD} \u{EFFF} 😀";
        assert_eq!(esc(s, Context::Text).unwrap(), s);
        assert_eq!(esc(s, Context::Attribute).unwrap(), s);
    }

    #[test]
    fn controls_and_nonchars_are_rejected_with_offset() {
        assert_eq!(
            esc("ab\u{1}", Context::Text),
            Err(IllegalChar {
                character: '\u{1}',
                byte_offset: 2
            })
        );
        assert_eq!(
            esc("é\u{FFFE}", Context::Attribute),
            Err(IllegalChar {
                character: '\u{FFFE}',
                byte_offset: 2
            })
        );
        assert_eq!(
            esc("\u{FFFF}", Context::Text),
            Err(IllegalChar {
                character: '\u{FFFF}',
                byte_offset: 0
            })
        );
        assert!(
            esc("\u{7F}\u{85}\u{9F}", Context::Text).is_ok(),
            "C1 controls are legal XML 1.0"
        );
    }

    #[test]
    fn fast_scan_finds_the_first_candidate_in_every_position() {
        for len in 0..40 {
            for pos in 0..len {
                for special in [b'&', b'<', b'>', b'"', b'\n', b'\r', b'\t', 0x01, 0xEF] {
                    let mut bytes = vec![b'a'; len];
                    bytes[pos] = special;
                    if special == 0xEF {
                        // Keep it valid UTF-8 (U+F000..) for the slicing below.
                        bytes.truncate(pos);
                        bytes.extend_from_slice("\u{F000}".as_bytes());
                    }
                    let expected_attr = pos;
                    let expected_text = if matches!(special, b'"' | b'\n' | b'\r' | b'\t') {
                        bytes.len()
                    } else {
                        pos
                    };
                    assert_eq!(
                        first_candidate(&bytes, Context::Attribute),
                        expected_attr,
                        "{len} {pos} {special}"
                    );
                    // Text may report CR/LF/tab as candidates (handled as plain by the slow path).
                    assert!(
                        first_candidate(&bytes, Context::Text) <= expected_text,
                        "{len} {pos} {special}"
                    );
                    let s = std::str::from_utf8(&bytes).unwrap();
                    let mut slow = String::new();
                    let slow = escape_from(s, 0, Context::Attribute, &mut slow).map(|()| slow);
                    assert_eq!(esc(s, Context::Attribute), slow);
                }
            }
            assert_eq!(first_candidate(&vec![b'a'; len], Context::Attribute), len);
        }
    }

    #[test]
    fn xml_names() {
        for ok in ["Say", "xml:lang", "interpret-as", "_x", "a.b", "ä", "b-c"] {
            assert!(is_xml_name(ok), "{ok}");
        }
        for bad in ["", "1a", "-a", "a b", "a=b", "a\"", "<a"] {
            assert!(!is_xml_name(bad), "{bad}");
        }
    }
}
