//! Checks across files: a pipeline's `.env` against its manifest, and stage blocks written
//! twice across `pipelines/` and `shared/stages/`.
//!
//! Both are pure functions of texts, so they are unit-tested on fixture strings; `rtde
//! validate` runs the first, and a test over the repository runs the second.

use serde_yaml_ng::Value;

/// The keys that place an entry among a base's stages or name it: two entries that differ only
/// in these still hold the same stage.
const PLACE_KEYS: [&str; 4] = ["after", "before", "replace", "name"];

/// One stage block: where it is written, and its value without name and place.
struct Block {
    place: String,
    value: Value,
}

fn blocks(file: &str, text: &str) -> Result<Vec<Block>, String> {
    let doc: Value = serde_yaml_ng::from_str(text).map_err(|e| format!("{file}: not YAML: {e}"))?;
    let mut out = Vec::new();
    let mut push = |place: String, stage: &Value| {
        let Value::Mapping(map) = stage else {
            return;
        };
        if map.contains_key("use") || map.contains_key("remove") {
            return;
        }
        let mut value = map.clone();
        for key in PLACE_KEYS {
            value.remove(key);
        }
        out.push(Block {
            place,
            value: Value::Mapping(value),
        });
    };
    if let Some(Value::Sequence(stages)) = doc.get("stages") {
        for (i, stage) in stages.iter().enumerate() {
            let name = stage.get("name").and_then(Value::as_str).unwrap_or("?");
            push(format!("{file}: stages[{i}] `{name}`"), stage);
        }
    }
    if let Some(stage) = doc.get("stage") {
        let name = stage.get("name").and_then(Value::as_str).unwrap_or("?");
        push(format!("{file}: stage `{name}`"), stage);
    }
    Ok(out)
}

/// Every pair of stage blocks with the same content among `files` (name, text), compared as
/// YAML values so that comments, layout, quoting, the stage's name and its place do not
/// hide a copy. A `use:` entry is a reference, not a block.
pub fn duplicate_stages(files: &[(String, String)]) -> Result<Vec<(String, String)>, String> {
    let mut all = Vec::new();
    for (file, text) in files {
        all.extend(blocks(file, text)?);
    }
    let mut pairs = Vec::new();
    for (i, a) in all.iter().enumerate() {
        for b in &all[i + 1..] {
            if a.value == b.value {
                pairs.push((a.place.clone(), b.place.clone()));
            }
        }
    }
    Ok(pairs)
}

/// A `.env` line that disagrees with the manifest: its 1-based number (0 when the line is
/// missing) and what to write.
#[derive(Debug, PartialEq, Eq)]
pub struct EnvMismatch {
    pub line: usize,
    pub message: String,
}

/// Check a pipeline's `.env` (kept so a person can run the stack with `docker compose`)
/// against the compose files its manifest merges with its defaults, in order.
pub fn env_file(text: &str, expected: &[String]) -> Result<(), EnvMismatch> {
    let want = format!("COMPOSE_FILE={}", expected.join(":"));
    let found = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.trim_start().starts_with("COMPOSE_FILE="));
    let Some((i, line)) = found else {
        return Err(EnvMismatch {
            line: 0,
            message: format!("has no COMPOSE_FILE line; add: {want}"),
        });
    };
    let listed: Vec<&str> = line.trim()["COMPOSE_FILE=".len()..].split(':').collect();
    if listed == expected {
        return Ok(());
    }
    let differs = match listed
        .iter()
        .zip(expected)
        .position(|(l, e)| *l != e.as_str())
    {
        Some(n) => format!(
            "its file {} is `{}` where the manifest, with its defaults, merges `{}`",
            n + 1,
            listed[n],
            expected[n]
        ),
        None => format!(
            "it lists {} files where the manifest, with its defaults, merges {}",
            listed.len(),
            expected.len()
        ),
    };
    Err(EnvMismatch {
        line: i + 1,
        message: format!("COMPOSE_FILE disagrees with the manifest: {differs}; write: {want}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "
id: p01
stages:
  - name: topics
    category: startup
    run: {service: generator, command: [topics, create]}
    timeout: 2m
  - use: dbt
";

    #[test]
    fn a_copied_stage_is_found_whatever_its_layout_name_and_place() {
        let copy = "
id: p04
extends: p01
stages:
  # the same stage, written again in block style, renamed and placed
  - after: dbt
    name: topics2
    category: startup
    timeout: 2m
    run:
      service: generator
      command:
        - topics
        - create
";
        let pairs = duplicate_stages(&[
            ("01.yaml".to_string(), BASE.to_string()),
            ("04.yaml".to_string(), copy.to_string()),
        ])
        .unwrap();
        assert_eq!(
            pairs,
            [(
                "01.yaml: stages[0] `topics`".to_string(),
                "04.yaml: stages[0] `topics2`".to_string()
            )]
        );
    }

    #[test]
    fn a_copy_of_a_shared_definition_is_found_and_uses_are_not_copies() {
        let definition = "
params: {}
stage:
  name: topics
  category: startup
  run: {service: generator, command: [topics, create]}
  timeout: 2m
";
        let other = "id: p02\nstages:\n  - use: dbt\n  - remove: gold\n";
        let pairs = duplicate_stages(&[
            ("01.yaml".to_string(), BASE.to_string()),
            ("topics.yaml".to_string(), definition.to_string()),
            ("02.yaml".to_string(), other.to_string()),
        ])
        .unwrap();
        assert_eq!(pairs.len(), 1, "{pairs:?}");
        assert_eq!(pairs[0].1, "topics.yaml: stage `topics`");
    }

    #[test]
    fn different_stages_are_not_duplicates() {
        let other = BASE.replace("2m", "3m");
        let pairs = duplicate_stages(&[
            ("01.yaml".to_string(), BASE.to_string()),
            ("02.yaml".to_string(), other),
        ])
        .unwrap();
        assert!(pairs.is_empty(), "{pairs:?}");
    }

    /// The repository itself: no stage block is written twice across `pipelines/` and the
    /// shared definitions; a pipeline that needs an existing stage uses or extends it.
    #[test]
    fn no_stage_is_written_twice_in_the_repository() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        for dir in ["pipelines", "shared/stages"] {
            let mut paths: Vec<std::path::PathBuf> = std::fs::read_dir(root.join(dir))
                .unwrap()
                .filter_map(Result::ok)
                .map(|e| e.path())
                .map(|p| {
                    if p.is_dir() {
                        p.join("pipeline.yaml")
                    } else {
                        p
                    }
                })
                .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "yaml"))
                .collect();
            paths.sort();
            for path in paths {
                let name = path.strip_prefix(root).unwrap().display().to_string();
                files.push((name, std::fs::read_to_string(&path).unwrap()));
            }
        }
        assert!(files.len() >= 12, "found only {files:?}");
        let pairs = duplicate_stages(&files).unwrap();
        assert!(
            pairs.is_empty(),
            "stages written twice (use a definition of shared/stages/ or `extends:` instead): {pairs:#?}"
        );
    }

    #[test]
    fn the_env_file_must_list_the_manifests_compose_files() {
        let expected = vec![
            "../../shared/compose/broker-kafka.yaml".to_string(),
            "compose.yaml".to_string(),
        ];
        let good = "# by hand\nCOMPOSE_FILE=../../shared/compose/broker-kafka.yaml:compose.yaml\n";
        assert_eq!(env_file(good, &expected), Ok(()));
        let stale =
            "# by hand\nCOMPOSE_FILE=../../shared/compose/broker-redpanda.yaml:compose.yaml\n";
        let err = env_file(stale, &expected).unwrap_err();
        assert_eq!(err.line, 2);
        assert!(
            err.message.ends_with(
                "write: COMPOSE_FILE=../../shared/compose/broker-kafka.yaml:compose.yaml"
            ),
            "{}",
            err.message
        );
        assert_eq!(env_file("X=1\n", &expected).unwrap_err().line, 0);
    }
}
