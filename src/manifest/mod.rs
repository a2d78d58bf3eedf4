//! Pipeline manifests: parse, compose, check, plan.
//!
//! A pipeline is a folder `pipelines/NN-name/` with a `pipeline.yaml`. Loading goes in
//! steps, as ripgrep splits its flags into low and high arguments: `raw` holds the YAML as
//! written, `layers` reads what a manifest builds on (`extends:`, `use:`) and merges it,
//! `plan` turns the result into checked, typed values (`pipeline`: durations, regexes,
//! categories), and `validate` checks it against the compose stack (services, profiles,
//! files). `print` shows the merged manifest with where each part came from; `lint` holds the
//! checks across files (`.env`, stages written twice). Every error names `file:line:col` (in
//! the file the offending text is in) and what to write instead. This module never talks to
//! Docker.

mod discover;
pub mod duration;
mod layers;
pub mod lint;
mod load;
mod pipeline;
mod plan;
pub mod print;
mod raw;
mod template;
pub mod validate;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use discover::{discover, resolve};
pub use pipeline::{
    Action, Check, CheckRule, Command, Pipeline, Probe, ProbeKind, STACK_PARTS, Stage, Stop,
    Sustained,
};
pub use template::Template;

/// A position in a manifest: 1-based line and column, and the file when it is not the
/// manifest itself (a base it `extends`, a shared stage definition).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Loc {
    pub line: usize,
    pub col: usize,
    pub file: Option<Arc<Path>>,
}

impl Loc {
    /// The file this position is in, `manifest` when none is recorded.
    pub fn file_or<'a>(&'a self, manifest: &'a Path) -> &'a Path {
        self.file.as_deref().unwrap_or(manifest)
    }
}

/// One problem in one manifest, with where it is and what to do.
#[derive(Debug, Clone)]
pub struct ManifestError {
    pub path: PathBuf,
    pub loc: Loc,
    pub message: String,
}

impl ManifestError {
    /// An error at `loc`, in `loc`'s own file when it has one, else in `path`.
    pub fn at(path: &Path, loc: Loc, message: impl Into<String>) -> Self {
        ManifestError {
            path: loc.file_or(path).to_path_buf(),
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

/// Load and plan one manifest file, with what it extends and the definitions it uses.
/// `root` is the project root (for relative paths in records, and `shared/stages/`).
pub fn load(path: &Path, root: &Path) -> Result<Pipeline, ManifestErrors> {
    let read = layers::read(path, root)?;
    let locators: Vec<load::Locator> = read
        .sources
        .iter()
        .map(|s| load::Locator::new(&s.text, &s.path))
        .collect();
    let (resolved, mut errors) = layers::merge(&read, &locators);
    match plan::plan(path, root, resolved, &locators) {
        Ok(pipeline) if errors.is_empty() => Ok(pipeline),
        Ok(_) => Err(ManifestErrors(errors)),
        Err(ManifestErrors(more)) => {
            errors.extend(more);
            Err(ManifestErrors(errors))
        }
    }
}
