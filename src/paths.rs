//! Paths given on the command line are relative to the project root (`--root`).

use std::path::{Path, PathBuf};

/// `path` under `root`, unless it is absolute (or the root is the current folder, so that
/// messages show the path as the user typed it).
pub fn under_root(root: &Path, path: &Path) -> PathBuf {
    if path.is_absolute() || root == Path::new(".") {
        path.to_path_buf()
    } else {
        root.join(path)
    }
}
