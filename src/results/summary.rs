//! A pipeline's results row from its runs (placeholder until the statistics module lands:
//! the last counted run's figures).

use crate::results::table::ResultRow;
use crate::run::record::RunRecord;

pub fn row_from_runs(records: &[RunRecord], run_dirs: &[String]) -> ResultRow {
    let counted: Vec<(&RunRecord, &String)> = records
        .iter()
        .zip(run_dirs)
        .filter(|(r, _)| !r.warmup)
        .collect();
    let Some((last, dir)) = counted.last() else {
        return ResultRow::default();
    };
    let category = |name: &str| -> Option<f64> {
        let stages: Vec<f64> = last
            .stages
            .iter()
            .filter(|s| s.category == name)
            .map(|s| s.duration_s)
            .collect();
        (!stages.is_empty()).then(|| stages.iter().sum())
    };
    let metric = |name: &str| last.metrics.get(name).map(|v| *v as u64);
    ResultRow {
        pipeline_id: last.pipeline.id.clone(),
        pipeline_name: last.pipeline.name.clone(),
        ingestion: last
            .pipeline
            .stack
            .get("ingestion")
            .cloned()
            .unwrap_or_default(),
        processor: last
            .pipeline
            .stack
            .get("processor")
            .cloned()
            .unwrap_or_default(),
        storage: last
            .pipeline
            .stack
            .get("storage")
            .cloned()
            .unwrap_or_default(),
        startup_s: Some(last.startup_s + category("startup").unwrap_or(0.0)),
        ingestion_s: category("ingestion"),
        processing_s: category("processing"),
        dbt_build_s: category("transform"),
        e2e_total_s: Some(last.e2e_s),
        events: last.variables.get("events").and_then(|e| e.parse().ok()),
        silver_rows: metric("silver_rows"),
        containers: Some(last.containers.iter().filter(|c| !c.one_off).count() as u64),
        dbt_tests: metric("dbt_total"),
        dbt_pass: metric("dbt_pass"),
        validation_status: last.status.label().into(),
        runs: Some(counted.len() as u32),
        prepare_s: Some(last.prepare_s),
        harness_overhead_s: Some(last.harness_overhead_s),
        checks_passed: Some(last.checks.iter().filter(|c| c.passed).count() as u32),
        checks_total: Some(last.checks.len() as u32),
        tier: last.pipeline.tier.clone(),
        run_id: last.run_id.clone(),
        run_dir: dir.to_string(),
        recorded_at: last.finished_at.to_rfc3339(),
        ..Default::default()
    }
}
