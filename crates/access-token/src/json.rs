//! The JSON text twilio-python produces: `json.dumps(obj, separators=(",", ":"))` with Python's
//! default `ensure_ascii=True`.
//!
//! Writing it by hand (rather than with `serde_json`) makes our tokens byte-identical to the
//! reference, which lets the fixture tests compare whole JWT strings, and avoids building an
//! intermediate value tree for every token.

use std::fmt::Write as _;

use serde_json::Value;

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Appends `s` as a JSON string literal escaped like Python's `ensure_ascii`: `"` and `\` and the
/// five short escapes, every other byte outside `0x20..=0x7e` as `\uXXXX` (lowercase hex, UTF-16
/// surrogate pairs above the BMP).
pub(crate) fn write_str(out: &mut String, s: &str) {
    out.push('"');
    let mut start = 0;
    for (i, c) in s.char_indices() {
        // Runs of printable ASCII are copied in one go below.
        if matches!(c, ' '..='~') && c != '"' && c != '\\' {
            continue;
        }
        out.push_str(&s[start..i]);
        start = i + c.len_utf8();
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            _ => {
                let mut units = [0_u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    push_unicode_escape(out, *unit);
                }
            }
        }
    }
    out.push_str(&s[start..]);
    out.push('"');
}

fn push_unicode_escape(out: &mut String, unit: u16) {
    out.push_str("\\u");
    for shift in [12, 8, 4, 0] {
        out.push(char::from(HEX[usize::from((unit >> shift) & 0xf)]));
    }
}

/// Appends an unsigned integer.
pub(crate) fn write_u64(out: &mut String, n: u64) {
    // Writing to a String cannot fail.
    let _ = write!(out, "{n}");
}

/// Appends an arbitrary JSON value (used for the Playback grant, which is opaque JSON from
/// Twilio's API). Object keys come out in `serde_json::Map` order (sorted).
pub(crate) fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::String(s) => write_str(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_str(out, key);
                out.push(':');
                write_value(out, item);
            }
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> String {
        let mut out = String::new();
        write_str(&mut out, s);
        out
    }

    #[test]
    fn escapes_like_python_ensure_ascii() {
        // Expected values printed by `json.dumps(s)` in CPython 3.11.
        assert_eq!(text("plain"), r#""plain""#);
        assert_eq!(text("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(text("\n\r\t\u{8}\u{c}"), r#""\n\r\t\b\f""#);
        assert_eq!(text("\u{0}\u{1f}\u{7f}"), r#""\u0000\u001f\u007f""#);
        assert_eq!(text("Álefe"), r#""\u00c1lefe""#);
        assert_eq!(text("x€y"), r#""x\u20acy""#);
        assert_eq!(text("🎉!"), r#""\ud83c\udf89!""#);
        assert_eq!(text("</script>"), r#""</script>""#);
    }

    #[test]
    fn values() {
        let value: Value =
            serde_json::from_str(r#"{"b":[1,-2,true,null,"é"],"a":{"x":1.5}}"#).unwrap();
        let mut out = String::new();
        write_value(&mut out, &value);
        assert_eq!(out, r#"{"a":{"x":1.5},"b":[1,-2,true,null,"\u00e9"]}"#);
        let back: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(back, value);
    }
}
