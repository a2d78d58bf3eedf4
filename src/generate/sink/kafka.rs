//! Kafka: one message per event, value = the JSON payload, key = the trip id or the pickup
//! zone. Idempotent producer with `acks=all`, so a retry never duplicates a message and
//! "sent" means acknowledged by the broker.
//!
//! Where the CPU goes (perf, 500 k events to tansu): in librdkafka, not here. What this sink
//! controls it keeps off the per-message path: a generator batch is handed to librdkafka in
//! one `rd_kafka_produce_batch` call through a topic handle made once, rather than one
//! `BaseProducer::send` per message (which copies the topic name and looks the topic up each
//! time), and the broker reports only failed deliveries, so acknowledged messages are freed
//! by librdkafka without a callback each. librdkafka still copies each payload (`F_COPY`):
//! the batch buffer is reused as soon as the call returns.
//!
//! Each message's partition is chosen here, by librdkafka's own default partitioner
//! (`consistent_random`: CRC-32 of the key modulo the partition count, called through its
//! exported function, so every event lands in the partition librdkafka would have picked),
//! and the batch is handed over one `rd_kafka_produce_batch` per partition. With the
//! partition left unassigned, librdkafka runs the partitioner and looks the partition up
//! (a reference count taken and dropped, shared with the broker thread) for every message;
//! with a fixed one it looks it up once per call.
//!
//! Before the first message the sink asks the broker for metadata with a deadline, so an
//! unreachable broker is a clear error in seconds rather than a hang; a missing topic is
//! created through `rtde topics`' admin code (brokers such as tansu do not auto-create topics).

use std::ffi::{CString, c_int};
use std::ptr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use rdkafka::bindings as rdsys;
use rdkafka::client::ClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::error::KafkaError;
use rdkafka::message::DeliveryResult;
use rdkafka::producer::{BaseProducer, Producer, ProducerContext};
use rdkafka::types::RDKafkaRespErr;

use super::{Compression, KafkaKey, KafkaOptions, Sink};
use crate::engine::docker::Backoff;
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
/// First pause while the topic's metadata has no partitions yet; it grows by half.
const METADATA_FIRST_PAUSE: Duration = Duration::from_millis(50);
const METADATA_MAX_PAUSE: Duration = Duration::from_secs(1);

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

/// A librdkafka topic handle, made once so producing needs no topic lookup per message.
struct TopicHandle(*mut rdsys::rd_kafka_topic_t);

impl TopicHandle {
    fn new(producer: &BaseProducer<DeliveryReport>, topic: &str) -> anyhow::Result<TopicHandle> {
        let name = CString::new(topic).map_err(|_| {
            Error::InvalidInput(format!(
                "the Kafka topic name {topic:?} contains a NUL byte"
            ))
        })?;
        // SAFETY: the client pointer is valid while `producer` lives, which outlives the
        // handle (see `KafkaSink`); `name` is a NUL-terminated string librdkafka copies; a
        // null configuration means the topic defaults.
        let handle = unsafe {
            rdsys::rd_kafka_topic_new(
                producer.client().native_ptr(),
                name.as_ptr(),
                ptr::null_mut(),
            )
        };
        if handle.is_null() {
            // SAFETY: reads the calling thread's last librdkafka error; no pointers involved.
            let err = unsafe { rdsys::rd_kafka_last_error() };
            return Err(KafkaError::MessageProduction(err.into()))
                .with_context(|| format!("opening the Kafka topic {topic}"));
        }
        Ok(TopicHandle(handle))
    }
}

impl Drop for TopicHandle {
    fn drop(&mut self) {
        // SAFETY: the handle came from rd_kafka_topic_new and is destroyed exactly once, while
        // its producer is still alive.
        unsafe { rdsys::rd_kafka_topic_destroy(self.0) }
    }
}

pub struct KafkaSink {
    // Declared before `producer` so it is dropped first: a topic handle must not outlive
    // its client.
    handle: TopicHandle,
    producer: BaseProducer<DeliveryReport>,
    topic: String,
    brokers: String,
    key_kind: KafkaKey,
    /// The topic's partitions when the sink connected, which librdkafka's partitioner would
    /// have counted too (a topic given more partitions during a run keeps this count).
    partitions: i32,
    /// The keys of the batch being sent, back to back, and where each ends.
    keys: Vec<u8>,
    key_ends: Vec<usize>,
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
            .set("message.timeout.ms", MESSAGE_DEADLINE_MS.to_string())
            // Failures still reach `DeliveryReport` and fail the run; successes are counted
            // by flush, which returns once librdkafka holds no message.
            .set("delivery.report.only.error", "true");
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
        let partitions = partition_count(&producer, topic, brokers)?;
        Ok(KafkaSink {
            handle: TopicHandle::new(&producer, topic)?,
            producer,
            topic: topic.to_string(),
            brokers: brokers.to_string(),
            key_kind: options.key,
            partitions,
            keys: Vec::new(),
            key_ends: Vec::new(),
            sent: 0,
        })
    }

    /// The partition librdkafka's default partitioner gives `key`.
    fn partition_for(&self, key: &[u8]) -> i32 {
        // The keys are never empty (16 hex digits, or a zone's decimal digits): an empty one
        // would make `consistent_random` pick at random, which needs the topic's lock.
        debug_assert!(!key.is_empty());
        // SAFETY: librdkafka's exported partitioner only reads `keylen` bytes at `key`, which
        // `key` holds; `rkt` and the opaques are used for empty keys only.
        unsafe {
            rdsys::rd_kafka_msg_partitioner_consistent_random(
                self.handle.0,
                key.as_ptr().cast(),
                key.len(),
                self.partitions,
                ptr::null_mut(),
                ptr::null_mut(),
            )
        }
    }

    /// Renders the keys of `events` into `keys`, back to back.
    fn render_keys(&mut self, events: &[Event]) {
        self.keys.clear();
        self.key_ends.clear();
        for event in events {
            match self.key_kind {
                KafkaKey::TripId => push_trip_id(&mut self.keys, event.record().trip_id),
                KafkaKey::PickupZone => {
                    push_int(&mut self.keys, i64::from(event.record().pickup_zone))
                }
            }
            self.key_ends.push(self.keys.len());
        }
    }

    /// Enqueues `messages` to `partition`, waiting for deliveries while the local queue is
    /// full.
    fn produce(
        &mut self,
        partition: i32,
        messages: Vec<rdsys::rd_kafka_message_t>,
    ) -> anyhow::Result<()> {
        let count = messages.len() as u64;
        let mut pending = messages;
        while !pending.is_empty() {
            // SAFETY: the handle belongs to this producer; every message points into the
            // caller's payloads and `self.keys`, both alive and unchanged until this returns,
            // and F_COPY makes librdkafka copy them before the call returns; the count is
            // the vector's length (a batch is far below c_int::MAX).
            unsafe {
                rdsys::rd_kafka_produce_batch(
                    self.handle.0,
                    partition,
                    rdsys::RD_KAFKA_MSG_F_COPY,
                    pending.as_mut_ptr(),
                    pending.len() as c_int,
                );
            }
            // librdkafka marks each message it did not enqueue. A full local queue is waited
            // out and exactly those messages are offered again (the broker thread may have
            // freed room mid-call, so a later message can be enqueued after an earlier one
            // was refused: retrying a suffix would send it twice); any other error ends the run.
            if let Some(m) = pending.iter().find(|m| {
                m.err != RDKafkaRespErr::RD_KAFKA_RESP_ERR_NO_ERROR
                    && m.err != RDKafkaRespErr::RD_KAFKA_RESP_ERR__QUEUE_FULL
            }) {
                return Err(KafkaError::MessageProduction(m.err.into()))
                    .with_context(|| format!("producing to {} at {}", self.topic, self.brokers));
            }
            pending.retain(|m| m.err == RDKafkaRespErr::RD_KAFKA_RESP_ERR__QUEUE_FULL);
            if !pending.is_empty() {
                for m in &mut pending {
                    m.err = RDKafkaRespErr::RD_KAFKA_RESP_ERR_NO_ERROR;
                }
                self.producer.poll(QUEUE_FULL_POLL);
            }
        }
        self.sent += count;
        Ok(())
    }
}

/// The partitions of `topic` in the producer's metadata, waited for with a deadline: a
/// topic just created may be listed without partitions (or with an error) for a moment.
fn partition_count(
    producer: &BaseProducer<DeliveryReport>,
    topic: &str,
    brokers: &str,
) -> anyhow::Result<i32> {
    let deadline = Instant::now() + CONNECT_DEADLINE;
    let mut backoff = Backoff::new(
        METADATA_FIRST_PAUSE,
        METADATA_MAX_PAUSE,
        tokio::time::Instant::from_std(deadline),
    );
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let listed = producer
            .client()
            .fetch_metadata(Some(topic), left.max(Duration::from_millis(1)))
            .ok()
            .and_then(|metadata| {
                let found = metadata.topics().iter().find(|t| t.name() == topic)?;
                let partitions = found.partitions().len();
                (found.error().is_none() && partitions > 0).then_some(partitions)
            });
        if let Some(partitions) = listed {
            return i32::try_from(partitions)
                .with_context(|| format!("{topic} has {partitions} partitions"));
        }
        if !backoff.pause_blocking() {
            return Err(Error::Environment(format!(
                "the Kafka broker at {brokers} listed no partitions of {topic} within {} s",
                CONNECT_DEADLINE.as_secs()
            ))
            .into());
        }
    }
}

/// A message for `rd_kafka_produce_batch` to `partition`: `payload` and `key` must outlive
/// the call.
fn message(payload: &[u8], key: &[u8], partition: i32) -> rdsys::rd_kafka_message_t {
    rdsys::rd_kafka_message_t {
        err: RDKafkaRespErr::RD_KAFKA_RESP_ERR_NO_ERROR,
        rkt: ptr::null_mut(),
        partition,
        payload: payload.as_ptr().cast_mut().cast(),
        len: payload.len(),
        key: key.as_ptr().cast_mut().cast(),
        key_len: key.len(),
        offset: 0,
        _private: ptr::null_mut(),
    }
}

impl Sink for KafkaSink {
    fn write(&mut self, event: &Event, payload: &[u8]) -> anyhow::Result<()> {
        self.write_batch(std::slice::from_ref(event), payload, &[payload.len()])
    }

    fn write_batch(
        &mut self,
        events: &[Event],
        payloads: &[u8],
        ends: &[usize],
    ) -> anyhow::Result<()> {
        self.render_keys(events);
        // Per partition, its messages in batch order: the order within a partition, the
        // only order Kafka keeps, is the order an unassigned-partition batch would have.
        let share = events.len() / self.partitions as usize + 1;
        let mut by_partition: Vec<Vec<rdsys::rd_kafka_message_t>> = (0..self.partitions)
            .map(|_| Vec::with_capacity(share))
            .collect();
        let (mut start, mut key_start) = (0, 0);
        for (&end, &key_end) in ends.iter().zip(&self.key_ends) {
            let key = &self.keys[key_start..key_end];
            let partition = self.partition_for(key);
            by_partition[partition as usize].push(message(&payloads[start..end], key, partition));
            (start, key_start) = (end, key_end);
        }
        for (partition, messages) in (0..).zip(by_partition) {
            if !messages.is_empty() {
                self.produce(partition, messages)?;
            }
        }
        // Serve the callbacks of failed deliveries, if any, as they come.
        self.producer.poll(Duration::ZERO);
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
