use super::write_string_fields;
use crate::sid::{CredentialSid, RoleSid, ServiceSid};

/// Chat / Conversations grant (`chat`).
///
/// JSON keys, in this order and each only when set: `service_sid`, `endpoint_id`,
/// `deployment_role_sid`, `push_credential_sid`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChatGrant {
    service_sid: Option<ServiceSid>,
    endpoint_id: Option<String>,
    deployment_role_sid: Option<RoleSid>,
    push_credential_sid: Option<CredentialSid>,
}

impl ChatGrant {
    /// An empty Chat grant.
    pub fn new() -> Self {
        Self::default()
    }

    /// The Chat/Conversations service (`IS...`).
    pub fn service_sid(mut self, sid: ServiceSid) -> Self {
        self.service_sid = Some(sid);
        self
    }

    /// The endpoint id of this client instance (omitted if empty).
    pub fn endpoint_id(mut self, endpoint_id: impl Into<String>) -> Self {
        self.endpoint_id = Some(endpoint_id.into());
        self
    }

    /// The role (`RL...`) given to the user in the service.
    pub fn deployment_role_sid(mut self, sid: RoleSid) -> Self {
        self.deployment_role_sid = Some(sid);
        self
    }

    /// The push credential (`CR...`) for notifications.
    pub fn push_credential_sid(mut self, sid: CredentialSid) -> Self {
        self.push_credential_sid = Some(sid);
        self
    }

    /// The service SID, if set.
    pub fn service(&self) -> Option<&ServiceSid> {
        self.service_sid.as_ref()
    }

    /// The endpoint id, if set.
    pub fn endpoint(&self) -> Option<&str> {
        self.endpoint_id.as_deref()
    }

    /// The deployment role SID, if set.
    pub fn deployment_role(&self) -> Option<&RoleSid> {
        self.deployment_role_sid.as_ref()
    }

    /// The push credential SID, if set.
    pub fn push_credential(&self) -> Option<&CredentialSid> {
        self.push_credential_sid.as_ref()
    }

    pub(crate) fn write_json(&self, out: &mut String) {
        write_string_fields(
            out,
            &[
                ("service_sid", self.service_sid.as_ref().map(|s| s.as_str())),
                ("endpoint_id", self.endpoint_id.as_deref()),
                (
                    "deployment_role_sid",
                    self.deployment_role_sid.as_ref().map(|s| s.as_str()),
                ),
                (
                    "push_credential_sid",
                    self.push_credential_sid.as_ref().map(|s| s.as_str()),
                ),
            ],
        );
    }
}
