//! The images rtde builds itself, with or without a container registry.
//!
//! `shared/docker/images.yaml` lists local *bases* (built from Debian's own packages with
//! debootstrap and `docker import`, trusting the host's extra CA certificates) and project
//! *images* (the project's Dockerfiles, each taking its base as the build argument
//! `BASE_IMAGE`). With `--base public` the Dockerfiles' own pinned defaults are used, as for
//! any user with a registry; with `--base local` the local bases are built first and passed
//! instead, so a machine that reaches only Debian and PyPI mirrors builds everything.
//!
//! Builds happen outside any benchmark clock. Each image carries the label `rtde.inputs`, a
//! hash of what it was built from; an image whose label matches is not rebuilt.

mod base;
mod spec;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result};

pub use spec::{BaseSpec, ImageSpec, ImagesFile};

use spec::LocalBuild;

use crate::error::Error;

/// Where the images file lives, relative to the project root.
pub const IMAGES_FILE: &str = "shared/docker/images.yaml";
/// The label that records what an image was built from.
pub const INPUTS_LABEL: &str = "rtde.inputs";

/// Which bases the project images are built on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BaseChoice {
    /// The pinned public images (a registry is needed).
    Public,
    /// Bases built here from Debian packages (no registry needed).
    Local,
}

/// What one build step did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Built,
    UpToDate,
    /// Skipped by `--base local`: its public base cannot be stood in for.
    NeedsRegistry,
}

/// The host's extra CA certificates (`RTDE_EXTRA_CA_DIR`, default the Debian location).
pub fn extra_ca_dir() -> PathBuf {
    std::env::var_os("RTDE_EXTRA_CA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/local/share/ca-certificates"))
}

/// Build the selected images (all when `only` is empty), reporting each step through
/// `progress`. With `skip_bases`, local bases must already exist.
pub fn build(
    root: &Path,
    choice: BaseChoice,
    only: &[String],
    skip_bases: bool,
    progress: &mut dyn FnMut(&str, &Outcome),
) -> Result<()> {
    let file = ImagesFile::load(&root.join(IMAGES_FILE))?;
    for name in only {
        if file.image(name).is_none() && file.base(name).is_none() {
            return Err(Error::InvalidInput(format!(
                "no image or base `{name}` in {IMAGES_FILE} (known: {})",
                file.names().join(", ")
            ))
            .into());
        }
    }
    let mut wanted_images: Vec<&ImageSpec> = file
        .images
        .iter()
        .filter(|i| only.is_empty() || only.contains(&i.name))
        .collect();
    if choice == BaseChoice::Local {
        if let Some(named) = wanted_images
            .iter()
            .find(|i| i.base.is_none() && only.contains(&i.name))
        {
            return Err(Error::Environment(format!(
                "image `{}` has no local base: it builds on its public base image, which needs a \
                 registry (`rtde images build --base public --only {}`)",
                named.name, named.name
            ))
            .into());
        }
        for image in wanted_images.iter().filter(|i| i.base.is_none()) {
            progress(&image.image, &Outcome::NeedsRegistry);
        }
        wanted_images.retain(|i| i.base.is_some());
    }
    if choice == BaseChoice::Local {
        let mut bases: Vec<&BaseSpec> = Vec::new();
        for name in only.iter().filter(|n| file.base(n).is_some()) {
            bases.extend(file.base_chain(name)?);
        }
        for base in wanted_images.iter().filter_map(|i| i.base.as_deref()) {
            bases.extend(file.base_chain(base)?);
        }
        if only.is_empty() {
            for b in &file.bases {
                bases.extend(file.base_chain(&b.name)?);
            }
        }
        let mut seen = Vec::new();
        bases.retain(|b| {
            let new = !seen.contains(&b.name);
            seen.push(b.name.clone());
            new
        });
        for b in bases {
            if skip_bases {
                if !image_exists(&b.image) {
                    return Err(missing_base(&b.image).into());
                }
                continue;
            }
            let outcome = base::build(&file, b, &extra_ca_dir())
                .with_context(|| format!("building the local base `{}` ({})", b.name, b.image))?;
            progress(&b.image, &outcome);
        }
    }
    for image in wanted_images {
        let base_image = match choice {
            BaseChoice::Local => {
                let name = image
                    .base
                    .as_deref()
                    .expect("images without a base were skipped");
                let b = file.base(name).expect("checked by base_chain");
                if !image_exists(&b.image) {
                    return Err(missing_base(&b.image).into());
                }
                Some(b.image.clone())
            }
            BaseChoice::Public => None,
        };
        let outcome = build_image(root, image, base_image.as_deref())
            .with_context(|| format!("building image `{}` ({})", image.name, image.image))?;
        progress(&image.image, &outcome);
    }
    Ok(())
}

fn missing_base(image: &str) -> Error {
    Error::Environment(format!(
        "the local base image `{image}` is not on this machine; build it with \
         `rtde images build --base local` (or `make images-local`)"
    ))
}

/// The `rtde.inputs` label of an image, if the image exists.
pub fn inputs_label(image: &str) -> Option<String> {
    let out = Command::new("docker")
        .args([
            "image",
            "inspect",
            "--format",
            &format!("{{{{ index .Config.Labels \"{INPUTS_LABEL}\" }}}}"),
            image,
        ])
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

pub fn image_exists(image: &str) -> bool {
    inputs_label(image).is_some()
}

/// Run a command, failing with its stderr framed when it fails.
pub(crate) fn run(cmd: &mut Command, what: &str) -> Result<()> {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("starting {what}"))?;
    if !out.status.success() {
        anyhow::bail!(
            "{what} failed ({}):\n---- stderr ----\n{}\n----------------",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim_end()
        );
    }
    Ok(())
}

/// FNV-1a over the inputs: stable across runs and machines, which is all a cache key needs.
pub(crate) fn fingerprint(parts: &[&[u8]]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.iter().chain(b"\x00") {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}

fn build_image(root: &Path, image: &ImageSpec, base: Option<&str>) -> Result<Outcome> {
    let local = image.local.as_ref().filter(|_| base.is_some());
    let scratch = tempfile::tempdir().context("creating a build context")?;
    let dockerfile = root.join(
        local
            .and_then(|l| l.dockerfile.as_ref())
            .unwrap_or(&image.dockerfile),
    );
    let context = match local {
        Some(l) if !l.files.is_empty() => host_context(root, l, scratch.path())?,
        _ => root.join(&image.context),
    };
    let text =
        std::fs::read(&dockerfile).with_context(|| format!("reading {}", dockerfile.display()))?;
    let base_id = base.map(image_id).transpose()?.unwrap_or_default();
    let mut parts: Vec<Vec<u8>> = vec![text, base.unwrap_or("public").into(), base_id.into()];
    if let Some(l) = local {
        for f in &l.files {
            parts.push(std::fs::read(f.path(root))?);
        }
        for (k, v) in &l.args {
            parts.push(format!("{k}={v}").into_bytes());
        }
    }
    let key = fingerprint(&parts.iter().map(Vec::as_slice).collect::<Vec<_>>());
    // The Dockerfile and the base are hashed here; everything it copies is checked by
    // Docker's own layer cache, which makes an unchanged rebuild cheap.
    let mut cmd = Command::new("docker");
    cmd.args(["build", "-q", "-f"]).arg(&dockerfile).args([
        "-t",
        &image.image,
        "--label",
        &format!("{INPUTS_LABEL}={key}"),
    ]);
    if let Some(base) = base {
        cmd.args(["--build-arg", &format!("BASE_IMAGE={base}")]);
    }
    for (k, v) in local.map(|l| &l.args).into_iter().flatten() {
        cmd.args(["--build-arg", &format!("{k}={v}")]);
    }
    // Docker's layer cache also sees files the Dockerfile copies (a changed requirements
    // file): whether anything was rebuilt is told by the image id, not by the label alone.
    let previous = image_id(&image.image).ok();
    cmd.arg(&context);
    run(&mut cmd, &format!("docker build of {}", image.image))?;
    Ok(
        if previous.is_some() && previous == image_id(&image.image).ok() {
            Outcome::UpToDate
        } else {
            Outcome::Built
        },
    )
}

/// A build context holding just the host files a local build copies in.
fn host_context(root: &Path, local: &LocalBuild, dir: &Path) -> Result<PathBuf> {
    for f in &local.files {
        let from = f.path(root);
        if !from.is_file() {
            return Err(Error::Environment(format!(
                "{} is missing; a local build copies it into the image (build it on the host first)",
                from.display()
            ))
            .into());
        }
        std::fs::copy(&from, dir.join(&f.to))
            .with_context(|| format!("copying {} into the build context", from.display()))?;
    }
    Ok(dir.to_path_buf())
}

fn image_id(image: &str) -> Result<String> {
    let out = Command::new("docker")
        .args(["image", "inspect", "--format", "{{.Id}}", image])
        .output()
        .context("running docker image inspect")?;
    if !out.status.success() {
        return Err(missing_base(image).into());
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_stable_and_separate_their_parts() {
        assert_eq!(fingerprint(&[b"a", b"b"]), fingerprint(&[b"a", b"b"]));
        assert_ne!(fingerprint(&[b"ab", b""]), fingerprint(&[b"a", b"b"]));
        assert_eq!(fingerprint(&[]).len(), 16);
    }
}
