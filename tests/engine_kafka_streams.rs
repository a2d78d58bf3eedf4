//! P15's Kafka Streams application (`pipelines/15-kafka-streams/streams`), as far as it can be
//! checked where Maven Central cannot be reached (Kafka Streams' jars come only from there):
//!
//! - the Kafka-free classes (the Bronze test and Silver rules, the Gold the verify stage
//!   computes, their local driver) compiled with javac against Debian's Gson and run on the
//!   generator's events: Bronze, dead letters and Silver equal the oracle's counts and the
//!   Gold of that Silver equals the oracle's four lists; a window shifted by a day does not;
//! - the pom: every dependency and plugin pinned to an exact release, and `mvn validate`
//!   offline (Debian's Maven) accepts it;
//! - the topics the topology names are the ones the manifest creates and counts.
//!
//! What is not checked here: the topology itself (TaxiStreams.java needs kafka-streams to
//! compile), and so exactly-once delivery and the first-copy store (README.md).
//!
//! Needs Java 17 (Debian's default-jdk-headless), Debian's libgoogle-gson-java and maven
//! (`.ci/run` installs them).

// Only the generation and the runner of the shared tools: no Python here.
#[allow(dead_code)]
#[path = "support/tools.rs"]
mod tools;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, ensure};
use regex::Regex;
use tools::{EVENTS, generate_jsonl, repo_root, run};

const GSON: &str = "/usr/share/java/gson.jar";

fn streams_dir() -> PathBuf {
    repo_root().join("pipelines/15-kafka-streams/streams")
}

fn tool(name: &str) -> PathBuf {
    let found = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|dir| dir.join(name))
        .find(|path| path.is_file());
    found.unwrap_or_else(|| {
        panic!("{name} is not on PATH: apt-get install default-jdk-headless maven (.ci/run does)")
    })
}

/// The `name=value` counts a program printed.
fn counts(stdout: &str) -> BTreeMap<String, u64> {
    stdout
        .lines()
        .filter_map(|line| line.split_once('='))
        .filter_map(|(name, value)| Some((name.to_owned(), value.parse().ok()?)))
        .collect()
}

/// The Kafka-free classes and the local driver, compiled into `out`.
fn compile(out: &Path) -> Result<()> {
    assert!(
        Path::new(GSON).exists(),
        "{GSON} is missing: apt-get install libgoogle-gson-java (.ci/run does)"
    );
    let sources = streams_dir().join("src/main/java/rtde/streams");
    run(Command::new(tool("javac"))
        .args([
            "--release",
            "17",
            "-Xlint:all",
            "-Werror",
            "-cp",
            GSON,
            "-d",
        ])
        .arg(out)
        .arg(sources.join("SilverRules.java"))
        .arg(sources.join("Gold.java"))
        .arg(sources.join("Cli.java"))
        .arg(streams_dir().join("local/LocalCheck.java")))
    .context("compiling the Kafka-free classes with javac")?;
    Ok(())
}

#[test]
fn the_silver_rules_compiled_with_javac_give_the_oracles_silver_and_gold() -> Result<()> {
    let dir = tempfile::Builder::new()
        .prefix("rtde-kstreams-")
        .tempdir()?;
    let classes = dir.path().join("classes");
    compile(&classes)?;
    let (jsonl, oracle_path) = (
        dir.path().join("events.jsonl"),
        dir.path().join("oracle.json"),
    );
    let oracle = generate_jsonl(&jsonl, &oracle_path)?;
    let check = |extra: &[&str]| -> Result<BTreeMap<String, u64>> {
        let stdout = run(Command::new(tool("java"))
            .arg("-cp")
            .arg(format!("{GSON}:{}", classes.display()))
            .arg("rtde.streams.LocalCheck")
            .arg("--jsonl")
            .arg(&jsonl)
            .arg("--oracle")
            .arg(&oracle_path)
            .arg("--zones")
            .arg(repo_root().join("shared/dbt/seeds/taxi_zone_lookup.csv"))
            .args(extra))?;
        Ok(counts(&stdout))
    };

    let found = check(&[])?;
    for name in ["bronze_rows", "dead_letters", "silver_rows"] {
        assert_eq!(
            found[name],
            oracle[name].as_u64().unwrap(),
            "{name}: {found:?}"
        );
    }
    assert_eq!(found["bronze_rows"] + found["dead_letters"], EVENTS);
    assert!(
        found["dead_letters"] > 0,
        "the generation must hold malformed lines"
    );
    assert_eq!(found["gold_lists"], 4, "{found:?}");
    assert_eq!(
        found["gold_lists_equal"], 4,
        "the Gold of the Silver rows must equal the oracle's four lists: {found:?}"
    );

    // The comparison can fail: a window that starts a day late loses that day's trips, and
    // every Gold list with them.
    assert_eq!(oracle["window"]["start"], "2024-01-01T00:00:00");
    let shifted = check(&["--window-start", "2024-01-02T00:00:00"])?;
    assert!(
        shifted["silver_rows"] < found["silver_rows"] && shifted["gold_lists_equal"] == 0,
        "a shifted window must change Silver and every Gold list: {shifted:?}"
    );
    Ok(())
}

#[test]
fn the_pom_pins_every_version_and_validates_offline() -> Result<()> {
    let pom = fs::read_to_string(streams_dir().join("pom.xml"))?;
    let document = roxmltree::Document::parse(&pom).context("pom.xml is not XML")?;
    let properties: BTreeMap<&str, &str> = document
        .descendants()
        .find(|n| n.has_tag_name("properties"))
        .context("pom.xml has no <properties>")?
        .children()
        .filter(|n| n.is_element())
        .map(|n| (n.tag_name().name(), n.text().unwrap_or("")))
        .collect();
    let exact = Regex::new(r"^\d+(\.\d+)+$")?;
    let mut pinned = 0;
    for artifact in document
        .descendants()
        .filter(|n| n.has_tag_name("dependency") || n.has_tag_name("plugin"))
    {
        let child = |name: &str| {
            artifact
                .children()
                .find(|n| n.has_tag_name(name))
                .and_then(|n| n.text())
        };
        let id = child("artifactId").context("an artifact without artifactId")?;
        let version = child("version").with_context(|| format!("{id} has no version"))?;
        let version = match version.strip_prefix("${").and_then(|v| v.strip_suffix('}')) {
            Some(property) => *properties
                .get(property)
                .with_context(|| format!("{id}: no property {property}"))?,
            None => version,
        };
        ensure!(
            exact.is_match(version),
            "{id} is not pinned to a release: {version}"
        );
        pinned += 1;
    }
    assert_eq!(
        pinned, 5,
        "kafka-streams, gson, slf4j-simple and two plugins"
    );
    assert!(
        properties
            .get("kafka.version")
            .is_some_and(|v| v.starts_with("4.")),
        "Kafka Streams 4.x"
    );

    // Maven itself reads the model (no download: validate binds no plugin), offline.
    let repository = tempfile::Builder::new().prefix("rtde-m2-").tempdir()?;
    run(Command::new(tool("mvn"))
        .args(["-o", "-B", "-q", "validate"])
        .arg(format!(
            "-Dmaven.repo.local={}",
            repository.path().display()
        ))
        .current_dir(streams_dir()))
    .context("mvn validate of pipelines/15-kafka-streams/streams/pom.xml")?;
    Ok(())
}

#[test]
fn the_topologys_topics_are_the_ones_the_manifest_creates_and_counts() -> Result<()> {
    let java =
        fs::read_to_string(streams_dir().join("src/main/java/rtde/streams/TaxiStreams.java"))?;
    let manifest =
        fs::read_to_string(repo_root().join("pipelines/15-kafka-streams/pipeline.yaml"))?;
    let constant =
        Regex::new(r#"static final String (RAW|BRONZE|SILVER|DEAD_LETTERS) = "([^"]+)";"#)?;
    let topics: Vec<String> = constant
        .captures_iter(&java)
        .map(|c| c[2].to_owned())
        .collect();
    assert_eq!(topics.len(), 4, "{topics:?}");
    let created = Regex::new(r#"command: \["topics", "create"[^\]]*\]"#)?
        .find(&manifest)
        .context("the manifest creates no topics")?
        .as_str()
        .to_owned();
    let counted = Regex::new(r#"command: \["topics", "count"[^\]]*\]"#)?
        .find(&manifest)
        .context("the manifest counts no topics")?
        .as_str()
        .to_owned();
    for topic in &topics {
        assert!(
            created.contains(&format!("\"{topic}:")),
            "{topic} is not created: {created}"
        );
        if topic != "taxi.raw_trips" {
            assert!(
                counted.contains(&format!("\"{topic}\"")),
                "{topic} is not counted: {counted}"
            );
        }
    }
    Ok(())
}
