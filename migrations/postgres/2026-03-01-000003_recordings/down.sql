DROP TABLE playback_audit;
DROP TABLE recording_jobs;
DROP TABLE recording_copies;
DROP TABLE recordings;
