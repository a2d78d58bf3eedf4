//! "P01 plus one service" (tests/fixtures/composed/89-flink-scheduled): a short manifest that
//! extends P01 and a compose file with one service validate against the real Compose stack
//! (`compose config`; no image is needed) and print resolved, each part with its origin.

use std::path::Path;

use crate::util::{Sandbox, output};

const COMPOSED: &str = "tests/fixtures/composed";

#[test]
fn a_pipeline_that_extends_p01_validates_against_its_compose_stack() {
    let out = output(&mut Sandbox::new().rtde_with(Path::new(COMPOSED), &["validate", "p89"]));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn print_shows_every_layer_with_where_it_came_from() {
    let out = output(&mut Sandbox::new().rtde_with(
        Path::new(COMPOSED),
        &["validate", "--print", "--no-compose", "p89"],
    ));
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("#   extends pipelines/01-kafka-flink-iceberg/pipeline.yaml"),
        "{text}"
    );
    assert!(text.contains("orchestrator: fixture-scheduler"), "{text}");
    assert!(text.contains("processor: flink"), "inherited: {text}");
    // P01's compose file, rewritten relative to the fixture's folder, then the fixture's own.
    let files: Vec<&str> = text
        .lines()
        .filter(|l| l.trim_start().starts_with("- ") && l.contains(".yaml "))
        .collect();
    assert!(
        files[files.len() - 2]
            .contains("../../../../pipelines/01-kafka-flink-iceberg/compose.yaml"),
        "{files:?}"
    );
    assert!(
        files[files.len() - 1].contains("89-flink-scheduled/pipeline.yaml:13"),
        "{files:?}"
    );
    // The stage it adds sits after P01's generate; P01's shared stages say what they use.
    let stages: Vec<&str> = text
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("- name: "))
        .map(|l| l.split_whitespace().next().unwrap_or(""))
        .collect();
    assert_eq!(
        stages,
        [
            "topics",
            "generate",
            "schedule",
            "raw_offsets",
            "bronze_silver",
            "silver_count",
            "dead_letters",
            "dbt"
        ]
    );
    assert!(
        text.contains("shared/stages/topics.yaml:5 (use: topics)"),
        "{text}"
    );
    assert!(text.contains("the scheduler ran the job"), "{text}");
}
