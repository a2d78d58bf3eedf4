//! Is a change against a baseline real? Pure decision logic, no I/O.
//!
//! A metric regresses only when its median is worse beyond the threshold *and* the
//! difference stands out from the run-to-run noise of both sides. Which test decides depends
//! on what both sides have:
//!
//! - per-run figures on both sides (≥ 2 runs each): a one-sided exact Mann–Whitney rank test
//!   at α = 0.05. When the samples are so small that even a complete separation cannot reach
//!   α (fewer than 20 possible orderings, e.g. 2 against 2 runs), complete separation (every
//!   new run worse than every old one) is required instead and the verdict says the evidence
//!   is weak;
//! - only aggregates (a results.csv without its runs table): the intervals must not overlap
//!   (the 95 % intervals of the median when both exist, else the min–max ranges);
//! - a single run on either side: noise cannot be judged, the threshold alone decides, and the
//!   verdict says so.

use anyhow::Result;

use crate::error::Error;
use crate::results::stats;

/// Significance level of the rank test.
pub const ALPHA: f64 = 0.05;

/// One side of a comparison for one metric.
#[derive(Debug, Clone, Default)]
pub struct Side {
    pub runs: u32,
    pub median: f64,
    /// The counted runs' figures, when known.
    pub values: Vec<f64>,
    /// An interval around the median, when only aggregates are known.
    pub interval: Option<(f64, f64)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    Lower,
    Higher,
}

/// How the "is it real?" question was answered.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Evidence {
    /// Exact one-sided Mann–Whitney U test; `p` is its p-value.
    RankTest { p: f64 },
    /// Too few runs for the rank test to ever reach α: complete separation was required.
    Separation { separated: bool },
    /// Non-overlapping intervals (no per-run figures).
    Intervals { overlap: bool },
    /// A single run on a side (or no spread known): the threshold alone decided.
    ThresholdOnly,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Worse beyond the threshold, and real.
    Regression,
    /// Better beyond the threshold, and real.
    Improvement,
    /// Beyond the threshold, but within the noise of the runs.
    Noise,
    /// Within the threshold.
    Unchanged,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Change {
    /// `new / old − 1` of the medians (positive: the figure went up).
    pub relative: f64,
    pub verdict: Verdict,
    /// `None` when the change was within the threshold (no test needed).
    pub evidence: Option<Evidence>,
}

impl Evidence {
    /// One clause for the report: what decided, in words.
    pub fn describe(self) -> String {
        match self {
            Evidence::RankTest { p } => format!("rank test p = {p:.3}"),
            Evidence::Separation { separated: true } => {
                "every new run beyond every old one (too few runs for the rank test: weak \
                 evidence)"
                    .to_string()
            }
            Evidence::Separation { separated: false } => {
                "runs overlap (too few runs for the rank test)".to_string()
            }
            Evidence::Intervals { overlap: false } => "intervals do not overlap".to_string(),
            Evidence::Intervals { overlap: true } => "intervals overlap".to_string(),
            Evidence::ThresholdOnly => {
                "single run on a side: cannot judge noise, threshold alone".to_string()
            }
        }
    }
}

/// Judge the change of one metric from `old` to `new`.
pub fn judge(old: &Side, new: &Side, better: Better, threshold: f64) -> Change {
    let relative = if old.median == 0.0 {
        if new.median == 0.0 {
            0.0
        } else {
            f64::INFINITY
        }
    } else {
        new.median / old.median - 1.0
    };
    let worse = match better {
        Better::Lower => relative > 0.0,
        Better::Higher => relative < 0.0,
    };
    if relative.abs() <= threshold {
        return Change {
            relative,
            verdict: Verdict::Unchanged,
            evidence: None,
        };
    }
    let went_up = relative > 0.0;
    let evidence = evidence(old, new, went_up);
    let real = match evidence {
        Evidence::RankTest { p } => p <= ALPHA,
        Evidence::Separation { separated } => separated,
        Evidence::Intervals { overlap } => !overlap,
        Evidence::ThresholdOnly => true,
    };
    let verdict = match (real, worse) {
        (false, _) => Verdict::Noise,
        (true, true) => Verdict::Regression,
        (true, false) => Verdict::Improvement,
    };
    Change {
        relative,
        verdict,
        evidence: Some(evidence),
    }
}

fn evidence(old: &Side, new: &Side, went_up: bool) -> Evidence {
    if old.runs < 2 || new.runs < 2 {
        return Evidence::ThresholdOnly;
    }
    let (greater, lesser) = if went_up {
        (&new.values, &old.values)
    } else {
        (&old.values, &new.values)
    };
    if greater.len() >= 2 && lesser.len() >= 2 {
        if stats::mann_whitney_min_p(greater.len(), lesser.len()) > ALPHA {
            let low = greater.iter().copied().fold(f64::INFINITY, f64::min);
            let high = lesser.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            return Evidence::Separation {
                separated: low > high,
            };
        }
        if let Some(p) = stats::mann_whitney_greater_p(greater, lesser) {
            return Evidence::RankTest { p };
        }
    }
    let (upper, lower) = if went_up { (new, old) } else { (old, new) };
    match (upper.interval, lower.interval) {
        (Some((upper_low, _)), Some((_, lower_high))) => Evidence::Intervals {
            overlap: upper_low <= lower_high,
        },
        _ => Evidence::ThresholdOnly,
    }
}

/// Parse `10%`, `10` (percent) or `0.1` (fraction) into a fraction.
pub fn parse_threshold(text: &str) -> Result<f64> {
    let trimmed = text.trim();
    let bad = || {
        Error::InvalidInput(format!(
            "--threshold {text:?} is not a percentage: write e.g. `10%` (or 0.1)"
        ))
    };
    let (number, percent) = match trimmed.strip_suffix('%') {
        Some(number) => (number.trim(), true),
        None => (trimmed, false),
    };
    let value: f64 = number.parse().map_err(|_| bad())?;
    let fraction = if percent || value >= 1.0 {
        value / 100.0
    } else {
        value
    };
    if !(fraction.is_finite() && fraction >= 0.0) {
        return Err(bad().into());
    }
    Ok(fraction)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side(values: &[f64]) -> Side {
        Side {
            runs: values.len() as u32,
            median: stats::median(values).unwrap(),
            values: values.to_vec(),
            interval: None,
        }
    }

    #[test]
    fn noisy_slowdown_beyond_threshold_is_not_a_regression() {
        // Medians 100 → 115 (+15 %), but the runs interleave: rank test p ≈ 0.21.
        let old = side(&[100.0, 130.0, 90.0, 120.0, 95.0]);
        let new = side(&[115.0, 100.0, 140.0, 105.0, 125.0]);
        let change = judge(&old, &new, Better::Lower, 0.10);
        assert_eq!(change.verdict, Verdict::Noise);
        assert!(matches!(change.evidence, Some(Evidence::RankTest { p }) if p > ALPHA));
    }

    #[test]
    fn real_slowdown_is_a_regression() {
        let old = side(&[100.0, 101.0, 99.0, 100.0, 102.0]);
        let new = side(&[120.0, 121.0, 119.0, 122.0, 118.0]);
        let change = judge(&old, &new, Better::Lower, 0.10);
        assert_eq!(change.verdict, Verdict::Regression);
        // 5 against 5 fully separated: p = 1 / C(10, 5) = 1/252.
        assert!(
            matches!(change.evidence, Some(Evidence::RankTest { p }) if (p - 1.0 / 252.0).abs() < 1e-12)
        );
    }

    #[test]
    fn real_speedup_is_an_improvement_and_small_changes_are_unchanged() {
        let old = side(&[100.0, 101.0, 99.0]);
        let new = side(&[80.0, 81.0, 79.0]);
        assert_eq!(
            judge(&old, &new, Better::Lower, 0.10).verdict,
            Verdict::Improvement
        );
        let new = side(&[105.0, 106.0, 104.0]);
        let change = judge(&old, &new, Better::Lower, 0.10);
        assert_eq!(
            (change.verdict, change.evidence),
            (Verdict::Unchanged, None)
        );
    }

    #[test]
    fn throughput_falling_is_worse() {
        let old = side(&[1000.0, 1010.0, 990.0]);
        let new = side(&[700.0, 710.0, 690.0]);
        assert_eq!(
            judge(&old, &new, Better::Higher, 0.10).verdict,
            Verdict::Regression
        );
    }

    #[test]
    fn single_run_applies_the_threshold_alone() {
        let old = side(&[100.0]);
        let new = side(&[111.0]);
        let change = judge(&old, &new, Better::Lower, 0.10);
        assert_eq!(change.verdict, Verdict::Regression);
        assert_eq!(change.evidence, Some(Evidence::ThresholdOnly));
        assert!(
            Evidence::ThresholdOnly
                .describe()
                .contains("cannot judge noise")
        );
    }

    #[test]
    fn two_runs_each_need_complete_separation() {
        let old = side(&[100.0, 104.0]);
        let new = side(&[103.0, 130.0]);
        let change = judge(&old, &new, Better::Lower, 0.10);
        assert_eq!(change.verdict, Verdict::Noise);
        assert_eq!(
            change.evidence,
            Some(Evidence::Separation { separated: false })
        );
        let new = side(&[120.0, 130.0]);
        assert_eq!(
            judge(&old, &new, Better::Lower, 0.10).verdict,
            Verdict::Regression
        );
    }

    #[test]
    fn aggregates_only_compare_intervals() {
        let old = Side {
            runs: 3,
            median: 100.0,
            values: Vec::new(),
            interval: Some((95.0, 110.0)),
        };
        let overlapping = Side {
            runs: 3,
            median: 120.0,
            values: Vec::new(),
            interval: Some((105.0, 125.0)),
        };
        assert_eq!(
            judge(&old, &overlapping, Better::Lower, 0.10).verdict,
            Verdict::Noise
        );
        let apart = Side {
            interval: Some((115.0, 125.0)),
            ..overlapping
        };
        assert_eq!(
            judge(&old, &apart, Better::Lower, 0.10).verdict,
            Verdict::Regression
        );
    }

    #[test]
    fn thresholds_parse_as_percentages() {
        assert_eq!(parse_threshold("10%").unwrap(), 0.10);
        assert_eq!(parse_threshold("25").unwrap(), 0.25);
        assert_eq!(parse_threshold("0.05").unwrap(), 0.05);
        let err = parse_threshold("ten").unwrap_err();
        assert_eq!(crate::error::exit_code_of(&err), crate::exit::INVALID_INPUT);
        assert!(parse_threshold("-5%").is_err());
    }
}
