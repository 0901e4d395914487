//! Agents as the TwiML routes see them: read through to the store and remembered, so a
//! ringing decision costs no database read on the hot path and an agent can still place or
//! take calls while the database is unreachable (the call matters more than the log).

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use call_store::model::Agent;
use call_store::party::ClientIdentity;
use call_store::{CallStore, StoreError};

/// How long a remembered agent is used without asking the database again. An admin's change
/// on this instance (or, through the cluster signal, on another) drops the entry at once.
pub const FRESH_FOR: Duration = Duration::from_secs(5);

#[derive(Debug, Default)]
struct Entries {
    by_id: HashMap<i64, (Agent, Instant)>,
    id_of: HashMap<String, i64>,
}

/// Remembered agents, by id and by client identity.
#[derive(Debug, Default)]
pub struct AgentDirectory {
    entries: RwLock<Entries>,
}

impl AgentDirectory {
    /// The agent with this client identity (active or not), from memory when fresh, else from
    /// the store; when the store fails, the last copy seen, however old.
    pub async fn by_identity(
        &self,
        store: &dyn CallStore,
        identity: &ClientIdentity,
    ) -> Result<Option<Agent>, StoreError> {
        let remembered = {
            let entries = self.entries.read().expect("agent directory lock poisoned");
            entries
                .id_of
                .get(identity.as_str())
                .and_then(|id| entries.by_id.get(id))
                .cloned()
        };
        if let Some((agent, at)) = &remembered
            && at.elapsed() < FRESH_FOR
        {
            return Ok(Some(agent.clone()));
        }
        match store.get_agent_by_identity(identity).await {
            Ok(found) => {
                if let Some(agent) = &found {
                    self.remember(agent.clone());
                }
                Ok(found)
            }
            Err(e) => stale_or(remembered, e),
        }
    }

    /// The same by id.
    pub async fn by_id(&self, store: &dyn CallStore, id: i64) -> Result<Option<Agent>, StoreError> {
        let remembered = self
            .entries
            .read()
            .expect("agent directory lock poisoned")
            .by_id
            .get(&id)
            .cloned();
        if let Some((agent, at)) = &remembered
            && at.elapsed() < FRESH_FOR
        {
            return Ok(Some(agent.clone()));
        }
        match store.get_agent(id).await {
            Ok(found) => {
                if let Some(agent) = &found {
                    self.remember(agent.clone());
                }
                Ok(found)
            }
            Err(e) => stale_or(remembered, e),
        }
    }

    /// Drops an agent (changed by an administrator).
    pub fn forget(&self, id: i64) {
        let mut entries = self.entries.write().expect("agent directory lock poisoned");
        if let Some((agent, _)) = entries.by_id.remove(&id) {
            entries.id_of.remove(agent.identity.as_str());
        }
    }

    /// Remembers an agent read elsewhere (an authenticated heartbeat).
    pub fn remember(&self, agent: Agent) {
        let mut entries = self.entries.write().expect("agent directory lock poisoned");
        entries
            .id_of
            .insert(agent.identity.as_str().to_owned(), agent.id);
        entries.by_id.insert(agent.id, (agent, Instant::now()));
    }
}

fn stale_or(
    remembered: Option<(Agent, Instant)>,
    error: StoreError,
) -> Result<Option<Agent>, StoreError> {
    match remembered {
        Some((agent, _)) => {
            tracing::warn!(error = %error, agent.id = agent.id, "database unreachable: using the last known copy of the agent");
            Ok(Some(agent))
        }
        None => Err(error),
    }
}
