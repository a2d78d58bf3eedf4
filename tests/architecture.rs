//! The layers of docs/architecture.md, kept true: every `crate::` path in `src/` is read per
//! top-level module, and a module that reaches up (or sideways) is named with the file and
//! line of the import. The layers are read from the document itself (its ```` ```layers ````
//! block), so the test and the document cannot disagree; within a module, two files that
//! import each other are refused too (each is half of the other's job). The same scan holds
//! the rules on who writes to the terminal and who talks to the Docker engine.
//!
//! A plain source scan, not a compiler query: `use crate::a::b` and inline `crate::a::f()`
//! are what a reader sees as a dependency, and that is what the layers are about.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The rows of the ```` ```layers ```` block, top first; each row is a set of modules.
fn layers(doc: &str) -> Result<Vec<Vec<String>>, String> {
    let start = doc
        .find("```layers\n")
        .ok_or("docs/architecture.md has no ```layers block")?
        + "```layers\n".len();
    let end = doc[start..]
        .find("```")
        .ok_or("the ```layers block is not closed")?;
    Ok(doc[start..start + end]
        .lines()
        .map(|line| line.split_whitespace().map(str::to_string).collect())
        .filter(|row: &Vec<String>| !row.is_empty())
        .collect())
}

/// The pairs of the ```` ```layer-exceptions ```` block: `module target  reason…`, an
/// import the layers forbid that the document owns up to, with its reason.
fn exceptions(doc: &str) -> Result<BTreeSet<(String, String)>, String> {
    let Some(start) = doc.find("```layer-exceptions\n") else {
        return Ok(BTreeSet::new());
    };
    let start = start + "```layer-exceptions\n".len();
    let end = doc[start..]
        .find("```")
        .ok_or("the ```layer-exceptions block is not closed")?;
    doc[start..start + end]
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let mut words = line.split_whitespace();
            match (words.next(), words.next(), words.next()) {
                (Some(module), Some(target), Some(_reason)) => {
                    Ok((module.to_string(), target.to_string()))
                }
                _ => Err(format!(
                    "layer exception `{line}` is not `module target reason`"
                )),
            }
        })
        .collect()
}

/// A module's row: 0 is the top.
fn ranks(layers: &[Vec<String>]) -> BTreeMap<String, usize> {
    layers
        .iter()
        .enumerate()
        .flat_map(|(rank, row)| row.iter().map(move |m| (m.clone(), rank)))
        .collect()
}

/// The text of a source file without its comments (`//` to the end of the line): doc
/// comments name paths they do not import.
fn code(text: &str) -> String {
    text.lines()
        .map(|line| {
            let trimmed = line.trim_start();
            if trimmed.starts_with("//") {
                ""
            } else if let Some(at) = line.find(" // ") {
                &line[..at]
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every path after `prefix` (`crate`, or `super` inside a module) with its line: the first
/// segment of `prefix::a::…`, and each first segment inside `prefix::{a, b::c}`.
fn imports(text: &str, prefix: &str) -> Vec<(usize, String)> {
    let text = code(text);
    let needle = format!("{prefix}::");
    let mut found = Vec::new();
    let mut at = 0;
    while let Some(i) = text[at..].find(&needle) {
        let pos = at + i;
        at = pos + needle.len();
        // `foo_crate::` or `mycrate::` is not `crate::`.
        let before = text[..pos].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let line = text[..pos].matches('\n').count() + 1;
        let rest = &text[at..];
        if let Some(group) = rest.strip_prefix('{') {
            // Top-level names of the group: the first word of each item at brace depth 0.
            let mut depth = 0;
            let mut item = String::new();
            let mut items = Vec::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => items.push(std::mem::take(&mut item)),
                    c if depth == 0 => item.push(c),
                    _ => {}
                }
            }
            items.push(item);
            for item in items {
                let name: String = item
                    .trim_start()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    found.push((line, name));
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                found.push((line, name));
            }
        }
    }
    found
}

/// A source file: its path relative to `src/`, the top-level module it belongs to, and its
/// path as a module (`run/probe.rs` → [`run`, `probe`]).
struct Source {
    rel: PathBuf,
    module: String,
    path: Vec<String>,
    text: String,
}

fn sources(src: &Path) -> Vec<Source> {
    fn walk(dir: &Path, src: &Path, out: &mut Vec<Source>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, src, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path.strip_prefix(src).unwrap().to_path_buf();
                let mut segments: Vec<String> = rel
                    .with_extension("")
                    .iter()
                    .map(|s| s.to_string_lossy().into_owned())
                    .collect();
                if segments.last().is_some_and(|s| s == "mod") {
                    segments.pop();
                }
                let text = std::fs::read_to_string(&path).unwrap();
                out.push(Source {
                    module: segments[0].clone(),
                    path: segments,
                    rel,
                    text,
                });
            }
        }
    }
    let mut out = Vec::new();
    walk(src, src, &mut out);
    out
}

/// Every import that points up or sideways in the layers, and every module the layers do
/// not place, as `file:line: message`.
fn wrong_way(
    layers: &[Vec<String>],
    allowed: &BTreeSet<(String, String)>,
    files: &[Source],
) -> Vec<String> {
    let ranks = ranks(layers);
    let mut problems = Vec::new();
    let mut used = BTreeSet::new();
    let modules: BTreeSet<&str> = files
        .iter()
        .filter(|f| f.path.len() > 1 || f.module != "lib")
        .map(|f| f.module.as_str())
        .collect();
    for module in &modules {
        if !ranks.contains_key(*module) {
            problems.push(format!(
                "src/{module}: not in the layers of docs/architecture.md; add it to the row it belongs to"
            ));
        }
    }
    for file in files {
        if file.module == "lib" {
            continue;
        }
        let Some(&own) = ranks.get(&file.module) else {
            continue;
        };
        for (line, target) in imports(&file.text, "crate") {
            if target == file.module {
                continue;
            }
            let pair = (file.module.clone(), target.clone());
            match ranks.get(&target) {
                Some(&rank) if rank > own => {}
                Some(_) if allowed.contains(&pair) => {
                    used.insert(pair);
                }
                Some(&rank) => problems.push(format!(
                    "src/{}:{line}: `{}` imports `{target}`, {} it in the layers of \
                     docs/architecture.md",
                    file.rel.display(),
                    file.module,
                    if rank == own { "beside" } else { "above" }
                )),
                None => {} // an item of the crate root, not a module
            }
        }
    }
    for (module, target) in allowed.difference(&used) {
        problems.push(format!(
            "layer exception `{module} {target}` is no longer needed: remove it from \
             docs/architecture.md"
        ));
    }
    problems
}

/// Pairs of files of one module that import each other, as `a ↔ b`.
fn mutual(files: &[Source]) -> Vec<String> {
    let known: BTreeSet<Vec<String>> = files.iter().map(|f| f.path.clone()).collect();
    // The sibling files each file names, as module paths.
    let mut edges: BTreeSet<(Vec<String>, Vec<String>)> = BTreeSet::new();
    for file in files {
        let parent: Vec<String> = if file.rel.ends_with("mod.rs") {
            file.path.clone()
        } else {
            file.path[..file.path.len() - 1].to_vec()
        };
        let mut targets = Vec::new();
        for (_, name) in imports(&file.text, "super") {
            let mut target = parent.clone();
            target.push(name);
            targets.push(target);
        }
        for (_, name) in imports(&file.text, &format!("crate::{}", parent.join("::"))) {
            let mut target = parent.clone();
            target.push(name);
            targets.push(target);
        }
        for target in targets {
            if known.contains(&target) && target != file.path {
                edges.insert((file.path.clone(), target));
            }
        }
    }
    edges
        .iter()
        .filter(|(a, b)| a < b && edges.contains(&(b.clone(), a.clone())))
        .map(|(a, b)| format!("src/{} ↔ src/{}", a.join("/"), b.join("/")))
        .collect()
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn no_module_imports_a_layer_above_or_beside_its_own() {
    let doc = std::fs::read_to_string(root().join("docs/architecture.md")).unwrap();
    let layers = layers(&doc).unwrap();
    let allowed = exceptions(&doc).unwrap();
    let problems = wrong_way(&layers, &allowed, &sources(&root().join("src")));
    assert!(
        problems.is_empty(),
        "wrong-way imports:\n{}",
        problems.join("\n")
    );
}

#[test]
fn no_two_files_of_a_module_import_each_other() {
    let pairs = mutual(&sources(&root().join("src")));
    assert!(
        pairs.is_empty(),
        "files that import each other:\n{}",
        pairs.join("\n")
    );
}

/// Where a source writes to the terminal itself (`println!`, `eprintln!`, `print!`,
/// `eprint!`, `std::io::stdout()`, `std::io::stderr()`), outside the places architecture.md
/// allows: `output/`, `main.rs`, a command's own module in `commands/`, and the `stdout`
/// sink of `generate` (the events are its data, not a message).
fn terminal_writes(files: &[Source]) -> Vec<String> {
    const ALLOWED: [&str; 3] = ["output", "main", "commands"];
    const DATA: &str = "generate/sink/jsonl.rs";
    let mut found = Vec::new();
    for file in files {
        if ALLOWED.contains(&file.module.as_str()) || file.rel == Path::new(DATA) {
            continue;
        }
        for (i, line) in code(&file.text).lines().enumerate() {
            let writes = [
                "println!",
                "print!(",
                "std::io::stdout()",
                "std::io::stderr()",
            ]
            .iter()
            .any(|w| line.contains(w));
            if writes {
                found.push(format!(
                    "src/{}:{}: {}",
                    file.rel.display(),
                    i + 1,
                    line.trim()
                ));
            }
        }
    }
    found
}

#[test]
fn only_the_output_layer_and_the_commands_write_to_the_terminal() {
    let found = terminal_writes(&sources(&root().join("src")));
    assert!(
        found.is_empty(),
        "terminal writes outside output/ and commands/ (emit an output::Event, or return the \
         text to the command):\n{}",
        found.join("\n")
    );
}

#[test]
fn a_planted_print_in_the_core_is_named() {
    let files = [
        fixture(
            "run/guard.rs",
            "fn f() {\n    eprintln!(\"rtde: interrupted\");\n}\n",
        ),
        fixture(
            "commands/topics.rs",
            "fn f() { println!(\"topic ready\"); }\n",
        ),
        fixture("generate/sink/jsonl.rs", "let out = std::io::stdout();\n"),
    ];
    assert_eq!(
        terminal_writes(&files),
        ["src/run/guard.rs:2: eprintln!(\"rtde: interrupted\");"]
    );
}

/// Where a source outside `engine/` uses bollard for anything but its data types
/// (`bollard::models`, the engine's JSON as structs): `engine::docker::Engine` is the one
/// door to the engine's API.
fn engine_doors(files: &[Source]) -> Vec<String> {
    let mut found = Vec::new();
    for file in files.iter().filter(|f| f.module != "engine") {
        for (i, line) in code(&file.text).lines().enumerate() {
            let mut rest = line;
            while let Some(at) = rest.find("bollard::") {
                let path = &rest[at + "bollard::".len()..];
                if !path.starts_with("models::") {
                    found.push(format!(
                        "src/{}:{}: {}",
                        file.rel.display(),
                        i + 1,
                        line.trim()
                    ));
                    break;
                }
                rest = path;
            }
        }
    }
    found
}

#[test]
fn only_the_engine_module_talks_to_the_engine() {
    let found = engine_doors(&sources(&root().join("src")));
    assert!(
        found.is_empty(),
        "bollard used outside src/engine (add what is needed to engine::docker::Engine):\n{}",
        found.join("\n")
    );
}

#[test]
fn a_planted_bollard_client_outside_the_engine_is_named() {
    let files = [
        fixture(
            "sample/sampler.rs",
            "use bollard::models::SystemInfo;\nuse bollard::Docker;\n",
        ),
        fixture("engine/docker.rs", "use bollard::Docker;\n"),
    ];
    assert_eq!(
        engine_doors(&files),
        ["src/sample/sampler.rs:2: use bollard::Docker;"]
    );
}

fn fixture(rel: &str, text: &str) -> Source {
    let mut path: Vec<String> = rel
        .trim_end_matches(".rs")
        .split('/')
        .map(str::to_string)
        .collect();
    if path.last().is_some_and(|s| s == "mod") {
        path.pop();
    }
    Source {
        rel: rel.into(),
        module: path[0].clone(),
        path,
        text: text.into(),
    }
}

#[test]
fn a_planted_upward_import_is_named_with_its_file_and_line() {
    let layers = layers("intro\n```layers\ncommands\nrun  report\nengine\n```\n").unwrap();
    let files = [
        fixture(
            "commands/bench.rs",
            "use crate::run::Harness;\nuse crate::engine::X;\n",
        ),
        fixture(
            "engine/docker.rs",
            "//! Not `crate::run`: a comment.\nuse crate::error::Error;\n\nfn f() {\n    crate::run::go();\n}\n",
        ),
        fixture("run/mod.rs", "use crate::{engine::E, report::{self, R}};\n"),
        fixture("report/mod.rs", "use crate::engine;\n"),
    ];
    assert_eq!(
        wrong_way(&layers, &BTreeSet::new(), &files),
        [
            "src/engine/docker.rs:5: `engine` imports `run`, above it in the layers of docs/architecture.md",
            "src/run/mod.rs:1: `run` imports `report`, beside it in the layers of docs/architecture.md",
        ]
    );
}

#[test]
fn a_listed_exception_allows_its_pair_only_and_an_unused_one_is_named() {
    let doc = "```layers\ncommands\nrun  report\nengine\n```\n\
               ```layer-exceptions\nrun report  a debt\nengine run  another\n```\n";
    let (layers, allowed) = (layers(doc).unwrap(), exceptions(doc).unwrap());
    let files = [
        fixture("run/mod.rs", "use crate::report::R;\n"),
        fixture("report/mod.rs", "use crate::run::X;\n"),
    ];
    assert_eq!(
        wrong_way(&layers, &allowed, &files),
        [
            "src/report/mod.rs:1: `report` imports `run`, beside it in the layers of docs/architecture.md",
            "layer exception `engine run` is no longer needed: remove it from docs/architecture.md",
        ]
    );
    assert!(exceptions("```layer-exceptions\nrun report\n```").is_err());
}

#[test]
fn a_module_the_layers_do_not_place_is_named() {
    let layers = layers("```layers\ncommands\nengine\n```").unwrap();
    let files = [fixture("sample/mod.rs", "use crate::engine::E;\n")];
    assert_eq!(
        wrong_way(&layers, &BTreeSet::new(), &files),
        ["src/sample: not in the layers of docs/architecture.md; add it to the row it belongs to"]
    );
}

#[test]
fn files_that_import_each_other_are_named() {
    let files = [
        fixture("run/mod.rs", "mod probe;\nmod stage;\n"),
        fixture("run/probe.rs", "use super::stage::StageContext;\n"),
        fixture("run/stage.rs", "use crate::run::probe;\n"),
        fixture("run/log.rs", "use super::stage::X;\n"),
    ];
    assert_eq!(mutual(&files), ["src/run/probe ↔ src/run/stage"]);
}

#[test]
fn grouped_and_inline_paths_are_all_read() {
    let text = "use crate::{a::X, b, c::{d, e}};\nfn f() { crate::g::h(); my_crate::no(); }\n";
    let names: Vec<String> = imports(text, "crate").into_iter().map(|(_, n)| n).collect();
    assert_eq!(names, ["a", "b", "c", "g"]);
}
