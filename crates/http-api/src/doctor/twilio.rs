//! Checks through Twilio's REST API: the Auth Token and the API key work, then (in
//! `twilio_routing`) the TwiML App and the phone number send their calls here.

use super::report::Report;
use super::twilio_api::{Answer, Credential, TwilioApi};
use super::twilio_routing::{application, number};
use crate::config::{Config, TwilioConfig};

/// Runs every REST check; with `fix`, corrects the app and the number.
pub(super) async fn check(config: &Config, fix: bool, report: &mut Report) {
    let Some(t) = &config.twilio else {
        return; // the config checks said so already
    };
    let api = match TwilioApi::new(&config.twilio_api_base, t.account_sid.as_str()) {
        Ok(api) => api,
        Err(e) => {
            report.skipped("twilio", format!("REST checks: {e}"));
            return;
        }
    };
    let token = Credential::new(t.account_sid.as_str(), t.auth_token.expose());
    let key = Credential::new(t.api_key_sid.as_str(), t.api_key_secret.expose());

    let Some(token_works) = account(&api, t, token, report).await else {
        return; // unreachable: reported
    };
    if token_works {
        key_belongs(&api, t, token, report).await;
    }
    let app_path = format!("/Applications/{}.json", t.twiml_app_sid.as_str());
    let mut app = api.get(&app_path, &[], key).await;
    let key_works = if app.is_auth_failure() {
        report.problem(
            "twilio",
            format!(
                "Twilio refused the API key {} with TWILIO_API_KEY_SECRET ({}): browser tokens signed \
                 with it fail with \"JWT is invalid\" (31204, seed problem 9.1) and recordings cannot be fetched",
                t.api_key_sid.as_str(),
                app.describe()
            ),
            "copy the secret shown when the key was created, or create a new Standard key (not \
             Restricted: those cannot sign tokens) in the same account and region, then set both TWILIO_API_KEY_* values",
        );
        false
    } else {
        true
    };
    let credential = match (key_works, token_works) {
        (true, _) => key,
        (false, true) => {
            app = api.get(&app_path, &[], token).await;
            token
        }
        (false, false) => {
            report.skipped(
                "twilio",
                "TwiML App and number checks need a credential Twilio accepts",
            );
            return;
        }
    };
    // Pointing Twilio at an address it cannot reach fixes nothing.
    let usable = super::public_url::usable_by_twilio(config);
    if fix && !usable {
        report.skipped(
            "twilio",
            "--fix: RAMAL_PUBLIC_URL must be a public address first (see above)",
        );
    }
    let fix = fix && usable;
    application(&api, t, credential, app, config, fix, report).await;
    number(&api, t, credential, config, fix, report).await;
}

/// Whether the Auth Token works (`None` when Twilio cannot be reached at all).
async fn account(
    api: &TwilioApi,
    t: &TwilioConfig,
    token: Credential<'_>,
    report: &mut Report,
) -> Option<bool> {
    match api.get("", &[], token).await {
        Answer::Ok(account) => {
            let status = account["status"].as_str().unwrap_or("unknown");
            if status == "active" {
                report.ok(
                    "twilio",
                    format!(
                        "TWILIO_AUTH_TOKEN is the Auth Token of account {} (active): webhook signatures will verify",
                        t.account_sid.as_str()
                    ),
                );
            } else {
                report.problem(
                    "twilio",
                    format!(
                        "account {} is {status}: Twilio places and accepts no call",
                        t.account_sid.as_str()
                    ),
                    "reactivate it in the Twilio Console (Billing, or Twilio support)",
                );
            }
            Some(true)
        }
        Answer::Unreachable(e) => {
            report.warn(
                "twilio",
                format!("cannot reach Twilio's REST API at {}: {e}", api.base()),
                "run the doctor where ramal runs; it needs outbound https to api.twilio.com",
            );
            report.skipped(
                "twilio",
                "API key, TwiML App and number checks: Twilio unreachable",
            );
            None
        }
        refused if refused.is_auth_failure() => {
            report.problem(
                "twilio",
                format!(
                    "Twilio refused TWILIO_ACCOUNT_SID with TWILIO_AUTH_TOKEN ({}): every webhook would fail \
                     the signature check (403)",
                    refused.describe()
                ),
                "copy the Auth Token of this very account (Console -> Account -> API keys & tokens; \
                 after a rotation, the new primary token)",
            );
            Some(false)
        }
        other => {
            report.problem(
                "twilio",
                format!(
                    "reading account {} failed: {}",
                    t.account_sid.as_str(),
                    other.describe()
                ),
                "check TWILIO_ACCOUNT_SID and RAMAL_TWILIO_API_BASE",
            );
            Some(false)
        }
    }
}

/// Whether the API key was issued by this account (a key from a subaccount, another account or
/// another region passes the format check but fails with "JWT is invalid").
async fn key_belongs(
    api: &TwilioApi,
    t: &TwilioConfig,
    token: Credential<'_>,
    report: &mut Report,
) {
    let path = format!("/Keys/{}.json", t.api_key_sid.as_str());
    match api.get(&path, &[], token).await {
        Answer::Ok(_) => report.ok(
            "twilio",
            format!("API key {} belongs to this account", t.api_key_sid.as_str()),
        ),
        not_found if not_found.is_not_found() => report.problem(
            "twilio",
            format!(
                "API key {} is not a key of account {} (deleted, or made in another account, \
                 subaccount or region): tokens signed with it fail with \"JWT is invalid\" (31204, seed problem 9.1)",
                t.api_key_sid.as_str(),
                t.account_sid.as_str()
            ),
            "create a Standard API key in this account (Console -> Account -> API keys & tokens) and set TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET",
        ),
        other => report.warn(
            "twilio",
            format!("could not look the API key up: {}", other.describe()),
            "check it in Console -> Account -> API keys & tokens",
        ),
    }
}
