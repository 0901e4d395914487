use super::write_string_fields;
use crate::sid::{WorkerSid, WorkspaceSid};

/// TaskRouter grant (`task_router`).
///
/// JSON keys, in this order and each only when set: `workspace_sid`, `worker_sid`, `role`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskRouterGrant {
    workspace_sid: Option<WorkspaceSid>,
    worker_sid: Option<WorkerSid>,
    role: Option<String>,
}

impl TaskRouterGrant {
    /// An empty TaskRouter grant.
    pub fn new() -> Self {
        Self::default()
    }

    /// The workspace (`WS...`).
    pub fn workspace_sid(mut self, sid: WorkspaceSid) -> Self {
        self.workspace_sid = Some(sid);
        self
    }

    /// The worker (`WK...`) this client acts as.
    pub fn worker_sid(mut self, sid: WorkerSid) -> Self {
        self.worker_sid = Some(sid);
        self
    }

    /// The role, e.g. `"worker"` (omitted if empty).
    pub fn role(mut self, role: impl Into<String>) -> Self {
        self.role = Some(role.into());
        self
    }

    /// The workspace SID, if set.
    pub fn workspace(&self) -> Option<&WorkspaceSid> {
        self.workspace_sid.as_ref()
    }

    /// The worker SID, if set.
    pub fn worker(&self) -> Option<&WorkerSid> {
        self.worker_sid.as_ref()
    }

    /// The role, if set.
    pub fn role_name(&self) -> Option<&str> {
        self.role.as_deref()
    }

    pub(crate) fn write_json(&self, out: &mut String) {
        write_string_fields(
            out,
            &[
                (
                    "workspace_sid",
                    self.workspace_sid.as_ref().map(|s| s.as_str()),
                ),
                ("worker_sid", self.worker_sid.as_ref().map(|s| s.as_str())),
                ("role", self.role.as_deref()),
            ],
        );
    }
}
