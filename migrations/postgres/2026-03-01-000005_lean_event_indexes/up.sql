-- Every event wrote an entry into all three lookup indexes of call_events, although leg
-- events are only looked up by root_sid and recording events only by call_sid and
-- recording_sid. Partial indexes skip the rows nobody looks up: two index entries fewer
-- per leg event, one per recording event, on the hottest table of the ingest path.
-- Queries state the predicates (`recording_sid IS NOT NULL`; `root_sid = $1` implies its
-- own), so the planner can use them.
DROP INDEX call_events_root_idx;
CREATE INDEX call_events_root_idx ON call_events (root_sid) WHERE root_sid IS NOT NULL;
DROP INDEX call_events_call_sid_idx;
CREATE INDEX call_events_call_sid_idx ON call_events (call_sid) WHERE recording_sid IS NOT NULL;
DROP INDEX call_events_recording_idx;
CREATE INDEX call_events_recording_idx ON call_events (recording_sid) WHERE recording_sid IS NOT NULL;
