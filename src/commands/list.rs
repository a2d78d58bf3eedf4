//! `rtde list`: the pipelines, their stacks and their last result.

use std::io::Write;

use anyhow::Result;

use super::Context;
use crate::exit;
use crate::manifest;
use crate::paths::COMPARISON_DIR;
use crate::results::table;

pub fn list(ctx: &Context) -> Result<i32> {
    let results =
        table::read(&ctx.root.join(COMPARISON_DIR).join("results.csv")).unwrap_or_default();
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{:<4} {:<34} {:<10} {:<44} LAST RESULT",
        "ID", "NAME", "TIER", "STACK"
    )?;
    for found in manifest::discover(&ctx.pipelines_dir())? {
        let id = format!("p{}", found.number);
        let (name, tier, stack) = match manifest::load(&found.manifest, &ctx.root) {
            Ok(p) => {
                let stack = ["ingestion", "processor", "storage", "transform"]
                    .iter()
                    .filter_map(|k| p.stack.get(*k))
                    .filter(|v| v.as_str() != "none")
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(" → ");
                (p.name, p.tier, stack)
            }
            Err(_) => (
                found.folder_name(),
                "?".into(),
                "invalid manifest: run `rtde validate`".into(),
            ),
        };
        let last = results
            .iter()
            .find(|r| r.pipeline_id == id)
            .map(|r| {
                format!(
                    "{} {}",
                    r.validation_status,
                    r.e2e_total_s
                        .map(|e| format!("{e:.1}s"))
                        .unwrap_or_default()
                )
            })
            .unwrap_or_else(|| "not run".into());
        writeln!(out, "{id:<4} {name:<34} {tier:<10} {stack:<44} {last}")?;
    }
    Ok(exit::OK)
}
