//! Where the TwiML App and the phone number send calls and status callbacks: compared with
//! what Ramal needs (its public URL + its routes), and with `--fix` updated through Twilio's
//! REST API (`POST` with Twilio's form fields `VoiceUrl`, `VoiceMethod`, `StatusCallback`,
//! `StatusCallbackMethod`, `VoiceApplicationSid`).

use serde_json::Value;

use super::report::Report;
use super::twilio_api::{Answer, Credential, TwilioApi};
use super::urls::{self, INCOMING_PATH, STATUS_PATH, VOICE_PATH};
use crate::config::{Config, TwilioConfig};
use crate::phone::mask;

/// A setting of a Twilio resource Ramal needs to hold one value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Wanted {
    /// What people call it, e.g. "voice URL".
    label: &'static str,
    /// The field in Twilio's JSON (`voice_url`).
    json: &'static str,
    /// The form field of Twilio's update (`VoiceUrl`).
    form: &'static str,
    /// The value Ramal needs.
    value: String,
    /// URLs are compared as Twilio signs them; methods ignoring case.
    is_url: bool,
}

impl Wanted {
    fn url(label: &'static str, json: &'static str, form: &'static str, value: String) -> Self {
        Self {
            label,
            json,
            form,
            value,
            is_url: true,
        }
    }

    fn post(label: &'static str, json: &'static str, form: &'static str) -> Self {
        Self {
            label,
            json,
            form,
            value: "POST".to_owned(),
            is_url: false,
        }
    }

    /// Why the resource's value is not the wanted one, or `None` when it is.
    fn mismatch(&self, resource: &Value) -> Option<String> {
        let found = resource[self.json].as_str().filter(|s| !s.is_empty());
        match found {
            None => Some(format!("{} is not set", self.label)),
            Some(found) if self.is_url => (!urls::signs_like(found, &self.value))
                .then(|| format!("{} {}", self.label, urls::mismatch(found, &self.value))),
            Some(found) => (!found.eq_ignore_ascii_case(&self.value))
                .then(|| format!("{} is {found}, not {}", self.label, self.value)),
        }
    }
}

/// What the TwiML App must hold: webphone calls and their parent leg's status come here.
pub(super) fn application_settings(public: &crate::config::PublicUrl) -> Vec<Wanted> {
    vec![
        Wanted::url(
            "voice URL",
            "voice_url",
            "VoiceUrl",
            public.join(VOICE_PATH),
        ),
        Wanted::post("voice method", "voice_method", "VoiceMethod"),
        Wanted::url(
            "status callback",
            "status_callback",
            "StatusCallback",
            public.join(STATUS_PATH),
        ),
        Wanted::post(
            "status callback method",
            "status_callback_method",
            "StatusCallbackMethod",
        ),
    ]
}

/// What the number must hold: calls to it ("A call comes in") and their status come here.
pub(super) fn number_settings(public: &crate::config::PublicUrl) -> Vec<Wanted> {
    vec![
        Wanted::url(
            "incoming-call URL",
            "voice_url",
            "VoiceUrl",
            public.join(INCOMING_PATH),
        ),
        Wanted::post("incoming-call method", "voice_method", "VoiceMethod"),
        Wanted::url(
            "status callback",
            "status_callback",
            "StatusCallback",
            public.join(STATUS_PATH),
        ),
        Wanted::post(
            "status callback method",
            "status_callback_method",
            "StatusCallbackMethod",
        ),
    ]
}

pub(super) async fn application(
    api: &TwilioApi,
    t: &TwilioConfig,
    credential: Credential<'_>,
    answer: Answer,
    config: &Config,
    fix: bool,
    report: &mut Report,
) {
    let sid = t.twiml_app_sid.as_str();
    let app = match answer {
        Answer::Ok(app) => app,
        not_found if not_found.is_not_found() => {
            report.problem(
                "twilio",
                format!("TWILIO_TWIML_APP_SID {sid} is not a TwiML App of this account: the webphone cannot place calls"),
                "create one (Console -> Voice -> TwiML Apps) and copy its SID (AP...)",
            );
            return;
        }
        other => {
            report.problem(
                "twilio",
                format!("reading TwiML App {sid} failed: {}", other.describe()),
                "check TWILIO_TWIML_APP_SID",
            );
            return;
        }
    };
    let name = format!("TwiML App {sid}");
    let wanted = application_settings(&config.public_url);
    let path = format!("/Applications/{sid}.json");
    settle(
        api,
        credential,
        &path,
        &name,
        &app,
        &wanted,
        &[],
        "Console -> Voice -> TwiML Apps",
        fix,
        report,
    )
    .await;
}

pub(super) async fn number(
    api: &TwilioApi,
    t: &TwilioConfig,
    credential: Credential<'_>,
    config: &Config,
    fix: bool,
    report: &mut Report,
) {
    let shown = mask(t.phone_number.as_str());
    let list = api
        .get(
            "/IncomingPhoneNumbers.json",
            &[("PhoneNumber", t.phone_number.as_str())],
            credential,
        )
        .await;
    let numbers = match list {
        Answer::Ok(list) => list["incoming_phone_numbers"]
            .as_array()
            .cloned()
            .unwrap_or_default(),
        other => {
            report.problem(
                "twilio",
                format!("listing the account's numbers failed: {}", other.describe()),
                "check the credentials above",
            );
            return;
        }
    };
    let Some(number) = numbers
        .into_iter()
        .find(|n| n["phone_number"].as_str() == Some(t.phone_number.as_str()))
    else {
        report.problem(
            "twilio",
            format!(
                "TWILIO_PHONE_NUMBER {shown} is not a number of account {}: calls to it never reach \
                 this account and Twilio refuses it as caller ID",
                t.account_sid.as_str()
            ),
            "buy a number with Voice (Console -> Phone Numbers; Brazil needs an approved regulatory bundle) and set it in E.164",
        );
        return;
    };
    let Some(sid) = number["sid"].as_str().map(str::to_owned) else {
        report.problem(
            "twilio",
            format!("Twilio answered number {shown} without a SID"),
            "retry",
        );
        return;
    };
    let name = format!("number {shown} ({sid})");
    if number["capabilities"]["voice"] == Value::Bool(false) {
        report.problem(
            "twilio",
            format!("{name} has no Voice capability: it cannot take or place calls"),
            "buy a number with Voice",
        );
    }
    if let Some(trunk) = number["trunk_sid"].as_str().filter(|s| !s.is_empty()) {
        report.problem(
            "twilio",
            format!("{name} belongs to SIP trunk {trunk}: Twilio sends its calls to the trunk, not to its URLs"),
            "remove it from the trunk (Console -> Elastic SIP Trunking -> Numbers)",
        );
    }
    // A number handed to a TwiML App ignores its own URLs; Ramal's app expects outbound calls.
    let mut extra: Vec<(&str, &str)> = Vec::new();
    if let Some(app) = number["voice_application_sid"]
        .as_str()
        .filter(|s| !s.is_empty())
    {
        let what = if app == t.twiml_app_sid.as_str() {
            "Ramal's TwiML App, whose URL handles the webphone's outgoing calls"
        } else {
            "another TwiML App"
        };
        if fix {
            extra.push(("VoiceApplicationSid", ""));
        } else {
            report.problem(
                "twilio",
                format!("{name} hands its calls to {what} ({app}) instead of its incoming-call URL"),
                "run `ramal doctor --fix`, or Console -> Phone Numbers -> the number -> A call comes in: Webhook",
            );
        }
    }
    let wanted = number_settings(&config.public_url);
    let path = format!("/IncomingPhoneNumbers/{sid}.json");
    settle(
        api,
        credential,
        &path,
        &name,
        &number,
        &wanted,
        &extra,
        "Console -> Phone Numbers -> Active numbers -> the number -> Voice configuration",
        fix,
        report,
    )
    .await;
}

/// Compares a resource with what Ramal needs; reports, and with `fix` updates it and reports
/// what Twilio then holds.
#[allow(clippy::too_many_arguments)]
async fn settle(
    api: &TwilioApi,
    credential: Credential<'_>,
    path: &str,
    name: &str,
    resource: &Value,
    wanted: &[Wanted],
    extra: &[(&str, &str)],
    console: &str,
    fix: bool,
    report: &mut Report,
) {
    let targets = wanted
        .iter()
        .filter(|w| w.is_url)
        .map(|w| format!("{} {}", w.label, w.value))
        .collect::<Vec<_>>()
        .join(", ");
    let wrong: Vec<(&Wanted, String)> = wanted
        .iter()
        .filter_map(|w| w.mismatch(resource).map(|m| (w, m)))
        .collect();
    if wrong.is_empty() && extra.is_empty() {
        report.ok("twilio", format!("{name}: {targets} (POST)"));
        return;
    }
    if !fix {
        let how = format!("run `ramal doctor --fix`, or set {targets} (POST) in {console}");
        for (_, m) in wrong {
            report.problem("twilio", format!("{name}: {m}"), how.clone());
        }
        return;
    }
    let mut form: Vec<(&str, &str)> = wanted.iter().map(|w| (w.form, w.value.as_str())).collect();
    form.extend_from_slice(extra);
    match api.post(path, &form, credential).await {
        Answer::Ok(updated) => {
            let still: Vec<String> = wanted.iter().filter_map(|w| w.mismatch(&updated)).collect();
            if still.is_empty() {
                for (w, m) in wrong {
                    report.fixed(
                        "twilio",
                        format!("{name}: {m}; now {} {}", w.label, w.value),
                    );
                }
                for (field, _) in extra {
                    report.fixed(
                        "twilio",
                        format!("{name}: {field} cleared, its own URLs apply"),
                    );
                }
            } else {
                for m in still {
                    report.problem(
                        "twilio",
                        format!("{name} after the update: {m}"),
                        format!("set it in {console}"),
                    );
                }
            }
        }
        other => report.problem(
            "twilio",
            format!("updating {name} failed: {}", other.describe()),
            format!("set {targets} (POST) in {console}"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::config::PublicUrl;

    #[test]
    fn a_new_number_on_twilios_demo_url_is_caught() {
        let public = PublicUrl::parse("https://ramal.example.com").unwrap();
        let wanted = number_settings(&public);
        let fresh = json!({
            "voice_url": "https://demo.twilio.com/welcome/voice/",
            "voice_method": "POST",
            "status_callback": "",
            "status_callback_method": "POST",
        });
        let wrong: Vec<String> = wanted.iter().filter_map(|w| w.mismatch(&fresh)).collect();
        assert_eq!(wrong.len(), 2, "{wrong:?}");
        assert!(wrong[0].starts_with("incoming-call URL points at Twilio's demo URL"));
        assert_eq!(wrong[1], "status callback is not set");
        assert_eq!(
            wanted[2].value,
            "https://ramal.example.com/api/twilio/call-status"
        );
    }

    #[test]
    fn a_configured_app_passes_whatever_the_method_case() {
        let public = PublicUrl::parse("https://ramal.example.com/").unwrap();
        let app = json!({
            "voice_url": "https://ramal.example.com:443/api/twilio/voice",
            "voice_method": "post",
            "status_callback": "https://ramal.example.com/api/twilio/call-status",
            "status_callback_method": "POST",
        });
        assert!(
            application_settings(&public)
                .iter()
                .all(|w| w.mismatch(&app).is_none())
        );
        let get = json!({"voice_url": "https://ramal.example.com/api/twilio/voice", "voice_method": "GET"});
        assert_eq!(
            application_settings(&public)[1].mismatch(&get).as_deref(),
            Some("voice method is GET, not POST")
        );
    }
}
