-- The dead letters: every message that is not a JSON object, unchanged (docs/data-contract.md
-- §2). `IS JSON OBJECT` is false for null too, so an empty message is a dead letter as well.
INSERT INTO dead_letters
SELECT `payload`
FROM raw_trips
WHERE NOT (`payload` IS JSON OBJECT);
