DROP TRIGGER calls_numbers_delete;
DROP TRIGGER calls_numbers_update;
DROP TRIGGER calls_numbers_insert;
DROP TABLE call_numbers;
