//! The pure fold from a call's events to its state. No I/O, no clock: the same set of
//! events gives the same state whatever order they arrived in and however often each came.
//!
//! Rules (Twilio's callbacks are retried and arrive out of order):
//! - events are deduplicated by [`CallEvent::dedupe_key`] first;
//! - a leg's status is the one of its event with the highest (status rank, SequenceNumber):
//!   terminal states outrank everything, so they are sticky; an unknown future status has
//!   rank 0 and never overrides a known one;
//! - durations come from the terminal event only; times are minima/maxima over the events;
//! - a recording belongs to the call that has a leg with the SID it names.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::events::{CallEvent, RecordingEvent};
use crate::form::truncate_to_millis;
use crate::ids::{CallSid, RecordingSid};
use crate::party::{ClientIdentity, Party};
use crate::status::{CallDirection, CallStatus, Direction, RecordingSource, RecordingStatus};

/// One leg of a call, folded from its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LegState {
    /// The leg's SID.
    pub call_sid: CallSid,
    /// Its parent, for a child leg.
    pub parent_call_sid: Option<CallSid>,
    /// Twilio's direction of the leg.
    pub direction: Direction,
    /// Caller of the leg.
    pub from: Party,
    /// Callee of the leg.
    pub to: Party,
    /// Current status (terminal ones are final).
    pub status: CallStatus,
    /// Highest SequenceNumber seen.
    pub sequence_number: Option<u32>,
    /// Talk time in seconds, from the terminal event.
    pub duration: Option<u32>,
    /// SIP response code, when reported.
    pub sip_response_code: Option<u16>,
    /// Answering-machine detection result, when reported.
    pub answered_by: Option<String>,
    /// The browser client on this leg (`client:<identity>` as callee, or as caller).
    pub agent_identity: Option<ClientIdentity>,
    /// Earliest event time of the leg.
    pub started_at: DateTime<Utc>,
    /// When it was answered (first `in-progress`).
    pub answered_at: Option<DateTime<Utc>>,
    /// When it ended (time of the terminal event).
    pub ended_at: Option<DateTime<Utc>>,
}

impl LegState {
    /// Whether somebody answered this leg.
    pub fn answered(&self) -> bool {
        self.answered_at.is_some()
            || (self.status == CallStatus::Completed && self.duration.unwrap_or(0) > 0)
    }
}

/// A recording, folded from its events.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecordingState {
    /// The recording's SID.
    pub recording_sid: RecordingSid,
    /// The leg Twilio named.
    pub call_sid: CallSid,
    /// Current status.
    pub status: RecordingStatus,
    /// Media URL.
    pub url: Option<String>,
    /// Length in seconds.
    pub duration: Option<u32>,
    /// Channels.
    pub channels: Option<u8>,
    /// When recording started.
    pub start_time: Option<DateTime<Utc>>,
    /// What produced it.
    pub source: Option<RecordingSource>,
    /// Which track.
    pub track: Option<String>,
    /// Twilio error code.
    pub error_code: Option<u32>,
    /// A voicemail (`RecordVerb`).
    pub is_voicemail: bool,
}

/// Who a call is attributed to, before the store maps identities to agents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "by", content = "value", rename_all = "lowercase")]
pub enum AgentRef {
    /// Named by http-api when the call was placed.
    Id(i64),
    /// The `client:<identity>` that placed or answered the call.
    Identity(ClientIdentity),
}

/// A whole call as agents see it: one root (parent) leg and its children.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CallState {
    /// The root leg's SID (the call's key).
    pub root_sid: CallSid,
    /// Outbound, inbound or internal.
    pub direction: CallDirection,
    /// Call-level status (see [`fold_call`]).
    pub status: CallStatus,
    /// Who called, as the history shows it.
    pub from: Party,
    /// Who was called, as the history shows it.
    pub to: Party,
    /// Talk time in seconds.
    pub duration: u32,
    /// Whether the callee (outbound) or an agent (inbound) answered.
    pub answered: bool,
    /// Whether a voicemail was left.
    pub voicemail: bool,
    /// The agent who placed (outbound, internal) or answered (inbound) the call.
    pub agent: Option<AgentRef>,
    /// The agent called in an internal call.
    pub peer: Option<ClientIdentity>,
    /// Earliest event of the call.
    pub started_at: DateTime<Utc>,
    /// When the callee or an agent answered.
    pub answered_at: Option<DateTime<Utc>>,
    /// When the call ended.
    pub ended_at: Option<DateTime<Utc>>,
    /// Known legs: the root first (when known), then children by start time.
    pub legs: Vec<LegState>,
    /// Recordings attached to any leg, by start time.
    pub recordings: Vec<RecordingState>,
    /// The recording the history shows (a completed conversation recording, else a
    /// completed voicemail).
    pub main_recording: Option<RecordingSid>,
}

impl CallState {
    /// The root leg, when any event of it was seen.
    pub fn root_leg(&self) -> Option<&LegState> {
        self.legs.iter().find(|leg| leg.call_sid == self.root_sid)
    }

    /// Every SID of the call: the root and all known legs.
    pub fn sids(&self) -> BTreeSet<&CallSid> {
        std::iter::once(&self.root_sid)
            .chain(self.legs.iter().map(|leg| &leg.call_sid))
            .collect()
    }

    /// The main recording's state.
    pub fn main_recording_state(&self) -> Option<&RecordingState> {
        let sid = self.main_recording.as_ref()?;
        self.recordings.iter().find(|r| &r.recording_sid == sid)
    }
}

/// Keeps one event per dedupe key (the smallest, so the choice does not depend on order).
fn dedupe<'a>(events: impl IntoIterator<Item = &'a CallEvent>) -> Vec<&'a CallEvent> {
    let mut unique: BTreeMap<String, &CallEvent> = BTreeMap::new();
    for event in events {
        unique
            .entry(event.dedupe_key())
            .and_modify(|kept| {
                if event < *kept {
                    *kept = event;
                }
            })
            .or_insert(event);
    }
    unique.into_values().collect()
}

/// Ordering of a leg's events: SequenceNumber (absent first), status rank, then content.
fn leg_order(a: &&CallEvent, b: &&CallEvent) -> std::cmp::Ordering {
    let key = |e: &CallEvent| {
        (
            e.sequence_number().map_or(-1, i64::from),
            leg_status(e).rank(),
        )
    };
    key(a).cmp(&key(b)).then_with(|| a.cmp(b))
}

fn leg_status(event: &CallEvent) -> &CallStatus {
    match event {
        CallEvent::Voice(e) => &e.status,
        CallEvent::Status(e) => &e.status,
        CallEvent::Recording(_) => unreachable!("recordings are not leg events"),
    }
}

fn fold_leg(events: &[&CallEvent]) -> LegState {
    let mut sorted = events.to_vec();
    sorted.sort_by(leg_order);
    let first = sorted[0];
    // The deciding event: highest rank, then highest sequence number, then content.
    let decisive = sorted
        .iter()
        .copied()
        .max_by(|a, b| {
            (leg_status(a).rank(), a.sequence_number())
                .cmp(&(leg_status(b).rank(), b.sequence_number()))
                .then_with(|| a.cmp(b))
        })
        .expect("a leg has at least one event");
    let status = leg_status(decisive).clone();
    let (from, to, direction) = match first {
        CallEvent::Voice(e) => (e.from.clone(), e.to.clone(), e.direction.clone()),
        CallEvent::Status(e) => (e.from.clone(), e.to.clone(), e.direction.clone()),
        CallEvent::Recording(_) => unreachable!("recordings are not leg events"),
    };
    let duration = match decisive {
        CallEvent::Status(e) if status.is_terminal() => e.call_duration,
        _ => None,
    };
    let status_events = || {
        sorted.iter().rev().filter_map(|e| match e {
            CallEvent::Status(s) => Some(s),
            _ => None,
        })
    };
    let decisive_status = match decisive {
        CallEvent::Status(s) => Some(s),
        _ => None,
    };
    let sip_response_code = decisive_status
        .and_then(|s| s.sip_response_code)
        .or_else(|| status_events().find_map(|s| s.sip_response_code));
    let answered_by = decisive_status
        .and_then(|s| s.answered_by.clone())
        .or_else(|| status_events().find_map(|s| s.answered_by.clone()));
    let started_at = sorted
        .iter()
        .map(|e| e.occurred_at())
        .min()
        .expect("non-empty");
    let ended_at = status.is_terminal().then(|| decisive.occurred_at());
    let answered_at = sorted
        .iter()
        .filter(|e| *leg_status(e) == CallStatus::InProgress)
        .map(|e| e.occurred_at())
        .min()
        .or_else(|| match (ended_at, duration) {
            (Some(end), Some(secs)) if status == CallStatus::Completed && secs > 0 => {
                Some(end - Duration::seconds(i64::from(secs)))
            }
            _ => None,
        });
    let parent_call_sid = first.parent_call_sid().cloned();
    // A child leg's agent is its callee (`<Dial><Client>`); a root leg's is its caller.
    let agent_identity = if parent_call_sid.is_some() {
        to.client_identity().or(from.client_identity())
    } else {
        from.client_identity().or(to.client_identity())
    }
    .cloned();
    LegState {
        call_sid: first.call_sid().clone(),
        parent_call_sid,
        direction,
        from,
        to,
        status,
        sequence_number: sorted.iter().filter_map(|e| e.sequence_number()).max(),
        duration,
        sip_response_code,
        answered_by,
        agent_identity,
        started_at: truncate_to_millis(started_at),
        answered_at: answered_at.map(truncate_to_millis),
        ended_at: ended_at.map(truncate_to_millis),
    }
}

/// Tie-break among terminal recording statuses: keep a completed recording over a
/// contradictory absent/failed report, so its media is still fetched.
fn recording_priority(status: &RecordingStatus) -> (u8, u8) {
    let terminal_order = match status {
        RecordingStatus::Absent => 0,
        RecordingStatus::Failed => 1,
        RecordingStatus::Completed => 2,
        _ => 0,
    };
    (status.rank(), terminal_order)
}

/// Folds the events of one recording (events of other recordings are ignored). `None`
/// when there are none.
pub fn fold_recording(sid: &RecordingSid, events: &[CallEvent]) -> Option<RecordingState> {
    let mine: Vec<&RecordingEvent> =
        dedupe(events.iter().filter(|e| e.recording_sid() == Some(sid)))
            .into_iter()
            .filter_map(|e| match e {
                CallEvent::Recording(r) => Some(r),
                _ => None,
            })
            .collect();
    fold_recording_events(&mine)
}

fn fold_recording_events(events: &[&RecordingEvent]) -> Option<RecordingState> {
    let mut sorted = events.to_vec();
    // Most decisive first.
    sorted.sort_by(|a, b| {
        recording_priority(&b.status)
            .cmp(&recording_priority(&a.status))
            .then_with(|| b.cmp(a))
    });
    let decisive = *sorted.first()?;
    let first_some =
        |pick: &dyn Fn(&RecordingEvent) -> bool| sorted.iter().copied().find(|e| pick(e));
    let source = decisive
        .source
        .clone()
        .or_else(|| first_some(&|e| e.source.is_some()).and_then(|e| e.source.clone()));
    Some(RecordingState {
        recording_sid: decisive.recording_sid.clone(),
        call_sid: sorted
            .iter()
            .map(|e| &e.call_sid)
            .min()
            .expect("non-empty")
            .clone(),
        status: decisive.status.clone(),
        url: decisive
            .url
            .clone()
            .or_else(|| first_some(&|e| e.url.is_some()).and_then(|e| e.url.clone())),
        duration: decisive.duration,
        channels: decisive
            .channels
            .or_else(|| first_some(&|e| e.channels.is_some()).and_then(|e| e.channels)),
        start_time: decisive
            .start_time
            .or_else(|| first_some(&|e| e.start_time.is_some()).and_then(|e| e.start_time))
            .map(truncate_to_millis),
        is_voicemail: source == Some(RecordingSource::RecordVerb),
        source,
        track: decisive
            .track
            .clone()
            .or_else(|| first_some(&|e| e.track.is_some()).and_then(|e| e.track.clone())),
        error_code: decisive.error_code,
    })
}

/// Folds every event of the call rooted at `root` into its state.
///
/// `events` may contain anything: leg events of other calls and recordings naming SIDs
/// that are not legs of this call are ignored. Returns `None` when no leg event of this
/// call is present (a call exists once one of its legs is known).
///
/// Call-level rules:
/// - direction: as set by http-api on a voice request, else inferred from the parties
///   (a browser caller calling a phone is outbound, calling a browser is internal; a phone
///   caller is inbound);
/// - outbound and internal: the status of the child leg (the callee); inbound: `completed`
///   (or `in-progress`) once an agent's leg answered, `no-answer` (missed) if the call ended
///   without one, `ringing` while it waits; if the root ended before a child reported its
///   end, the call counts as ended (`completed` if answered, else `canceled` / `no-answer`);
/// - duration: the answered leg's talk time; a call without child legs takes the root's;
///   otherwise 0;
/// - agent: who placed an outbound/internal call (http-api's attribution, else the
///   `client:` caller), or whose browser answered an inbound call.
pub fn fold_call(root: &CallSid, events: &[CallEvent]) -> Option<CallState> {
    let unique = dedupe(events.iter());
    let mut by_leg: BTreeMap<&CallSid, Vec<&CallEvent>> = BTreeMap::new();
    for event in unique.iter().copied() {
        if event.root_sid() == Some(root) {
            by_leg.entry(event.call_sid()).or_default().push(event);
        }
    }
    if by_leg.is_empty() {
        return None;
    }
    let folded: Vec<(LegState, Vec<&CallEvent>)> = by_leg
        .into_values()
        .map(|leg_events| (fold_leg(&leg_events), leg_events))
        .collect();
    let explicit_direction = folded
        .iter()
        .flat_map(|(_, evs)| evs.iter())
        .find_map(|e| match e {
            CallEvent::Voice(v) => v.call_direction,
            _ => None,
        });
    let explicit_agent = folded
        .iter()
        .flat_map(|(_, evs)| evs.iter())
        .find_map(|e| match e {
            CallEvent::Voice(v) => v.agent_id,
            _ => None,
        });
    let mut legs: Vec<LegState> = folded.into_iter().map(|(leg, _)| leg).collect();
    legs.sort_by(|a, b| {
        (a.call_sid != *root, a.started_at, &a.call_sid).cmp(&(
            b.call_sid != *root,
            b.started_at,
            &b.call_sid,
        ))
    });
    let root_leg = legs.iter().find(|l| l.call_sid == *root);
    let children: Vec<&LegState> = legs.iter().filter(|l| l.call_sid != *root).collect();

    let direction = explicit_direction.unwrap_or_else(|| infer_direction(root_leg, &children));
    let answered_child = children
        .iter()
        .copied()
        .filter(|c| c.answered())
        .min_by(|a, b| {
            (
                a.answered_at.is_none(),
                a.answered_at,
                a.started_at,
                &a.call_sid,
            )
                .cmp(&(
                    b.answered_at.is_none(),
                    b.answered_at,
                    b.started_at,
                    &b.call_sid,
                ))
        });
    let primary_child = answered_child.or_else(|| {
        children
            .iter()
            .copied()
            .max_by(|a, b| (a.started_at, &a.call_sid).cmp(&(b.started_at, &b.call_sid)))
    });
    let root_ended = root_leg.is_some_and(|r| r.status.is_terminal());
    let answered = answered_child.is_some();
    let status = call_status(
        direction,
        root_leg,
        &children,
        primary_child,
        answered,
        root_ended,
    );

    let duration = match answered_child {
        Some(child) => child.duration.unwrap_or(0),
        None if children.is_empty() => root_leg.and_then(|r| r.duration).unwrap_or(0),
        None => 0,
    };
    let (from, to) = call_parties(direction, root_leg, primary_child);
    let agent = match direction {
        CallDirection::Outbound | CallDirection::Internal => {
            explicit_agent.map(AgentRef::Id).or_else(|| {
                root_leg
                    .and_then(|r| r.from.client_identity())
                    .or_else(|| primary_child.and_then(|c| c.from.client_identity()))
                    .cloned()
                    .map(AgentRef::Identity)
            })
        }
        CallDirection::Inbound => answered_child
            .and_then(|c| c.agent_identity.clone())
            .map(AgentRef::Identity),
    };
    let peer = match direction {
        CallDirection::Internal => primary_child
            .and_then(|c| c.to.client_identity())
            .or_else(|| root_leg.and_then(|r| r.to.client_identity()))
            .cloned(),
        _ => None,
    };
    let started_at = legs.iter().map(|l| l.started_at).min().expect("non-empty");
    let ended_at = if status.is_terminal() {
        match root_leg {
            Some(r) if r.status.is_terminal() => r.ended_at,
            _ => legs.iter().filter_map(|l| l.ended_at).max(),
        }
    } else {
        None
    };

    // Recordings: those naming the root or any known leg.
    let sids: BTreeSet<&CallSid> = std::iter::once(root)
        .chain(legs.iter().map(|l| &l.call_sid))
        .collect();
    let mut by_recording: BTreeMap<&RecordingSid, Vec<&RecordingEvent>> = BTreeMap::new();
    for event in unique.iter() {
        if let CallEvent::Recording(r) = event
            && sids.contains(&r.call_sid)
        {
            by_recording.entry(&r.recording_sid).or_default().push(r);
        }
    }
    let mut recordings: Vec<RecordingState> = by_recording
        .values()
        .filter_map(|evs| fold_recording_events(evs))
        .collect();
    recordings.sort_by(|a, b| recording_order(a).cmp(&recording_order(b)));
    let main_recording = recordings
        .iter()
        .filter(|r| r.status == RecordingStatus::Completed)
        .min_by_key(|r| {
            (
                r.is_voicemail,
                r.start_time.is_none(),
                r.start_time,
                &r.recording_sid,
            )
        })
        .map(|r| r.recording_sid.clone());
    let voicemail = recordings.iter().any(|r| r.is_voicemail);

    let answered_at = answered_child.and_then(|c| c.answered_at);
    Some(CallState {
        root_sid: root.clone(),
        direction,
        status,
        from,
        to,
        duration,
        answered,
        voicemail,
        agent,
        peer,
        started_at,
        answered_at,
        ended_at,
        legs,
        recordings,
        main_recording,
    })
}

/// Recordings are listed by start time (unknown last), then SID.
pub(crate) fn recording_order(r: &RecordingState) -> (bool, Option<DateTime<Utc>>, &RecordingSid) {
    (r.start_time.is_none(), r.start_time, &r.recording_sid)
}

fn infer_direction(root: Option<&LegState>, children: &[&LegState]) -> CallDirection {
    match root {
        Some(r) if r.from.is_client() => {
            if r.to.is_client() || children.iter().any(|c| c.to.is_client()) {
                CallDirection::Internal
            } else {
                CallDirection::Outbound
            }
        }
        Some(_) => CallDirection::Inbound,
        None => match children.iter().find(|c| c.to.is_client()) {
            Some(c) if c.from.is_client() => CallDirection::Internal,
            Some(_) => CallDirection::Inbound,
            None => CallDirection::Outbound,
        },
    }
}

fn call_status(
    direction: CallDirection,
    root: Option<&LegState>,
    children: &[&LegState],
    primary_child: Option<&LegState>,
    answered: bool,
    root_ended: bool,
) -> CallStatus {
    match direction {
        CallDirection::Outbound | CallDirection::Internal => match (primary_child, root) {
            (Some(child), _) if child.status.is_terminal() => child.status.clone(),
            // The caller's leg already rings while the callee's is only initiated: the call
            // never shows a status lower than one it showed before.
            (Some(child), Some(r))
                if !root_ended
                    && r.status.rank() <= CallStatus::Ringing.rank()
                    && r.status.rank() > child.status.rank() =>
            {
                r.status.clone()
            }
            (Some(child), _) if !root_ended => child.status.clone(),
            (Some(child), _) if child.answered() => CallStatus::Completed,
            (Some(_), _) => CallStatus::Canceled,
            (None, Some(r)) => r.status.clone(),
            (None, None) => unreachable!("a call has at least one leg"),
        },
        CallDirection::Inbound => {
            if answered {
                let child = primary_child.expect("answered implies a child");
                if child.status.is_terminal() || root_ended {
                    CallStatus::Completed
                } else {
                    child.status.clone()
                }
            } else if root_ended {
                match root.map(|r| &r.status) {
                    Some(s @ (CallStatus::Busy | CallStatus::Failed)) => s.clone(),
                    _ => CallStatus::NoAnswer,
                }
            } else if root.is_none()
                && !children.is_empty()
                && children.iter().all(|c| c.status.is_terminal())
            {
                CallStatus::NoAnswer
            } else {
                match root.map(|r| &r.status) {
                    Some(
                        s @ (CallStatus::Queued | CallStatus::Initiated | CallStatus::Other(_)),
                    ) if children.is_empty() => s.clone(),
                    _ => CallStatus::Ringing,
                }
            }
        }
    }
}

fn call_parties(
    direction: CallDirection,
    root: Option<&LegState>,
    primary_child: Option<&LegState>,
) -> (Party, Party) {
    let pick = |first: Option<&Party>, second: Option<&Party>| {
        first
            .or(second)
            .cloned()
            .unwrap_or_else(|| Party::Other(String::new()))
    };
    match direction {
        // The callee saw our caller ID (the child's From) and was reached at the child's To.
        CallDirection::Outbound => (
            pick(primary_child.map(|c| &c.from), root.map(|r| &r.from)),
            pick(primary_child.map(|c| &c.to), root.map(|r| &r.to)),
        ),
        CallDirection::Inbound => (
            pick(root.map(|r| &r.from), primary_child.map(|c| &c.from)),
            pick(root.map(|r| &r.to), primary_child.map(|c| &c.to)),
        ),
        CallDirection::Internal => (
            pick(root.map(|r| &r.from), primary_child.map(|c| &c.from)),
            pick(primary_child.map(|c| &c.to), root.map(|r| &r.to)),
        ),
    }
}
