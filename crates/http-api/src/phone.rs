//! Phone numbers at the HTTP boundary: E.164 parsing, masking for logs, and the outbound
//! destination allow-list (toll-fraud guard).

use std::fmt;

/// A phone number in E.164 form: `+`, then 8 to 15 digits, the first not zero.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct E164(String);

/// Why a phone number was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    /// Not `+` followed by digits.
    #[error("a phone number in E.164 starts with + and holds only digits")]
    NotE164,
    /// Too few or too many digits.
    #[error("an E.164 number has 8 to 15 digits, this one has {0}")]
    Length(usize),
}

impl E164 {
    /// Parses a number that must already be in E.164 form.
    pub fn parse(raw: &str) -> Result<Self, PhoneError> {
        let digits = raw.strip_prefix('+').ok_or(PhoneError::NotE164)?;
        if digits.is_empty()
            || !digits.bytes().all(|b| b.is_ascii_digit())
            || digits.starts_with('0')
        {
            return Err(PhoneError::NotE164);
        }
        if !(8..=15).contains(&digits.len()) {
            return Err(PhoneError::Length(digits.len()));
        }
        Ok(Self(raw.to_owned()))
    }

    /// The number as Twilio writes it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number with its middle digits hidden, for logs: `+5531*****9999`.
    pub fn masked(&self) -> String {
        mask(&self.0)
    }
}

impl fmt::Debug for E164 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "E164({})", self.masked())
    }
}

impl fmt::Display for E164 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Hides all but the first five and last four characters of a number, for logs.
pub fn mask(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    if chars.len() <= 9 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..5].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 9))
}

/// Which numbers agents may call: E.164 prefixes (`+55`, `+5531`, `+1800`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DestinationPolicy {
    prefixes: Vec<String>,
}

impl DestinationPolicy {
    /// A policy from `+digits` prefixes. `+` alone allows every number (must be said explicitly).
    pub fn from_prefixes(prefixes: &[String]) -> Result<Self, String> {
        let mut out = Vec::new();
        for p in prefixes {
            let digits = p
                .strip_prefix('+')
                .ok_or_else(|| format!("{p:?} is not an E.164 prefix: write it as +55 or +5531"))?;
            if !digits.bytes().all(|b| b.is_ascii_digit()) || digits.len() > 15 {
                return Err(format!(
                    "{p:?} is not an E.164 prefix: write it as +55 or +5531"
                ));
            }
            out.push(p.clone());
        }
        if out.is_empty() {
            return Err("no prefix given: list at least one, e.g. +55 (or + to allow all)".into());
        }
        Ok(Self { prefixes: out })
    }

    /// Only numbers of the same country as `number` (by its country calling code).
    pub fn same_country_as(number: &E164) -> Self {
        Self {
            prefixes: vec![format!("+{}", country_code(number))],
        }
    }

    /// Whether agents may call `number`.
    pub fn allows(&self, number: &E164) -> bool {
        self.prefixes
            .iter()
            .any(|p| number.as_str().starts_with(p.as_str()))
    }

    /// The allowed prefixes.
    pub fn prefixes(&self) -> &[String] {
        &self.prefixes
    }
}

/// The country calling code of a number (ITU E.164 assignments: 1, 7 and 2-digit zones are
/// unambiguous; everything else is 3 digits).
pub fn country_code(number: &E164) -> &str {
    let digits = &number.as_str()[1..];
    let len = match digits.as_bytes()[0] {
        b'1' | b'7' => 1,
        _ => {
            const TWO_DIGIT: [&str; 41] = [
                "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45",
                "46", "47", "48", "49", "51", "52", "53", "54", "55", "56", "57", "58", "60", "61",
                "62", "63", "64", "65", "66", "81", "82", "84", "86", "90", "91", "92", "93",
            ];
            const TWO_DIGIT_MORE: [&str; 3] = ["94", "95", "98"];
            if TWO_DIGIT.contains(&&digits[..2]) || TWO_DIGIT_MORE.contains(&&digits[..2]) {
                2
            } else {
                3
            }
        }
    };
    &digits[..len]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_e164_only() {
        assert!(E164::parse("+5531999999999").is_ok());
        for bad in [
            "5531999999999",
            "+55 31 99999",
            "+0123456789",
            "+",
            "+1234567",
            "+1234567890123456",
        ] {
            assert!(E164::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn masks_for_logs() {
        let n = E164::parse("+5531999998888").unwrap();
        assert_eq!(n.masked(), "+5531*****8888");
        assert_eq!(format!("{n:?}"), "E164(+5531*****8888)");
    }

    #[test]
    fn default_policy_is_our_country() {
        let ours = E164::parse("+553123916801").unwrap();
        let p = DestinationPolicy::same_country_as(&ours);
        assert_eq!(p.prefixes(), ["+55"]);
        assert!(p.allows(&E164::parse("+5511988887777").unwrap()));
        assert!(!p.allows(&E164::parse("+882345678901").unwrap()));
        let us = DestinationPolicy::same_country_as(&E164::parse("+14155550100").unwrap());
        assert_eq!(us.prefixes(), ["+1"]);
        let pt = DestinationPolicy::same_country_as(&E164::parse("+351912345678").unwrap());
        assert_eq!(pt.prefixes(), ["+351"]);
    }

    #[test]
    fn explicit_prefixes() {
        let p = DestinationPolicy::from_prefixes(&["+5531".into(), "+1800".into()]).unwrap();
        assert!(p.allows(&E164::parse("+5531999999999").unwrap()));
        assert!(!p.allows(&E164::parse("+5511999999999").unwrap()));
        assert!(DestinationPolicy::from_prefixes(&["55".into()]).is_err());
        assert!(DestinationPolicy::from_prefixes(&[]).is_err());
        let all = DestinationPolicy::from_prefixes(&["+".into()]).unwrap();
        assert!(all.allows(&E164::parse("+882345678901").unwrap()));
    }
}
