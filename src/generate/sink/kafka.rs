//! Kafka: one message per event, value = the JSON payload, key = the trip id or the pickup
//! zone. Idempotent producer with `acks=all`, so a retry never duplicates a message and
//! "sent" means acknowledged by the broker.
//!
//! Before the first message the sink asks the broker for metadata with a deadline, so an
//! unreachable broker is a clear error in seconds rather than a hang; a missing topic is
//! created through `rtde topics`' admin code (brokers such as tansu do not auto-create topics).

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use rdkafka::client::ClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::DeliveryResult;
use rdkafka::producer::{BaseProducer, BaseRecord, Producer, ProducerContext};

use super::{KafkaOptions, Sink};
use crate::cli::{Compression, KafkaKey};
use crate::error::Error;
use crate::generate::events::Event;
use crate::generate::record::{push_int, push_trip_id};
use crate::topics::{self, TopicSpec};

/// How long the broker has to answer the first metadata request.
const CONNECT_DEADLINE: Duration = Duration::from_secs(10);
/// How long librdkafka keeps retrying one message before reporting it undelivered.
const MESSAGE_DEADLINE_MS: u64 = 60_000;
/// How long a full local queue waits for deliveries before trying again.
const QUEUE_FULL_POLL: Duration = Duration::from_millis(50);
/// Serve delivery callbacks every this many messages.
const POLL_EVERY: u64 = 10_000;

/// Counts what the broker did not acknowledge, from librdkafka's delivery callbacks.
#[derive(Default)]
struct DeliveryReport {
    failed: AtomicU64,
    first_error: Mutex<Option<String>>,
}

impl ClientContext for DeliveryReport {}

impl ProducerContext for DeliveryReport {
    type DeliveryOpaque = ();

    fn delivery(&self, result: &DeliveryResult<'_>, _: ()) {
        if let Err((err, _)) = result {
            self.failed.fetch_add(1, Ordering::Relaxed);
            let mut first = self
                .first_error
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            first.get_or_insert_with(|| err.to_string());
        }
    }
}

pub struct KafkaSink {
    producer: BaseProducer<DeliveryReport>,
    topic: String,
    brokers: String,
    key_kind: KafkaKey,
    key: Vec<u8>,
    sent: u64,
}

fn compression_name(compression: Compression) -> &'static str {
    match compression {
        Compression::None => "none",
        Compression::Gzip => "gzip",
        Compression::Snappy => "snappy",
        Compression::Lz4 => "lz4",
        Compression::Zstd => "zstd",
    }
}

impl KafkaSink {
    pub fn connect(
        brokers: &str,
        topic: &str,
        options: &KafkaOptions,
    ) -> anyhow::Result<KafkaSink> {
        let mut config = ClientConfig::new();
        config
            .set("bootstrap.servers", brokers)
            .set("enable.idempotence", "true")
            .set("acks", "all")
            .set("compression.type", compression_name(options.compression))
            .set("linger.ms", options.linger_ms.to_string())
            .set("batch.num.messages", options.batch_size.to_string())
            .set("queue.buffering.max.messages", "1000000")
            .set("queue.buffering.max.kbytes", "1048576")
            .set("message.timeout.ms", MESSAGE_DEADLINE_MS.to_string());
        let producer: BaseProducer<DeliveryReport> = config
            .create_with_context(DeliveryReport::default())
            .with_context(|| format!("configuring a Kafka producer for {brokers}"))?;
        let metadata = producer.client().fetch_metadata(None, CONNECT_DEADLINE).map_err(|err| {
            Error::Environment(format!(
                "cannot reach the Kafka broker at {brokers} within {} s ({err}); is it running and is the address right?",
                CONNECT_DEADLINE.as_secs()
            ))
        })?;
        if !metadata.topics().iter().any(|t| t.name() == topic) {
            let spec = TopicSpec {
                name: topic.to_string(),
                partitions: Some(options.partitions),
            };
            topics::create(
                &config,
                &[spec],
                options.partitions,
                Instant::now() + CONNECT_DEADLINE,
            )?;
        }
        Ok(KafkaSink {
            producer,
            topic: topic.to_string(),
            brokers: brokers.to_string(),
            key_kind: options.key,
            key: Vec::with_capacity(16),
            sent: 0,
        })
    }
}

impl Sink for KafkaSink {
    fn write(&mut self, event: &Event, payload: &[u8]) -> anyhow::Result<()> {
        self.key.clear();
        match self.key_kind {
            KafkaKey::TripId => push_trip_id(&mut self.key, event.record().trip_id),
            KafkaKey::PickupZone => push_int(&mut self.key, i64::from(event.record().pickup_zone)),
        }
        let mut record = BaseRecord::to(&self.topic)
            .key(&self.key[..])
            .payload(payload);
        loop {
            match self.producer.send(record) {
                Ok(()) => break,
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), returned)) => {
                    record = returned;
                    self.producer.poll(QUEUE_FULL_POLL);
                }
                Err((err, _)) => {
                    return Err(err).with_context(|| {
                        format!("producing to {} at {}", self.topic, self.brokers)
                    });
                }
            }
        }
        self.sent += 1;
        if self.sent.is_multiple_of(POLL_EVERY) {
            self.producer.poll(Duration::ZERO);
        }
        Ok(())
    }

    fn finish(self: Box<Self>) -> anyhow::Result<()> {
        let deadline = Duration::from_millis(MESSAGE_DEADLINE_MS) + CONNECT_DEADLINE;
        self.producer.flush(deadline).with_context(|| {
            format!(
                "waiting for {} at {} to acknowledge every message",
                self.topic, self.brokers
            )
        })?;
        let report = self.producer.context();
        let failed = report.failed.load(Ordering::Relaxed);
        if failed > 0 {
            let first = report
                .first_error
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .clone();
            return Err(Error::Environment(format!(
                "{failed} of {} messages to {} were not acknowledged by {}; first error: {}",
                self.sent,
                self.topic,
                self.brokers,
                first.unwrap_or_default()
            ))
            .into());
        }
        Ok(())
    }
}
