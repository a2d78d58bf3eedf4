-- PostgreSQL 15's stand-in for sql/functions.sql (RisingWave's `$1 IS JSON OBJECT`, which
-- PostgreSQL gains only in 16): true for text that parses as a JSON object, false for any
-- other text, null for null. The local test defines it before running the shared transforms.
CREATE FUNCTION rtde_is_json_object(message text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE
AS $$
BEGIN
    RETURN jsonb_typeof(message::jsonb) = 'object';
EXCEPTION WHEN invalid_text_representation THEN
    RETURN false;
END
$$;
