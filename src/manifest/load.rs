//! Reading `pipeline.yaml`: text → raw serde types, with every error located.
//!
//! serde_yaml_ng gives typed deserialization with strict fields and the location of a
//! syntax or type error; it keeps no positions for values that parsed fine. Errors found
//! later (a duration that does not parse, a stage naming a service the stack lacks) still
//! need a line, so the same text is also parsed by saphyr into a tree that carries a span for
//! every node, and [`Locator`] answers "where is `stages[2].exec.service`?".

use std::path::Path;
use std::sync::Arc;

use saphyr::{LoadableYamlNode, MarkedYaml};
use serde::de::DeserializeOwned;

use super::{Loc, ManifestError};

/// A path into the manifest: field names and sequence indexes.
#[derive(Debug, Clone, Copy)]
pub enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

/// Positions in one file's text; every [`Loc`] it gives names that file.
pub struct Locator<'a> {
    root: Option<MarkedYaml<'a>>,
    file: Arc<Path>,
}

impl<'a> Locator<'a> {
    pub fn new(text: &'a str, file: &Path) -> Self {
        let root = MarkedYaml::load_from_str(text)
            .ok()
            .and_then(|docs| docs.into_iter().next());
        Locator {
            root,
            file: Arc::from(file),
        }
    }

    /// The location of the node at `path`, or of its deepest existing ancestor.
    pub fn locate(&self, path: &[Seg]) -> Loc {
        let Some(mut node) = self.root.as_ref() else {
            return Loc {
                file: Some(self.file.clone()),
                ..Loc::default()
            };
        };
        for seg in path {
            let next = match seg {
                Seg::Key(key) => node.data.as_mapping_get(key),
                Seg::Index(i) => node.data.as_sequence_get(*i),
            };
            match next {
                Some(child) => node = child,
                None => break,
            }
        }
        Loc {
            line: node.span.start.line(),
            col: node.span.start.col() + 1,
            file: Some(self.file.clone()),
        }
    }
}

/// Parse a manifest's (or a stage definition's) text; errors carry `file:line:col`.
pub fn parse<T: DeserializeOwned>(path: &Path, text: &str) -> Result<T, ManifestError> {
    serde_yaml_ng::from_str(text).map_err(|err| {
        let loc = err
            .location()
            .map(|l| Loc {
                line: l.line(),
                col: l.column(),
                file: None,
            })
            .unwrap_or_default();
        ManifestError::at(path, loc, humanize(&err.to_string()))
    })
}

/// serde's messages are good but end with " at line N column M", which we already print in
/// front; they also say `unknown field` without saying what to do.
fn humanize(message: &str) -> String {
    let trimmed = match message.rfind(" at line ") {
        Some(pos) => &message[..pos],
        None => message,
    };
    if trimmed.contains("unknown field") {
        format!("{trimmed}; remove it or correct its spelling (see docs/manifest.md)")
    } else if trimmed.starts_with("missing field") {
        format!("{trimmed}; add it (see docs/manifest.md)")
    } else {
        trimmed.to_string()
    }
}
