//! Local base images from Debian packages: debootstrap a minimal root file system, import
//! it into Docker, then install packages and trust the host's extra CA certificates.
//!
//! The CA certificates are copied in *after* the packages are installed and
//! `update-ca-certificates` runs last: installing `ca-certificates` (or anything that
//! triggers it) regenerates the bundle, and certificates added before are lost again. Without
//! them a machine behind a TLS-inspecting proxy (this one, or a corporate network) cannot
//! reach PyPI from inside a container ("certificate verify failed").
//!
//! debootstrap itself is installed with apt-get when it is missing and rtde runs as root on
//! a machine with apt (a fresh Debian or Ubuntu); elsewhere the error names the command.

use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context, Result};

use super::spec::{BaseSpec, ImagesFile};
use super::{INPUTS_LABEL, Outcome, build_step, fingerprint, inputs_label, stream};
use crate::error::Error;

/// The Debian mirror for debootstrap (`RTDE_DEBIAN_MIRROR`).
fn mirror() -> String {
    std::env::var("RTDE_DEBIAN_MIRROR").unwrap_or_else(|_| "http://deb.debian.org/debian".into())
}

/// The host's extra certificates (`*.crt`), sorted, with their contents.
fn extra_certificates(dir: &Path) -> Result<Vec<(String, Vec<u8>)>> {
    let mut certs = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.filter_map(Result::ok) {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.ends_with(".crt") {
                certs.push((name, std::fs::read(e.path())?));
            }
        }
    }
    certs.sort();
    Ok(certs)
}

/// The Dockerfile that turns a parent image into the base: packages, then certificates.
pub fn dockerfile(parent: &str, packages: &[String], key: &str) -> String {
    let install = if packages.is_empty() {
        String::new()
    } else {
        format!(
            "RUN apt-get update \\\n && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends {} \\\n && rm -rf /var/lib/apt/lists/*\n",
            packages.join(" ")
        )
    };
    format!(
        "FROM {parent}\n{install}COPY extra-ca/ /usr/local/share/ca-certificates/\n\
         RUN update-ca-certificates\n\
         ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \\\n    \
         REQUESTS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt \\\n    \
         PIP_CERT=/etc/ssl/certs/ca-certificates.crt\n\
         LABEL {INPUTS_LABEL}={key}\n"
    )
}

pub fn build(
    file: &ImagesFile,
    base: &BaseSpec,
    ca_dir: &Path,
    step: &mut dyn FnMut(String),
) -> Result<Outcome> {
    let certs = extra_certificates(ca_dir)?;
    let parent = match &base.from {
        Some(p) => {
            let parent = file.base(p).expect("checked when the file loaded");
            let id = inputs_label(&parent.image).ok_or_else(|| {
                Error::Environment(format!(
                    "the local base `{}` must be built before `{}`",
                    parent.image, base.image
                ))
            })?;
            (parent.image.clone(), id)
        }
        None => (String::new(), String::new()),
    };
    let mut parts: Vec<&[u8]> = vec![
        base.image.as_bytes(),
        base.suite.as_deref().unwrap_or("").as_bytes(),
        parent.0.as_bytes(),
        parent.1.as_bytes(),
    ];
    let packages = base.packages.join(" ");
    parts.push(packages.as_bytes());
    for (name, content) in &certs {
        parts.push(name.as_bytes());
        parts.push(content);
    }
    let key = fingerprint(&parts);
    if inputs_label(&base.image).as_deref() == Some(key.as_str()) {
        return Ok(Outcome::UpToDate);
    }

    let work = tempfile::tempdir().context("creating a build folder")?;
    let parent_image = match &base.suite {
        Some(suite) => bootstrap(suite, &base.image, work.path(), step)?,
        None => parent.0,
    };
    let ctx = work.path().join("context");
    std::fs::create_dir_all(ctx.join("extra-ca"))?;
    for (name, content) in &certs {
        std::fs::write(ctx.join("extra-ca").join(name), content)?;
    }
    std::fs::write(
        ctx.join("Dockerfile"),
        dockerfile(&parent_image, &base.packages, &key),
    )?;
    stream(
        Command::new("docker")
            .args(["build", "-t", &base.image])
            .arg(&ctx),
        &format!("docker build of {}", base.image),
        &mut |line| {
            if let Some(s) = build_step(line) {
                step(s.to_string());
            }
        },
    )?;
    Ok(Outcome::Built)
}

/// What to do about debootstrap before bootstrapping.
#[derive(Debug, PartialEq, Eq)]
enum Remedy {
    Ready,
    /// Root and apt-get are here: install it.
    Install,
    /// Stop with this message (exit 3): what is missing and the exact command.
    Stop(String),
}

/// The command that installs debootstrap on a machine with apt.
const INSTALL_DEBOOTSTRAP: &str = "apt-get install -y debootstrap";

fn remedy(has_debootstrap: bool, is_root: bool, has_apt: bool) -> Remedy {
    match (has_debootstrap, is_root, has_apt) {
        (_, false, _) => Remedy::Stop(format!(
            "building a local base runs debootstrap, which needs root; run \
             `sudo rtde images build --base local`{}",
            if has_debootstrap {
                String::new()
            } else {
                format!(" (it installs debootstrap with `{INSTALL_DEBOOTSTRAP}`)")
            }
        )),
        (true, true, _) => Remedy::Ready,
        (false, true, true) => Remedy::Install,
        (false, true, false) => Remedy::Stop(
            "debootstrap is missing and this machine has no apt-get; install debootstrap with \
             its package manager (e.g. `dnf install -y debootstrap`), then run again"
                .into(),
        ),
    }
}

fn runs(program: &str, arg: &str) -> bool {
    Command::new(program)
        .arg(arg)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok()
}

/// Make sure debootstrap can run, installing it when rtde can.
fn ensure_debootstrap(step: &mut dyn FnMut(String)) -> Result<()> {
    let is_root = nix::unistd::geteuid().is_root();
    match remedy(
        runs("debootstrap", "--version"),
        is_root,
        runs("apt-get", "--version"),
    ) {
        Remedy::Ready => Ok(()),
        Remedy::Stop(why) => Err(Error::Environment(why).into()),
        Remedy::Install => {
            step(format!(
                "debootstrap is missing: `apt-get update && {INSTALL_DEBOOTSTRAP}`"
            ));
            let mut lines = |line: &str| step(line.trim().to_string());
            let env = [("DEBIAN_FRONTEND", "noninteractive")];
            stream(
                Command::new("apt-get").arg("update").envs(env),
                "apt-get update",
                &mut lines,
            )
            .and_then(|()| {
                stream(
                    Command::new("apt-get")
                        .args(["install", "-y", "debootstrap"])
                        .envs(env),
                    INSTALL_DEBOOTSTRAP,
                    &mut lines,
                )
            })
            .map_err(|e| {
                Error::Environment(format!(
                    "debootstrap is missing and installing it failed; run `{INSTALL_DEBOOTSTRAP}` \
                     by hand: {e:#}"
                ))
                .into()
            })
        }
    }
}

/// debootstrap a minimal Debian into `work/rootfs` and import it; returns the image name.
fn bootstrap(
    suite: &str,
    image: &str,
    work: &Path,
    step: &mut dyn FnMut(String),
) -> Result<String> {
    ensure_debootstrap(step)?;
    let rootfs = work.join("rootfs");
    step(format!("debootstrap of Debian {suite}"));
    stream(
        Command::new("debootstrap")
            .args(["--variant=minbase", suite])
            .arg(&rootfs)
            .arg(mirror()),
        &format!("debootstrap of Debian {suite}"),
        &mut |line| {
            // `I: Retrieving libc6 1.2` and the like: one line per package is the progress.
            if let Some(info) = line.strip_prefix("I: ") {
                step(format!("debootstrap: {info}"));
            }
        },
    )?;
    step("importing the root file system".into());
    let rootfs_image = format!("{}-rootfs", image.replace(':', "-")) + ":" + suite;
    let mut tar = Command::new("tar")
        .arg("-C")
        .arg(&rootfs)
        .args(["-c", "."])
        .stdout(Stdio::piped())
        .spawn()
        .context("starting tar")?;
    let tar_out = tar.stdout.take().expect("piped");
    let import = Command::new("docker")
        .args(["import", "-", &rootfs_image])
        .stdin(tar_out)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .context("running docker import")?;
    let tar_status = tar.wait().context("waiting for tar")?;
    if !tar_status.success() || !import.status.success() {
        anyhow::bail!(
            "importing the root file system failed (tar {tar_status}, docker import {}): {}",
            import.status,
            String::from_utf8_lossy(&import.stderr).trim()
        );
    }
    Ok(rootfs_image)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn certificates_are_trusted_after_the_packages_are_installed() {
        let text = dockerfile("debian-rootfs:bookworm", &["python3".into()], "k");
        let install = text.find("apt-get install").unwrap();
        let copy = text.find("COPY extra-ca/").unwrap();
        let update = text.find("RUN update-ca-certificates").unwrap();
        assert!(install < copy && copy < update, "{text}");
        assert!(text.contains("LABEL rtde.inputs=k"));
    }

    #[test]
    fn debootstrap_is_installed_when_root_has_apt_and_named_otherwise() {
        assert_eq!(remedy(true, true, true), Remedy::Ready);
        assert_eq!(remedy(false, true, true), Remedy::Install);
        let Remedy::Stop(no_apt) = remedy(false, true, false) else {
            panic!("no apt-get must stop")
        };
        assert!(no_apt.contains("no apt-get"), "{no_apt}");
        let Remedy::Stop(not_root) = remedy(false, false, true) else {
            panic!("no root must stop")
        };
        assert!(
            not_root.contains("sudo rtde images build --base local")
                && not_root.contains(INSTALL_DEBOOTSTRAP),
            "{not_root}"
        );
        assert!(matches!(remedy(true, false, true), Remedy::Stop(_)));
    }
}
