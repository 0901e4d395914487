//! A signed webhook request, frozen at the moment its event happened.

use super::{WebhookKind, form_encode};
use crate::secret::Secret;
use crate::signature::{Forgery, IDEMPOTENCY_HEADER, SigningScheme, sign_request};
use crate::twiml::Method;

/// A request ready to send. Redelivering it sends the same bytes (signature, token and all), as
/// a Twilio retry does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Outgoing {
    pub(crate) event_id: u64,
    pub(crate) kind: WebhookKind,
    pub(crate) call_sid: String,
    pub(crate) method: Method,
    /// URL as signed and requested: fragment removed; for GET, parameters appended.
    pub(crate) url: String,
    pub(crate) params: Vec<(String, String)>,
    pub(crate) headers: Vec<(String, String)>,
}

/// Everything needed to sign one request.
#[derive(Debug)]
pub(crate) struct Signer<'a> {
    pub(crate) scheme: &'a SigningScheme,
    pub(crate) auth_token: &'a Secret,
    pub(crate) forgery: &'a Forgery,
}

/// Removes a `#fragment`: it is never sent over HTTP, so Twilio neither sends nor signs it
/// (Twilio reads connection overrides such as `#rc=2` from it).
pub(crate) fn strip_fragment(url: &str) -> &str {
    url.split_once('#').map_or(url, |(u, _)| u)
}

fn with_query(url: &str, params: &[(String, String)]) -> String {
    if params.is_empty() {
        return url.to_owned();
    }
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{}", form_encode(params))
}

impl Outgoing {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn build(
        signer: &Signer<'_>,
        event_id: u64,
        idempotency_token: String,
        kind: WebhookKind,
        call_sid: &str,
        method: Method,
        url: &str,
        params: Vec<(String, String)>,
    ) -> Self {
        let url = strip_fragment(url);
        let (url, params, headers) = match method {
            Method::Post => {
                let signed = sign_request(
                    signer.scheme,
                    signer.auth_token,
                    signer.forgery,
                    url,
                    params,
                );
                (url.to_owned(), signed.params, signed.headers)
            }
            Method::Get => {
                // GET: the parameters travel in the query and only the URL is signed.
                let full = with_query(url, &params);
                let signed = sign_request(
                    signer.scheme,
                    signer.auth_token,
                    signer.forgery,
                    &full,
                    Vec::new(),
                );
                let params = match signer.forgery {
                    Forgery::ParamChangedAfterSigning { name, value } => {
                        let mut p = params;
                        match p.iter_mut().find(|(k, _)| k == name) {
                            Some(slot) => slot.1 = value.clone(),
                            None => p.push((name.clone(), value.clone())),
                        }
                        p
                    }
                    _ => params,
                };
                (with_query(url, &params), params, signed.headers)
            }
        };
        let mut headers = headers;
        headers.push((IDEMPOTENCY_HEADER.to_owned(), idempotency_token));
        Self {
            event_id,
            kind,
            call_sid: call_sid.to_owned(),
            method,
            url,
            params,
            headers,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::signature::{SIGNATURE_HEADER, sign_hmac_sha1};

    fn p(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn post_signs_url_without_fragment_plus_params() {
        let token = Secret::new("tok");
        let signer = Signer {
            scheme: &SigningScheme::AuthToken,
            auth_token: &token,
            forgery: &Forgery::None,
        };
        let o = Outgoing::build(
            &signer,
            1,
            "idem".into(),
            WebhookKind::StatusCallback,
            "CA1",
            Method::Post,
            "http://h/cb?x=1#rc=3",
            p(&[("CallSid", "CA1")]),
        );
        assert_eq!(o.url, "http://h/cb?x=1");
        let sig = sign_hmac_sha1("tok", "http://h/cb?x=1", &o.params);
        assert_eq!(
            o.headers,
            vec![
                (SIGNATURE_HEADER.to_owned(), sig),
                (IDEMPOTENCY_HEADER.to_owned(), "idem".to_owned())
            ]
        );
    }

    #[test]
    fn get_puts_params_in_query_and_signs_url_only() {
        let token = Secret::new("tok");
        let signer = Signer {
            scheme: &SigningScheme::AuthToken,
            auth_token: &token,
            forgery: &Forgery::None,
        };
        let o = Outgoing::build(
            &signer,
            1,
            "i".into(),
            WebhookKind::DialAction,
            "CA1",
            Method::Get,
            "http://h/a?x=1",
            p(&[("DialCallStatus", "no-answer"), ("To", "+55 11")]),
        );
        assert_eq!(o.url, "http://h/a?x=1&DialCallStatus=no-answer&To=%2B55+11");
        let empty: [(&str, &str); 0] = [];
        assert_eq!(o.headers[0].1, sign_hmac_sha1("tok", &o.url, &empty));
    }
}
