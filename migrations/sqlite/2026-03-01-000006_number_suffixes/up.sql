-- "Number contains" without scanning the history and without the write cost of 000004's
-- full-text index: numbers are far fewer than calls (a customer calls many times; our own
-- numbers and agents are in every call), so the substring search runs on the distinct
-- numbers, then fetches their calls newest first. Maintained by triggers, so every write
-- of calls (the event path, bulk imports, the backfill below) keeps it exact; an event
-- that changes neither the numbers nor the start of its call costs nothing more. How it
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

CREATE TRIGGER calls_numbers_insert AFTER INSERT ON calls BEGIN
    INSERT INTO phone_numbers (number)
    SELECT v.number FROM (SELECT new.from_number AS number UNION SELECT new.to_number) AS v
    WHERE NOT EXISTS (SELECT 1 FROM phone_numbers AS p WHERE p.number = v.number);
    INSERT INTO call_numbers (number_id, started_at, call_id)
    SELECT n.id, new.started_at, new.id FROM phone_numbers AS n
    WHERE n.number IN (new.from_number, new.to_number)
        AND NOT EXISTS (SELECT 1 FROM call_numbers
                        WHERE number_id = n.id AND started_at = new.started_at AND call_id = new.id);
END;

-- Calls are rewritten on every event; only a change of number or start touches the index.
CREATE TRIGGER calls_numbers_update AFTER UPDATE OF from_number, to_number, started_at ON calls
WHEN old.from_number IS NOT new.from_number OR old.to_number IS NOT new.to_number
    OR old.started_at IS NOT new.started_at BEGIN
    DELETE FROM call_numbers WHERE call_id = old.id AND started_at = old.started_at
        AND number_id IN (SELECT id FROM phone_numbers WHERE number IN (old.from_number, old.to_number));
    INSERT INTO phone_numbers (number)
    SELECT v.number FROM (SELECT new.from_number AS number UNION SELECT new.to_number) AS v
    WHERE NOT EXISTS (SELECT 1 FROM phone_numbers AS p WHERE p.number = v.number);
    INSERT INTO call_numbers (number_id, started_at, call_id)
    SELECT n.id, new.started_at, new.id FROM phone_numbers AS n
    WHERE n.number IN (new.from_number, new.to_number)
        AND NOT EXISTS (SELECT 1 FROM call_numbers
                        WHERE number_id = n.id AND started_at = new.started_at AND call_id = new.id);
END;

CREATE TRIGGER calls_numbers_delete AFTER DELETE ON calls BEGIN
    DELETE FROM call_numbers WHERE call_id = old.id AND started_at = old.started_at
        AND number_id IN (SELECT id FROM phone_numbers WHERE number IN (old.from_number, old.to_number));
END;
