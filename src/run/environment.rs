//! The environment recorded with every result: a figure without its machine is not a result.

use std::path::Path;

use crate::engine::compose::ComposeTool;
use crate::engine::docker::Engine;
use crate::results::record::Environment;

pub async fn capture(engine: &Engine, compose: &ComposeTool, root: &Path) -> Environment {
    let (docker_version, cgroup_version, cgroup_driver, storage_driver) = engine.facts().await;
    Environment {
        rtde_version: env!("CARGO_PKG_VERSION").to_string(),
        git_commit: git_commit(root).await,
        docker_version,
        docker_api_version: Some(engine.api_version()),
        compose: Some(compose.describe()),
        cgroup_version,
        cgroup_driver,
        storage_driver,
        cpu_model: read("/proc/cpuinfo").and_then(|t| cpu_model(&t)),
        cores: std::thread::available_parallelism().map_or(1, usize::from),
        memory_bytes: read("/proc/meminfo").and_then(|t| mem_total(&t)),
        kernel: read("/proc/sys/kernel/osrelease").map(|s| s.trim().to_string()),
        os: read("/etc/os-release").and_then(|t| pretty_name(&t)),
    }
}

fn read(path: &str) -> Option<String> {
    std::fs::read_to_string(path).ok()
}

async fn git_commit(root: &Path) -> Option<String> {
    let out = tokio::process::Command::new("git")
        .args(["rev-parse", "--short=12", "HEAD"])
        .current_dir(root)
        .output()
        .await
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn cpu_model(cpuinfo: &str) -> Option<String> {
    cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_string())
}

fn mem_total(meminfo: &str) -> Option<u64> {
    let line = meminfo.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

fn pretty_name(os_release: &str) -> Option<String> {
    os_release
        .lines()
        .find_map(|l| l.strip_prefix("PRETTY_NAME="))
        .map(|v| v.trim_matches('"').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_proc_files() {
        assert_eq!(
            cpu_model("processor\t: 0\nmodel name\t: AMD EPYC 7B13\n").as_deref(),
            Some("AMD EPYC 7B13")
        );
        assert_eq!(
            mem_total("MemTotal:       24681236 kB\n"),
            Some(24681236 * 1024)
        );
        assert_eq!(
            pretty_name("NAME=\"Debian\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n")
                .as_deref(),
            Some("Debian GNU/Linux 12 (bookworm)")
        );
    }
}
