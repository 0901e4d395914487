//! The geographic fields Twilio derives from E.164 numbers (`FromCountry`, `ToCity`, ...).
//!
//! Twilio looks numbers up in its own tables; the simulator knows a few country codes and the
//! two largest Brazilian area codes, which is what Ramal's tests need. Unknown numbers get empty
//! values, as Twilio sends for numbers it cannot place.

/// Country, state, city and ZIP of a number, as Twilio would report them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct Geo {
    pub(crate) country: &'static str,
    pub(crate) state: &'static str,
    pub(crate) city: &'static str,
    pub(crate) zip: &'static str,
}

const COUNTRIES: &[(&str, &str)] = &[
    ("+55", "BR"),
    ("+351", "PT"),
    ("+44", "GB"),
    ("+34", "ES"),
    ("+54", "AR"),
    ("+1", "US"),
];

/// Looks up `number` (E.164). Returns `None` for non-phone addresses (`client:...`, SIP URIs).
pub(crate) fn lookup(number: &str) -> Option<Geo> {
    if !number.starts_with('+') || !number[1..].bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let country = COUNTRIES
        .iter()
        .find(|(prefix, _)| number.starts_with(prefix))
        .map(|(_, c)| *c)
        .unwrap_or("");
    let (state, city) = match number.get(..5) {
        Some("+5511") => ("SP", "SAO PAULO"),
        Some("+5521") => ("RJ", "RIO DE JANEIRO"),
        _ => ("", ""),
    };
    Some(Geo {
        country,
        state,
        city,
        zip: "",
    })
}

/// Appends `<Prefix>City`, `<Prefix>Country`, `<Prefix>State`, `<Prefix>Zip` for a phone number.
pub(crate) fn push_fields(params: &mut Vec<(String, String)>, prefix: &str, number: &str) {
    if let Some(g) = lookup(number) {
        for (suffix, value) in [
            ("City", g.city),
            ("Country", g.country),
            ("State", g.state),
            ("Zip", g.zip),
        ] {
            params.push((format!("{prefix}{suffix}"), value.to_owned()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brazil_and_unknowns() {
        assert_eq!(lookup("+5511999990000").unwrap().country, "BR");
        assert_eq!(lookup("+5511999990000").unwrap().state, "SP");
        assert_eq!(lookup("+5531999990000").unwrap().city, "");
        assert_eq!(lookup("+14155550100").unwrap().country, "US");
        assert_eq!(lookup("+999").unwrap().country, "");
        assert_eq!(lookup("client:alice"), None);
        let mut p = Vec::new();
        push_fields(&mut p, "From", "+5521988887777");
        assert_eq!(p[1], ("FromCountry".to_owned(), "BR".to_owned()));
        assert_eq!(p[0], ("FromCity".to_owned(), "RIO DE JANEIRO".to_owned()));
    }
}
