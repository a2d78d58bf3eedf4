-- Every message as text, and whether it is a JSON object: the one test that splits Bronze
-- from the dead letters (docs/data-contract.md §2), made once here.
--
-- Materialize has no JSON validity predicate and no non-failing cast (`'…'::jsonb` on a
-- malformed message would put every view built on it in an error state), so the test is a
-- regular expression: a flat JSON object, i.e. `{` members `}` where each member is a JSON
-- string, a colon and a scalar (string, number, true, false, null), with JSON's whitespace.
-- That is exactly JSON's grammar for objects without nested objects or arrays, which is every
-- event of the schema (shared/schemas/taxi_trip.schema.json): an event is never misjudged.
-- An object with a nested value would be judged a dead letter. The pattern is written in the
-- syntax Materialize (Rust regex) and PostgreSQL (ARE) read alike; the local test compares
-- its judgement with Python's JSON parser on every generated message.
--
-- Plain SQL that Materialize and PostgreSQL both run: the local test builds it on a
-- PostgreSQL table shaped like the source (local/run_on_postgres.py).
CREATE VIEW taxi_raw_messages AS
WITH decoded AS (
    SELECT
        kafka_partition,
        kafka_offset,
        convert_from(data, 'utf8') AS message
    FROM taxi_raw_trips
)

SELECT
    kafka_partition,
    kafka_offset,
    message,
    message ~ (
        '^[ \t\n\r]*\{[ \t\n\r]*('
        || '"([^"\\[:cntrl:]]|\\(["\\/bfnrt]|u[0-9a-fA-F]{4}))*"'
        || '[ \t\n\r]*:[ \t\n\r]*'
        || '("([^"\\[:cntrl:]]|\\(["\\/bfnrt]|u[0-9a-fA-F]{4}))*"'
        || '|-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?|true|false|null)'
        || '[ \t\n\r]*(,[ \t\n\r]*'
        || '"([^"\\[:cntrl:]]|\\(["\\/bfnrt]|u[0-9a-fA-F]{4}))*"'
        || '[ \t\n\r]*:[ \t\n\r]*'
        || '("([^"\\[:cntrl:]]|\\(["\\/bfnrt]|u[0-9a-fA-F]{4}))*"'
        || '|-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?|true|false|null)'
        || '[ \t\n\r]*)*)?\}[ \t\n\r]*$'
    ) AS is_json_object
FROM decoded;
