-- Materialize only. The dead letters to the dead-letter topic.
--
-- A Materialize Kafka sink writes a message value as JSON or Avro (a key is required for the
-- upsert envelope), so a dead letter cannot be written back as its raw bytes: each one becomes
-- a JSON object whose `message` field holds the original text unchanged, beside the partition
-- and offset it was read from, keyed by those two. One dead letter is one message; the input
-- only ever grows, so the upsert envelope never writes a retraction. The key is unique by
-- construction (a message has one place in the topic), which Materialize cannot infer through
-- the view: NOT ENFORCED says so.
CREATE SINK taxi_raw_trips_dlq
FROM dead_letters
INTO KAFKA CONNECTION kafka_connection (TOPIC 'taxi.raw_trips.dlq')
KEY (source_partition, source_offset) NOT ENFORCED
FORMAT JSON
ENVELOPE UPSERT;
