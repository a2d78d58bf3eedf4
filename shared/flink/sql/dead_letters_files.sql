-- The local test's dead-letter sink: JSON lines under ${output_path}/dead_letters, compared
-- with the input's malformed lines (the stack writes them to Kafka: dead_letters_kafka.sql).
CREATE TEMPORARY TABLE dead_letters (
  `payload` STRING
) WITH (
  'connector' = 'filesystem',
  'path' = '${output_path}/dead_letters',
  'format' = 'json'
);
