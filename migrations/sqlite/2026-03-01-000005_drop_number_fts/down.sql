-- Restores the trigram index of 000004 as it was.
CREATE VIRTUAL TABLE call_numbers USING fts5(
    from_number,
    to_number,
    content = 'calls',
    content_rowid = 'id',
    tokenize = 'trigram'
);
-- Index the calls that exist already, then merge the result into one segment so the
-- first writes after the migration do not pay for merging it.
INSERT INTO call_numbers (call_numbers) VALUES ('rebuild');
INSERT INTO call_numbers (call_numbers) VALUES ('optimize');

CREATE TRIGGER calls_numbers_insert AFTER INSERT ON calls BEGIN
    INSERT INTO call_numbers (rowid, from_number, to_number)
    VALUES (new.id, new.from_number, new.to_number);
END;

-- Calls are rewritten on every event; only a change of number touches the index.
CREATE TRIGGER calls_numbers_update AFTER UPDATE OF from_number, to_number ON calls
WHEN old.from_number IS NOT new.from_number OR old.to_number IS NOT new.to_number BEGIN
    INSERT INTO call_numbers (call_numbers, rowid, from_number, to_number)
    VALUES ('delete', old.id, old.from_number, old.to_number);
    INSERT INTO call_numbers (rowid, from_number, to_number)
    VALUES (new.id, new.from_number, new.to_number);
END;

CREATE TRIGGER calls_numbers_delete AFTER DELETE ON calls BEGIN
    INSERT INTO call_numbers (call_numbers, rowid, from_number, to_number)
    VALUES ('delete', old.id, old.from_number, old.to_number);
END;
