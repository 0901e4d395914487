//! What applying an event writes, decided from the stored events alone (no I/O), so that
//! both backends' event paths (`queries/apply.rs`, `pg_apply.rs`) make the same decisions.

use crate::db::rows::EventRow;
use crate::error::StoreError;
use crate::events::CallEvent;
use crate::ids::{CallSid, RecordingSid};
use crate::state::{CallState, LegState, RecordingState, fold_call, fold_recording};

/// What the event being applied changed, besides the call row.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Touched<'a> {
    /// A leg event: only this leg's row changes.
    Leg(&'a CallSid),
    /// A recording event: only this recording's link changes.
    Recording(&'a RecordingSid),
}

impl<'a> Touched<'a> {
    /// What `event` touches.
    pub(crate) fn of(event: &'a CallEvent) -> Self {
        match event {
            CallEvent::Recording(recording) => Touched::Recording(&recording.recording_sid),
            leg => Touched::Leg(leg.call_sid()),
        }
    }
}

/// The rows to store after refolding a call.
#[derive(Debug)]
pub(crate) struct CallPlan {
    /// The call as its events now say.
    pub(crate) state: CallState,
    /// The touched leg's state, when the event was a leg event of a known leg.
    pub(crate) leg: Option<LegState>,
    /// This was the leg's first event: recordings that named it (or the root) before the
    /// leg existed wait for this call and must be linked to it now.
    pub(crate) link_waiting: bool,
}

/// Parses stored events.
pub(crate) fn events_of(rows: &[EventRow]) -> Result<Vec<CallEvent>, StoreError> {
    rows.iter().map(EventRow::event).collect()
}

/// Refolds the call rooted at `root` from all its events (`rows`: its leg events and the
/// recording events naming its root or a leg). `None` when there is nothing to fold.
pub(crate) fn plan_call(
    root: &CallSid,
    rows: &[EventRow],
    touched: Touched<'_>,
) -> Result<Option<CallPlan>, StoreError> {
    let events = events_of(rows)?;
    let Some(state) = fold_call(root, &events) else {
        return Ok(None);
    };
    let (leg, link_waiting) = match touched {
        Touched::Leg(sid) => match state.legs.iter().find(|l| &l.call_sid == sid) {
            Some(leg) => {
                let leg_events = events
                    .iter()
                    .filter(|e| e.root_sid().is_some() && e.call_sid() == sid)
                    .count();
                (Some(leg.clone()), leg_events == 1)
            }
            None => (None, false),
        },
        Touched::Recording(_) => (None, false),
    };
    Ok(Some(CallPlan {
        state,
        leg,
        link_waiting,
    }))
}

/// Refolds a recording from its events. `None` when there is nothing to fold.
pub(crate) fn plan_recording(
    sid: &RecordingSid,
    rows: &[EventRow],
) -> Result<Option<RecordingState>, StoreError> {
    Ok(fold_recording(sid, &events_of(rows)?))
}
