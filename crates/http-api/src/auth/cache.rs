//! A short-lived cache of authenticated agents, so a session check costs no database read on
//! the hot path (`/api/twilio/token`, `/api/events`, presence heartbeats).
//!
//! Entries live [`AGENT_CACHE_TTL`]: disabling an agent or changing its password on this
//! instance takes effect at once (the entry is dropped); on another instance within the TTL.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use call_store::model::Agent;

/// How long a cached agent is trusted without asking the database again.
pub const AGENT_CACHE_TTL: Duration = Duration::from_secs(5);
/// Most agents kept; a call centre has far fewer, so this only bounds abuse.
const CAPACITY: usize = 10_000;

#[derive(Debug, Clone)]
struct Entry {
    agent: Agent,
    generation: String,
    fetched: Instant,
}

/// Active agents by id, with their session generation.
#[derive(Debug, Default)]
pub struct AgentCache {
    entries: RwLock<HashMap<i64, Entry>>,
}

impl AgentCache {
    /// The cached active agent and its password generation, if fresh at `now`.
    pub fn get(&self, agent_id: i64, now: Instant) -> Option<(Agent, String)> {
        let entries = self.entries.read().expect("agent cache lock poisoned");
        entries
            .get(&agent_id)
            .filter(|e| now.duration_since(e.fetched) < AGENT_CACHE_TTL)
            .map(|e| (e.agent.clone(), e.generation.clone()))
    }

    /// Remembers an active agent read from the database at `now`.
    pub fn put(&self, agent: Agent, generation: String, now: Instant) {
        let mut entries = self.entries.write().expect("agent cache lock poisoned");
        if entries.len() >= CAPACITY {
            entries.retain(|_, e| now.duration_since(e.fetched) < AGENT_CACHE_TTL);
        }
        entries.insert(
            agent.id,
            Entry {
                agent,
                generation,
                fetched: now,
            },
        );
    }

    /// Forgets an agent (disabled, password or role changed).
    pub fn forget(&self, agent_id: i64) {
        self.entries
            .write()
            .expect("agent cache lock poisoned")
            .remove(&agent_id);
    }
}
