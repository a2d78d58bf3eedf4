//! Freshness in the comparison report: a table of the sustained runs, a table of the
//! sustainable rates `--find-max-rate` found, and per pipeline a freshness-over-time chart
//! with the load's rate drawn beside Silver's own rate.

use std::fmt::Write;
use std::path::Path;

use anyhow::{Result, anyhow};
use plotters::prelude::*;

use crate::freshness::latency::{LagPoint, WINDOW_S, Window};
use crate::results::record::RunRecord;
use crate::results::runs_table::RunRow;
use crate::results::table::ResultRow;

const WIDTH: u32 = 960;
const HEIGHT: u32 = 540;
const FONT: &str = "sans-serif";

fn chart_error<E: std::fmt::Display>(e: E) -> anyhow::Error {
    anyhow!("drawing the freshness chart: {e}")
}

/// Silver rows per second between polls at least `span_s` apart, at the middle of each span.
fn output_rate(lag: &[LagPoint], span_s: f64) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    let mut from = match lag.first() {
        Some(p) => *p,
        None => return out,
    };
    for p in lag {
        if p.t_s - from.t_s >= span_s {
            let rate = (p.rows - from.rows) as f64 / (p.t_s - from.t_s);
            out.push(((from.t_s + p.t_s) / 2.0, rate));
            from = *p;
        }
    }
    out
}

/// The chart: the lag at every poll and each window's p50 and p99 (seconds, left axis); the
/// load's rate and Silver's rate (events/s, right axis) over the load and the drain.
pub fn freshness_over_time(
    lag: &[LagPoint],
    windows: &[Window],
    rate: f64,
    duration_s: f64,
    title: &str,
) -> Result<String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_error)?;
        let end = lag.last().map_or(duration_s, |p| p.t_s.max(duration_s));
        let max_lag = lag
            .iter()
            .map(|p| p.lag_s)
            .chain(windows.iter().map(|w| w.p99_s))
            .fold(0.0, f64::max);
        let silver = output_rate(lag, 1.0);
        let max_rate = silver.iter().map(|p| p.1).fold(rate, f64::max);
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, 22))
            .margin(16)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .right_y_label_area_size(70)
            .build_cartesian_2d(0f64..end * 1.02, 0f64..(max_lag * 1.15).max(0.5))
            .map_err(chart_error)?
            .set_secondary_coord(0f64..end * 1.02, 0f64..max_rate * 1.15);
        chart
            .configure_mesh()
            .light_line_style(RGBColor(235, 235, 235))
            .x_desc("time since the load started [s]")
            .y_desc("freshness [s]")
            .label_style((FONT, 14))
            .draw()
            .map_err(chart_error)?;
        chart
            .configure_secondary_axes()
            .y_desc("events/s")
            .label_style((FONT, 14))
            .draw()
            .map_err(chart_error)?;
        let blue = RGBColor(31, 119, 180);
        let orange = RGBColor(255, 127, 14);
        let red = RGBColor(214, 39, 40);
        let grey = RGBColor(120, 120, 120);
        let green = RGBColor(44, 160, 44);
        chart
            .draw_series(LineSeries::new(
                lag.iter().map(|p| (p.t_s, p.lag_s)),
                blue.stroke_width(2),
            ))
            .map_err(chart_error)?
            .label("lag at each poll")
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], blue.stroke_width(2))
            });
        for (name, color, pick) in [
            (
                "p50 per 10 s window",
                orange,
                (|w: &Window| w.p50_s) as fn(&Window) -> f64,
            ),
            ("p99 per 10 s window", red, |w: &Window| w.p99_s),
        ] {
            chart
                .draw_series(windows.iter().map(|w| {
                    PathElement::new(
                        vec![(w.start_s, pick(w)), (w.start_s + WINDOW_S, pick(w))],
                        color.stroke_width(3),
                    )
                }))
                .map_err(chart_error)?
                .label(name)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(3))
                });
        }
        chart
            .draw_secondary_series(DashedLineSeries::new(
                [(0.0, rate), (duration_s, rate)],
                8,
                5,
                grey.stroke_width(2),
            ))
            .map_err(chart_error)?
            .label(format!("load: {rate} events/s (right axis)"))
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], grey.stroke_width(2))
            });
        chart
            .draw_secondary_series(LineSeries::new(silver, green.stroke_width(1)))
            .map_err(chart_error)?
            .label("Silver rows/s (right axis)")
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], green.stroke_width(1))
            });
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .label_font((FONT, 13))
            .draw()
            .map_err(chart_error)?;
        root.present().map_err(chart_error)?;
    }
    Ok(svg)
}

/// The report's freshness section, and its charts (file name, SVG).
pub struct Section {
    pub markdown: String,
    pub charts: Vec<(String, String)>,
}

fn cell(v: Option<f64>, decimals: usize) -> String {
    v.map_or("–".to_string(), |v| format!("{v:.decimals$}"))
}

/// A median with its interval (the 95 % interval of the median, else the range), as the
/// report shows the end-to-end time: `2.00 [1.90 – 2.10]`.
fn with_interval(median: Option<f64>, interval: Option<(f64, f64)>) -> String {
    match (median, interval) {
        (Some(m), Some((low, high))) => format!("{m:.2} [{low:.2} – {high:.2}]"),
        (m, _) => cell(m, 2),
    }
}

/// The statistics table: per pipeline the medians of its counted sustained runs, each
/// percentile with its interval, and the noise flag (results.csv's freshness columns).
fn statistics(rows: &[ResultRow]) -> String {
    let rows: Vec<&ResultRow> = rows
        .iter()
        .filter(|r| r.freshness_runs.is_some_and(|n| n > 0))
        .collect();
    if rows.is_empty() {
        return String::new();
    }
    let mut md = String::new();
    let _ = writeln!(
        md,
        "### Medians over the sustained runs
"
    );
    let _ = writeln!(
        md,
        "Each percentile's median over the counted sustained runs, with the 95 % interval of \
         the median (six runs or more) or the range (docs/statistics.md); noisy: the p99's \
         robust spread is above 10 % of its median.\n"
    );
    let _ = writeln!(
        md,
        "| pipeline | rate [ev/s] | runs | p50 [s] | p95 [s] | p99 [s] | noisy | sustained |"
    );
    let _ = writeln!(md, "|---|---:|---:|---:|---:|---:|---|---|");
    let spread = |ci: (Option<f64>, Option<f64>), range: (Option<f64>, Option<f64>)| {
        ci.0.zip(ci.1).or_else(|| range.0.zip(range.1))
    };
    for r in rows {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            r.pipeline_id,
            cell(r.load_rate, 0),
            r.freshness_runs.unwrap_or_default(),
            with_interval(
                r.freshness_p50_s,
                spread(
                    (r.freshness_p50_ci_low_s, r.freshness_p50_ci_high_s),
                    (r.freshness_p50_min_s, r.freshness_p50_max_s)
                )
            ),
            with_interval(
                r.freshness_p95_s,
                spread(
                    (r.freshness_p95_ci_low_s, r.freshness_p95_ci_high_s),
                    (r.freshness_p95_min_s, r.freshness_p95_max_s)
                )
            ),
            with_interval(
                r.freshness_p99_s,
                spread(
                    (r.freshness_p99_ci_low_s, r.freshness_p99_ci_high_s),
                    (r.freshness_p99_min_s, r.freshness_p99_max_s)
                )
            ),
            if r.freshness_noisy.is_empty() {
                "–"
            } else {
                &r.freshness_noisy
            },
            if r.sustained.is_empty() {
                "–"
            } else {
                &r.sustained
            },
        );
    }
    let _ = writeln!(md);
    md
}

/// The section for the sustained runs among `runs` (runs.csv), their statistics in `rows`
/// (results.csv) and the searches whose `max-rate.json` lie in `results_dir`; `None` when
/// there is none of them.
pub fn section(
    root: &Path,
    results_dir: &Path,
    runs: &[RunRow],
    rows: &[ResultRow],
) -> Result<Option<Section>> {
    let sustained: Vec<&RunRow> = runs.iter().filter(|r| r.load_rate.is_some()).collect();
    let mut searches = Vec::new();
    let mut ids: Vec<&str> = runs.iter().map(|r| r.pipeline_id.as_str()).collect();
    ids.dedup();
    for id in ids {
        let path = results_dir.join(id).join("max-rate.json");
        if let Ok(text) = std::fs::read_to_string(&path) {
            let value: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| anyhow!("reading {}: {e}", path.display()))?;
            searches.push(value);
        }
    }
    let statistics = statistics(rows);
    if sustained.is_empty() && searches.is_empty() && statistics.is_empty() {
        return Ok(None);
    }
    let mut md = String::new();
    let mut charts = Vec::new();
    let _ = writeln!(md, "## Freshness under a sustained load\n");
    let _ = writeln!(
        md,
        "Event-to-Silver latency while the generator produces at a steady rate, open loop \
         (docs/metrics.md, \"Freshness under a sustained load\"): percentiles after the \
         warm-up, the time to drain once the load stopped, and the lag's trend. A run whose \
         generator fell more than 2 % behind its schedule is not a figure of the stack.\n"
    );
    md.push_str(&statistics);
    if !sustained.is_empty() {
        let _ = writeln!(md, "### Each sustained run\n");
        let _ = writeln!(
            md,
            "| pipeline | rate [ev/s] | achieved | p50 [s] | p95 [s] | p99 [s] | max [s] | drain [s] | lag slope [s/s] | sustained | status |"
        );
        let _ = writeln!(md, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|");
        for r in &sustained {
            let _ = writeln!(
                md,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                r.pipeline_id,
                cell(r.load_rate, 0),
                cell(r.achieved_rate, 0),
                cell(r.freshness_p50_s, 2),
                cell(r.freshness_p95_s, 2),
                cell(r.freshness_p99_s, 2),
                cell(r.freshness_max_s, 2),
                cell(r.drain_s, 2),
                cell(r.lag_slope, 3),
                r.sustained,
                r.status
            );
        }
        let _ = writeln!(md);
    }
    if !searches.is_empty() {
        let _ = writeln!(md, "### Sustainable rates\n");
        let _ = writeln!(
            md,
            "| pipeline | highest sustained rate [ev/s] | SLO p99 [s] | step [s] | steps tried (rate: verdict) |"
        );
        let _ = writeln!(md, "|---|---:|---:|---:|---|");
        for s in &searches {
            let steps: Vec<String> = s["steps"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|step| {
                    format!(
                        "{}: {}",
                        step["rate"],
                        step["reason"].as_str().unwrap_or("sustained")
                    )
                })
                .collect();
            let best = match s["max_rate"].as_f64() {
                Some(r) => format!("{r}"),
                None => "none".into(),
            };
            let limited = if s["limited_by_generator"] == true {
                " (the generator's limit here)"
            } else {
                ""
            };
            let _ = writeln!(
                md,
                "| {} | {best}{limited} | {} | {} | {} |",
                s["pipeline"].as_str().unwrap_or("?"),
                s["slo_p99_s"],
                s["step_duration_s"],
                steps.join("; ")
            );
        }
        let _ = writeln!(md);
    }
    // One chart per pipeline: its latest sustained run that passed.
    let mut charted: Vec<&str> = Vec::new();
    for r in sustained.iter().rev() {
        if r.status != "PASS" || charted.contains(&r.pipeline_id.as_str()) {
            continue;
        }
        let path = root.join(&r.run_dir).join("run.json");
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let record: RunRecord =
            serde_json::from_str(&text).map_err(|e| anyhow!("reading {}: {e}", path.display()))?;
        let Some(f) = &record.freshness else {
            continue;
        };
        let file = format!("freshness-{}.svg", r.pipeline_id);
        let title = format!(
            "{}: freshness at {} events/s for {:.0} s",
            r.pipeline_id, f.rate, f.duration_s
        );
        charts.push((
            file.clone(),
            freshness_over_time(
                &f.freshness.lag,
                &f.freshness.windows,
                f.rate,
                f.duration_s,
                &title,
            )?,
        ));
        let _ = writeln!(md, "![{title}]({file})\n");
        charted.push(&r.pipeline_id);
    }
    Ok(Some(Section {
        markdown: md,
        charts,
    }))
}

/// BENCHMARK_RESULTS.md's freshness table, from results.csv: empty when no pipeline has a
/// sustained figure.
pub fn results_md(rows: &[ResultRow]) -> String {
    let rows: Vec<_> = rows
        .iter()
        .filter(|r| r.load_rate.is_some() || r.max_sustainable_rate.is_some())
        .collect();
    if rows.is_empty() {
        return String::new();
    }
    let mut md = String::new();
    let _ = writeln!(md, "\n## Freshness under a sustained load\n");
    let _ = writeln!(
        md,
        "Event-to-Silver latency at a steady, open-loop rate (medians of the counted runs; \
         docs/metrics.md), and the highest rate `rtde bench --find-max-rate` found sustained.\n"
    );
    let _ = writeln!(
        md,
        "| pipeline | rate [ev/s] | p50 [s] | p95 [s] | p99 [s] | max [s] | drain [s] | sustained | highest sustained rate [ev/s] | runs | p99 interval [s] | noisy |"
    );
    let _ = writeln!(
        md,
        "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---|"
    );
    for r in rows {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            r.pipeline_id,
            cell(r.load_rate, 0),
            cell(r.freshness_p50_s, 2),
            cell(r.freshness_p95_s, 2),
            cell(r.freshness_p99_s, 2),
            cell(r.freshness_max_s, 2),
            cell(r.drain_s, 2),
            if r.sustained.is_empty() {
                "–"
            } else {
                &r.sustained
            },
            cell(r.max_sustainable_rate, 0),
            r.freshness_runs.map_or("–".to_string(), |n| n.to_string()),
            match (
                r.freshness_p99_ci_low_s.or(r.freshness_p99_min_s),
                r.freshness_p99_ci_high_s.or(r.freshness_p99_max_s)
            ) {
                (Some(low), Some(high)) => format!("{low:.2} – {high:.2}"),
                _ => "–".to_string(),
            },
            if r.freshness_noisy.is_empty() {
                "–"
            } else {
                &r.freshness_noisy
            },
        );
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chart_draws_the_lag_the_windows_and_both_rates() {
        let lag: Vec<LagPoint> = (0..200)
            .map(|i| LagPoint {
                t_s: i as f64 * 0.1,
                lag_s: 2.0,
                rows: (i as u64).saturating_sub(20) * 10,
            })
            .collect();
        let windows = [Window {
            start_s: 0.0,
            rows: 100,
            p50_s: 2.0,
            p95_s: 2.1,
            p99_s: 2.2,
            max_s: 2.3,
        }];
        let svg = freshness_over_time(&lag, &windows, 100.0, 18.0, "p86").unwrap();
        for text in [
            "lag at each poll",
            "p99 per 10 s window",
            "load: 100 events/s (right axis)",
            "Silver rows/s (right axis)",
            "events/s",
        ] {
            assert!(svg.contains(text), "{text} missing");
        }
        let md = results_md(&[ResultRow {
            pipeline_id: "p20".into(),
            load_rate: Some(2000.0),
            freshness_p99_s: Some(1.5),
            sustained: "yes".into(),
            max_sustainable_rate: Some(4000.0),
            ..Default::default()
        }]);
        assert!(
            md.contains("| p20 | 2000 | – | – | 1.50 | – | – | yes | 4000 |"),
            "{md}"
        );
        assert_eq!(results_md(&[Default::default()]), "");
        let stats = statistics(&[ResultRow {
            pipeline_id: "p20".into(),
            load_rate: Some(2000.0),
            freshness_runs: Some(6),
            freshness_p99_s: Some(2.0),
            freshness_p99_ci_low_s: Some(1.9),
            freshness_p99_ci_high_s: Some(2.1),
            freshness_p50_s: Some(1.0),
            freshness_p50_min_s: Some(0.9),
            freshness_p50_max_s: Some(1.1),
            freshness_noisy: "no".into(),
            sustained: "yes".into(),
            ..Default::default()
        }]);
        assert!(
            stats.contains(
                "| p20 | 2000 | 6 | 1.00 [0.90 – 1.10] | – | 2.00 [1.90 – 2.10] | no | yes |"
            ),
            "{stats}"
        );
        assert_eq!(statistics(&[Default::default()]), "");
        let rates = output_rate(&lag, 1.0);
        assert!(
            rates.iter().skip(3).all(|&(_, r)| (r - 100.0).abs() < 1e-6),
            "{rates:?}"
        );
    }
}
