//! `rtde topics`: Kafka-protocol topic administration through librdkafka.
//!
//! Pipelines create their topics with this command rather than a broker's own script
//! (`kafka-topics.sh`, `rpk topic create`), so one `topics` stage works on Kafka, Redpanda
//! and tansu alike, and swapping the broker (`--broker`) changes no stage. `count` reads a
//! topic back to its end, which is how a stage checks what an engine wrote to the
//! dead-letter topic.
//!
//! Brokers in a fresh stack may accept connections before they answer requests, so every
//! command first waits for the broker's metadata with a deadline, retrying with backoff.

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use rdkafka::ClientConfig;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::{ClientContext, DefaultClientContext};
use rdkafka::consumer::{BaseConsumer, Consumer, ConsumerContext};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::Message;
use rdkafka::metadata::Metadata;
use rdkafka::{Offset, TopicPartitionList};

use crate::engine::docker::Backoff;
use crate::error::Error;

/// How long one metadata request may take before the next attempt.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
/// First pause between attempts to reach the broker; it grows by half up to `MAX_PAUSE`.
const FIRST_PAUSE: Duration = Duration::from_millis(100);
const MAX_PAUSE: Duration = Duration::from_secs(2);

/// `NAME[:PARTITIONS]` on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicSpec {
    pub name: String,
    pub partitions: Option<i32>,
}

impl FromStr for TopicSpec {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (name, partitions) = match text.rsplit_once(':') {
            Some((name, n)) => {
                let n: i32 = n.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                    format!("`{text}`: the partition count after `:` must be a positive number")
                })?;
                (name, Some(n))
            }
            None => (text, None),
        };
        let legal = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
        if name.is_empty() || name.len() > 249 || !name.chars().all(legal) {
            return Err(format!(
                "`{name}` is not a Kafka topic name (letters, digits, `.`, `_`, `-`; at most 249)"
            ));
        }
        Ok(TopicSpec {
            name: name.to_string(),
            partitions,
        })
    }
}

/// A librdkafka client configuration for these bootstrap servers.
pub fn client_config(bootstrap: &str) -> ClientConfig {
    let mut config = ClientConfig::new();
    config.set("bootstrap.servers", bootstrap);
    config
}

/// The cluster's metadata, retried with backoff until `deadline`: the broker of a stack that
/// just started may refuse or time out for a while.
pub fn wait_for_metadata(config: &ClientConfig, deadline: Instant) -> Result<Metadata> {
    let consumer: BaseConsumer = config.create().context("configuring a Kafka client")?;
    let brokers = config
        .get("bootstrap.servers")
        .unwrap_or_default()
        .to_string();
    let mut backoff = Backoff::new(
        FIRST_PAUSE,
        MAX_PAUSE,
        tokio::time::Instant::from_std(deadline),
    );
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let answer = consumer.fetch_metadata(
            None,
            REQUEST_TIMEOUT.min(left.max(Duration::from_millis(1))),
        );
        match answer {
            Ok(metadata) if !metadata.brokers().is_empty() => return Ok(metadata),
            Ok(_) | Err(_) if backoff.pause_blocking() => {}
            Ok(_) => bail!(Error::Environment(format!(
                "the Kafka broker at {brokers} answered but listed no brokers before the deadline"
            ))),
            Err(err) => bail!(Error::Environment(format!(
                "cannot reach the Kafka broker at {brokers} before the deadline ({err}); is it \
                 running, and is the address the one its listener advertises?"
            ))),
        }
    }
}

/// Creates each topic that does not exist yet (one replica; `default_partitions` unless the
/// spec says otherwise). A topic that exists is left as it is, so the stage can run twice.
pub fn create(
    config: &ClientConfig,
    topics: &[TopicSpec],
    default_partitions: i32,
    deadline: Instant,
) -> Result<()> {
    let metadata = wait_for_metadata(config, deadline)?;
    let existing: BTreeSet<&str> = metadata.topics().iter().map(|t| t.name()).collect();
    let missing: Vec<NewTopic> = topics
        .iter()
        .filter(|t| !existing.contains(t.name.as_str()))
        .map(|t| {
            NewTopic::new(
                &t.name,
                t.partitions.unwrap_or(default_partitions),
                TopicReplication::Fixed(1),
            )
        })
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let admin: AdminClient<DefaultClientContext> = config
        .create()
        .context("configuring a Kafka admin client")?;
    let left = deadline
        .saturating_duration_since(Instant::now())
        .max(REQUEST_TIMEOUT);
    let options = AdminOptions::new()
        .operation_timeout(Some(left))
        .request_timeout(Some(left));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let results = runtime
        .block_on(admin.create_topics(missing.iter(), &options))
        .context("creating Kafka topics")?;
    for result in results {
        match result {
            Ok(name) => tracing::info!(topic = name, "created the Kafka topic"),
            Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
            Err((name, code)) => bail!("creating Kafka topic {name}: {code}"),
        }
    }
    Ok(())
}

/// Reaching a partition's end is how `count` knows it is done: librdkafka reports it as an
/// error, which the default context would log as one.
struct EndIsExpected;

impl ClientContext for EndIsExpected {
    fn error(&self, error: KafkaError, reason: &str) {
        if error.rdkafka_error_code() != Some(RDKafkaErrorCode::PartitionEOF) {
            tracing::error!("librdkafka: {error}: {reason}");
        }
    }
}

impl ConsumerContext for EndIsExpected {}

/// What reading a topic to its end found.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Read {
    pub messages: u64,
    /// Per partition, the offset after the last message read (0 for an empty partition).
    pub ends: BTreeMap<i32, i64>,
}

/// End offsets as Flink's Kafka connector takes them (`scan.bounded.specific-offsets`).
pub fn flink_offsets(ends: &BTreeMap<i32, i64>) -> String {
    ends.iter()
        .map(|(p, o)| format!("partition:{p},offset:{o}"))
        .collect::<Vec<_>>()
        .join(";")
}

/// The messages in `topic`, read from the beginning to the end of every partition as the
/// broker reports it now. Read rather than computed from watermarks: a compacted or
/// transactional topic, and some brokers' high watermarks (tansu's ListOffsets), make offsets
/// an estimate.
pub fn count(config: &ClientConfig, topic: &str, deadline: Instant) -> Result<Read> {
    let metadata = wait_for_metadata(config, deadline)?;
    let partitions: Vec<i32> = metadata
        .topics()
        .iter()
        .find(|t| t.name() == topic)
        .map(|t| t.partitions().iter().map(|p| p.id()).collect())
        .ok_or_else(|| {
            Error::InvalidInput(format!(
                "topic {topic} does not exist; create it first (`rtde topics create`)"
            ))
        })?;
    let consumer: BaseConsumer<EndIsExpected> = config
        .clone()
        .set("group.id", "rtde-topics-count")
        .set("enable.auto.commit", "false")
        .set("enable.partition.eof", "true")
        // An empty fetch at a partition's end waits this long; the default 500 ms would
        // make counting a small dead-letter topic take seconds.
        .set("fetch.wait.max.ms", "50")
        .create_with_context(EndIsExpected)
        .context("configuring a Kafka consumer")?;
    let mut assignment = TopicPartitionList::new();
    for p in &partitions {
        assignment.add_partition_offset(topic, *p, Offset::Beginning)?;
    }
    consumer.assign(&assignment)?;
    let mut read = Read {
        messages: 0,
        ends: partitions.iter().map(|p| (*p, 0)).collect(),
    };
    let mut open: BTreeSet<i32> = partitions.into_iter().collect();
    while !open.is_empty() {
        if Instant::now() >= deadline {
            bail!(Error::Environment(format!(
                "read {} messages of {topic} but partitions {open:?} did not reach their end \
                 before the deadline",
                read.messages
            )));
        }
        match consumer.poll(REQUEST_TIMEOUT.min(deadline - Instant::now())) {
            None => {}
            Some(Ok(message)) => {
                read.messages += 1;
                let end = read.ends.entry(message.partition()).or_default();
                *end = (*end).max(message.offset() + 1);
            }
            Some(Err(KafkaError::PartitionEOF(p))) => {
                open.remove(&p);
            }
            Some(Err(err)) => {
                return Err(err).with_context(|| format!("reading {topic}"));
            }
        }
    }
    Ok(read)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn end_offsets_are_written_as_flinks_specific_offsets() {
        let ends = BTreeMap::from([(0, 3353), (1, 0), (2, 3357)]);
        assert_eq!(
            flink_offsets(&ends),
            "partition:0,offset:3353;partition:1,offset:0;partition:2,offset:3357"
        );
        assert_eq!(flink_offsets(&BTreeMap::new()), "");
    }

    #[test]
    fn topic_specs_parse_with_and_without_partitions() {
        assert_eq!(
            "taxi.raw_trips".parse::<TopicSpec>().unwrap(),
            TopicSpec {
                name: "taxi.raw_trips".into(),
                partitions: None
            }
        );
        assert_eq!(
            "taxi.raw_trips.dlq:1"
                .parse::<TopicSpec>()
                .unwrap()
                .partitions,
            Some(1)
        );
        for bad in ["", "a:0", "a:-1", "a:x", "bad topic", ":3"] {
            assert!(bad.parse::<TopicSpec>().is_err(), "{bad} should be refused");
        }
    }
}
