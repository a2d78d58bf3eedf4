-- The stack's dead-letter sink, whatever the storage: the Kafka topic `taxi.raw_trips.dlq`,
-- which the dead_letters stage counts with `rtde topics count`.
--
-- At-least-once: exactly-once would write through Kafka transactions, whose commit markers
-- take offsets and would inflate the dead-letter count `rtde topics count` reads. A job that
-- finishes without a failure writes each dead letter once either way.
CREATE TEMPORARY TABLE dead_letters (
  `payload` STRING
) WITH (
  'connector' = 'kafka',
  'topic' = 'taxi.raw_trips.dlq',
  'properties.bootstrap.servers' = '${bootstrap_servers}',
  'format' = 'raw',
  'sink.delivery-guarantee' = 'at-least-once'
);
