//! Parameter sets Twilio sends, built in one place so every request of a call agrees.

use crate::geo;

/// Twilio's REST API version, sent as `ApiVersion`.
pub(crate) const API_VERSION: &str = "2010-04-01";

/// Builder of a parameter list; sorted by name when finished (Twilio's bodies are sorted, and a
/// stable order makes transcripts easy to read).
#[derive(Debug, Default, Clone)]
pub(crate) struct Params(Vec<(String, String)>);

impl Params {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    pub(crate) fn set(&mut self, name: &str, value: impl Into<String>) -> &mut Self {
        let value = value.into();
        match self.0.iter_mut().find(|(k, _)| k == name) {
            Some(slot) => slot.1 = value,
            None => self.0.push((name.to_owned(), value)),
        }
        self
    }

    pub(crate) fn geo(&mut self, prefix: &str, number: &str) -> &mut Self {
        let mut fields = Vec::new();
        geo::push_fields(&mut fields, prefix, number);
        for (k, v) in fields {
            self.set(&k, v);
        }
        self
    }

    pub(crate) fn extend(&mut self, other: &[(String, String)]) -> &mut Self {
        for (k, v) in other {
            self.set(k, v.clone());
        }
        self
    }

    pub(crate) fn finish(&self) -> Vec<(String, String)> {
        let mut v = self.0.clone();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    }
}

/// Billed minutes (`Duration`): whole minutes rounded up, at least one for an answered call.
pub(crate) fn billed_minutes(answered: bool, secs: u64) -> u64 {
    if answered {
        secs.div_ceil(60).max(1)
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_overrides_and_finish_sorts() {
        let mut p = Params::new();
        p.set("To", "").set("From", "a").set("To", "+1");
        assert_eq!(
            p.finish(),
            vec![
                ("From".to_owned(), "a".to_owned()),
                ("To".to_owned(), "+1".to_owned())
            ]
        );
    }

    #[test]
    fn billing() {
        assert_eq!(billed_minutes(false, 0), 0);
        assert_eq!(billed_minutes(true, 0), 1);
        assert_eq!(billed_minutes(true, 61), 2);
    }
}
