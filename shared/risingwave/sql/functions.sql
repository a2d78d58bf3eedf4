-- RisingWave only. Whether a message is a JSON object: the one test that splits Bronze from
-- the dead letters (docs/data-contract.md §2), named once so bronze.sql and dead_letters.sql
-- stay plain SQL that PostgreSQL runs too. RisingWave has the SQL/JSON `IS JSON OBJECT`
-- predicate; PostgreSQL gains it only in 16, so the local test defines the same function in
-- PL/pgSQL (local/functions_postgres.sql).
CREATE FUNCTION rtde_is_json_object(varchar) RETURNS boolean
LANGUAGE sql
RETURN $1 IS JSON OBJECT;
