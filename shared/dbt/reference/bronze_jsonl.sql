-- Reference Bronze from the generator's JSON lines sink (DuckDB SQL).
--
-- Each line is one message. A line that parses as a JSON object is Bronze, as received; any
-- other non-empty line (the generator's *malformed* category) is a dead letter, kept unchanged
-- with its line number (docs/data-contract.md §2). DuckDB's read_json(ignore_errors) would drop
-- bad lines without counting them, so the file is read as raw text lines and each line is
-- validated here: the dead-letter count must equal the oracle's `dead_letters`.
--
-- Parameters (DuckDB variables, set with `SET VARIABLE name = value` before this file runs):
--   bronze_path  a JSON lines file written by `rtde generate --sink jsonl:PATH`

create or replace temporary table raw_lines as
select
    row_number() over () as line_number,
    line
from read_csv(
    getvariable('bronze_path'),
    columns = {'line': 'VARCHAR'},
    header = false,
    -- A separator, quote and escape that never occur in the generator's JSON, so every
    -- physical line arrives whole as one column, whatever it contains.
    delim = chr(31),
    quote = '',
    escape = '',
    auto_detect = false,
    strict_mode = false
)
where line is not null and trim(line) <> '';

create or replace temporary table classified_lines as
select
    line_number,
    line,
    -- json_type raises on invalid JSON, and AND does not promise to short-circuit: CASE does.
    case when json_valid(line) then json_type(line) = 'OBJECT' else false end as is_object
from raw_lines;

create or replace table dead_letters as
select line_number, line as message
from classified_lines
where not is_object;

-- Values keep their JSON meaning: numbers become the contract's Parquet types, timestamps stay
-- the strings that were sent (Silver parses them), and a JSON null stays null.
create or replace table bronze as
with objects as (
    -- The cast sits behind the CASE so that no plan can parse a dead letter as JSON.
    select case when is_object then line::json end as j
    from classified_lines
    where is_object
)

select
    j ->> 'trip_id' as trip_id,
    try_cast(j ->> 'VendorID' as integer) as "VendorID",
    j ->> 'tpep_pickup_datetime' as tpep_pickup_datetime,
    j ->> 'tpep_dropoff_datetime' as tpep_dropoff_datetime,
    try_cast(j ->> 'passenger_count' as bigint) as passenger_count,
    try_cast(j ->> 'trip_distance' as double) as trip_distance,
    try_cast(j ->> 'RatecodeID' as bigint) as "RatecodeID",
    j ->> 'store_and_fwd_flag' as store_and_fwd_flag,
    try_cast(j ->> 'PULocationID' as integer) as "PULocationID",
    try_cast(j ->> 'DOLocationID' as integer) as "DOLocationID",
    try_cast(j ->> 'payment_type' as bigint) as payment_type,
    try_cast(j ->> 'fare_amount' as double) as fare_amount,
    try_cast(j ->> 'extra' as double) as extra,
    try_cast(j ->> 'mta_tax' as double) as mta_tax,
    try_cast(j ->> 'tip_amount' as double) as tip_amount,
    try_cast(j ->> 'tolls_amount' as double) as tolls_amount,
    try_cast(j ->> 'improvement_surcharge' as double) as improvement_surcharge,
    try_cast(j ->> 'total_amount' as double) as total_amount,
    try_cast(j ->> 'congestion_surcharge' as double) as congestion_surcharge,
    try_cast(j ->> 'Airport_fee' as double) as "Airport_fee",
    try_cast(j ->> 'cbd_congestion_fee' as double) as cbd_congestion_fee
from objects;
