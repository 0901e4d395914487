-- Recordings as Twilio reported them. call_sid is the leg Twilio named; call_id links the
-- recording to its call once a leg with that SID is known (NULL while it waits).
CREATE TABLE recordings (
    id INTEGER PRIMARY KEY,
    recording_sid TEXT NOT NULL UNIQUE,
    call_sid TEXT NOT NULL,
    call_id INTEGER REFERENCES calls (id) ON DELETE SET NULL,
    status TEXT NOT NULL,
    url TEXT,
    duration INTEGER,
    channels INTEGER,
    source TEXT,
    track TEXT,
    start_time INTEGER,
    error_code INTEGER,
    is_voicemail INTEGER NOT NULL CHECK (is_voicemail IN (0, 1)),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX recordings_call_sid_idx ON recordings (call_sid);
CREATE INDEX recordings_call_id_idx ON recordings (call_id);

-- Where each recording has been stored: at most one copy per sink.
CREATE TABLE recording_copies (
    id INTEGER PRIMARY KEY,
    recording_sid TEXT NOT NULL REFERENCES recordings (recording_sid) ON DELETE CASCADE,
    sink TEXT NOT NULL,
    location TEXT NOT NULL,
    stored_at INTEGER NOT NULL,
    UNIQUE (recording_sid, sink)
) STRICT;

-- The recording pipeline's durable queue: one job per recording.
CREATE TABLE recording_jobs (
    id INTEGER PRIMARY KEY,
    recording_sid TEXT NOT NULL UNIQUE REFERENCES recordings (recording_sid) ON DELETE CASCADE,
    state TEXT NOT NULL CHECK (state IN ('pending', 'running', 'done', 'dead')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_run_at INTEGER NOT NULL,
    locked_by TEXT,
    locked_until INTEGER,
    last_error TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CHECK ((state = 'running') = (locked_by IS NOT NULL AND locked_until IS NOT NULL))
) STRICT;
CREATE INDEX recording_jobs_due_idx ON recording_jobs (state, next_run_at);
CREATE INDEX recording_jobs_lease_idx ON recording_jobs (state, locked_until);

-- Who listened to which recording, and how.
CREATE TABLE playback_audit (
    id INTEGER PRIMARY KEY,
    recording_sid TEXT NOT NULL REFERENCES recordings (recording_sid) ON DELETE CASCADE,
    agent_id INTEGER REFERENCES agents (id) ON DELETE SET NULL,
    via TEXT NOT NULL CHECK (via IN ('session', 'signed_link')),
    at INTEGER NOT NULL
) STRICT;
CREATE INDEX playback_audit_recording_idx ON playback_audit (recording_sid, at);
