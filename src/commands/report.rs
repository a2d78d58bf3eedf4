//! `rtde report`: regenerate BENCHMARK_RESULTS.md from a results table.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

use super::{absolute_root, results_table, shown};
use crate::cli::ReportArgs;
use crate::error::Error;
use crate::exit;
use crate::paths::under_root;
use crate::report::{paths_md, results_md};
use crate::results::comparison::{self, Sources};
use crate::results::files::write_atomic;
use crate::results::table;

const RESULTS_FILE: &str = "BENCHMARK_RESULTS.md";

pub fn report(root: &Path, args: &ReportArgs, stdout: &mut dyn Write) -> Result<i32> {
    let root = absolute_root(root)?;
    let results = results_table(&root, args.folder.as_deref(), args.results.as_deref());
    let runs_table = results.with_file_name("runs.csv");
    // No results yet is the state of a fresh checkout, not an error: the file says so.
    let has_rows = !table::read(&results)?.is_empty();
    let comparison = if has_rows {
        Some(comparison::load(&Sources {
            root: &root,
            results: &results,
            runs_table: &runs_table,
        })?)
    } else {
        None
    };
    let mut text = results_md::render(comparison.as_ref(), &shown(&root, &results));
    text.push_str(&crate::report::freshness::results_md(
        &crate::results::table::read(&results)?,
    ));
    // A folder other than the curated comparison gets its own BENCHMARK_RESULTS.md: the
    // committed one is only ever written from the curated table.
    let out = match (&args.out, &args.folder) {
        (Some(out), _) => under_root(&root, out),
        (None, Some(folder)) => under_root(&root, folder).join(RESULTS_FILE),
        (None, None) => root.join(RESULTS_FILE),
    };
    write_atomic(&out, text.as_bytes())?;
    writeln!(
        stdout,
        "{}: {} pipeline(s) measured",
        shown(&root, &out),
        comparison.as_ref().map_or(0, |c| c.pipelines.len())
    )?;
    // The technology map's measured section follows the curated table only, like the
    // committed BENCHMARK_RESULTS.md; a root without the document (a test's) has none.
    let doc = root.join(paths_md::DOC);
    if args.folder.is_none() && args.results.is_none() && args.out.is_none() && doc.is_file() {
        let before =
            std::fs::read_to_string(&doc).with_context(|| format!("reading {}", doc.display()))?;
        let section = paths_md::render(comparison.as_ref(), &shown(&root, &results));
        let after = paths_md::splice(&before, &section).map_err(|e| {
            Error::InvalidInput(format!(
                "{}: {e}; rtde report writes its measured section between the two marker \
                 lines (src/report/paths_md.rs)",
                doc.display()
            ))
        })?;
        if after != before {
            write_atomic(&doc, after.as_bytes())?;
        }
        writeln!(stdout, "{}: measured section regenerated", paths_md::DOC)?;
    }
    Ok(exit::OK)
}
