//! Pipeline manifests: parse, check, plan.
//!
//! A pipeline is a folder `pipelines/NN-name/` with a `pipeline.yaml`. Loading goes in three
//! steps, as ripgrep splits its flags into low and high arguments: `raw` holds the YAML as
//! written, `plan` turns it into checked, typed values (durations, regexes, categories), and
//! `validate` checks it against the compose stack (services, profiles, files). Every error
//! names `file:line:col` and what to write instead. This module never talks to Docker.

mod discover;
pub mod duration;
mod load;
mod plan;
mod raw;
mod template;
pub mod validate;

use std::fmt;
use std::path::{Path, PathBuf};

pub use discover::{discover, resolve};
pub use plan::{Action, Check, CheckRule, Pipeline, Probe, ProbeKind, Stage};
pub use template::Template;

/// A position in a manifest: 1-based line and column.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Loc {
    pub line: usize,
    pub col: usize,
}

/// One problem in one manifest, with where it is and what to do.
#[derive(Debug, Clone)]
pub struct ManifestError {
    pub path: PathBuf,
    pub loc: Loc,
    pub message: String,
}

impl ManifestError {
    pub fn at(path: &Path, loc: Loc, message: impl Into<String>) -> Self {
        ManifestError {
            path: path.to_path_buf(),
            loc,
            message: message.into(),
        }
    }
}

impl fmt::Display for ManifestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.loc.line == 0 {
            write!(f, "{}: {}", self.path.display(), self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.path.display(),
                self.loc.line,
                self.loc.col,
                self.message
            )
        }
    }
}

/// All the problems found in one manifest (reported together, so one edit fixes them all).
#[derive(Debug)]
pub struct ManifestErrors(pub Vec<ManifestError>);

impl fmt::Display for ManifestErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, err) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{err}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ManifestErrors {}

impl From<ManifestErrors> for crate::error::Error {
    fn from(errs: ManifestErrors) -> Self {
        crate::error::Error::InvalidInput(errs.to_string())
    }
}

/// Load and plan one manifest file. `root` is the project root (for relative paths in
/// records).
pub fn load(path: &Path, root: &Path) -> Result<Pipeline, ManifestErrors> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        ManifestErrors(vec![ManifestError::at(
            path,
            Loc::default(),
            format!("cannot read the manifest: {e}"),
        )])
    })?;
    let raw = load::parse(path, &text).map_err(|e| ManifestErrors(vec![e]))?;
    let locator = load::Locator::new(&text);
    plan::plan(path, root, raw, &locator)
}
