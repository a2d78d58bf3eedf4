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
//!
//! What to build is all images, images named, or the images some pipelines' stacks use
//! ([`Selection::Stacks`]: the `image:` of every service after the manifest's variables,
//! matched to this file), so a pipeline without a broker builds no broker. A host binary a
//! local build copies in is built first when missing (its `build:` command). Every step is
//! reported through a [`Progress`] callback, which the command turns into output events.

mod base;
mod spec;

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Instant;

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

/// Which images to build.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// Every base and every image of the file.
    All,
    /// Images or bases named (`--only`); naming an image that cannot be built is an error.
    Named(Vec<String>),
    /// The images these stacks use (image references, as `compose config` prints them);
    /// an image of the file no stack uses is not built, and one that needs a registry under
    /// `--base local` is reported as skipped.
    Stacks(BTreeSet<String>),
}

/// What a build reports while it works.
#[derive(Debug, Clone, PartialEq)]
pub enum Progress {
    /// The current step of a long piece of work (a Dockerfile step, a crate compiling).
    Step { image: String, step: String },
    /// One image or base is done.
    Done {
        image: String,
        outcome: Outcome,
        seconds: f64,
    },
}

/// The names (in file order) of the file's images that the stacks use.
pub fn used_by(file: &ImagesFile, stack_images: &BTreeSet<String>) -> Vec<String> {
    file.images
        .iter()
        .filter(|i| stack_images.iter().any(|s| i.is(s)))
        .map(|i| i.name.clone())
        .collect()
}

/// The host's extra CA certificates (`RTDE_EXTRA_CA_DIR`, default the Debian location).
pub fn extra_ca_dir() -> PathBuf {
    std::env::var_os("RTDE_EXTRA_CA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/local/share/ca-certificates"))
}

/// Build the selected images, reporting each step through `progress`. With `skip_bases`,
/// local bases must already exist.
pub fn build(
    root: &Path,
    choice: BaseChoice,
    selection: &Selection,
    skip_bases: bool,
    progress: &mut dyn FnMut(Progress),
) -> Result<()> {
    let file = ImagesFile::load(&root.join(IMAGES_FILE))?;
    let (only, named): (Vec<String>, &[String]) = match selection {
        Selection::All => (Vec::new(), &[]),
        Selection::Named(names) => (names.clone(), names.as_slice()),
        Selection::Stacks(images) => (used_by(&file, images), &[]),
    };
    for name in named {
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
        .filter(|i| *selection == Selection::All || only.contains(&i.name))
        .collect();
    if choice == BaseChoice::Local {
        if let Some(image) = wanted_images
            .iter()
            .find(|i| i.base.is_none() && named.contains(&i.name))
        {
            return Err(Error::Environment(format!(
                "image `{}` has no local base: it builds on its public base image, which needs a \
                 registry (`rtde images build --base public --only {}`)",
                image.name, image.name
            ))
            .into());
        }
        for image in wanted_images.iter().filter(|i| i.base.is_none()) {
            progress(Progress::Done {
                image: image.image.clone(),
                outcome: Outcome::NeedsRegistry,
                seconds: 0.0,
            });
        }
        wanted_images.retain(|i| i.base.is_some());
    }
    if choice == BaseChoice::Local {
        let mut bases: Vec<&BaseSpec> = Vec::new();
        for name in named.iter().filter(|n| file.base(n).is_some()) {
            bases.extend(file.base_chain(name)?);
        }
        for base in wanted_images.iter().filter_map(|i| i.base.as_deref()) {
            bases.extend(file.base_chain(base)?);
        }
        if *selection == Selection::All {
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
            let started = Instant::now();
            let outcome = base::build(&file, b, &extra_ca_dir(), &mut |step| {
                progress(Progress::Step {
                    image: b.image.clone(),
                    step,
                })
            })
            .with_context(|| format!("building the local base `{}` ({})", b.name, b.image))?;
            progress(Progress::Done {
                image: b.image.clone(),
                outcome,
                seconds: started.elapsed().as_secs_f64(),
            });
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
        let started = Instant::now();
        let tag = image.tag(base_image.is_some()).to_string();
        let outcome = build_image(root, image, base_image.as_deref(), &mut |step| {
            progress(Progress::Step {
                image: tag.clone(),
                step,
            })
        })
        .with_context(|| format!("building image `{}` ({tag})", image.name))?;
        progress(Progress::Done {
            image: tag.clone(),
            outcome,
            seconds: started.elapsed().as_secs_f64(),
        });
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

/// How many of a failed command's last output lines its error shows.
const TAIL_LINES: usize = 40;

/// Run a command, handing every line it prints (stdout and stderr, as they come) to
/// `on_line`, and failing with its last lines framed when it fails. Both pipes are read on
/// threads of their own so that a chatty child never blocks on a full pipe.
pub(crate) fn stream(cmd: &mut Command, what: &str, on_line: &mut dyn FnMut(&str)) -> Result<()> {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("starting {what}"))?;
    let (tx, rx) = mpsc::channel::<String>();
    let readers: Vec<_> = [
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    ]
    .into_iter()
    .flatten()
    .map(|pipe| {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        })
    })
    .collect();
    drop(tx);
    let mut tail: std::collections::VecDeque<String> = std::collections::VecDeque::new();
    for line in rx {
        on_line(&line);
        if tail.len() == TAIL_LINES {
            tail.pop_front();
        }
        tail.push_back(line);
    }
    for reader in readers {
        let _ = reader.join();
    }
    let status = child
        .wait()
        .with_context(|| format!("waiting for {what}"))?;
    if !status.success() {
        anyhow::bail!(
            "{what} failed ({status}); its last output:\n---- output ----\n{}\n----------------",
            Vec::from(tail).join("\n")
        );
    }
    Ok(())
}

/// The step a `docker build` line announces, if it is one: `Step 3/7 : RUN …` from the
/// classic builder, `#7 [2/4] RUN …` from BuildKit (plain progress, its default when the
/// output is not a terminal). No `--progress` flag is passed: the classic builder, Docker
/// 20.10's default, rejects it.
pub fn build_step(line: &str) -> Option<&str> {
    let line = line.trim();
    if line.starts_with("Step ") && line.contains(" : ") {
        return Some(line);
    }
    let rest = line.strip_prefix('#')?;
    let (number, rest) = rest.split_once(' ')?;
    (number.chars().all(|c| c.is_ascii_digit()) && rest.starts_with('[')).then_some(rest)
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

fn build_image(
    root: &Path,
    image: &ImageSpec,
    base: Option<&str>,
    step: &mut dyn FnMut(String),
) -> Result<Outcome> {
    let local = image.local.as_ref().filter(|_| base.is_some());
    let tag = image.tag(base.is_some());
    let scratch = tempfile::tempdir().context("creating a build context")?;
    let dockerfile = root.join(
        local
            .and_then(|l| l.dockerfile.as_ref())
            .unwrap_or(&image.dockerfile),
    );
    let context = match local {
        Some(l) if !l.files.is_empty() => host_context(root, l, scratch.path(), step)?,
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
    cmd.args(["build", "-f"]).arg(&dockerfile).args([
        "-t",
        tag,
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
    let previous = image_id(tag).ok();
    cmd.arg(&context);
    stream(&mut cmd, &format!("docker build of {tag}"), &mut |line| {
        if let Some(s) = build_step(line) {
            step(s.to_string());
        }
    })?;
    Ok(if previous.is_some() && previous == image_id(tag).ok() {
        Outcome::UpToDate
    } else {
        Outcome::Built
    })
}

/// A build context holding just the host files a local build copies in. A missing file with
/// a `build:` command is built first (`cargo build --release`, `cargo install tansu`), its
/// output reported line by line as the current step.
fn host_context(
    root: &Path,
    local: &LocalBuild,
    dir: &Path,
    step: &mut dyn FnMut(String),
) -> Result<PathBuf> {
    for f in &local.files {
        let from = f.path(root);
        if !from.is_file() {
            let Some((program, args)) = f.build.split_first() else {
                return Err(Error::Environment(format!(
                    "{} is missing; a local build copies it into the image (build it on the host first)",
                    from.display()
                ))
                .into());
            };
            let shown = f.build.join(" ");
            step(format!("{} is missing: running `{shown}`", from.display()));
            stream(
                Command::new(program).args(args).current_dir(root),
                &format!("`{shown}` (which makes {})", from.display()),
                &mut |line| {
                    let line = line.trim();
                    if !line.is_empty() {
                        step(line.to_string());
                    }
                },
            )
            .map_err(|e| {
                Error::Environment(format!(
                    "{} is missing and building it failed: {e:#}",
                    from.display()
                ))
            })?;
            if !from.is_file() {
                return Err(Error::Environment(format!(
                    "`{shown}` succeeded but {} is still missing (is CARGO_INSTALL_ROOT or \
                     CARGO_TARGET_DIR set elsewhere?)",
                    from.display()
                ))
                .into());
            }
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

    #[test]
    fn build_steps_are_read_from_both_builders() {
        assert_eq!(
            build_step("Step 2/5 : RUN pip install dbt-core"),
            Some("Step 2/5 : RUN pip install dbt-core")
        );
        assert_eq!(
            build_step("#7 [2/4] RUN pip install dbt-core"),
            Some("[2/4] RUN pip install dbt-core")
        );
        assert_eq!(build_step("#7 0.512 Collecting dbt-core"), None);
        assert_eq!(build_step(" ---> Running in 1a2b3c"), None);
    }

    #[test]
    fn a_stack_without_a_broker_needs_no_broker_image() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(IMAGES_FILE);
        let file = ImagesFile::load(&path).unwrap();
        let image = |name: &str| file.image(name).unwrap().image.clone();
        // P00's services after its variables: the generator, the dbt runner.
        let p00: BTreeSet<String> = [image("rtde"), image("dbt")].into();
        assert_eq!(used_by(&file, &p00), ["rtde", "dbt"]);
        // P20 on tansu adds the broker and its engine; images no entry builds are ignored.
        let p20: BTreeSet<String> = [
            image("rtde"),
            image("tansu"),
            image("bytewax"),
            image("dbt"),
            "minio/minio:RELEASE.2025-01-01".to_string(),
        ]
        .into();
        assert_eq!(used_by(&file, &p20), ["rtde", "dbt", "tansu", "bytewax"]);
    }

    #[test]
    fn the_flink_image_built_from_pypi_has_its_own_tag_and_is_the_flink_entry() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(IMAGES_FILE);
        let file = ImagesFile::load(&path).unwrap();
        let flink = file.image("flink").unwrap();
        assert_eq!(flink.tag(false), "rtde/flink:2.0.1");
        assert_eq!(flink.tag(true), "rtde/flink:2.0.1-pypi");
        let p01_files: BTreeSet<String> = ["rtde/flink:2.0.1-pypi".to_string()].into();
        assert_eq!(used_by(&file, &p01_files), ["flink"]);
        // An image without a tag of its own keeps it on local bases.
        assert_eq!(file.image("dbt").unwrap().tag(true), "rtde/dbt:1.11.16");
    }
}
