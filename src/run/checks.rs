//! `expect` checks: captured metrics compared with what the manifest says they must be.

use std::collections::BTreeMap;

use crate::manifest::{Check, CheckRule};
use crate::results::record::CheckRecord;

/// Values equal within this absolute tolerance count as equal: captured figures are parsed
/// from decimal text, and 9855 must equal 9855.0.
const EPSILON: f64 = 1e-9;

pub fn evaluate(
    checks: &[Check],
    metrics: &BTreeMap<String, f64>,
    vars: &BTreeMap<String, String>,
) -> Vec<CheckRecord> {
    checks
        .iter()
        .map(|check| {
            let actual = metrics.get(&check.metric).copied();
            let number = |t: &crate::manifest::Template| -> Option<f64> {
                t.render(vars).ok()?.trim().parse().ok()
            };
            let (expected, passed) = match &check.rule {
                CheckRule::Equals(t) => {
                    let want = number(t);
                    (
                        format!("= {}", t.render(vars).unwrap_or_else(|e| e)),
                        matches!((actual, want), (Some(a), Some(w)) if (a - w).abs() <= EPSILON),
                    )
                }
                CheckRule::EqualsMetric(other) => {
                    let want = metrics.get(other).copied();
                    (
                        format!(
                            "= {other} ({})",
                            want.map_or("not captured".into(), |w| w.to_string())
                        ),
                        matches!((actual, want), (Some(a), Some(w)) if (a - w).abs() <= EPSILON),
                    )
                }
                CheckRule::Range(lo, hi) => {
                    let (l, h) = (number(lo), number(hi));
                    (
                        format!(
                            "in [{}, {}]",
                            lo.render(vars).unwrap_or_default(),
                            hi.render(vars).unwrap_or_default()
                        ),
                        matches!((actual, l, h), (Some(a), Some(l), Some(h)) if a >= l && a <= h),
                    )
                }
            };
            CheckRecord {
                name: check.name.clone(),
                metric: check.metric.clone(),
                expected,
                actual,
                passed,
            }
        })
        .collect()
}

/// The failed checks in one sentence (`check failed: NAME (METRIC = X, got Y); …`), or
/// `None` when every check passed.
pub fn failures(checks: &[CheckRecord]) -> Option<String> {
    let failed: Vec<String> = checks
        .iter()
        .filter(|c| !c.passed)
        .map(|c| {
            format!(
                "{} ({} {}, got {})",
                c.name,
                c.metric,
                c.expected,
                c.actual.map_or("nothing".into(), |a| a.to_string())
            )
        })
        .collect();
    (!failed.is_empty()).then(|| format!("check failed: {}", failed.join("; ")))
}

/// Whether every metric the check reads has been captured: `rtde stage` evaluates a check
/// once the stages run so far, in any number of invocations, have captured both its sides.
pub fn evaluable(check: &Check, metrics: &BTreeMap<String, f64>) -> bool {
    metrics.contains_key(&check.metric)
        && match &check.rule {
            CheckRule::EqualsMetric(other) => metrics.contains_key(other),
            CheckRule::Equals(_) | CheckRule::Range(..) => true,
        }
}
