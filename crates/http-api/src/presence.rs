//! Which agents can take an inbound call right now.
//!
//! An agent is available while its webphone keeps sending heartbeats and is not set to away.
//! A missed heartbeat window (the tab closed, the laptop slept) makes the agent unavailable
//! within seconds, so inbound calls do not ring browsers nobody is watching.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

/// How long a heartbeat keeps an agent available. The webphone beats every 10 s; three
/// missed beats mean it is gone.
pub const HEARTBEAT_TTL: Duration = Duration::from_secs(30);

/// What an agent's webphone reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PresenceState {
    /// Ready to take calls.
    Available,
    /// Connected, but the agent asked not to ring.
    Away,
}

#[derive(Debug, Clone, Copy)]
struct Beat {
    state: PresenceState,
    at: Instant,
}

/// Presence of the agents connected to this instance.
#[derive(Debug, Default)]
pub struct Presence {
    beats: RwLock<HashMap<i64, Beat>>,
}

impl Presence {
    /// Records a heartbeat from an agent's webphone.
    pub fn heartbeat(&self, agent_id: i64, state: PresenceState, now: Instant) {
        self.beats
            .write()
            .expect("presence lock poisoned")
            .insert(agent_id, Beat { state, at: now });
    }

    /// The agent closed its webphone: unavailable at once.
    pub fn leave(&self, agent_id: i64) {
        self.beats
            .write()
            .expect("presence lock poisoned")
            .remove(&agent_id);
    }

    /// Agents available at `now`, in id order (stable ringing order).
    pub fn available(&self, now: Instant) -> Vec<i64> {
        let beats = self.beats.read().expect("presence lock poisoned");
        let mut ids: Vec<i64> = beats
            .iter()
            .filter(|(_, b)| {
                b.state == PresenceState::Available && now.duration_since(b.at) < HEARTBEAT_TTL
            })
            .map(|(id, _)| *id)
            .collect();
        ids.sort_unstable();
        ids
    }

    /// The state of one agent at `now`, `None` when its webphone is not connected.
    pub fn state_of(&self, agent_id: i64, now: Instant) -> Option<PresenceState> {
        let beats = self.beats.read().expect("presence lock poisoned");
        beats
            .get(&agent_id)
            .filter(|b| now.duration_since(b.at) < HEARTBEAT_TTL)
            .map(|b| b.state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heartbeats_expire_and_away_does_not_ring() {
        let p = Presence::default();
        let t0 = Instant::now();
        p.heartbeat(2, PresenceState::Available, t0);
        p.heartbeat(1, PresenceState::Available, t0);
        p.heartbeat(3, PresenceState::Away, t0);
        assert_eq!(p.available(t0), vec![1, 2]);
        assert_eq!(p.state_of(3, t0), Some(PresenceState::Away));
        p.heartbeat(2, PresenceState::Available, t0 + Duration::from_secs(20));
        assert_eq!(p.available(t0 + HEARTBEAT_TTL), vec![2]);
        p.leave(2);
        assert_eq!(p.available(t0 + Duration::from_secs(21)), vec![1]);
        assert_eq!(p.available(t0 + HEARTBEAT_TTL), Vec::<i64>::new());
    }
}
