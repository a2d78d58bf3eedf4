-- The dead letters: every message that is not a JSON object (docs/data-contract.md §2), the
-- exact complement of Bronze's filter (`IS NOT TRUE` also catches an empty message, whose
-- text is null). Materialized, because a Materialize sink reads a materialized view, a table
-- or a source, not a plain view: dlq_sink.sql writes them to the dead-letter topic.
--
-- Plain SQL that Materialize and PostgreSQL both run (see messages.sql).
CREATE MATERIALIZED VIEW dead_letters AS
SELECT
    message,
    kafka_partition AS source_partition,
    kafka_offset AS source_offset
FROM taxi_raw_messages
WHERE is_json_object IS NOT TRUE;
