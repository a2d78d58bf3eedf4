-- Materialize only. The raw topic as a source, read from its first offset (Materialize's
-- default for a new source).
--
-- FORMAT BYTES hands over every message undecoded, as one bytea column `data`: a message that
-- is not JSON must reach the dead letters unchanged, and FORMAT JSON would instead put the
-- whole source in an error state at the first one. The partition and offset come along so
-- that Bronze can say where each record came from and Silver keeps the first copy it saw.
CREATE SOURCE taxi_raw_trips
FROM KAFKA CONNECTION kafka_connection (TOPIC 'taxi.raw_trips')
FORMAT BYTES
INCLUDE PARTITION AS kafka_partition, OFFSET AS kafka_offset
ENVELOPE NONE;
