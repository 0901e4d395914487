-- "Number contains" without scanning the history and without the write cost of 000004's
-- full-text index: numbers are far fewer than calls (a customer calls many times; our own
-- numbers and agents are in every call), so the substring search runs on the distinct
-- numbers, then fetches their calls newest first. Triggers note every write of calls that
-- changes a call's numbers or start (the event path, bulk imports); the store's writer
-- brings the index up to date from those notes before each commit (see
-- `call_numbers_pending` below). An event that changes neither costs nothing more. How it
-- is queried: crates/call-store/src/db/number_search.rs and sqlite_numbers.rs. These
-- tables are an index, not part of the diesel schema.

-- Every number (or client, SIP address, caller-ID label) that a call has had, once.
CREATE TABLE phone_numbers (
    id INTEGER PRIMARY KEY,
    number TEXT NOT NULL UNIQUE
) STRICT;

-- Each suffix of each number, lowercased and cut to 32 characters (the longest fragment
-- a query accepts): a number contains a fragment exactly when one of its suffixes starts
-- with it, as LIKE '%fragment%' (ASCII case-insensitive) decides. One range scan finds
-- every number containing a fragment.
CREATE TABLE phone_number_suffixes (
    suffix TEXT NOT NULL,
    number_id INTEGER NOT NULL,
    PRIMARY KEY (suffix, number_id)
) STRICT, WITHOUT ROWID;

-- Which calls have which number (as from_number or to_number), in history order.
CREATE TABLE call_numbers (
    number_id INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    call_id INTEGER NOT NULL,
    PRIMARY KEY (number_id, started_at, call_id)
) STRICT, WITHOUT ROWID;

-- Trigger bodies avoid conflicts instead of ignoring them: a statement that fires a
-- trigger imposes its own conflict policy on the trigger's statements, so INSERT OR IGNORE
-- in a trigger fired by the event path's upsert would fail instead of ignoring.

-- The suffixes of a new number. Triggers cannot use WITH, so the positions 0..length-1
-- come from json_each over a JSON array of that many zeros ('0,0,0' from zeroblob's hex).
CREATE TRIGGER phone_numbers_suffixes AFTER INSERT ON phone_numbers BEGIN
    INSERT INTO phone_number_suffixes (suffix, number_id)
    SELECT DISTINCT lower(substr(new.number, p.key + 1, 32)), new.id
    FROM json_each('[' || substr(replace(hex(zeroblob(length(new.number))), '00', ',0'), 2) || ']') AS p;
END;

INSERT INTO phone_numbers (number)
SELECT from_number FROM calls UNION SELECT to_number FROM calls;
INSERT INTO call_numbers (number_id, started_at, call_id)
SELECT DISTINCT n.id, c.started_at, c.id FROM calls AS c
JOIN phone_numbers AS n ON n.number IN (c.from_number, c.to_number);

-- Calls whose index entries are out of date, with the values their entries were made
-- from. The triggers on calls only note the call here: a trigger is compiled into every
-- statement that may fire it, and diesel prepares each upsert of a call afresh, so the
-- index work itself (numbers, their suffixes, the call's entries) runs once per write
-- transaction, set-based, just before it commits (`db/sqlite_numbers.rs`, `DRAIN`).
-- Readers never see a noted call: the note and its processing commit together. A search
-- that finds notes (written outside the store) reads the history in order instead.
CREATE TABLE call_numbers_pending (
    call_id INTEGER NOT NULL,
    old_started_at INTEGER,
    old_from TEXT,
    old_to TEXT
) STRICT;

CREATE TRIGGER calls_numbers_insert AFTER INSERT ON calls BEGIN
    INSERT INTO call_numbers_pending (call_id) VALUES (new.id);
END;

-- Calls are rewritten on every event; only a change of number or start touches the index.
CREATE TRIGGER calls_numbers_update AFTER UPDATE OF from_number, to_number, started_at ON calls
WHEN old.from_number IS NOT new.from_number OR old.to_number IS NOT new.to_number
    OR old.started_at IS NOT new.started_at BEGIN
    INSERT INTO call_numbers_pending (call_id, old_started_at, old_from, old_to)
    VALUES (old.id, old.started_at, old.from_number, old.to_number);
END;

CREATE TRIGGER calls_numbers_delete AFTER DELETE ON calls BEGIN
    DELETE FROM call_numbers WHERE call_id = old.id AND started_at = old.started_at
        AND number_id IN (SELECT id FROM phone_numbers WHERE number IN (old.from_number, old.to_number));
END;
