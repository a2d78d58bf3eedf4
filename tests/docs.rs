//! The documentation: every relative link resolves, the technology map's measured section is
//! what `rtde report` writes, and the walkthrough notebook runs from top to bottom.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use regex::Regex;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Markdown files under `dir`, recursively, skipping build and tool folders.
fn markdown_under(dir: &Path, only_readmes: bool, found: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if path.is_dir() {
            if !["target", "fixtures", "node_modules"].contains(&name.as_str())
                && !name.starts_with('.')
            {
                markdown_under(&path, only_readmes, found);
            }
        } else if (name.ends_with(".md") && (!only_readmes || name == "README.md"))
            || (!only_readmes && name.ends_with(".ipynb"))
        {
            found.push(path);
        }
    }
}

/// The documents whose links are checked: everything under docs/ (the notebook's Markdown
/// cells too), the root's README and BENCHMARK_RESULTS.md, and every README.md of the tree.
fn documents() -> Vec<PathBuf> {
    let root = repo();
    let mut found = vec![root.join("README.md"), root.join("BENCHMARK_RESULTS.md")];
    markdown_under(&root.join("docs"), false, &mut found);
    for dir in ["pipelines", "shared", "src", "scripts", "benches"] {
        markdown_under(&root.join(dir), true, &mut found);
    }
    found
}

/// A document's Markdown: the file itself, or a notebook's Markdown cells joined.
fn markdown_of(path: &Path) -> String {
    let text = fs::read_to_string(path).unwrap();
    if path.extension().is_some_and(|e| e == "ipynb") {
        let notebook: serde_json::Value = serde_json::from_str(&text).unwrap();
        let mut out = String::new();
        for cell in notebook["cells"].as_array().unwrap() {
            if cell["cell_type"] == "markdown" {
                match &cell["source"] {
                    serde_json::Value::String(s) => out.push_str(s),
                    serde_json::Value::Array(lines) => {
                        for line in lines {
                            out.push_str(line.as_str().unwrap());
                        }
                    }
                    _ => {}
                }
                out.push('\n');
            }
        }
        return out;
    }
    text
}

/// The lines outside fenced code blocks, with their line numbers.
fn prose_lines(markdown: &str) -> Vec<(usize, &str)> {
    let mut fenced = false;
    let mut out = Vec::new();
    for (i, line) in markdown.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fenced = !fenced;
            continue;
        }
        if !fenced {
            out.push((i + 1, line));
        }
    }
    out
}

/// GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens, and a
/// repeated heading numbered `-1`, `-2`, ….
fn anchors(markdown: &str) -> BTreeSet<String> {
    let heading = Regex::new(r"^#{1,6}\s+(.*?)\s*#*\s*$").unwrap();
    let link = Regex::new(r"\[([^\]]*)\]\([^)]*\)").unwrap();
    let mut out = BTreeSet::new();
    for (_, line) in prose_lines(markdown) {
        let Some(caps) = heading.captures(line) else {
            continue;
        };
        let text = link.replace_all(&caps[1], "$1").to_lowercase();
        let slug: String = text
            .chars()
            .filter(|c| c.is_alphanumeric() || *c == ' ' || *c == '-' || *c == '_')
            .map(|c| if c == ' ' { '-' } else { c })
            .collect();
        let mut candidate = slug.clone();
        let mut n = 0;
        while out.contains(&candidate) {
            n += 1;
            candidate = format!("{slug}-{n}");
        }
        out.insert(candidate);
    }
    out
}

/// Every relative link of a document that does not resolve, as `file:line: target: why`.
fn broken_links(path: &Path) -> Vec<String> {
    let markdown = markdown_of(path);
    let code_span = Regex::new(r"`[^`]*`").unwrap();
    let link = Regex::new(r#"\]\(([^()\s]+)(?:\s+"[^"]*")?\)"#).unwrap();
    let scheme = Regex::new(r"^[a-zA-Z][a-zA-Z0-9+.-]*:").unwrap();
    let shown = path
        .strip_prefix(repo())
        .unwrap_or(path)
        .display()
        .to_string();
    let mut broken = Vec::new();
    for (number, line) in prose_lines(&markdown) {
        let line = code_span.replace_all(line, "");
        for caps in link.captures_iter(&line) {
            let target = &caps[1];
            if scheme.is_match(target) {
                continue;
            }
            let (file, anchor) = target.split_once('#').unwrap_or((target, ""));
            let resolved = if file.is_empty() {
                path.to_path_buf()
            } else {
                path.parent().unwrap().join(file)
            };
            if !resolved.exists() {
                broken.push(format!("{shown}:{number}: {target}: no such file"));
                continue;
            }
            let is_markdown = resolved.extension().is_some_and(|e| e == "md");
            if !anchor.is_empty()
                && is_markdown
                && !anchors(&markdown_of(&resolved)).contains(anchor)
            {
                broken.push(format!(
                    "{shown}:{number}: {target}: no heading with that anchor"
                ));
            }
        }
    }
    broken
}

#[test]
fn the_link_check_finds_what_is_broken() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("a.md"),
        "# Title\n\n## Some `code`, and more!\n\n[ok](b.md#the-end) [ok](#some-code-and-more) \
         [web](https://example.com)\n[bad](c.md) [bad](b.md#nowhere) `[not a link](x.md)`\n\n\
         ```\n[in a fence](y.md)\n```\n",
    )
    .unwrap();
    fs::write(dir.path().join("b.md"), "# The end\n").unwrap();
    let broken = broken_links(&dir.path().join("a.md"));
    assert_eq!(broken.len(), 2, "{broken:#?}");
    assert!(broken[0].ends_with(":6: c.md: no such file"), "{broken:#?}");
    assert!(broken[1].ends_with(":6: b.md#nowhere: no heading with that anchor"));
    assert!(anchors("## A\n## A\n").contains("a-1"));
}

#[test]
fn every_relative_link_in_the_documentation_resolves() {
    let documents = documents();
    assert!(
        documents.len() > 20,
        "found only {} documents: the walk is wrong",
        documents.len()
    );
    let broken: Vec<String> = documents.iter().flat_map(|d| broken_links(d)).collect();
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn every_document_is_linked_from_the_index() {
    let root = repo();
    let index = root.join("docs/README.md");
    let text = markdown_of(&index);
    let mut found = Vec::new();
    markdown_under(&root.join("docs"), false, &mut found);
    let missing: Vec<String> = found
        .iter()
        .filter(|d| **d != index)
        .map(|d| {
            d.strip_prefix(root.join("docs"))
                .unwrap()
                .display()
                .to_string()
        })
        .filter(|relative| !text.contains(&format!("]({relative}")))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/README.md links none of: {missing:?}"
    );
}

/// A copy of what `rtde report` reads and writes: the curated results with their run
/// folders, and the two documents it regenerates.
fn report_sandbox() -> tempfile::TempDir {
    fn copy(from: &Path, to: &Path) {
        fs::create_dir_all(to).unwrap();
        for entry in fs::read_dir(from).unwrap() {
            let path = entry.unwrap().path();
            let target = to.join(path.file_name().unwrap());
            if path.is_dir() {
                copy(&path, &target);
            } else if path.extension().is_some_and(|e| e == "json" || e == "csv") {
                fs::copy(&path, &target).unwrap();
            }
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let root = repo();
    copy(
        &root.join("pipelines/comparison"),
        &dir.path().join("pipelines/comparison"),
    );
    fs::create_dir_all(dir.path().join("docs")).unwrap();
    fs::copy(
        root.join("docs/streaming-data-paths.md"),
        dir.path().join("docs/streaming-data-paths.md"),
    )
    .unwrap();
    dir
}

#[test]
fn the_committed_measured_sections_are_what_rtde_report_writes() {
    let sandbox = report_sandbox();
    let out = Command::new(env!("CARGO_BIN_EXE_rtde"))
        .arg("--root")
        .arg(sandbox.path())
        .arg("report")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "rtde report failed\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("docs/streaming-data-paths.md"));
    for file in ["docs/streaming-data-paths.md", "BENCHMARK_RESULTS.md"] {
        let written = fs::read_to_string(sandbox.path().join(file)).unwrap();
        let committed = fs::read_to_string(repo().join(file)).unwrap();
        assert!(
            written == committed,
            "{file} is not what `rtde report` writes from pipelines/comparison/results.csv: \
             run `rtde report` and commit the result\n--- written\n{written}"
        );
    }
    // The section is generated: it names the curated table and the pipelines measured.
    let doc = fs::read_to_string(sandbox.path().join("docs/streaming-data-paths.md")).unwrap();
    let section = &doc[doc.find("<!-- BEGIN rtde report").unwrap()..];
    assert!(section.contains("from `pipelines/comparison/results.csv`"));
    assert!(section.contains("| p00 ") && section.contains("### Transformation"));
}

#[test]
fn rtde_report_refuses_a_document_without_its_markers() {
    let sandbox = report_sandbox();
    let doc = sandbox.path().join("docs/streaming-data-paths.md");
    fs::write(&doc, "# The map\n\nno markers here\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_rtde"))
        .arg("--root")
        .arg(sandbox.path())
        .arg("report")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("streaming-data-paths.md") && stderr.contains("missing"),
        "{stderr}"
    );
    assert_eq!(
        fs::read_to_string(&doc).unwrap(),
        "# The map\n\nno markers here\n"
    );
}

/// Runs docs/notebooks/walkthrough.ipynb as CI does: every cell, in a fresh kernel of the
/// repository's .venv, with this build's rtde. It benchmarks P00 and P20 (on tansu), so it
/// needs Docker and the project images (`make images-local`).
#[test]
fn the_walkthrough_notebook_runs() {
    let root = repo();
    let python = root.join(".venv/bin/python");
    assert!(
        python.exists(),
        "{} is missing: `python3 -m venv .venv && .venv/bin/pip install -r requirements-dev.txt`",
        python.display()
    );
    let executed = tempfile::tempdir().unwrap();
    let instance = format!("docs-notebook-{}", std::process::id());
    let out = Command::new(&python)
        .current_dir(&root)
        .arg("scripts/docs/run_notebook.py")
        .arg("docs/notebooks/walkthrough.ipynb")
        .arg("--out")
        .arg(executed.path().join("walkthrough.ipynb"))
        .env("RTDE", env!("CARGO_BIN_EXE_rtde"))
        .env("RTDE_INSTANCE", &instance)
        .env("RTDE_WALKTHROUGH_WORK", executed.path())
        .output()
        .unwrap();
    // A cell that failed after P20 came up leaves it up: take it down whatever happened.
    let down = Command::new(env!("CARGO_BIN_EXE_rtde"))
        .current_dir(&root)
        .env("RTDE_INSTANCE", &instance)
        .env("CI", "1")
        .args(["down", "p20"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the notebook failed\n--- stdout\n{}\n--- stderr\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        down.status.success(),
        "{}",
        String::from_utf8_lossy(&down.stderr)
    );
    // The executed copy has the figures: both plots rendered an image.
    let text = fs::read_to_string(executed.path().join("walkthrough.ipynb")).unwrap();
    assert!(
        text.matches("image/png").count() >= 2,
        "no plots in the executed notebook"
    );
    assert!(text.contains("Gold equals the oracle"));
}
