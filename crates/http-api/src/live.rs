//! Live updates pushed to connected browsers (server-sent events).

use std::sync::Arc;

use call_store::model::{AgentRole, CallSummary};
use call_store::status::CallDirection;

/// Something a connected browser may want to see at once.
#[derive(Debug, Clone)]
pub enum LiveEvent {
    /// A call was created or changed.
    Call(Arc<CallSummary>),
    /// An agent's availability changed.
    Presence {
        /// The agent.
        agent_id: i64,
        /// `available`, `away` or `offline`.
        state: &'static str,
    },
    /// Demo mode: a simulated call rings this agent's webphone (only that agent is told).
    DemoIncoming {
        /// The agent whose webphone rings.
        agent_id: i64,
        /// The ringing leg: what the webphone answers, rejects or hangs up.
        call_sid: String,
        /// Who calls (the leg's `From`).
        from: String,
    },
}

/// Whether an agent may see a call: admins see all; agents see the calls they took part in
/// and inbound calls nobody answered (so any of them can call back).
pub fn visible_to(call: &CallSummary, agent_id: i64, role: AgentRole) -> bool {
    role == AgentRole::Admin
        || call.user_id == Some(agent_id)
        || call.peer_agent_id == Some(agent_id)
        || (call.direction == CallDirection::Inbound && !call.answered)
}
