//! Paths given on the command line are relative to the project root (`--root`).

use std::path::{Path, PathBuf};

/// The curated comparison, relative to the root: the results folder `make nightly` benches
/// into (`--out pipelines/comparison`) and that `rtde compare`, `report` and `list` read by
/// default. Ad-hoc runs go to `runs/` and never touch it.
pub const COMPARISON_DIR: &str = "pipelines/comparison";

/// `path` under `root`, unless it is absolute (or the root is the current folder, so that
/// messages show the path as the user typed it).
pub fn under_root(root: &Path, path: &Path) -> PathBuf {
    if path.is_absolute() || root == Path::new(".") {
        path.to_path_buf()
    } else {
        root.join(path)
    }
}
