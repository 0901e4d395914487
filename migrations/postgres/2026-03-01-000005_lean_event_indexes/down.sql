-- Restores the full indexes of 000002.
DROP INDEX call_events_recording_idx;
CREATE INDEX call_events_recording_idx ON call_events (recording_sid);
DROP INDEX call_events_call_sid_idx;
CREATE INDEX call_events_call_sid_idx ON call_events (call_sid);
DROP INDEX call_events_root_idx;
CREATE INDEX call_events_root_idx ON call_events (root_sid);
