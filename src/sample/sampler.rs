//! Placeholder of the sampler's interface until the kernel-based sampler lands: it records
//! nothing and reports the method as `none`.

use std::path::Path;
use std::time::Duration;

use anyhow::Result;

use super::ResourceReport;
use crate::cli::SamplerChoice;

#[derive(Debug, Clone)]
pub struct SamplerConfig {
    pub method: SamplerChoice,
    pub interval: Duration,
}

pub struct Sampler {
    config: SamplerConfig,
}

impl Sampler {
    pub async fn start(
        _docker: bollard::Docker,
        _project: &str,
        config: SamplerConfig,
    ) -> Result<Sampler> {
        Ok(Sampler { config })
    }

    pub fn begin_stage(&self, _name: &str) {}

    pub fn end_stage(&self) {}

    pub async fn stop(self, _samples_csv: &Path) -> Result<ResourceReport> {
        Ok(ResourceReport {
            method: format!("{:?} (not measured)", self.config.method).to_lowercase(),
            intended_interval_ms: self.config.interval.as_millis() as u64,
            ..Default::default()
        })
    }
}
