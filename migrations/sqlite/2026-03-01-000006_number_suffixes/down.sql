DROP TRIGGER calls_numbers_delete;
DROP TRIGGER calls_numbers_update;
DROP TRIGGER calls_numbers_insert;
DROP TRIGGER phone_numbers_suffixes;
DROP TABLE call_numbers_pending;
DROP TABLE call_numbers;
DROP TABLE phone_number_suffixes;
DROP TABLE phone_numbers;
