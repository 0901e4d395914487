// The store's queries, written once and compiled twice: `include!`d by `db/sqlite.rs` and
// `db/postgres.rs` (this file, then one module per concern below), each of which defines
//   - `Conn`: its connection type, and `Db`: its diesel backend;
//   - `due_job_ids(conn, now, limit)`: selects (and on PostgreSQL locks) claimable jobs;
//   - `live_columns(conn, table)`: the columns of a table in the live database;
//   - `number_match(conn, fragment, page)` and `number_condition(&NumberMatch, top)`: how the
//     "number contains" filter is found (through the distinct numbers or in history
//     order, chosen per query: `db/number_search.rs`) and the condition that finds it.
// diesel-async has no connection type generic over backends, and diesel's generic bounds
// for every query would be longer than the queries; compiling the same text per backend
// keeps one copy of the logic with full type checking on each backend.

use std::collections::{BTreeMap, BTreeSet};

use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::RunQueryDsl;

use crate::db::number_search::Top;
use crate::db::rows::{
    AgentRow, CallRow, CopyRow, EventRow, JobRow, LegRow, NewAgentRow, NewCopyRow,
    NewPlaybackRow, PlaybackRow, RecordingRow, to_ms,
};
use crate::error::{InputError, StoreError, db};
use crate::events::EventKind;
use crate::ids::{CallSid, RecordingSid};
use crate::model::{
    Agent, AgentCredentials, AgentRole, CallContact, CallSummary, DRIVE_SINK,
    JobFilter, JobState, NewAgent, PlaybackEntry, PlaybackVia, RecordingCopy, RecordingJob,
    RecordingView, SchemaDrift, StoredEvent,
};
use crate::party::ClientIdentity;
use crate::query::{CallPage, CallQuery, Cursor, Visibility};
use crate::schema::{
    agents, call_events, call_legs, calls, playback_audit, recording_copies, recording_jobs,
    recordings,
};
use crate::state::recording_order;

mod agent_accounts {
    include!("agent_accounts.rs");
}
mod health {
    include!("health.rs");
}
mod history {
    include!("history.rs");
}
mod job_queue {
    include!("job_queue.rs");
}
mod lookup {
    include!("lookup.rs");
}
mod recording_files {
    include!("recording_files.rs");
}

pub(crate) use self::agent_accounts::*;
pub(crate) use self::health::*;
pub(crate) use self::history::*;
pub(crate) use self::job_queue::*;
pub(crate) use self::lookup::*;
pub(crate) use self::recording_files::*;
