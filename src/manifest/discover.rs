//! Finding pipeline folders and resolving the ids users type.
//!
//! A pipeline folder is `NN-name/` with a `pipeline.yaml`; users may name it `p01`, `01`,
//! `1` or `01-kafka-flink-iceberg`, and all four mean the same folder. They may also give a
//! path to a pipeline folder anywhere (`./my-pipeline`, `/tmp/42-trial`, or its
//! `pipeline.yaml`), as they would give `docker compose -f` a file: a path is taken as typed,
//! relative to the current folder, not looked up in the pipelines folder.

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

/// Resolve what a user typed to a pipeline folder: a path, or an id in `dir`.
pub fn resolve(dir: &Path, id: &str) -> Result<Found, Error> {
    if let Some(folder) = as_path(id) {
        return at_path(id, folder);
    }
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

/// The folder `arg` names when it is written as a path: it holds a `/`, starts with `.`, is
/// a folder holding a manifest, or is a manifest file. Ids (`p01`, `01-name`) are none of
/// these unless a folder of that name with a manifest is in the current folder, which then
/// is the pipeline meant.
fn as_path(arg: &str) -> Option<PathBuf> {
    let path = Path::new(arg);
    if path.file_name().is_some_and(|n| n == MANIFEST_FILE) && path.is_file() {
        return Some(path.parent().unwrap_or(Path::new(".")).to_path_buf());
    }
    let written_as_path = arg.contains(std::path::MAIN_SEPARATOR) || arg.starts_with('.');
    (written_as_path || path.join(MANIFEST_FILE).is_file()).then(|| path.to_path_buf())
}

fn at_path(arg: &str, folder: PathBuf) -> Result<Found, Error> {
    let manifest = folder.join(MANIFEST_FILE);
    if !manifest.is_file() {
        let what = if folder.is_dir() {
            format!("has no {MANIFEST_FILE}")
        } else {
            "is not a folder".to_string()
        };
        return Err(Error::InvalidInput(format!(
            "`{arg}` {what}: a pipeline path names a folder with a {MANIFEST_FILE} \
             (docs/manifest.md); an id (p01) is looked up in the pipelines folder"
        )));
    }
    let name = folder
        .canonicalize()
        .ok()
        .and_then(|f| f.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_default();
    Ok(Found {
        number: name.get(..2).unwrap_or_default().to_string(),
        folder,
        manifest,
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
    fn a_path_names_a_folder_anywhere() {
        let pipelines = tree();
        let elsewhere = tree();
        let folder = elsewhere.path().join("12-cdc");
        let by_folder = resolve(pipelines.path(), folder.to_str().unwrap()).unwrap();
        assert_eq!(by_folder.folder, folder);
        assert_eq!(by_folder.number, "12");
        let manifest = folder.join(MANIFEST_FILE);
        let by_file = resolve(pipelines.path(), manifest.to_str().unwrap()).unwrap();
        assert_eq!(by_file.manifest, manifest);
    }

    #[test]
    fn a_path_without_a_manifest_says_what_is_missing() {
        let dir = tree();
        let notes = dir.path().join("notes");
        let err = resolve(dir.path(), notes.to_str().unwrap())
            .unwrap_err()
            .to_string();
        assert!(err.contains("has no pipeline.yaml"), "{err}");
        let err = resolve(dir.path(), "./no/such/folder")
            .unwrap_err()
            .to_string();
        assert!(err.contains("is not a folder"), "{err}");
    }

    #[test]
    fn folders_without_a_manifest_are_not_pipelines() {
        assert_eq!(discover(tree().path()).unwrap().len(), 2);
    }
}
