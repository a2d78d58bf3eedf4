//! Cross-cutting comparisons, derived from the pipelines' stacks rather than listed by number.
//!
//! A comparison is worth making when pipelines differ in one part and agree on the parts
//! that would otherwise explain the difference: the same processor on two brokers, table
//! formats under one processor, an orchestrator over the stack it drives. Each rule below
//! names the part that varies and the parts held equal; every group of two or more
//! pipelines with equal held parts and different varying parts is a comparison. A new
//! pipeline is compared as soon as its manifest's `stack` says what it is: no code change.

use std::collections::BTreeMap;
use std::path::Path;

use crate::manifest;

/// A pipeline's id and stack (`ingestion`, `processor`, … → value), from its manifest or
/// from the record of its last run.
#[derive(Debug, Clone, PartialEq)]
pub struct Known {
    pub id: String,
    pub stack: BTreeMap<String, String>,
}

/// One heading of the report: its title and the sets of pipeline ids compared.
#[derive(Debug, Clone, PartialEq)]
pub struct CrossCut {
    /// The stack part that varies within each set (`orchestrator`, `storage`, …).
    pub varies: &'static str,
    pub title: &'static str,
    pub sets: Vec<Vec<String>>,
}

/// (the part that varies, the title, the parts held equal).
const RULES: [(&str, &str, &[&str]); 5] = [
    (
        "ingestion",
        "Brokers: the same processor on different brokers",
        &[
            "processor",
            "storage",
            "transform",
            "orchestrator",
            "serving",
        ],
    ),
    (
        "processor",
        "Processors on the same broker",
        &["ingestion", "orchestrator", "serving"],
    ),
    (
        "storage",
        "Table formats under the same processor",
        &[
            "ingestion",
            "processor",
            "transform",
            "orchestrator",
            "serving",
        ],
    ),
    (
        "serving",
        "Serving engines over the same stack",
        &[
            "ingestion",
            "processor",
            "storage",
            "transform",
            "orchestrator",
        ],
    ),
    (
        "orchestrator",
        "Orchestrators: overhead over the stack they drive",
        &["ingestion", "processor", "storage", "transform", "serving"],
    ),
];

/// The comparisons among `known`, in rule order; sets hold ids in id order.
pub fn derive(known: &[Known]) -> Vec<CrossCut> {
    let part = |k: &Known, name: &str| k.stack.get(name).cloned().unwrap_or_default();
    let mut sorted: Vec<&Known> = known.iter().collect();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    sorted.dedup_by(|a, b| a.id == b.id);
    let mut out = Vec::new();
    for (varies, title, held) in RULES {
        let mut groups: BTreeMap<Vec<String>, Vec<&Known>> = BTreeMap::new();
        for k in &sorted {
            if part(k, varies).is_empty() {
                continue;
            }
            let key = held.iter().map(|h| part(k, h)).collect();
            groups.entry(key).or_default().push(k);
        }
        let mut sets: Vec<Vec<String>> = groups
            .into_values()
            .filter(|members| {
                let first = part(members[0], varies);
                members.iter().any(|m| part(m, varies) != first)
            })
            .map(|members| members.iter().map(|m| m.id.clone()).collect())
            .collect();
        sets.sort();
        if !sets.is_empty() {
            out.push(CrossCut {
                varies,
                title,
                sets,
            });
        }
    }
    out
}

/// The stacks the project's manifests declare, so a comparison can name a pipeline not yet
/// benchmarked. A manifest that does not load is left out: `rtde validate` is where it is
/// reported, and a report of real results should not fail on it.
pub fn manifest_stacks(root: &Path) -> Vec<Known> {
    let Ok(found) = manifest::discover(&root.join("pipelines")) else {
        return Vec::new();
    };
    found
        .iter()
        .filter_map(|f| manifest::load(&f.manifest, root).ok())
        .map(|p| Known {
            id: p.id,
            stack: p.stack,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(id: &str, parts: [&str; 6]) -> Known {
        let names = crate::manifest::STACK_PARTS;
        Known {
            id: id.to_string(),
            stack: names
                .iter()
                .zip(parts)
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
        }
    }

    #[test]
    fn comparisons_follow_from_the_stacks() {
        let all = [
            known("p01", ["kafka", "flink", "iceberg", "dbt", "none", "none"]),
            known("p02", ["kafka", "spark", "iceberg", "dbt", "none", "none"]),
            known(
                "p04",
                ["redpanda", "flink", "iceberg", "dbt", "none", "none"],
            ),
            known(
                "p07",
                ["kafka", "flink", "iceberg", "dbt", "kestra", "none"],
            ),
            known(
                "p08",
                ["kafka", "flink", "iceberg", "dbt", "airflow", "none"],
            ),
            known("p13", ["kafka", "flink", "delta", "dbt", "none", "none"]),
            known("p00", ["none", "duckdb", "parquet", "dbt", "none", "none"]),
        ];
        let cuts = derive(&all);
        let by_title: BTreeMap<&str, &Vec<Vec<String>>> =
            cuts.iter().map(|c| (c.title, &c.sets)).collect();
        let ids = |sets: &[&[&str]]| -> Vec<Vec<String>> {
            sets.iter()
                .map(|s| s.iter().map(|i| i.to_string()).collect())
                .collect()
        };
        assert_eq!(
            by_title["Brokers: the same processor on different brokers"],
            &ids(&[&["p01", "p04"]])
        );
        assert_eq!(
            by_title["Processors on the same broker"],
            &ids(&[&["p01", "p02", "p13"]])
        );
        assert_eq!(
            by_title["Table formats under the same processor"],
            &ids(&[&["p01", "p13"]])
        );
        assert_eq!(
            by_title["Orchestrators: overhead over the stack they drive"],
            &ids(&[&["p01", "p07", "p08"]])
        );
        assert!(!by_title.contains_key("Serving engines over the same stack"));
    }

    /// "P01 plus one service" (a test fixture that extends P01 and changes its orchestrator)
    /// is compared with P01 from the manifests alone.
    #[test]
    fn a_pipeline_extending_p01_is_compared_with_it_without_code() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let known: Vec<Known> = [
            "pipelines/01-kafka-flink-iceberg",
            "tests/fixtures/composed/89-flink-scheduled",
        ]
        .iter()
        .map(|folder| {
            let p = crate::manifest::load(&root.join(folder).join("pipeline.yaml"), root)
                .unwrap_or_else(|e| panic!("{e}"));
            Known {
                id: p.id,
                stack: p.stack,
            }
        })
        .collect();
        let cuts = derive(&known);
        assert_eq!(cuts.len(), 1, "{cuts:?}");
        assert_eq!(
            cuts[0].title,
            "Orchestrators: overhead over the stack they drive"
        );
        assert_eq!(cuts[0].sets, [["p01".to_string(), "p89".to_string()]]);
    }

    #[test]
    fn a_lone_stack_is_compared_with_nothing() {
        let cuts = derive(&[known(
            "p00",
            ["none", "duckdb", "parquet", "dbt", "none", "none"],
        )]);
        assert!(cuts.is_empty(), "{cuts:?}");
    }
}
