//! How results reach the disk: one CSV reader for the tables, and one atomic writer for
//! every file a reader may open while rtde writes it (the tables, run.json, the stack
//! record, the reports and exports).

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::de::DeserializeOwned;

use crate::error::Error;

/// Write `bytes` to `path` through a temporary file beside it and a rename, creating the
/// folder: a reader (or a crash mid-write) never sees half a file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    fs::rename(&tmp, path).with_context(|| format!("replacing {}", path.display()))
}

/// Read a CSV table with a header line into rows; a missing file is an empty table. A row
/// that does not parse is invalid input naming its line (`table` and `row` name the table
/// and its rows in the message: "results table", "a results row").
pub fn read_csv<T: DeserializeOwned>(path: &Path, table: &str, row: &str) -> Result<Vec<T>> {
    if !path.exists() {
        return Ok(Vec::new());
    }
    let mut reader = csv::Reader::from_path(path)
        .with_context(|| format!("opening {table} {}", path.display()))?;
    reader
        .deserialize()
        .enumerate()
        .map(|(i, parsed)| {
            parsed.map_err(|e| {
                Error::InvalidInput(format!(
                    "{}:{}: not {row} ({e}); fix or delete the line",
                    path.display(),
                    i + 2
                ))
                .into()
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_atomic_write_leaves_no_temporary_file_and_creates_the_folder() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/run.json");
        write_atomic(&path, b"{}").unwrap();
        write_atomic(&path, b"{\"x\":1}").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "{\"x\":1}");
        assert!(!dir.path().join("a/b/run.json.tmp").exists());
    }
}
