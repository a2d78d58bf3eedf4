//! Reports of results: the comparison report with its SVG charts, regressions against a
//! baseline, BENCHMARK_RESULTS.md and the measured section of docs/streaming-data-paths.md.
//!
//! Rendering only: `results::comparison` loads, [`chart`] and [`markdown`] turn the loaded
//! figures into strings, and `commands::compare` and `commands::report` decide which files
//! get written.

pub mod chart;
pub mod cross;
pub mod freshness;
pub mod markdown;
pub mod overhead;
pub mod paths_md;
pub mod regression;
pub mod results_md;

use std::collections::BTreeMap;

use anyhow::Result;

use crate::results::comparison::{self, Comparison, E2E, PipelineResult, STAGE_METRICS};
use chart::{MemorySeries, ScatterPoint, StageBand, StageBar};
use markdown::{ChartFile, Charts};

const MIB: f64 = 1024.0 * 1024.0;

/// Below this, the unexplained part of a bar (end-to-end minus the stage medians) is rounding,
/// not time worth a segment.
const MIN_OTHER_S: f64 = 0.05;

/// The segment for end-to-end time outside every stage: harness work and gaps.
const OTHER: &str = "other (harness, gaps)";

fn stage_bar(p: &PipelineResult) -> Option<StageBar> {
    let e2e = p.median(&E2E)?;
    let mut segments: Vec<(String, f64)> = STAGE_METRICS
        .iter()
        .map(|key| comparison::metric(key))
        .filter_map(|m| {
            let v = p.median(m)?;
            (v > 0.0).then(|| (m.label.to_string(), v))
        })
        .collect();
    let staged: f64 = segments.iter().map(|(_, v)| v).sum();
    if e2e - staged > MIN_OTHER_S {
        segments.push((OTHER.to_string(), e2e - staged));
    }
    let error = match (p.row.e2e_ci_low_s, p.row.e2e_ci_high_s) {
        (Some(low), Some(high)) => Some((low, high)),
        _ => p.row.e2e_min_s.zip(p.row.e2e_max_s),
    };
    Some(StageBar {
        label: chart_label(p),
        segments,
        e2e,
        error,
    })
}

/// A pipeline's name on a chart: its id, starred when its broker or storage was substituted.
fn chart_label(p: &PipelineResult) -> String {
    let star = if p.substituted() { "*" } else { "" };
    format!("{}{star}", p.id())
}

fn memory_series(p: &PipelineResult) -> Vec<MemorySeries> {
    // service → container → points: one colour per service, one line per container.
    let mut by_service: BTreeMap<String, BTreeMap<String, Vec<(f64, f64)>>> = BTreeMap::new();
    for s in &p.samples {
        let service = if s.service.is_empty() {
            s.container.clone()
        } else {
            s.service.clone()
        };
        by_service
            .entry(service)
            .or_default()
            .entry(s.container.clone())
            .or_default()
            .push((
                s.t_offset_ms as f64 / 1000.0,
                s.mem_working_set_bytes as f64 / MIB,
            ));
    }
    by_service
        .into_iter()
        .map(|(name, containers)| {
            let mut lines: Vec<Vec<(f64, f64)>> = containers
                .into_values()
                .map(|mut points| {
                    points.sort_by(|a, b| a.0.total_cmp(&b.0));
                    points
                })
                .collect();
            lines.sort_by(|a, b| a[0].0.total_cmp(&b[0].0));
            MemorySeries { name, lines }
        })
        .collect()
}

/// The stages of the run the memory chart shows, each coloured as its category is on the
/// stage chart (`categories`, whose last entry is the catch-all).
fn stage_bands(p: &PipelineResult, categories: &[&str]) -> Vec<StageBand> {
    let Some(record) = &p.record else {
        return Vec::new();
    };
    record
        .stages
        .iter()
        .filter(|s| s.ended_offset_s > s.started_offset_s)
        .map(|s| StageBand {
            label: s.name.clone(),
            category: s.category.clone(),
            color_index: categories
                .iter()
                .position(|c| *c == s.category)
                .unwrap_or(categories.len() - 1),
            start: s.started_offset_s,
            end: s.ended_offset_s,
        })
        .collect()
}

/// Every chart of the comparison report, rendered to SVG strings.
pub fn build_charts(comparison: &Comparison) -> Result<Charts> {
    let bars: Vec<StageBar> = comparison.pipelines.iter().filter_map(stage_bar).collect();
    let categories: Vec<&str> = STAGE_METRICS
        .iter()
        .map(|key| comparison::metric(key).label)
        .chain([OTHER])
        .collect();
    let title = if comparison.pipelines.iter().any(PipelineResult::substituted) {
        "Stage medians per pipeline (error bar: end-to-end interval; * substituted broker or storage)"
    } else {
        "Stage medians per pipeline (error bar: end-to-end interval)"
    };
    let stages = if bars.is_empty() {
        None
    } else {
        Some(ChartFile {
            file_name: "stages.svg".to_string(),
            alt: "Stage breakdown per pipeline: stacked stage medians, end-to-end median with \
                  its interval (95 % CI of the median, or min–max below six runs)"
                .to_string(),
            svg: chart::stage_bars(&bars, &categories, title)?,
        })
    };
    let points: Vec<ScatterPoint> = comparison
        .pipelines
        .iter()
        .filter_map(|p| {
            Some(ScatterPoint {
                label: chart_label(p),
                e2e_s: p.median(&E2E)?,
                peak_mem_mib: p.median(comparison::metric("peak_mem_mb"))?,
            })
        })
        .collect();
    let scatter = if points.is_empty() {
        None
    } else {
        Some(ChartFile {
            file_name: "memory-vs-e2e.svg".to_string(),
            alt: "Peak memory against end-to-end time, medians per pipeline".to_string(),
            svg: chart::memory_vs_time(
                &points,
                if comparison.pipelines.iter().any(PipelineResult::substituted) {
                    "Peak memory vs end-to-end time (* substituted broker or storage)"
                } else {
                    "Peak memory vs end-to-end time"
                },
            )?,
        })
    };
    let mut memory = BTreeMap::new();
    for p in &comparison.pipelines {
        let series = memory_series(p);
        if series.is_empty() {
            continue;
        }
        let run_id = &p.row.run_id;
        memory.insert(
            p.id().to_string(),
            ChartFile {
                file_name: format!("memory-{}.svg", p.id()),
                alt: format!(
                    "Memory over time per container over the stages (shaded bands), {} run {run_id}",
                    p.id()
                ),
                svg: chart::memory_over_time(
                    &series,
                    &stage_bands(p, &categories),
                    &format!("{} memory per container, run {run_id}", p.id()),
                )?,
            },
        );
    }
    Ok(Charts {
        stages,
        scatter,
        memory,
    })
}
