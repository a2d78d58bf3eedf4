-- The source of the streaming pipelines: every message of `taxi.raw_trips`, from the earliest
-- offset up to a bound, so the job finishes once it has read what the generator sent and a
-- stage can wait for FINISHED instead of sleeping. ${scan_bounded} is the bound
-- (shared/flink/bin/job-sql.sh): the latest offset at the moment the job starts, or offsets
-- measured by reading the topic, for a broker whose ListOffsets answers a wrong end (tansu).
--
-- The value is read as one raw string, never parsed here: a message that is not JSON must
-- reach the dead-letter topic unchanged, and a `json` format would fail or drop it.
-- `payload` rather than `raw`, a reserved word of Flink SQL.
CREATE TEMPORARY TABLE raw_trips (
  `payload` STRING,
  -- Event time is the pickup; the watermark lets Flink report event-time lag
  -- (currentInputWatermark) for a stream whose records arrive out of pickup order. A rowtime
  -- must not be null: a message without a parseable pickup (a dead letter) gets the epoch,
  -- which never moves the watermark.
  `event_time` AS COALESCE(
    TO_TIMESTAMP(JSON_VALUE(`payload`, '$.tpep_pickup_datetime'), 'yyyy-MM-dd''T''HH:mm:ss'),
    TIMESTAMP '1970-01-01 00:00:00'),
  `proc_time` AS PROCTIME(),
  WATERMARK FOR `event_time` AS `event_time` - INTERVAL '10' SECOND
) WITH (
  'connector' = 'kafka',
  'topic' = 'taxi.raw_trips',
  'properties.bootstrap.servers' = '${bootstrap_servers}',
  'properties.group.id' = 'rtde-flink',
  'scan.startup.mode' = 'earliest-offset',
  ${scan_bounded},
  'format' = 'raw'
);
