//! `--export-markdown`: hyperfine's table (Command | Mean | Min | Max | Relative) with rtde's
//! median and its interval added, end-to-end seconds; then, when any pipeline has sustained
//! runs (`rtde bench --rate`), a second table of their freshness figures.

use std::fmt::Write;

use anyhow::Result;

use super::Exporter;
use super::json::entries;
use crate::results::comparison::Comparison;
use crate::results::export_file::ExportEntry;

pub struct MarkdownExporter;

impl Exporter for MarkdownExporter {
    fn serialize(&self, comparison: &Comparison) -> Result<Vec<u8>> {
        let entries = entries(comparison);
        let fastest = entries
            .iter()
            .map(|e| e.mean)
            .filter(|m| m.is_finite() && *m > 0.0)
            .fold(f64::INFINITY, f64::min);
        let mut out = String::from(
            "| Command | Mean [s] | Median [s] | 95 % CI of median [s] | Min [s] | Max [s] | Relative |\n\
             |:---|---:|---:|---:|---:|---:|---:|\n",
        );
        for entry in &entries {
            let mean = match entry.stddev {
                Some(sd) => format!("{:.3} ± {:.3}", entry.mean, sd),
                None => format!("{:.3}", entry.mean),
            };
            let ci = entry.median_ci.map_or_else(
                || "n/a".to_string(),
                |ci| format!("{:.3} … {:.3}", ci.low, ci.high),
            );
            // hyperfine's relative figure: mean over the fastest mean, with the standard
            // deviations propagated as if the two were independent.
            let ratio = entry.mean / fastest;
            let relative = match entry.stddev {
                Some(sd) if entry.mean > 0.0 => {
                    let fastest_sd = entries
                        .iter()
                        .find(|e| e.mean == fastest)
                        .and_then(|e| e.stddev)
                        .unwrap_or(0.0);
                    let spread =
                        ratio * ((sd / entry.mean).powi(2) + (fastest_sd / fastest).powi(2)).sqrt();
                    format!("{ratio:.2} ± {spread:.2}")
                }
                _ => format!("{ratio:.2}"),
            };
            writeln!(
                out,
                "| `{}` | {} | {:.3} | {} | {:.3} | {:.3} | {} |",
                entry.command, mean, entry.median, ci, entry.min, entry.max, relative
            )?;
        }
        out.push_str(&freshness_table(&entries));
        Ok(out.into_bytes())
    }
}

/// The freshness of the pipelines with sustained figures (results.csv's medians), or nothing.
fn freshness_table(entries: &[ExportEntry]) -> String {
    let rows: Vec<_> = entries
        .iter()
        .filter_map(|e| Some((e, e.result_row.as_ref()?)))
        .filter(|(_, r)| r.load_rate.is_some() || r.max_sustainable_rate.is_some())
        .collect();
    if rows.is_empty() {
        return String::new();
    }
    let seconds = |v: Option<f64>| v.map_or_else(|| "n/a".to_string(), |v| format!("{v:.3}"));
    let rate = |v: Option<f64>| v.map_or_else(|| "n/a".to_string(), |v| format!("{v:.0}"));
    let mut out = String::from(
        "\n| Command | Rate [events/s] | Freshness p50 [s] | p95 [s] | p99 [s] | Sustained | Highest sustained rate [events/s] |\n\
         |:---|---:|---:|---:|---:|:---|---:|\n",
    );
    for (entry, row) in rows {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} | {} | {} |",
            entry.command,
            rate(row.load_rate),
            seconds(row.freshness_p50_s),
            seconds(row.freshness_p95_s),
            seconds(row.freshness_p99_s),
            if row.sustained.is_empty() {
                "n/a"
            } else {
                &row.sustained
            },
            rate(row.max_sustainable_rate),
        );
    }
    out
}
