-- Substring search on phone numbers ("contains 4321") without scanning every call: a
-- trigram index. pg_trgm ships with PostgreSQL and is a trusted extension, so the
-- database owner may create it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX calls_numbers_trgm_idx ON calls USING gin ((from_number || ' ' || to_number) gin_trgm_ops);
