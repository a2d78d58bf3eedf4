//! Checks of a planned manifest against its compose stack.
//!
//! The stack's services and profiles come from `compose config` (the engine layer); this
//! module only compares names, so it stays free of Docker and is unit-tested directly.

use std::collections::BTreeSet;

use super::{ManifestError, Pipeline};

/// Every reference from the manifest to the stack that does not resolve.
pub fn against_stack(
    pipeline: &Pipeline,
    services: &BTreeSet<String>,
    profiles: &BTreeSet<String>,
) -> Vec<ManifestError> {
    let list = |names: &BTreeSet<String>| names.iter().cloned().collect::<Vec<_>>().join(", ");
    let mut errors = Vec::new();
    for (service, loc) in pipeline.referenced_services() {
        if !services.contains(service) {
            errors.push(ManifestError::at(
                &pipeline.manifest_path,
                loc,
                format!(
                    "service `{service}` is not in the compose stack; use one of: {}",
                    list(services)
                ),
            ));
        }
    }
    for (profile, loc) in &pipeline.profiles {
        if !profiles.contains(profile) {
            errors.push(ManifestError::at(
                &pipeline.manifest_path,
                loc.clone(),
                format!(
                    "profile `{profile}` is not used by any service of the stack (profiles: {})",
                    if profiles.is_empty() {
                        "none".to_string()
                    } else {
                        list(profiles)
                    }
                ),
            ));
        }
    }
    errors
}
