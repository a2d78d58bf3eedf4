-- Settings of the local run (the stack sets its own in shared/compose/flink.yaml). The file
-- sinks commit their part files on checkpoints and at the end of input; a failed job must
-- fail the run, not restart forever as it would with checkpointing's default restart policy.
SET 'execution.checkpointing.interval' = '1s';
SET 'restart-strategy.type' = 'none';
SET 'parallelism.default' = '2';
SET 'pipeline.name' = 'rtde bronze + silver + dead letters (local)';
