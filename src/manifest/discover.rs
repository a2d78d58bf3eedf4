//! Finding pipeline folders and resolving the ids users type.
//!
//! A pipeline folder is `NN-name/` with a `pipeline.yaml`; users may name it `p01`, `01`,
//! `1` or `01-kafka-flink-iceberg`, and all four mean the same folder.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::Error;

pub const MANIFEST_FILE: &str = "pipeline.yaml";

/// A pipeline folder found on disk (its manifest not yet loaded).
#[derive(Debug, Clone)]
pub struct Found {
    /// Two digits, as in the folder name.
    pub number: String,
    pub folder: PathBuf,
    pub manifest: PathBuf,
}

impl Found {
    pub fn folder_name(&self) -> String {
        self.folder
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }
}

/// Every pipeline folder under `dir`, in id order.
pub fn discover(dir: &Path) -> Result<Vec<Found>, Error> {
    let entries = fs::read_dir(dir).map_err(|e| {
        Error::InvalidInput(format!(
            "cannot read the pipelines folder {}: {e}; run rtde from the project root or pass --root",
            dir.display()
        ))
    })?;
    let mut found: Vec<Found> = entries
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let number = name.get(..2)?;
            let well_formed =
                number.chars().all(|c| c.is_ascii_digit()) && name.as_bytes().get(2) == Some(&b'-');
            let manifest = e.path().join(MANIFEST_FILE);
            (well_formed && manifest.is_file()).then(|| Found {
                number: number.to_string(),
                folder: e.path(),
                manifest,
            })
        })
        .collect();
    found.sort_by(|a, b| a.folder.cmp(&b.folder));
    Ok(found)
}

/// Resolve what a user typed to a pipeline folder.
pub fn resolve(dir: &Path, id: &str) -> Result<Found, Error> {
    let all = discover(dir)?;
    let wanted = id.trim();
    let number = wanted
        .strip_prefix('p')
        .or_else(|| wanted.strip_prefix('P'))
        .unwrap_or(wanted);
    let by_number = number
        .parse::<u32>()
        .ok()
        .filter(|_| number.chars().all(|c| c.is_ascii_digit()))
        .map(|n| format!("{n:02}"));
    all.iter()
        .find(|f| Some(&f.number) == by_number.as_ref() || f.folder_name() == wanted)
        .cloned()
        .ok_or_else(|| {
            Error::InvalidInput(format!(
                "no pipeline `{id}` in {}; `rtde list` shows the ids (known: {})",
                dir.display(),
                all.iter()
                    .map(|f| format!("p{}", f.number))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for name in ["01-kafka-flink", "12-cdc", "notes"] {
            fs::create_dir(dir.path().join(name)).unwrap();
        }
        fs::write(dir.path().join("01-kafka-flink").join(MANIFEST_FILE), "").unwrap();
        fs::write(dir.path().join("12-cdc").join(MANIFEST_FILE), "").unwrap();
        dir
    }

    #[test]
    fn every_spelling_of_an_id_resolves_to_the_same_folder() {
        let dir = tree();
        for id in ["p01", "01", "1", "P1", "01-kafka-flink"] {
            assert_eq!(resolve(dir.path(), id).unwrap().number, "01", "{id}");
        }
        assert_eq!(resolve(dir.path(), "12").unwrap().folder_name(), "12-cdc");
    }

    #[test]
    fn unknown_id_lists_the_known_ones() {
        let dir = tree();
        let err = resolve(dir.path(), "p07").unwrap_err().to_string();
        assert!(err.contains("p01, p12"), "{err}");
    }

    #[test]
    fn folders_without_a_manifest_are_not_pipelines() {
        assert_eq!(discover(tree().path()).unwrap().len(), 2);
    }
}
