//! The serving pipelines' engine files, P16 (Pinot), P17 (Druid + Grafana) and P10 (ClickHouse +
//! Superset + Metabase), checked by what can check them here, where none of those servers can
//! run (no image registry):
//!
//! - Pinot's schema holds exactly the event's fields (shared/schemas/taxi_trip.schema.json)
//!   with types that hold the JSON values, its nullable field with null handling on, the
//!   pickup as its time column in the contract's format; the real-time table consumes the
//!   raw topic with the JSON decoder from its first offset, deduplicating on trip_id; the
//!   zone dimension table is loaded from the zone seed with its columns;
//! - Druid's supervisor spec: the timestamp column, the dimensions and the metrics are exactly
//!   the event's fields, typed to hold them, rollup off (every message a row), the raw topic
//!   from its first offset, parse errors skipped and not fatal;
//! - the four comparison queries of each engine, as shared/serving/serve.py renders and sends
//!   them, parse with sqlglot (Druid's dialect; Pinot's Calcite SQL with sqlglot's default);
//!   every Grafana panel shows one of Druid's queries; the provisioned data source is the one
//!   the panels name;
//! - P10's four ClickHouse queries read only the table and columns its load.sql creates;
//!   every card of Metabase's dashboard file is one of them and charts columns it returns;
//!   Superset's dataset is that table with exactly its columns (the import itself runs on
//!   real Superset in tests/engine_superset.rs; the queries on chDB in tests/dbt_project.rs);
//! - P10's metabase/provision.py against a stand-in of Metabase's API
//!   (tests/fixtures/metabase/stand_in.py; Metabase cannot run here): it waits for health,
//!   sets Metabase up, adds the ClickHouse database with the credentials from the
//!   environment, posts one native card per comparison query with that query's SQL and the
//!   dashboard holding the four; a Metabase that never turns healthy fails it at its deadline;
//! - serve.py itself against a stand-in broker of each engine (shared/serving/local/stand_in.py,
//!   which speaks each engine's query protocol and answers with the oracle's Gold): the
//!   answers are found equal, and one trip more in one list is one list unequal.
//!
//! Needs the repo's `.venv` (sqlglot).

#[path = "support/files.rs"]
mod files;

#[path = "support/tools.rs"]
mod tools;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use anyhow::{Context, Result};
use files::copy_tree;
use serde_json::{Value, json};
use tools::{python, repo_root, run};

fn json_file(path: &str) -> Result<Value> {
    let path = repo_root().join(path);
    let text = fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))
}

fn yaml_file(path: &str) -> Result<Value> {
    let path = repo_root().join(path);
    let text = fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    serde_yaml_ng::from_str(&text).with_context(|| format!("{} is not YAML", path.display()))
}

/// The JSON type of each event field, and whether it may be null.
fn event_fields() -> Result<BTreeMap<String, (String, bool)>> {
    let schema = json_file("shared/schemas/taxi_trip.schema.json")?;
    let mut fields = BTreeMap::new();
    for (name, spec) in schema["properties"].as_object().context("no properties")? {
        let (kind, nullable) = match &spec["type"] {
            Value::String(kind) => (kind.clone(), false),
            Value::Array(kinds) => {
                let kinds: Vec<&str> = kinds.iter().filter_map(Value::as_str).collect();
                let kind = kinds.iter().find(|k| **k != "null").context("only null")?;
                (kind.to_string(), kinds.contains(&"null"))
            }
            other => anyhow::bail!("{name}: type {other}"),
        };
        fields.insert(name.clone(), (kind, nullable));
    }
    Ok(fields)
}

/// Whether an engine's column type holds every value of a JSON type.
fn holds(json_type: &str, column: &str) -> bool {
    match json_type {
        "string" => matches!(column, "STRING" | "string"),
        "integer" => matches!(column, "INT" | "LONG" | "long"),
        "number" => matches!(column, "DOUBLE" | "BIG_DECIMAL" | "double" | "doubleSum"),
        _ => false,
    }
}

const RAW_TOPIC: &str = "taxi.raw_trips";

#[test]
fn pinots_schema_holds_exactly_the_events_fields() -> Result<()> {
    let fields = event_fields()?;
    let schema = json_file("pipelines/16-pinot-serving/pinot/taxi_trips.schema.json")?;
    let mut columns = BTreeMap::new();
    for group in [
        "dimensionFieldSpecs",
        "metricFieldSpecs",
        "dateTimeFieldSpecs",
    ] {
        for spec in schema[group].as_array().into_iter().flatten() {
            let name = spec["name"].as_str().context("a field without name")?;
            let kind = spec["dataType"]
                .as_str()
                .context("a field without dataType")?;
            assert!(
                columns.insert(name.to_owned(), kind.to_owned()).is_none(),
                "{name} twice"
            );
        }
    }
    assert_eq!(
        columns.keys().collect::<BTreeSet<_>>(),
        fields.keys().collect::<BTreeSet<_>>(),
        "Pinot's schema must hold exactly the event's fields"
    );
    for (name, (json_type, nullable)) in &fields {
        assert!(
            holds(json_type, &columns[name]),
            "{name}: {} does not hold a JSON {json_type}",
            columns[name]
        );
        if *nullable {
            assert_eq!(
                schema["enableColumnBasedNullHandling"], true,
                "{name} may be null: Pinot must keep its nulls"
            );
        }
    }
    let time = &schema["dateTimeFieldSpecs"][0];
    assert_eq!(time["name"], "tpep_pickup_datetime");
    assert_eq!(time["format"], "SIMPLE_DATE_FORMAT|yyyy-MM-dd'T'HH:mm:ss");
    assert_eq!(schema["primaryKeyColumns"], json!(["trip_id"]));
    Ok(())
}

#[test]
fn pinots_tables_consume_the_raw_topic_and_load_the_zone_table() -> Result<()> {
    let schema = json_file("pipelines/16-pinot-serving/pinot/taxi_trips.schema.json")?;
    let table = json_file("pipelines/16-pinot-serving/pinot/taxi_trips.table.json")?;
    assert_eq!(table["tableType"], "REALTIME");
    assert_eq!(table["segmentsConfig"]["schemaName"], schema["schemaName"]);
    assert_eq!(
        table["segmentsConfig"]["timeColumnName"],
        schema["dateTimeFieldSpecs"][0]["name"]
    );
    let streams = table["ingestionConfig"]["streamIngestionConfig"]["streamConfigMaps"]
        .as_array()
        .context("no streamConfigMaps")?;
    assert_eq!(streams.len(), 1);
    let stream = &streams[0];
    assert_eq!(stream["streamType"], "kafka");
    assert_eq!(stream["stream.kafka.topic.name"], RAW_TOPIC);
    assert_eq!(stream["stream.kafka.broker.list"], "broker:9092");
    assert_eq!(
        stream["stream.kafka.consumer.prop.auto.offset.reset"],
        "smallest"
    );
    assert!(
        stream["stream.kafka.decoder.class.name"]
            .as_str()
            .is_some_and(|c| c.ends_with("JSONMessageDecoder"))
    );
    // Dead letters are skipped, not fatal; one row per trip_id, which needs the partition
    // of a key on one server (strictReplicaGroup) and the stream keyed by it (trip_id).
    assert_eq!(table["ingestionConfig"]["continueOnError"], true);
    assert_eq!(table["dedupConfig"]["dedupEnabled"], true);
    assert_eq!(
        table["routing"]["instanceSelectorType"],
        "strictReplicaGroup"
    );
    assert_eq!(table["tableIndexConfig"]["nullHandlingEnabled"], true);
    // The manifest creates the topic Pinot reads and runs the set-up that makes the tables.
    let manifest =
        fs::read_to_string(repo_root().join("pipelines/16-pinot-serving/pipeline.yaml"))?;
    assert!(manifest.contains("/p16/pinot/setup.sh"));
    let setup = fs::read_to_string(repo_root().join("pipelines/16-pinot-serving/pinot/setup.sh"))?;
    assert!(setup.contains("taxi_zones taxi_trips") && setup.contains("taxi_zones.job.yaml"));

    // The zone dimension table: its columns are the zone seed's header, loaded from the seed.
    let zones = json_file("pipelines/16-pinot-serving/pinot/taxi_zones.schema.json")?;
    let zone_table = json_file("pipelines/16-pinot-serving/pinot/taxi_zones.table.json")?;
    let job = yaml_file("pipelines/16-pinot-serving/pinot/taxi_zones.job.yaml")?;
    let seed = fs::read_to_string(repo_root().join("shared/dbt/seeds/taxi_zone_lookup.csv"))?;
    let header: Vec<String> = seed
        .lines()
        .next()
        .context("an empty seed")?
        .split(',')
        .map(|c| c.trim_matches('"').to_owned())
        .collect();
    let columns: Vec<String> = zones["dimensionFieldSpecs"]
        .as_array()
        .context("no dimensions")?
        .iter()
        .map(|f| f["name"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(columns, header);
    assert_eq!(zone_table["isDimTable"], true);
    assert_eq!(zone_table["tableType"], "OFFLINE");
    assert_eq!(zones["primaryKeyColumns"], json!(["LocationID"]));
    assert_eq!(job["tableSpec"]["tableName"], zones["schemaName"]);
    assert_eq!(job["inputDirURI"], "/seeds");
    assert_eq!(
        job["includeFileNamePattern"],
        "glob:**/taxi_zone_lookup.csv"
    );
    assert_eq!(job["recordReaderSpec"]["dataFormat"], "csv");
    Ok(())
}

#[test]
fn druids_supervisor_holds_exactly_the_events_fields() -> Result<()> {
    let fields = event_fields()?;
    let spec = json_file("pipelines/17-druid-timeseries/druid/supervisor.json")?;
    assert_eq!(spec["type"], "kafka");
    let schema = &spec["spec"]["dataSchema"];
    let mut columns = BTreeMap::new();
    let timestamp = schema["timestampSpec"]["column"]
        .as_str()
        .context("no timestamp column")?;
    assert_eq!(timestamp, "tpep_pickup_datetime");
    assert_eq!(schema["timestampSpec"]["format"], "iso");
    columns.insert(timestamp.to_owned(), "string".to_owned());
    for dimension in schema["dimensionsSpec"]["dimensions"]
        .as_array()
        .context("no dimensions")?
    {
        let name = dimension["name"].as_str().context("a nameless dimension")?;
        let kind = dimension["type"].as_str().context("an untyped dimension")?;
        assert!(
            columns.insert(name.to_owned(), kind.to_owned()).is_none(),
            "{name} twice"
        );
    }
    for metric in schema["metricsSpec"].as_array().context("no metrics")? {
        let name = metric["name"].as_str().context("a nameless metric")?;
        assert_eq!(metric["fieldName"], name, "a metric is its own field");
        let kind = metric["type"].as_str().context("an untyped metric")?;
        assert!(
            columns.insert(name.to_owned(), kind.to_owned()).is_none(),
            "{name} twice"
        );
    }
    assert_eq!(
        columns.keys().collect::<BTreeSet<_>>(),
        fields.keys().collect::<BTreeSet<_>>(),
        "Druid's columns must be exactly the event's fields"
    );
    for (name, (json_type, _)) in &fields {
        assert!(
            holds(json_type, &columns[name]),
            "{name}: {} does not hold a JSON {json_type}",
            columns[name]
        );
    }
    // Every message a row: no rollup, so duplicates stay for the queries to remove.
    assert_eq!(schema["granularitySpec"]["rollup"], false);
    assert_eq!(schema["dataSource"], "taxi_trips");
    let io = &spec["spec"]["ioConfig"];
    assert_eq!(io["topic"], RAW_TOPIC);
    assert_eq!(io["useEarliestOffset"], true);
    assert_eq!(io["inputFormat"]["type"], "json");
    assert_eq!(io["consumerProperties"]["bootstrap.servers"], "broker:9092");
    assert_eq!(
        spec["spec"]["tuningConfig"]["maxParseExceptions"],
        i32::MAX,
        "a dead letter is a parse exception, which must not stop the task"
    );
    Ok(())
}

fn check_queries(engine: &str, folder: &str, dashboard: Option<&str>) -> Result<String> {
    let mut command = Command::new(python());
    command
        .arg(repo_root().join("shared/serving/local/check_queries.py"))
        .args(["--engine", engine])
        .arg("--queries")
        .arg(repo_root().join(folder));
    if let Some(dashboard) = dashboard {
        command.arg("--dashboard").arg(repo_root().join(dashboard));
    }
    run(&mut command)
}

#[test]
fn the_comparison_queries_parse_and_grafana_shows_druids() -> Result<()> {
    let pinot = check_queries("pinot", "pipelines/16-pinot-serving/pinot/queries", None)?;
    assert!(pinot.contains("queries_parsed=4"), "{pinot}");
    let druid = check_queries(
        "druid",
        "pipelines/17-druid-timeseries/druid/queries",
        Some("pipelines/17-druid-timeseries/grafana/dashboards/gold.json"),
    )?;
    assert!(
        druid.contains("queries_parsed=4") && druid.contains("panels_matching=4"),
        "{druid}"
    );

    // The check can fail: a query that selects a fourth column, a dashboard whose panel
    // differs from the query it shows.
    let dir = tempfile::Builder::new().prefix("rtde-serving-").tempdir()?;
    let queries = dir.path().join("queries");
    fs::create_dir(&queries)?;
    for entry in fs::read_dir(repo_root().join("pipelines/17-druid-timeseries/druid/queries"))? {
        let path = entry?.path();
        fs::copy(&path, queries.join(path.file_name().unwrap()))?;
    }
    let hourly = queries.join("hourly.sql");
    let text = fs::read_to_string(&hourly)?;
    fs::write(
        &hourly,
        text.replace("COUNT(*) AS trips,", "COUNT(*) AS trips, 1 AS extra,"),
    )?;
    let broken = check_queries("druid", &queries.display().to_string(), None);
    assert!(
        broken
            .as_ref()
            .is_err_and(|err| format!("{err:#}").contains("selects 4 columns")),
        "{broken:?}"
    );
    let mut dashboard = json_file("pipelines/17-druid-timeseries/grafana/dashboards/gold.json")?;
    let query = &mut dashboard["panels"][0]["targets"][0]["builder"]["query"];
    *query = json!(
        query
            .as_str()
            .unwrap_or_default()
            .replace("COUNT(*)", "COUNT(trip_id)")
    );
    let edited = dir.path().join("gold.json");
    fs::write(&edited, dashboard.to_string())?;
    let stale = check_queries(
        "druid",
        "pipelines/17-druid-timeseries/druid/queries",
        Some(&edited.display().to_string()),
    );
    assert!(
        stale
            .as_ref()
            .is_err_and(|err| format!("{err:#}").contains("panels_matching=3")),
        "{stale:?}"
    );
    Ok(())
}

/// check_queries.py on P10's folder, with its Metabase and Superset files (or replacements).
fn check_p10(metabase: &Path, superset: &Path) -> Result<String> {
    let p10 = repo_root().join("pipelines/10-serving-comparison");
    run(Command::new(python())
        .arg(repo_root().join("shared/serving/local/check_queries.py"))
        .args(["--engine", "clickhouse", "--queries"])
        .arg(p10.join("clickhouse"))
        .arg("--ddl")
        .arg(p10.join("clickhouse/load.sql"))
        .arg("--metabase")
        .arg(metabase)
        .arg("--superset")
        .arg(superset))
}

#[test]
fn p10s_queries_and_dashboards_read_the_table_its_clickhouse_sql_creates() -> Result<()> {
    let p10 = repo_root().join("pipelines/10-serving-comparison");
    let metabase = p10.join("metabase/dashboard.json");
    let superset = p10.join("superset/assets");
    let checked = check_p10(&metabase, &superset)?;
    for line in [
        "queries_parsed=4",
        "queries_on_ddl=4",
        "metabase_cards=4",
        "superset_charts=4",
    ] {
        assert!(checked.contains(line), "{line} missing: {checked}");
    }

    // The checks can fail: a Metabase card charting a column its query does not return, and
    // a Superset chart grouping by a column the table has not.
    let dir = tempfile::Builder::new().prefix("rtde-p10-").tempdir()?;
    let mut dashboard = json_file("pipelines/10-serving-comparison/metabase/dashboard.json")?;
    dashboard["cards"][3]["dimensions"] = json!(["pickup_hour"]);
    let edited = dir.path().join("dashboard.json");
    fs::write(&edited, dashboard.to_string())?;
    let stale = check_p10(&edited, &superset);
    assert!(
        stale.as_ref().is_err_and(|err| {
            let err = format!("{err:#}");
            err.contains("charts pickup_hour") && err.contains("hourly.sql does not return")
        }),
        "{stale:?}"
    );
    let assets = dir.path().join("assets");
    copy_tree(&superset, &assets)?;
    let chart = assets.join("charts/borough.yaml");
    let text = fs::read_to_string(&chart)?;
    fs::write(&chart, text.replace("- pickup_borough", "- borough_name"))?;
    let stale = check_p10(&metabase, &assets);
    assert!(
        stale.as_ref().is_err_and(
            |err| format!("{err:#}").contains("borough_name is not a column of fct_trips")
        ),
        "{stale:?}"
    );
    Ok(())
}

/// provision.py run against the Metabase stand-in; its output and the calls it made.
fn provision_against_stand_in(healthy_after: i32, timeout: &str) -> Result<(Output, Vec<Value>)> {
    let dir = tempfile::Builder::new()
        .prefix("rtde-metabase-")
        .tempdir()?;
    let record = dir.path().join("calls.json");
    let out = Command::new(python())
        .arg(repo_root().join("tests/fixtures/metabase/stand_in.py"))
        .arg("--record")
        .arg(&record)
        .args(["--healthy-after", &healthy_after.to_string()])
        .args(["--", "--url", "{url}", "--timeout", timeout, "--dashboard"])
        .arg(repo_root().join("pipelines/10-serving-comparison/metabase/dashboard.json"))
        .env("RTDE_CLICKHOUSE_PASSWORD", "from-the-environment")
        .output()?;
    let calls: Vec<Value> = serde_json::from_str(&fs::read_to_string(&record)?)?;
    Ok((out, calls))
}

#[test]
fn p10s_metabase_provisioning_posts_the_dashboard_of_the_four_queries() -> Result<()> {
    let (out, calls) = provision_against_stand_in(2, "60")?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && stdout.contains("metabase_cards=4"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let posted = |path: &str| -> Vec<&Value> {
        calls
            .iter()
            .filter(|c| c["method"] == "POST" && c["path"] == path)
            .map(|c| &c["body"])
            .collect()
    };
    assert_eq!(
        calls.iter().filter(|c| c["path"] == "/api/health").count(),
        3,
        "health polled until ok: {calls:?}"
    );
    assert_eq!(posted("/api/setup").len(), 1, "{calls:?}");
    let databases = posted("/api/database");
    assert_eq!(databases.len(), 1, "{calls:?}");
    assert_eq!(databases[0]["engine"], "clickhouse");
    assert_eq!(databases[0]["details"]["host"], "clickhouse");
    assert_eq!(databases[0]["details"]["password"], "from-the-environment");
    let queries = repo_root().join("pipelines/10-serving-comparison/clickhouse");
    let mut expected: Vec<String> = ["daily", "borough", "payment_type", "hourly"]
        .iter()
        .map(|n| fs::read_to_string(queries.join(format!("{n}.sql"))))
        .collect::<Result<_, _>>()?;
    let mut sent: Vec<String> = posted("/api/card")
        .iter()
        .map(|card| {
            assert_eq!(card["dataset_query"]["type"], "native", "{card}");
            card["dataset_query"]["native"]["query"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    expected.sort();
    sent.sort();
    assert_eq!(
        sent, expected,
        "one card per comparison query, with its SQL"
    );
    let placed = calls
        .iter()
        .find(|c| c["method"] == "PUT")
        .context("the dashboard's cards were never placed")?;
    assert_eq!(
        placed["body"]["dashcards"].as_array().map(Vec::len),
        Some(4)
    );

    let (out, _) = provision_against_stand_in(-1, "2")?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && stderr.contains("not healthy after 2"),
        "a Metabase that never turns healthy must fail the provisioning: {stderr}"
    );
    Ok(())
}

#[test]
fn grafanas_data_source_is_the_one_its_panels_name() -> Result<()> {
    let sources =
        yaml_file("pipelines/17-druid-timeseries/grafana/provisioning/datasources/druid.yaml")?;
    let source = &sources["datasources"][0];
    assert_eq!(source["type"], "grafadruid-druid-datasource");
    assert_eq!(source["url"], "http://druid-broker:8082");
    let providers =
        yaml_file("pipelines/17-druid-timeseries/grafana/provisioning/dashboards/rtde.yaml")?;
    assert_eq!(
        providers["providers"][0]["options"]["path"],
        "/var/lib/grafana/dashboards"
    );
    let dashboard = json_file("pipelines/17-druid-timeseries/grafana/dashboards/gold.json")?;
    let panels = dashboard["panels"].as_array().context("no panels")?;
    assert_eq!(panels.len(), 4);
    for panel in panels {
        for named in [&panel["datasource"], &panel["targets"][0]["datasource"]] {
            assert_eq!(named["uid"], source["uid"], "{}", panel["title"]);
            assert_eq!(named["type"], source["type"], "{}", panel["title"]);
        }
    }
    let compose =
        fs::read_to_string(repo_root().join("pipelines/17-druid-timeseries/compose.yaml"))?;
    assert!(compose.contains(&format!(
        "GF_INSTALL_PLUGINS: {}",
        source["type"].as_str().unwrap_or_default()
    )));
    Ok(())
}

/// serve.py run against the stand-in broker of `engine`; returns its stdout.
fn serve_against_stand_in(
    engine: &str,
    oracle: &Path,
    tamper: Option<&str>,
    serve: &[&str],
) -> Result<String> {
    let mut command = Command::new(python());
    command
        .arg(repo_root().join("shared/serving/local/stand_in.py"))
        .args(["--engine", engine])
        .arg("--oracle")
        .arg(oracle);
    if let Some(list) = tamper {
        command.args(["--tamper", list]);
    }
    run(command.arg("--").args(serve))
}

fn queries_of(engine: &str) -> PathBuf {
    repo_root().join(match engine {
        "pinot" => "pipelines/16-pinot-serving/pinot/queries",
        _ => "pipelines/17-druid-timeseries/druid/queries",
    })
}

#[test]
fn serve_py_finds_the_oracles_answers_equal_and_a_changed_one_not() -> Result<()> {
    let dir = tempfile::Builder::new().prefix("rtde-serve-").tempdir()?;
    let (jsonl, oracle) = (dir.path().join("e.jsonl"), dir.path().join("oracle.json"));
    let generated = tools::generate_jsonl(&jsonl, &oracle)?;
    let oracle_arg = oracle.display().to_string();
    for engine in ["pinot", "druid"] {
        let queries = queries_of(engine).display().to_string();
        let query = [
            "query",
            "--engine",
            engine,
            "--url",
            "{url}",
            "--queries",
            &queries,
            "--oracle",
            &oracle_arg,
            "--repeat",
            "3",
        ];
        let out = serve_against_stand_in(engine, &oracle, None, &query)?;
        assert!(
            out.contains("serving_lists=4") && out.contains("serving_lists_equal=4"),
            "{engine}: {out}"
        );
        for name in ["daily", "borough", "payment_type", "hourly"] {
            assert!(
                out.contains(&format!("{name}_cold_ms="))
                    && out.contains(&format!("{name}_warm_ms=")),
                "{engine}: {name} not timed: {out}"
            );
        }
        let tampered = serve_against_stand_in(engine, &oracle, Some("hourly"), &query)?;
        assert!(
            tampered.contains("serving_lists_equal=3"),
            "{engine}: {tampered}"
        );

        let mut wait = vec![
            "wait",
            "--engine",
            engine,
            "--url",
            "{url}",
            "--table",
            "taxi_trips",
            "--oracle",
            &oracle_arg,
            "--timeout",
            "30",
        ];
        let bronze = generated["bronze_rows"].as_u64().context("bronze_rows")?;
        let expected = if engine == "pinot" {
            wait.push("--deduplicated");
            bronze
                - generated["categories"]["duplicate"]
                    .as_u64()
                    .context("duplicate")?
        } else {
            bronze
        };
        let waited = serve_against_stand_in(engine, &oracle, None, &wait)?;
        assert!(
            waited.contains(&format!("served_rows={expected}\n"))
                && waited.contains(&format!("served_rows_expected={expected}\n")),
            "{engine}: {waited}"
        );
    }
    Ok(())
}
