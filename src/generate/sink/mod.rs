//! Where events go: one implementation per sink behind [`Sink`], chosen by URI.
//!
//! Every sink receives the same events in the same order. The JSON payload is rendered once
//! per event by the caller and shared by the sinks that send JSON (Kafka, JSON lines,
//! stdout); the typed sinks (Parquet, CSV, PostgreSQL) take the record and skip malformed
//! messages, which are not Bronze rows.

mod csv;
mod jsonl;
mod kafka;
mod parquet;
mod postgres;
mod text;

use std::path::PathBuf;

use anyhow::Context;

use crate::error::Error;
use crate::generate::events::Event;

pub trait Sink {
    /// Takes one event and its JSON payload.
    fn write(&mut self, event: &Event, payload: &[u8]) -> anyhow::Result<()>;
    /// Takes a batch of events in order, event `i`'s payload being
    /// `payloads[ends[i - 1]..ends[i]]`. Kafka hands the whole batch to its client in one
    /// call; the other sinks take the events one by one.
    fn write_batch(
        &mut self,
        events: &[Event],
        payloads: &[u8],
        ends: &[usize],
    ) -> anyhow::Result<()> {
        let mut start = 0;
        for (event, &end) in events.iter().zip(ends) {
            self.write(event, &payloads[start..end])?;
            start = end;
        }
        Ok(())
    }
    /// Flushes and closes; for Kafka, waits until every message is acknowledged.
    fn finish(self: Box<Self>) -> anyhow::Result<()>;
}

/// A parsed `--sink` URI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SinkTarget {
    Kafka {
        brokers: String,
        topic: Option<String>,
    },
    Parquet(PathBuf),
    JsonLines(PathBuf),
    Csv(PathBuf),
    Postgres {
        url: String,
        table: String,
    },
    Stdout,
}

const SINK_FORMS: &str = "kafka://host:port[,host:port]/topic, parquet:PATH, jsonl:PATH, csv:PATH, \
     postgres://user:pass@host:port/db?table=raw_trips or stdout";

impl SinkTarget {
    pub fn parse(uri: &str) -> anyhow::Result<SinkTarget> {
        let invalid = |why: &str| {
            Error::InvalidInput(format!("--sink '{uri}': {why}; sinks are {SINK_FORMS}"))
        };
        let path = |rest: &str| {
            if rest.is_empty() {
                Err(invalid("the path is empty"))
            } else {
                Ok(PathBuf::from(rest))
            }
        };
        let target = if uri == "stdout" || uri == "-" {
            SinkTarget::Stdout
        } else if let Some(rest) = uri.strip_prefix("kafka://") {
            let (brokers, topic) = match rest.split_once('/') {
                Some((brokers, topic)) if !topic.is_empty() => (brokers, Some(topic.to_string())),
                Some((brokers, _)) => (brokers, None),
                None => (rest, None),
            };
            if brokers.is_empty() || brokers.split(',').any(|b| !b.contains(':')) {
                return Err(invalid("brokers must be host:port, comma-separated").into());
            }
            SinkTarget::Kafka {
                brokers: brokers.to_string(),
                topic,
            }
        } else if let Some(rest) = uri.strip_prefix("parquet:") {
            SinkTarget::Parquet(path(rest)?)
        } else if let Some(rest) = uri.strip_prefix("jsonl:") {
            SinkTarget::JsonLines(path(rest)?)
        } else if let Some(rest) = uri.strip_prefix("csv:") {
            SinkTarget::Csv(path(rest)?)
        } else if uri.starts_with("postgres://") || uri.starts_with("postgresql://") {
            let (url, table) = postgres::split_table(uri).map_err(|why| invalid(&why))?;
            SinkTarget::Postgres { url, table }
        } else {
            return Err(invalid("unknown sink").into());
        };
        Ok(target)
    }
}

/// Which bytes key a Kafka message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KafkaKey {
    /// The event's trip id.
    TripId,
    /// The pickup zone id as a decimal string.
    PickupZone,
}

/// The Kafka producer's compression codec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Snappy,
    Lz4,
    Zstd,
}

/// Kafka producer settings from the command line.
#[derive(Debug, Clone)]
pub struct KafkaOptions {
    pub default_topic: String,
    pub partitions: i32,
    pub key: KafkaKey,
    pub compression: Compression,
    pub linger_ms: u32,
    pub batch_size: u32,
}

pub fn open(target: &SinkTarget, kafka: &KafkaOptions) -> anyhow::Result<Box<dyn Sink>> {
    let sink: Box<dyn Sink> = match target {
        SinkTarget::Kafka { brokers, topic } => {
            let topic = topic.clone().unwrap_or_else(|| kafka.default_topic.clone());
            Box::new(kafka::KafkaSink::connect(brokers, &topic, kafka)?)
        }
        SinkTarget::Parquet(path) => Box::new(parquet::ParquetSink::create(path)?),
        SinkTarget::JsonLines(path) => Box::new(jsonl::JsonLinesSink::create(path)?),
        SinkTarget::Csv(path) => Box::new(csv::CsvSink::create(path)?),
        SinkTarget::Postgres { url, table } => {
            Box::new(postgres::PostgresSink::connect(url, table)?)
        }
        SinkTarget::Stdout => Box::new(jsonl::JsonLinesSink::stdout()),
    };
    Ok(sink)
}

/// Creates an output file, turning "cannot" into an input error that names the path.
fn create_file(path: &std::path::Path, what: &str) -> anyhow::Result<std::fs::File> {
    std::fs::File::create(path)
        .map_err(|err| {
            Error::InvalidInput(format!(
                "cannot create the {what} file {}: {err}",
                path.display()
            ))
        })
        .with_context(|| format!("opening the {what} sink"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_sink_form() {
        assert_eq!(
            SinkTarget::parse("kafka://a:9092,b:9093/taxi.raw_trips").unwrap(),
            SinkTarget::Kafka {
                brokers: "a:9092,b:9093".into(),
                topic: Some("taxi.raw_trips".into())
            }
        );
        assert_eq!(
            SinkTarget::parse("kafka://a:9092").unwrap(),
            SinkTarget::Kafka {
                brokers: "a:9092".into(),
                topic: None
            }
        );
        assert_eq!(
            SinkTarget::parse("parquet:out/t.parquet").unwrap(),
            SinkTarget::Parquet("out/t.parquet".into())
        );
        assert_eq!(
            SinkTarget::parse("jsonl:t.jsonl").unwrap(),
            SinkTarget::JsonLines("t.jsonl".into())
        );
        assert_eq!(
            SinkTarget::parse("csv:t.csv").unwrap(),
            SinkTarget::Csv("t.csv".into())
        );
        assert_eq!(SinkTarget::parse("stdout").unwrap(), SinkTarget::Stdout);
        assert_eq!(
            SinkTarget::parse("postgres://u:p@h:5432/db?table=trips").unwrap(),
            SinkTarget::Postgres {
                url: "postgres://u:p@h:5432/db".into(),
                table: "trips".into()
            }
        );
    }

    #[test]
    fn bad_uris_are_input_errors_that_list_the_forms() {
        for uri in [
            "s3://bucket/x",
            "kafka://nohostport/t",
            "parquet:",
            "postgres://h/db?table=drop;table",
        ] {
            let err = SinkTarget::parse(uri).unwrap_err();
            assert_eq!(
                crate::error::exit_code_of(&err),
                crate::exit::INVALID_INPUT,
                "{uri}"
            );
            assert!(format!("{err:#}").contains("jsonl:PATH"), "{err:#}");
        }
    }
}
