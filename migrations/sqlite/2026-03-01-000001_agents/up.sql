-- Agents: the people who log in and take calls. `id` is the guide's user_id.
-- Every timestamp in this schema is milliseconds since the Unix epoch (UTC), the same
-- representation on SQLite and PostgreSQL, so one diesel schema serves both.
CREATE TABLE agents (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    identity TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'agent')),
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;
