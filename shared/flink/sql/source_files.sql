-- The local stand-in for source_kafka.sql: the same table, read from the generator's JSON
-- lines (`rtde generate --sink jsonl:PATH` writes exactly the Kafka payloads, malformed ones
-- included), so the transforms run unchanged on a machine without a broker. Bounded: the
-- filesystem source reads the file once and the job finishes.
CREATE TEMPORARY TABLE raw_trips (
  `payload` STRING,
  `event_time` AS COALESCE(
    TO_TIMESTAMP(JSON_VALUE(`payload`, '$.tpep_pickup_datetime'), 'yyyy-MM-dd''T''HH:mm:ss'),
    TIMESTAMP '1970-01-01 00:00:00'),
  `proc_time` AS PROCTIME(),
  WATERMARK FOR `event_time` AS `event_time` - INTERVAL '10' SECOND
) WITH (
  'connector' = 'filesystem',
  'path' = '${input_path}',
  'format' = 'raw'
);
