-- How many messages the source has ingested: the silver stage waits until this equals the
-- number of events the generator sent (all of them are in the topic), which is the source
-- reaching the topic's end, and only then counts Bronze and Silver.
--
-- Plain SQL that Materialize and PostgreSQL both run (see messages.sql).
CREATE MATERIALIZED VIEW taxi_raw_trips_consumed AS
SELECT count(*) AS messages
FROM taxi_raw_trips;
