-- The dead letters: every message that is not a JSON object (docs/data-contract.md §2), the
-- exact complement of bronze.sql's filter (`IS NOT TRUE` also catches an empty message, whose
-- payload is null). dlq_sink.sql writes them to the dead-letter topic.
--
-- Plain SQL that RisingWave and PostgreSQL both run (see bronze.sql).
CREATE VIEW dead_letters AS
SELECT
    convert_from(payload, 'UTF8') AS message,
    kafka_partition AS source_partition,
    kafka_offset AS source_offset
FROM taxi_raw_trips
WHERE rtde_is_json_object(convert_from(payload, 'UTF8')) IS NOT TRUE;
