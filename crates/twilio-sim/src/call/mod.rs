//! Simulated calls: scripts in, callbacks out, a report at the end.

pub(crate) mod control;
mod dial_plan;
pub(crate) mod engine;
mod params;
mod report;
mod script;
mod updates;

pub use report::{CallReport, CallStatus, LegReport, Notification};
pub use script::{CallScript, LegScript, RecordFinish, RecordScript};
pub use updates::LegUpdate;

use tokio::task::JoinHandle;

use crate::error::SimError;

/// A call in progress. Its SID is known at once (to inject digits while it runs); [`finish`]
/// waits for the call to end and for its callbacks to be delivered.
///
/// [`finish`]: CallHandle::finish
#[derive(Debug)]
pub struct CallHandle {
    pub(crate) call_sid: String,
    pub(crate) task: JoinHandle<CallReport>,
}

impl CallHandle {
    /// The parent call's SID.
    pub fn call_sid(&self) -> &str {
        &self.call_sid
    }

    /// Waits for the call to end and its callbacks to be delivered.
    pub async fn finish(self) -> Result<CallReport, SimError> {
        self.task
            .await
            .map_err(|e| SimError::CallTask(e.to_string()))
    }
}
