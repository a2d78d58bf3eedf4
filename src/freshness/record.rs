//! What `run.json` records of a sustained run (`freshness`): the load, what the generator
//! achieved of it, and the freshness measured. A model, not a phase: `results` carries it
//! in run records and tables, `run` fills it in, so it sits below both.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::latency::Freshness;
use super::pacing::Pacing;

/// What `run.json` records of a sustained run (`freshness`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FreshnessRecord {
    pub rate: f64,
    pub duration_s: f64,
    pub probe_interval_ms: f64,
    /// The generator's achieved pacing; `None` when its line was missing.
    pub pacing: Option<Pacing>,
    /// A figure of the stack: the generator kept its schedule (within 2 %).
    pub valid: bool,
    pub freshness: Freshness,
}

impl FreshnessRecord {
    /// The record's figures as run metrics (`freshness_p99_s`, …), for checks and tables.
    pub fn metrics(&self) -> BTreeMap<String, f64> {
        let f = &self.freshness;
        let mut m = BTreeMap::new();
        m.insert("load_rate".into(), self.rate);
        for (k, v) in [
            ("freshness_p50_s", f.p50_s),
            ("freshness_p95_s", f.p95_s),
            ("freshness_p99_s", f.p99_s),
            ("freshness_max_s", f.max_s),
            ("drain_s", f.drain_s),
            ("lag_slope", f.lag_slope),
            (
                "achieved_rate",
                self.pacing.as_ref().map(|p| p.achieved_rate),
            ),
        ] {
            if let Some(v) = v {
                m.insert(k.into(), v);
            }
        }
        m.insert("sustained".into(), f64::from(u8::from(f.sustained)));
        m.insert("load_valid".into(), f64::from(u8::from(self.valid)));
        m
    }
}
