//! The public base URL Twilio and browsers use to reach this server.

use std::fmt;

/// An absolute `http(s)://host[:port][/prefix]` URL without query, fragment or credentials,
/// stored without a trailing slash so `base() + "/api/..."` is always well formed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUrl(String);

/// Why a public URL was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct PublicUrlError(String);

impl PublicUrl {
    /// Parses and normalises a public base URL.
    pub fn parse(raw: &str) -> Result<Self, PublicUrlError> {
        let raw = raw.trim();
        let (scheme, rest) = raw.split_once("://").ok_or_else(|| {
            PublicUrlError(format!(
                "{raw:?} is not an absolute URL: write it as https://your.domain"
            ))
        })?;
        if !matches!(scheme, "http" | "https") {
            return Err(PublicUrlError(format!(
                "scheme {scheme:?} is not supported: use https:// (or http:// for local tests)"
            )));
        }
        if rest.contains(['?', '#']) {
            return Err(PublicUrlError(
                "the public URL must not carry a query or fragment".into(),
            ));
        }
        let authority = rest.split('/').next().unwrap_or("");
        if authority.is_empty() {
            return Err(PublicUrlError(format!("{raw:?} has no host")));
        }
        if authority.contains('@') {
            return Err(PublicUrlError(
                "the public URL must not contain user:password@".into(),
            ));
        }
        Ok(Self(raw.trim_end_matches('/').to_owned()))
    }

    /// The base without a trailing slash.
    pub fn base(&self) -> &str {
        &self.0
    }

    /// Whether the URL uses https (Twilio and browsers' microphone access need it in production).
    pub fn is_https(&self) -> bool {
        self.0.starts_with("https://")
    }

    /// An absolute URL for a path on this server (`path` starts with `/`).
    pub fn join(&self, path: &str) -> String {
        format!("{}{}", self.0, path)
    }
}

impl fmt::Display for PublicUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_and_joins() {
        let u = PublicUrl::parse("https://ramal.example.com/").unwrap();
        assert_eq!(
            u.join("/api/twilio/voice"),
            "https://ramal.example.com/api/twilio/voice"
        );
        let u = PublicUrl::parse("https://example.com/ramal").unwrap();
        assert_eq!(u.join("/api/x"), "https://example.com/ramal/api/x");
        assert!(u.is_https());
    }

    #[test]
    fn refuses_what_twilio_could_not_sign_consistently() {
        for bad in [
            "ramal.example.com",
            "ftp://x",
            "https://",
            "https://u:p@x.com",
            "https://x.com/?a=1",
        ] {
            assert!(PublicUrl::parse(bad).is_err(), "{bad}");
        }
    }
}
