//! `application/x-www-form-urlencoded`, written out so the bytes sent are exactly the ones the
//! simulator records (same rules as the WHATWG URL standard and `serde_urlencoded`).

/// Encodes `params` as a form body or query string.
pub(crate) fn form_encode(params: &[(String, String)]) -> String {
    let mut out = String::new();
    for (i, (k, v)) in params.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        encode_into(&mut out, k);
        out.push('=');
        encode_into(&mut out, v);
    }
    out
}

fn encode_into(out: &mut String, s: &str) {
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_like_browsers() {
        let p = vec![
            ("From".to_owned(), "client:ana maria".to_owned()),
            ("To".to_owned(), "+5511 á&=".to_owned()),
        ];
        assert_eq!(
            form_encode(&p),
            "From=client%3Aana+maria&To=%2B5511+%C3%A1%26%3D"
        );
    }
}
