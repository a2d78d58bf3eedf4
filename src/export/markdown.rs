//! `--export-markdown`: hyperfine's table (Command | Mean | Min | Max | Relative) with rtde's
//! median and its interval added, end-to-end seconds.

use std::fmt::Write;

use anyhow::Result;

use super::Exporter;
use super::json::entries;
use crate::results::comparison::Comparison;

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
        Ok(out.into_bytes())
    }
}
