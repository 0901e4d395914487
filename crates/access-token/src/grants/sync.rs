use super::write_string_fields;
use crate::sid::ServiceSid;

/// Sync grant (`data_sync`).
///
/// JSON keys, in this order and each only when set: `service_sid`, `endpoint_id`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncGrant {
    service_sid: Option<ServiceSid>,
    endpoint_id: Option<String>,
}

impl SyncGrant {
    /// An empty Sync grant.
    pub fn new() -> Self {
        Self::default()
    }

    /// The Sync service (`IS...`).
    pub fn service_sid(mut self, sid: ServiceSid) -> Self {
        self.service_sid = Some(sid);
        self
    }

    /// The endpoint id of this client instance (omitted if empty).
    pub fn endpoint_id(mut self, endpoint_id: impl Into<String>) -> Self {
        self.endpoint_id = Some(endpoint_id.into());
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

    pub(crate) fn write_json(&self, out: &mut String) {
        write_string_fields(
            out,
            &[
                ("service_sid", self.service_sid.as_ref().map(|s| s.as_str())),
                ("endpoint_id", self.endpoint_id.as_deref()),
            ],
        );
    }
}
