use crate::json;
use crate::sid::{ApplicationSid, CredentialSid};

/// Programmable Voice grant (`voice`): lets the client receive and/or place calls.
///
/// JSON keys, in this order and each only when set: `incoming` (`{"allow":true}`, only when
/// incoming is allowed), `outgoing` (`{"application_sid":..., "params":{...}}`),
/// `push_credential_sid`, `endpoint_id`. An empty grant is `{}`.
///
/// ```
/// use access_token::{ApplicationSid, OutgoingApplication, VoiceGrant};
///
/// let app: ApplicationSid = "AP0123456789abcdef0123456789abcdef".parse()?;
/// let grant = VoiceGrant::new()
///     .incoming_allow(true)
///     .outgoing(OutgoingApplication::new(app).param("team", "support"));
/// assert!(grant.allows_incoming());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VoiceGrant {
    incoming_allow: bool,
    outgoing: Option<OutgoingApplication>,
    push_credential_sid: Option<CredentialSid>,
    endpoint_id: Option<String>,
}

impl VoiceGrant {
    /// An empty Voice grant (`{}`): neither incoming nor outgoing calls.
    pub fn new() -> Self {
        Self::default()
    }

    /// Allows (or not) incoming calls to this client's identity. Required for `Device.register()`.
    pub fn incoming_allow(mut self, allow: bool) -> Self {
        self.incoming_allow = allow;
        self
    }

    /// Lets the client place calls through this TwiML application (no parameters).
    pub fn outgoing_application(self, application_sid: ApplicationSid) -> Self {
        self.outgoing(OutgoingApplication::new(application_sid))
    }

    /// Lets the client place calls through a TwiML application, with parameters.
    pub fn outgoing(mut self, outgoing: OutgoingApplication) -> Self {
        self.outgoing = Some(outgoing);
        self
    }

    /// The push credential (`CR...`) used to notify a mobile client of incoming calls.
    pub fn push_credential_sid(mut self, sid: CredentialSid) -> Self {
        self.push_credential_sid = Some(sid);
        self
    }

    /// An endpoint id distinguishing several devices of the same identity (omitted if empty).
    pub fn endpoint_id(mut self, endpoint_id: impl Into<String>) -> Self {
        self.endpoint_id = Some(endpoint_id.into());
        self
    }

    /// Whether incoming calls are allowed.
    pub fn allows_incoming(&self) -> bool {
        self.incoming_allow
    }

    /// The outgoing application, if any.
    pub fn outgoing_app(&self) -> Option<&OutgoingApplication> {
        self.outgoing.as_ref()
    }

    /// The push credential SID, if any.
    pub fn push_credential(&self) -> Option<&CredentialSid> {
        self.push_credential_sid.as_ref()
    }

    /// The endpoint id, if any.
    pub fn endpoint(&self) -> Option<&str> {
        self.endpoint_id.as_deref()
    }

    pub(crate) fn write_json(&self, out: &mut String) {
        out.push('{');
        let mut first = true;
        let mut key = |out: &mut String, name: &str| {
            if !first {
                out.push(',');
            }
            first = false;
            json::write_str(out, name);
            out.push(':');
        };
        if self.incoming_allow {
            key(out, "incoming");
            out.push_str(r#"{"allow":true}"#);
        }
        if let Some(outgoing) = &self.outgoing {
            key(out, "outgoing");
            outgoing.write_json(out);
        }
        if let Some(sid) = &self.push_credential_sid {
            key(out, "push_credential_sid");
            json::write_str(out, sid.as_str());
        }
        if let Some(endpoint) = self.endpoint_id.as_deref().filter(|e| !e.is_empty()) {
            key(out, "endpoint_id");
            json::write_str(out, endpoint);
        }
        out.push('}');
    }
}

/// The TwiML application outgoing calls go through, and the parameters Twilio passes to its
/// Voice URL along with those of `device.connect({ params })`.
///
/// Parameter values are strings because Twilio delivers them as form parameters. Parameters keep
/// the order they were added; setting a name again replaces its value in place (like a Python
/// `dict`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingApplication {
    application_sid: ApplicationSid,
    params: Vec<(String, String)>,
}

impl OutgoingApplication {
    /// The application `AP...`, without parameters.
    pub fn new(application_sid: ApplicationSid) -> Self {
        Self {
            application_sid,
            params: Vec::new(),
        }
    }

    /// Adds (or replaces) one parameter.
    pub fn param(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        let (name, value) = (name.into(), value.into());
        match self.params.iter_mut().find(|(n, _)| *n == name) {
            Some(existing) => existing.1 = value,
            None => self.params.push((name, value)),
        }
        self
    }

    /// The application SID.
    pub fn application_sid(&self) -> &ApplicationSid {
        &self.application_sid
    }

    /// The parameters, in insertion order.
    pub fn params(&self) -> impl ExactSizeIterator<Item = (&str, &str)> {
        self.params.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    fn write_json(&self, out: &mut String) {
        out.push_str(r#"{"application_sid":"#);
        json::write_str(out, self.application_sid.as_str());
        // twilio-python omits an empty params dict.
        if !self.params.is_empty() {
            out.push_str(r#","params":{"#);
            for (i, (name, value)) in self.params.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json::write_str(out, name);
                out.push(':');
                json::write_str(out, value);
            }
            out.push('}');
        }
        out.push('}');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(grant: &VoiceGrant) -> String {
        let mut out = String::new();
        grant.write_json(&mut out);
        out
    }

    #[test]
    fn empty_and_full() {
        assert_eq!(json(&VoiceGrant::new()), "{}");
        assert_eq!(json(&VoiceGrant::new().incoming_allow(false)), "{}");
        assert_eq!(json(&VoiceGrant::new().endpoint_id("")), "{}");
        let app = "AP0123456789abcdef0123456789abcdef".parse().unwrap();
        let cr = "CR0123456789abcdef0123456789abcdef".parse().unwrap();
        let grant = VoiceGrant::new()
            .endpoint_id("ep")
            .push_credential_sid(cr)
            .outgoing(
                OutgoingApplication::new(app)
                    .param("b", "1")
                    .param("a", "2")
                    .param("b", "3"),
            )
            .incoming_allow(true);
        assert_eq!(
            json(&grant),
            r#"{"incoming":{"allow":true},"outgoing":{"application_sid":"AP0123456789abcdef0123456789abcdef","params":{"b":"3","a":"2"}},"push_credential_sid":"CR0123456789abcdef0123456789abcdef","endpoint_id":"ep"}"#
        );
    }
}
