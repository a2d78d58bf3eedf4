-- RisingWave only. The dead letters to the dead-letter topic.
--
-- RisingWave 2.7's Kafka sink encodes a message value only as JSON, Avro or Protobuf (BYTES is
-- accepted for the key alone), so a dead letter cannot be written back as its raw bytes: each
-- one becomes a JSON object whose `message` field holds the original text unchanged, beside
-- the partition and offset it was read from. One dead letter is still one message.
-- The input is append-only (a filter on a source); force_append_only states it.
CREATE SINK taxi_raw_trips_dlq AS
SELECT message, source_partition, source_offset
FROM dead_letters
WITH (
    connector = 'kafka',
    topic = 'taxi.raw_trips.dlq',
    properties.bootstrap.server = :'bootstrap'
)
FORMAT PLAIN ENCODE JSON (force_append_only = 'true');
