//! `shared/docker/images.yaml`: the local bases and the project images.

use std::path::Path;

use anyhow::Result;
use serde::Deserialize;

use crate::error::Error;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImagesFile {
    pub bases: Vec<BaseSpec>,
    #[serde(default)]
    pub images: Vec<ImageSpec>,
}

/// A local base: either a Debian `suite` bootstrapped from packages, or `from` another base,
/// plus Debian `packages`. `public` is the image it stands in for.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaseSpec {
    pub name: String,
    pub image: String,
    pub public: String,
    #[serde(default)]
    pub suite: Option<String>,
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub packages: Vec<String>,
}

/// A project image: its Dockerfile (which takes `BASE_IMAGE`), the base it needs locally,
/// and the build context (relative to the project root).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImageSpec {
    pub name: String,
    pub image: String,
    pub dockerfile: String,
    /// The local base it builds on without a registry. Absent for an image whose public base
    /// no Debian base can stand in for (Flink, Spark: a JVM distribution with its own
    /// layout): it builds only with `--base public`.
    #[serde(default)]
    pub base: Option<String>,
    #[serde(default = "dot")]
    pub context: String,
    /// How to build it on a local base instead, when that differs: no Rust or other build
    /// image can be pulled without a registry, so a binary built on the host (same glibc as
    /// the Debian base) is copied in.
    #[serde(default)]
    pub local: Option<LocalBuild>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocalBuild {
    /// A tag of its own (default: the image's), for a local build whose content differs
    /// from the public one's (Flink from PyPI has no Iceberg): a run's record then names
    /// which of the two ran, and a stack picks one by its tag.
    #[serde(default)]
    pub image: Option<String>,
    /// A Dockerfile of its own (default: the image's).
    #[serde(default)]
    pub dockerfile: Option<String>,
    /// Host files copied into a build context of their own (`from` may start with `~/`);
    /// without any, the image's context is used.
    #[serde(default)]
    pub files: Vec<HostFile>,
    /// Build arguments for the local build (e.g. to skip a download only a registry
    /// machine can make).
    #[serde(default)]
    pub args: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostFile {
    pub from: String,
    pub to: String,
    /// The command (run in the project root) that makes `from` when it is missing, so that
    /// a fresh machine needs no step by hand.
    #[serde(default)]
    pub build: Vec<String>,
}

impl ImageSpec {
    /// The tag a build on these bases gives the image.
    pub fn tag(&self, choice_local: bool) -> &str {
        match &self.local {
            Some(LocalBuild {
                image: Some(tag), ..
            }) if choice_local => tag,
            _ => &self.image,
        }
    }

    /// Whether a stack's image reference is this image, built either way.
    pub fn is(&self, reference: &str) -> bool {
        reference == self.image || reference == self.tag(true)
    }
}

impl HostFile {
    /// The host path: `~/` is the home folder, a relative path is under the project root.
    pub fn path(&self, root: &Path) -> std::path::PathBuf {
        match self.from.strip_prefix("~/") {
            Some(rest) => {
                std::path::PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(rest)
            }
            None => root.join(&self.from),
        }
    }
}

fn dot() -> String {
    ".".into()
}

impl ImagesFile {
    pub fn load(path: &Path) -> Result<ImagesFile> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::InvalidInput(format!("cannot read {}: {e}", path.display())))?;
        let file: ImagesFile = serde_yaml_ng::from_str(&text).map_err(|e| {
            let at = e
                .location()
                .map(|l| format!(":{}:{}", l.line(), l.column()))
                .unwrap_or_default();
            Error::InvalidInput(format!("{}{at}: {e}", path.display()))
        })?;
        for b in &file.bases {
            if b.suite.is_some() == b.from.is_some() {
                return Err(Error::InvalidInput(format!(
                    "{}: base `{}` needs exactly one of `suite` (bootstrap Debian) or `from` (another base)",
                    path.display(),
                    b.name
                ))
                .into());
            }
        }
        for i in &file.images {
            if let Some(base) = &i.base
                && file.base(base).is_none()
            {
                return Err(Error::InvalidInput(format!(
                    "{}: image `{}` names base `{base}`, which is not under `bases:`",
                    path.display(),
                    i.name,
                ))
                .into());
            }
        }
        Ok(file)
    }

    pub fn base(&self, name: &str) -> Option<&BaseSpec> {
        self.bases.iter().find(|b| b.name == name)
    }

    pub fn image(&self, name: &str) -> Option<&ImageSpec> {
        self.images.iter().find(|i| i.name == name)
    }

    pub fn names(&self) -> Vec<String> {
        self.bases
            .iter()
            .map(|b| b.name.clone())
            .chain(self.images.iter().map(|i| i.name.clone()))
            .collect()
    }

    /// A base and the bases it is built from, root first.
    pub fn base_chain(&self, name: &str) -> Result<Vec<&BaseSpec>> {
        let mut chain = Vec::new();
        let mut next = Some(name.to_string());
        while let Some(n) = next {
            let b = self.base(&n).ok_or_else(|| {
                Error::InvalidInput(format!(
                    "base `{n}` is not under `bases:` in the images file"
                ))
            })?;
            if chain.iter().any(|c: &&BaseSpec| c.name == b.name) {
                return Err(Error::InvalidInput(format!("bases loop through `{n}`")).into());
            }
            chain.push(b);
            next = b.from.clone();
        }
        chain.reverse();
        Ok(chain)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> Result<ImagesFile> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("images.yaml");
        std::fs::write(&path, text).unwrap();
        ImagesFile::load(&path)
    }

    #[test]
    fn the_project_file_loads_and_chains_python_on_debian() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(super::super::IMAGES_FILE);
        let f = ImagesFile::load(&path).unwrap();
        let chain: Vec<&str> = f
            .base_chain("python")
            .unwrap()
            .iter()
            .map(|b| b.name.as_str())
            .collect();
        assert_eq!(chain, ["debian", "python"]);
    }

    #[test]
    fn a_base_needs_a_suite_or_a_parent_and_images_need_known_bases() {
        let err = file("bases:\n  - {name: a, image: x:1, public: y:1}\n").unwrap_err();
        assert!(err.to_string().contains("exactly one of `suite`"), "{err}");
        let err = file(
            "bases:\n  - {name: a, image: x:1, public: y:1, suite: bookworm}\nimages:\n  - {name: i, image: i:1, dockerfile: D, base: b}\n",
        )
        .unwrap_err();
        assert!(err.to_string().contains("names base `b`"), "{err}");
    }
}
