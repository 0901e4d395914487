//! Comparing the URLs Twilio is configured with to the ones Ramal checks signatures against.
//!
//! Twilio signs the exact URL it requests, and Ramal rebuilds that URL from `RAMAL_PUBLIC_URL`
//! plus the path it received (see `webhook::signature`). So a configured URL works only if it
//! is byte for byte the public URL + the route, except for an explicit default port, which the
//! signature check tolerates as Twilio's libraries do.

use std::net::IpAddr;

/// The voice URL of the TwiML App: calls placed by the webphone.
pub(super) const VOICE_PATH: &str = "/api/twilio/voice";
/// The voice URL of the phone number: calls to our number.
pub(super) const INCOMING_PATH: &str = "/api/twilio/voice-incoming";
/// The status callback of the app and the number: the parent leg's progress and end.
pub(super) const STATUS_PATH: &str = "/api/twilio/call-status";

/// What Twilio gives a new number: plays an English welcome message (seed problem 9.8).
const TWILIO_DEMO_HOST: &str = "demo.twilio.com";

/// Whether Twilio calling `configured` produces a signature Ramal accepts for `expected`.
pub(super) fn signs_like(configured: &str, expected: &str) -> bool {
    without_default_port(configured) == without_default_port(expected)
}

/// Why `configured` does not reach Ramal's `expected` URL, in a few words.
pub(super) fn mismatch(configured: &str, expected: &str) -> String {
    let (c_scheme, c_host, c_path) = parts(configured);
    let (e_scheme, e_host, e_path) = parts(expected);
    if c_host.eq_ignore_ascii_case(TWILIO_DEMO_HOST) {
        return "points at Twilio's demo URL: callers hear Twilio's English welcome message and \
                Ramal never sees the call (seed problem 9.8)"
            .to_owned();
    }
    let shown = hide_userinfo(configured);
    if c_host.eq_ignore_ascii_case(e_host) && c_path == e_path {
        if !c_scheme.eq_ignore_ascii_case(e_scheme) {
            return format!(
                "is {shown}, {c_scheme} where RAMAL_PUBLIC_URL says {e_scheme}: Twilio signs the \
                 URL it calls, so every request would fail the signature check (403)"
            );
        }
        return format!(
            "is {shown}, which differs from RAMAL_PUBLIC_URL in letter case or port: Twilio \
             signs the URL as written, so every request would fail the signature check (403)"
        );
    }
    if c_host.eq_ignore_ascii_case(e_host) {
        return format!("is {shown}: another path of this server");
    }
    format!("is {shown}: another server")
}

/// The URL with any `user:password@` replaced, for printing.
pub(super) fn hide_userinfo(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rsplit_once('@') {
        Some((_, host)) => format!("{scheme}://***@{host}{}", &rest[authority_end..]),
        None => url.to_owned(),
    }
}

/// The host of an absolute URL (without port or brackets), if it has one.
pub(super) fn host(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(v6) = host_port.strip_prefix('[') {
        v6.split(']').next().unwrap_or(v6)
    } else {
        host_port.split(':').next().unwrap_or(host_port)
    };
    (!host.is_empty()).then_some(host)
}

/// Whether Twilio, on the public Internet, cannot reach this host: loopback, private and
/// link-local addresses, `localhost` and mDNS names.
pub(super) fn unreachable_from_internet(host: &str) -> bool {
    let lower = host.to_ascii_lowercase();
    if lower == "localhost" || lower.ends_with(".localhost") || lower.ends_with(".local") {
        return true;
    }
    match host.parse::<IpAddr>() {
        Ok(IpAddr::V4(ip)) => {
            ip.is_loopback() || ip.is_private() || ip.is_link_local() || ip.is_unspecified()
        }
        Ok(IpAddr::V6(ip)) => {
            // fc00::/7 (unique local) and fe80::/10 (link-local) by their first bits.
            let first = ip.segments()[0];
            ip.is_loopback()
                || ip.is_unspecified()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
        }
        Err(_) => false,
    }
}

fn parts(url: &str) -> (&str, &str, &str) {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    (scheme, host(url).unwrap_or(""), &rest[authority_end..])
}

fn without_default_port(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    let default = if scheme.eq_ignore_ascii_case("https") {
        ":443"
    } else {
        ":80"
    };
    let authority = authority.strip_suffix(default).unwrap_or(authority);
    format!("{scheme}://{authority}{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const OURS: &str = "https://ramal.example.com/api/twilio/voice";

    #[test]
    fn only_the_default_port_may_differ() {
        assert!(signs_like(OURS, OURS));
        assert!(signs_like(
            "https://ramal.example.com:443/api/twilio/voice",
            OURS
        ));
        for other in [
            "http://ramal.example.com/api/twilio/voice",
            "https://Ramal.example.com/api/twilio/voice",
            "https://ramal.example.com:8443/api/twilio/voice",
            "https://ramal.example.com/api/twilio/voice/",
            "https://ramal.example.com/ramal/api/twilio/voice",
        ] {
            assert!(!signs_like(other, OURS), "{other}");
        }
    }

    #[test]
    fn mismatches_are_explained() {
        assert!(mismatch("https://demo.twilio.com/welcome/voice/", OURS).contains("9.8"));
        assert!(mismatch("http://ramal.example.com/api/twilio/voice", OURS).contains("403"));
        assert!(mismatch("https://RAMAL.example.com/api/twilio/voice", OURS).contains("case"));
        assert!(mismatch("https://ramal.example.com/twilio/voice", OURS).contains("another path"));
        assert!(
            mismatch("https://old.example.com/api/twilio/voice", OURS).contains("another server")
        );
    }

    #[test]
    fn credentials_in_urls_are_hidden() {
        assert_eq!(
            hide_userinfo("https://user:pw@hook.example.com/x?a=b@c"),
            "https://***@hook.example.com/x?a=b@c"
        );
        assert_eq!(hide_userinfo(OURS), OURS);
        assert!(!mismatch("https://u:secret@other.example.com/v", OURS).contains("secret"));
    }

    #[test]
    fn hosts_twilio_cannot_reach() {
        for (url, local) in [
            ("http://127.0.0.1:8080", true),
            ("http://localhost:8080/x", true),
            ("http://[::1]:8080", true),
            ("http://192.168.0.10", true),
            ("http://10.1.2.3", true),
            ("http://printer.local", true),
            ("https://ramal.example.com", false),
            ("https://8.8.8.8", false),
            ("https://[2001:db8::1]:443", false),
        ] {
            let h = host(url).unwrap();
            assert_eq!(unreachable_from_internet(h), local, "{url}");
        }
        assert_eq!(
            host("https://u:p@ramal.example.com:8443/x"),
            Some("ramal.example.com")
        );
    }
}
