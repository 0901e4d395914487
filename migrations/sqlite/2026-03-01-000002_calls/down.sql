DROP TABLE call_legs;
DROP TABLE calls;
DROP TABLE call_events;
