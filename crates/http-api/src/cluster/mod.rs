//! What the instances sharing one database tell each other: a call changed (push it to the
//! browsers connected here), an agent's webphone is available, away or gone (ring it from
//! any instance), an agent was changed by an admin (forget cached copies).
//!
//! Every signal acts on this instance at once, so a single instance (SQLite) needs nothing
//! more and an instance cut off from PostgreSQL still works for its own browsers. With
//! PostgreSQL the signal is also sent with `NOTIFY` and acted on by every other instance
//! (see [`postgres`]).

pub mod postgres;

use std::time::Instant;

use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;

use crate::live::LiveEvent;
use crate::presence::PresenceState;
use crate::state::AppState;

/// A change other instances must know about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Signal {
    /// A call was created or changed.
    Call {
        /// Its root or leg SID.
        sid: String,
    },
    /// An agent's webphone sent a heartbeat (`available` or `away`) or left (`offline`).
    Presence {
        /// The agent.
        agent_id: i64,
        /// `available`, `away` or `offline`.
        state: PresenceWord,
    },
    /// An administrator changed the agent (disabled, role, password): cached copies go.
    AgentChanged {
        /// The agent.
        agent_id: i64,
    },
}

/// An agent's webphone state on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PresenceWord {
    /// Ready to take calls.
    Available,
    /// Connected, not ringing.
    Away,
    /// The webphone closed.
    Offline,
}

impl PresenceWord {
    fn as_str(self) -> &'static str {
        match self {
            PresenceWord::Available => "available",
            PresenceWord::Away => "away",
            PresenceWord::Offline => "offline",
        }
    }
}

/// A signal as sent between instances: who sent it, so the sender skips its own echo.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Envelope {
    pub(crate) from: u64,
    pub(crate) signal: Signal,
}

/// Sends signals to this instance and, with PostgreSQL, to the others.
#[derive(Debug, Clone)]
pub struct Bus {
    instance: u64,
    outgoing: Option<mpsc::UnboundedSender<Signal>>,
}

impl Bus {
    /// A bus for a single instance (SQLite).
    pub fn local() -> Self {
        Self {
            instance: random_id(),
            outgoing: None,
        }
    }

    /// A bus whose signals also go out through PostgreSQL; run the returned [`postgres::Link`]
    /// with [`postgres::start`].
    pub fn shared(database_url: &str) -> (Self, postgres::Link) {
        let (tx, rx) = mpsc::unbounded_channel();
        let instance = random_id();
        let link = postgres::Link::new(database_url, instance, rx);
        (
            Self {
                instance,
                outgoing: Some(tx),
            },
            link,
        )
    }

    /// This instance's id in envelopes.
    pub fn instance(&self) -> u64 {
        self.instance
    }

    /// Acts on `signal` here, then tells the other instances.
    pub async fn publish(&self, state: &AppState, signal: Signal) {
        act(state, &signal).await;
        if let Some(tx) = &self.outgoing {
            // The link task lives as long as the server; a closed channel means stopping.
            let _ = tx.send(signal);
        }
    }
}

fn random_id() -> u64 {
    argon2::password_hash::rand_core::RngCore::next_u64(
        &mut argon2::password_hash::rand_core::OsRng,
    )
}

/// What a signal changes on this instance.
pub(crate) async fn act(state: &AppState, signal: &Signal) {
    match signal {
        Signal::Call { sid } => {
            if let Ok(sid) = call_store::ids::CallSid::parse(sid) {
                push_call(state, &sid).await;
            }
        }
        Signal::Presence {
            agent_id,
            state: word,
        } => {
            let now = Instant::now();
            let before = state.presence.state_of(*agent_id, now);
            let after = match word {
                PresenceWord::Available => Some(PresenceState::Available),
                PresenceWord::Away => Some(PresenceState::Away),
                PresenceWord::Offline => None,
            };
            match after {
                Some(new) => state.presence.heartbeat(*agent_id, new, now),
                None => state.presence.leave(*agent_id),
            }
            if before != after {
                let _ = state.live.send(LiveEvent::Presence {
                    agent_id: *agent_id,
                    state: word.as_str(),
                });
            }
        }
        Signal::AgentChanged { agent_id } => {
            state.agents.forget(*agent_id);
            state.directory.forget(*agent_id);
        }
    }
}

/// Pushes the current state of a call to the browsers connected to this instance.
async fn push_call(state: &AppState, sid: &call_store::ids::CallSid) {
    if state.live.receiver_count() == 0 {
        return;
    }
    match state.store.get_call(sid).await {
        Ok(Some(call)) => {
            // Nobody listening is not an error.
            let _ = state.live.send(LiveEvent::Call(std::sync::Arc::new(call)));
        }
        Ok(None) => {}
        Err(e) => tracing::warn!(error = %e, "could not read a changed call for live updates"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelopes_have_a_stable_wire_form() {
        let envelope = Envelope {
            from: 7,
            signal: Signal::Presence {
                agent_id: 3,
                state: PresenceWord::Away,
            },
        };
        let text = serde_json::to_string(&envelope).unwrap();
        assert_eq!(
            text,
            r#"{"from":7,"signal":{"kind":"presence","agent_id":3,"state":"away"}}"#
        );
        let back: Envelope = serde_json::from_str(&text).unwrap();
        assert_eq!(back.signal, envelope.signal);
        let call = serde_json::to_string(&Signal::Call { sid: "CA1".into() }).unwrap();
        assert_eq!(call, r#"{"kind":"call","sid":"CA1"}"#);
    }
}
