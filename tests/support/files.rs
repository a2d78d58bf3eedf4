//! Files for the tests that set up a home of their own (Superset's, the dashboards' checks).

use std::fs;
use std::path::Path;

use anyhow::Result;

/// Copies a folder and everything below it (a pipeline's files into a test's own home).
pub fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &target)?;
        } else {
            fs::copy(entry.path(), &target)?;
        }
    }
    Ok(())
}
