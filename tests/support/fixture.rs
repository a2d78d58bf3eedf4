//! What the sampler's integration tests and its benchmark share: the fixture image, and
//! containers that look like a Compose project's (its labels), removed by label afterwards.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;

use bollard::Docker;
use bollard::models::ContainerCreateBody;
use bollard::query_parameters::CreateContainerOptions;

/// Builds (or finds) the fixture image with `tests/fixtures/images/build.sh`; returns its tag.
pub fn build_image() -> Result<String, String> {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/images/build.sh");
    let output = Command::new(&script)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", script.display()))?;
    if !output.status.success() {
        return Err(format!(
            "{} failed (it needs docker, gcc with static glibc and busybox-static):\n{}",
            script.display(),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// Creates and starts a container of `service` in `project` running `cmd`; returns its id.
pub async fn run_container(
    docker: &Docker,
    project: &str,
    service: &str,
    image: &str,
    cmd: &[&str],
    one_off: bool,
) -> Result<String, bollard::errors::Error> {
    let labels = HashMap::from([
        (
            "com.docker.compose.project".to_string(),
            project.to_string(),
        ),
        (
            "com.docker.compose.service".to_string(),
            service.to_string(),
        ),
        (
            "com.docker.compose.oneoff".to_string(),
            if one_off { "True" } else { "False" }.to_string(),
        ),
    ]);
    let body = ContainerCreateBody {
        image: Some(image.to_string()),
        cmd: Some(cmd.iter().map(|s| s.to_string()).collect()),
        labels: Some(labels),
        ..Default::default()
    };
    let options = CreateContainerOptions {
        name: Some(format!("{project}_{service}_1")),
        ..Default::default()
    };
    let id = docker.create_container(Some(options), body).await?.id;
    docker.start_container(&id, None).await?;
    Ok(id)
}

/// Removes every container of `project`, running or not. Synchronous (the docker CLI), so it
/// works from `Drop`, also while a test unwinds.
pub fn remove_project(project: &str) {
    let label = format!("label=com.docker.compose.project={project}");
    let Ok(listed) = Command::new("docker")
        .args(["ps", "-aq", "--filter", &label])
        .output()
    else {
        return;
    };
    let ids: Vec<String> = String::from_utf8_lossy(&listed.stdout)
        .split_whitespace()
        .map(String::from)
        .collect();
    if !ids.is_empty() {
        let _ = Command::new("docker")
            .args(["rm", "-f"])
            .args(&ids)
            .output();
    }
}
