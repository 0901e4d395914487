-- The extension stays: other objects of the database may use it.
DROP INDEX calls_numbers_trgm_idx;
