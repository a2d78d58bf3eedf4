-- A streaming job under a sustained load (run-job.sh MODE streaming), after
-- settings_stack.sql: the submission returns once the job runs (it never finishes; the
-- manifest's stop cancels it), and a checkpoint every 2 s commits the file sinks' part files,
-- which is when their rows become visible.
SET 'table.dml-sync' = 'false';
SET 'execution.checkpointing.interval' = '2s';
