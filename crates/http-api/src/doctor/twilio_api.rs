//! The few calls of Twilio's REST API (2010-04-01) the doctor makes, with Basic auth.

use std::time::Duration;

use serde_json::Value;

/// How long one REST call may take (Twilio answers these in well under a second).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(15);

/// A user name and password for Basic auth: the Account SID + Auth Token, or an API key.
#[derive(Clone, Copy)]
pub(super) struct Credential<'a> {
    user: &'a str,
    password: &'a str,
}

impl<'a> Credential<'a> {
    pub(super) fn new(user: &'a str, password: &'a str) -> Self {
        Self { user, password }
    }
}

impl std::fmt::Debug for Credential<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Credential({}:***)", self.user)
    }
}

/// What Twilio answered.
#[derive(Debug)]
pub(super) enum Answer {
    /// 2xx with a JSON body.
    Ok(Value),
    /// An error status, with Twilio's error code and message when the body has them.
    Refused {
        status: u16,
        code: Option<u64>,
        message: String,
    },
    /// No answer (DNS, connection, TLS, timeout) or an answer that is not JSON.
    Unreachable(String),
}

impl Answer {
    /// `401 (20003 Authenticate)`-style text for messages.
    pub(super) fn describe(&self) -> String {
        match self {
            Answer::Ok(_) => "200".to_owned(),
            Answer::Refused {
                status,
                code,
                message,
            } => match code {
                Some(code) => format!("{status}, Twilio error {code}: {message}"),
                None => format!("{status}: {message}"),
            },
            Answer::Unreachable(e) => e.clone(),
        }
    }

    /// Whether Twilio said the credentials are wrong.
    pub(super) fn is_auth_failure(&self) -> bool {
        matches!(
            self,
            Answer::Refused {
                status: 401 | 403,
                ..
            }
        )
    }

    /// Whether Twilio said the resource does not exist.
    pub(super) fn is_not_found(&self) -> bool {
        matches!(self, Answer::Refused { status: 404, .. })
    }
}

/// Twilio's REST API for one account.
#[derive(Debug)]
pub(super) struct TwilioApi {
    http: reqwest::Client,
    account_base: String,
    base: String,
}

impl TwilioApi {
    /// A client for `/2010-04-01/Accounts/{account}` at `base` (`RAMAL_TWILIO_API_BASE`).
    pub(super) fn new(base: &str, account: &str) -> Result<Self, String> {
        let http = reqwest::Client::builder()
            .user_agent(concat!("ramal-doctor/", env!("CARGO_PKG_VERSION")))
            .timeout(REQUEST_TIMEOUT)
            .build()
            .map_err(|e| format!("cannot build an HTTP client: {e}"))?;
        Ok(Self {
            http,
            account_base: format!("{base}/2010-04-01/Accounts/{account}"),
            base: base.to_owned(),
        })
    }

    /// The API base, for messages.
    pub(super) fn base(&self) -> &str {
        &self.base
    }

    /// `GET` a resource under the account; `path` is empty for the account itself, else it
    /// starts with `/` (e.g. `/Applications/AP....json`).
    pub(super) async fn get(
        &self,
        path: &str,
        query: &[(&str, &str)],
        credential: Credential<'_>,
    ) -> Answer {
        let mut url = self.url(path);
        if !query.is_empty() {
            url.push('?');
            url.push_str(
                &form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(query)
                    .finish(),
            );
        }
        let request = self
            .http
            .get(url)
            .basic_auth(credential.user, Some(credential.password));
        answer(request.send().await).await
    }

    /// `POST` form fields to a resource under the account (Twilio's update).
    pub(super) async fn post(
        &self,
        path: &str,
        form: &[(&str, &str)],
        credential: Credential<'_>,
    ) -> Answer {
        let request = self
            .http
            .post(self.url(path))
            .form(form)
            .basic_auth(credential.user, Some(credential.password));
        answer(request.send().await).await
    }

    fn url(&self, path: &str) -> String {
        if path.is_empty() {
            format!("{}.json", self.account_base)
        } else {
            format!("{}{path}", self.account_base)
        }
    }
}

async fn answer(sent: Result<reqwest::Response, reqwest::Error>) -> Answer {
    let response = match sent {
        Ok(r) => r,
        Err(e) => return Answer::Unreachable(transport_error(&e)),
    };
    let status = response.status();
    let body: Option<Value> = match response.bytes().await {
        Ok(bytes) => serde_json::from_slice(&bytes).ok(),
        Err(e) => return Answer::Unreachable(transport_error(&e)),
    };
    if status.is_success() {
        return match body {
            Some(v) => Answer::Ok(v),
            None => Answer::Unreachable(format!(
                "answered {status} without JSON: is RAMAL_TWILIO_API_BASE Twilio's API?"
            )),
        };
    }
    let body = body.unwrap_or(Value::Null);
    Answer::Refused {
        status: status.as_u16(),
        code: body["code"].as_u64(),
        message: body["message"]
            .as_str()
            .unwrap_or(status.canonical_reason().unwrap_or("error"))
            .to_owned(),
    }
}

/// The error and its causes in one line (reqwest's top-level text alone says little).
pub(super) fn transport_error(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
