//! The public URL: what Twilio calls and signs, what browsers open. Checked as configured,
//! then reached over the network.

use std::time::Duration;

use super::report::Report;
use super::urls;
use crate::config::Config;

/// How long the reachability probe waits for `/healthz`.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// Whether the URL is the default derived from `RAMAL_BIND` (`RAMAL_PUBLIC_URL` not set).
fn is_default(config: &Config) -> bool {
    config.public_url.base() == format!("http://{}", config.bind)
}

/// Whether Twilio could call the URL: a simulator (`RAMAL_TWILIO_API_BASE` elsewhere) can
/// reach anything, Twilio itself neither the bind-address default nor a local address.
pub(super) fn usable_by_twilio(config: &Config) -> bool {
    let local = urls::host(config.public_url.base()).is_some_and(urls::unreachable_from_internet);
    !(uses_real_twilio(config) && (is_default(config) || local))
}

fn uses_real_twilio(config: &Config) -> bool {
    config.twilio.is_some() && config.twilio_api_base.contains("twilio.com")
}

/// Checks the URL as configured: set, https, reachable for Twilio, path prefix.
pub(super) fn check(config: &Config, report: &mut Report) {
    let url = &config.public_url;
    let real_twilio = uses_real_twilio(config);
    if real_twilio && is_default(config) {
        report.problem(
            "url",
            format!(
                "RAMAL_PUBLIC_URL is not set, so webhooks are checked against {url}, the bind \
                 address, not the URL Twilio calls"
            ),
            "set RAMAL_PUBLIC_URL to the https address Twilio and browsers use, e.g. https://ramal.example.com",
        );
        return;
    }
    let host = urls::host(url.base()).unwrap_or("");
    if urls::unreachable_from_internet(host) {
        if real_twilio {
            report.problem(
                "url",
                format!("RAMAL_PUBLIC_URL {url} is a local address: Twilio cannot reach it"),
                "set RAMAL_PUBLIC_URL to a public https address (a tunnel such as ngrok works for trials)",
            );
        } else {
            report.warn(
                "url",
                format!("RAMAL_PUBLIC_URL {url} is local: fine on this machine, unreachable for Twilio"),
                "set RAMAL_PUBLIC_URL to the public https address before using a real Twilio account",
            );
        }
    } else if !url.is_https() {
        report.problem(
            "url",
            format!(
                "RAMAL_PUBLIC_URL {url} is plain http: browsers refuse the microphone on http pages"
            ),
            "put TLS in front (deploy/nginx.conf) and set RAMAL_PUBLIC_URL=https://...",
        );
    } else {
        report.ok(
            "url",
            format!("RAMAL_PUBLIC_URL {url} is https; webhook signatures are checked against it"),
        );
    }
    let after_host = url
        .base()
        .split_once("://")
        .and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]))
        .unwrap_or("");
    if !after_host.is_empty() {
        report.ok(
            "url",
            format!(
                "RAMAL_PUBLIC_URL has the path prefix {after_host}: the proxy must strip it \
                 (nginx: location {after_host}/ {{ proxy_pass http://127.0.0.1:8080/; }})"
            ),
        );
    }
}

/// Asks `<public URL>/healthz` for Ramal's answer: through the proxy, with its path prefix, as
/// Twilio and browsers will.
pub(super) async fn reachable(config: &Config, report: &mut Report) {
    let url = config.public_url.join("/healthz");
    let http = match reqwest::Client::builder().timeout(PROBE_TIMEOUT).build() {
        Ok(h) => h,
        Err(e) => {
            report.skipped(
                "url",
                format!("reachability: cannot build an HTTP client: {e}"),
            );
            return;
        }
    };
    let response = match http.get(&url).send().await {
        Ok(r) => r,
        Err(e) => {
            report.warn(
                "url",
                format!(
                    "{url} does not answer now ({})",
                    super::twilio_api::transport_error(&e)
                ),
                "fine if ramal is not running yet; otherwise check DNS, TLS and the proxy",
            );
            return;
        }
    };
    let status = response.status();
    let body: serde_json::Value = response
        .bytes()
        .await
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default();
    if status.is_success() && body["status"] == "ok" {
        report.ok(
            "url",
            format!("{url} answers as Ramal: the public URL reaches this server"),
        );
    } else {
        report.problem(
            "url",
            format!("{url} answers {status}, not Ramal's health check: the public URL reaches something else"),
            "check the proxy's server_name and location (a path prefix must be stripped; see deploy/nginx.conf)",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{self, Source};

    fn env(pairs: &[(&str, &str)]) -> Source {
        Source {
            file: None,
            env: pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        }
    }

    #[test]
    fn public_url_verdicts() {
        let with_twilio = |url: &str, api: &str| {
            let mut pairs = vec![
                ("TWILIO_ACCOUNT_SID", "AC0123456789abcdef0123456789abcdef"),
                ("TWILIO_AUTH_TOKEN", "0123456789abcdef0123456789abcdef"),
                ("TWILIO_API_KEY_SID", "SK0123456789abcdef0123456789abcdef"),
                ("TWILIO_API_KEY_SECRET", "abcdef0123456789abcdef0123456789"),
                ("TWILIO_TWIML_APP_SID", "AP0123456789abcdef0123456789abcdef"),
                ("TWILIO_PHONE_NUMBER", "+553123916801"),
                ("RAMAL_TWILIO_API_BASE", api),
            ];
            if !url.is_empty() {
                pairs.push(("RAMAL_PUBLIC_URL", url));
            }
            let config = config::load(&env(&pairs)).unwrap();
            let mut report = Report::default();
            check(&config, &mut report);
            report
        };
        let twilio = "https://api.twilio.com";
        assert!(
            with_twilio("", twilio)
                .render()
                .contains("RAMAL_PUBLIC_URL is not set")
        );
        assert!(with_twilio("http://127.0.0.1:8080", twilio).has_problems());
        // A simulator on this machine reaches a local URL, even the bind address.
        assert!(!with_twilio("http://127.0.0.1:8080", "http://127.0.0.1:9").has_problems());
        assert!(!with_twilio("", "http://127.0.0.1:9").has_problems());
        assert!(with_twilio("http://ramal.example.com", twilio).has_problems());
        let ok = with_twilio("https://example.com/ramal", twilio);
        assert!(!ok.has_problems());
        assert!(ok.render().contains("path prefix /ramal"));
    }
}
