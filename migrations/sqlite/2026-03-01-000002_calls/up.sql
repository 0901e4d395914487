-- Every validated Twilio event, as received. The calls and call_legs tables below are
-- derived from these rows and can be rebuilt from them.
CREATE TABLE call_events (
    id INTEGER PRIMARY KEY,
    -- What the event means (kind, leg, sequence number, status): retries collide here.
    dedupe_key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL CHECK (kind IN ('voice', 'status', 'recording')),
    call_sid TEXT NOT NULL,
    parent_call_sid TEXT,
    -- The call a leg event belongs to (ParentCallSid, else CallSid); NULL for recordings.
    root_sid TEXT,
    recording_sid TEXT,
    sequence_number INTEGER,
    status TEXT NOT NULL,
    occurred_at INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    idempotency_token TEXT,
    -- The parsed event as JSON: the input of the fold.
    payload TEXT NOT NULL,
    CHECK ((kind = 'recording') = (recording_sid IS NOT NULL)),
    CHECK ((kind = 'recording') = (root_sid IS NULL))
) STRICT;
CREATE INDEX call_events_root_idx ON call_events (root_sid);
CREATE INDEX call_events_call_sid_idx ON call_events (call_sid);
CREATE INDEX call_events_recording_idx ON call_events (recording_sid);

-- One row per call as agents see it (a root leg and its children): the guide's call_logs.
CREATE TABLE calls (
    id INTEGER PRIMARY KEY,
    root_sid TEXT NOT NULL UNIQUE,
    direction TEXT NOT NULL CHECK (direction IN ('outbound', 'inbound', 'internal')),
    status TEXT NOT NULL,
    from_number TEXT NOT NULL,
    to_number TEXT NOT NULL,
    duration INTEGER NOT NULL,
    answered INTEGER NOT NULL CHECK (answered IN (0, 1)),
    voicemail INTEGER NOT NULL CHECK (voicemail IN (0, 1)),
    has_recording INTEGER NOT NULL CHECK (has_recording IN (0, 1)),
    recording_sid TEXT,
    recording_url TEXT,
    agent_id INTEGER REFERENCES agents (id) ON DELETE SET NULL,
    agent_identity TEXT,
    peer_agent_id INTEGER REFERENCES agents (id) ON DELETE SET NULL,
    peer_identity TEXT,
    started_at INTEGER NOT NULL,
    answered_at INTEGER,
    ended_at INTEGER,
    contact_wa_id TEXT,
    contact_name TEXT,
    channel_id INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
-- The history is read newest first with keyset pagination on (started_at, id); each
-- common filter has an index that ends in the same keys so a page is an index range scan.
CREATE INDEX calls_started_idx ON calls (started_at, id);
CREATE INDEX calls_direction_idx ON calls (direction, started_at, id);
CREATE INDEX calls_status_idx ON calls (status, started_at, id);
CREATE INDEX calls_agent_idx ON calls (agent_id, started_at, id);
CREATE INDEX calls_peer_idx ON calls (peer_agent_id, started_at, id) WHERE peer_agent_id IS NOT NULL;
CREATE INDEX calls_recording_idx ON calls (has_recording, started_at, id);
-- Visibility of non-admin agents includes every unanswered inbound call.
CREATE INDEX calls_missed_idx ON calls (started_at, id) WHERE direction = 'inbound' AND answered = 0;

CREATE TABLE call_legs (
    id INTEGER PRIMARY KEY,
    call_id INTEGER NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
    call_sid TEXT NOT NULL UNIQUE,
    parent_call_sid TEXT,
    direction TEXT NOT NULL,
    from_party TEXT NOT NULL,
    to_party TEXT NOT NULL,
    agent_identity TEXT,
    status TEXT NOT NULL,
    sequence_number INTEGER,
    duration INTEGER,
    sip_response_code INTEGER,
    answered_by TEXT,
    started_at INTEGER NOT NULL,
    answered_at INTEGER,
    ended_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX call_legs_call_idx ON call_legs (call_id);
