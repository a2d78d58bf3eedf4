-- Settings of the stack's job (the cluster's own are in shared/compose/flink.yaml).
--
-- dml-sync: the submission returns when the job has FINISHED (the Kafka source is bounded),
-- so the stage ends on the job's end, not on a sleep. No restarts: a failing job must fail the
-- stage at once with its exception, not restart until the stage's timeout as it would with
-- checkpointing's default restart policy.
SET 'table.dml-sync' = 'true';
SET 'restart-strategy.type' = 'none';
SET 'pipeline.name' = 'rtde bronze + silver + dead letters';
