-- Materialize only. The broker, once, for the source and the dead-letter sink.
--
-- :'bootstrap' is filled in by mz.py (psql's variable syntax, so `psql -v` works by hand too).
CREATE CONNECTION kafka_connection TO KAFKA (
    BROKER :'bootstrap',
    SECURITY PROTOCOL = 'PLAINTEXT'
);
