-- Settings of the stack's job (the cluster's own are in shared/compose/flink.yaml).
--
-- Submitted detached (dml-sync off): the SQL client prints the job's `Job ID:` and returns,
-- and the stage's `flink_job` probe watches the job through the JobManager's REST API until
-- it has FINISHED (the Kafka source is bounded), under the stage's deadline, so the stage ends
-- on the job's end, not on a sleep or on a client that may die with the job still running. No
-- restarts: a failing job must be FAILED at once, its exception in the stage log, not restart
-- until the deadline as it would with checkpointing's default restart policy.
SET 'table.dml-sync' = 'false';
SET 'restart-strategy.type' = 'none';
SET 'pipeline.name' = 'rtde bronze + silver + dead letters';
