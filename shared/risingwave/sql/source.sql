-- RisingWave only. The raw topic as a source, read from its first offset.
--
-- ENCODE BYTES hands over every message undecoded, as one bytea column: a message that is not
-- JSON must reach the dead-letter view unchanged, and ENCODE JSON would instead drop it (or
-- turn it into a row of nulls) before any SQL could see it. The partition and offset come
-- along so that Bronze can say where each record came from and Silver's deduplication keeps
-- the first copy it saw.
--
-- :'bootstrap' is filled in by rw.py (psql's variable syntax, so `psql -v` works by hand too).
CREATE SOURCE taxi_raw_trips (payload bytea)
INCLUDE partition AS kafka_partition
INCLUDE offset AS kafka_offset
WITH (
    connector = 'kafka',
    topic = 'taxi.raw_trips',
    properties.bootstrap.server = :'bootstrap',
    scan.startup.mode = 'earliest'
)
FORMAT PLAIN ENCODE BYTES;
