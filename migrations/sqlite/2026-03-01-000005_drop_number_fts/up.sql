-- The trigram index of 000004 made every write of a call pay for merging it: on a
-- million calls, event ingest fell from about 3,900 to 140 events/s. "Number contains"
-- now scans the history in order on SQLite (about 35 ms per page at that size).
DROP TRIGGER calls_numbers_delete;
DROP TRIGGER calls_numbers_update;
DROP TRIGGER calls_numbers_insert;
DROP TABLE call_numbers;
