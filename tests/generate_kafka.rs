//! `rtde generate --sink kafka://…` against a real Kafka-protocol broker (tansu), read back
//! with a real consumer (librdkafka through the rdkafka crate).

#[path = "support/generate_common.rs"]
mod common;
#[path = "support/generate_tansu.rs"]
mod tansu;

use std::time::{Duration, Instant};

use common::{generate_err, generate_ok, path_in, read_json};
use rdkafka::Message;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use tansu::Tansu;

/// Reads `expected` messages of `topic` back as (key, value).
fn consume(brokers: &str, topic: &str, expected: usize) -> Vec<(Vec<u8>, Vec<u8>)> {
    consume_with_partitions(brokers, topic, expected)
        .into_iter()
        .map(|(key, value, _)| (key, value))
        .collect()
}

/// Reads `expected` messages of `topic` back as (key, value, partition), failing after a
/// deadline. Counted by consuming, not by offsets: tansu's high-watermarks can be off by one.
fn consume_with_partitions(
    brokers: &str,
    topic: &str,
    expected: usize,
) -> Vec<(Vec<u8>, Vec<u8>, i32)> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("group.id", format!("rtde-test-{}", std::process::id()))
        .set("auto.offset.reset", "earliest")
        .set("enable.auto.commit", "false")
        .create()
        .unwrap();
    consumer.subscribe(&[topic]).unwrap();
    let deadline = Instant::now() + Duration::from_secs(90);
    let mut messages = Vec::with_capacity(expected);
    while messages.len() < expected {
        assert!(
            Instant::now() < deadline,
            "read only {} of {expected} messages from {topic} within 90 s",
            messages.len()
        );
        if let Some(message) = consumer.poll(Duration::from_millis(500)) {
            let message = message.expect("consuming");
            messages.push((
                message.key().unwrap_or_default().to_vec(),
                message.payload().unwrap_or_default().to_vec(),
                message.partition(),
            ));
        }
    }
    // Nothing beyond what was sent: one more poll must come back empty.
    assert!(
        consumer.poll(Duration::from_secs(2)).is_none(),
        "more messages than events in {topic}"
    );
    messages
}

#[test]
fn every_event_arrives_once_with_its_trip_id_key_and_json_intact() {
    let broker = Tansu::start();
    let dir = tempfile::tempdir().unwrap();
    let (jsonl, oracle) = (
        path_in(dir.path(), "t.jsonl"),
        path_in(dir.path(), "o.json"),
    );
    let topic = "taxi.raw_trips";
    generate_ok(&[
        "--events",
        "20000",
        "--sink",
        &format!("kafka://{}/{topic}", broker.address),
        "--sink",
        &format!("jsonl:{jsonl}"),
        "--oracle-out",
        &oracle,
    ]);
    let oracle = read_json(oracle.as_ref());
    let mut received = consume(&broker.address, topic, 20_000);
    assert_eq!(received.len() as u64, oracle["events"].as_u64().unwrap());

    let mut parsed = 0;
    for (key, value) in &received {
        assert_eq!(key.len(), 16, "the key is the 16-hex-digit trip id");
        if let Ok(event) = serde_json::from_slice::<serde_json::Value>(value) {
            parsed += 1;
            assert_eq!(event["trip_id"].as_str().unwrap().as_bytes(), &key[..]);
        } else {
            assert!(
                value.starts_with(b"{\"trip_id\":\""),
                "a malformed message is a cut-off event"
            );
        }
    }
    assert_eq!(
        parsed,
        oracle["bronze_rows"].as_u64().unwrap(),
        "every Bronze event parses as JSON"
    );

    // The same payloads as the JSON lines file, byte for byte (order differs across partitions).
    let file = std::fs::read(&jsonl).unwrap();
    let mut expected: Vec<&[u8]> = file
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    expected.sort();
    received.sort_by(|a, b| a.1.cmp(&b.1));
    assert!(
        received
            .iter()
            .map(|(_, v)| v.as_slice())
            .eq(expected.iter().copied())
    );
}

#[test]
fn pickup_zone_key_is_the_zone_id() {
    let broker = Tansu::start();
    generate_ok(&[
        "--events",
        "2000",
        "--malformed-rate",
        "0",
        "--key",
        "pickup-zone",
        "--compression",
        "zstd",
        "--sink",
        &format!("kafka://{}", broker.address),
        "--topic",
        "zones",
    ]);
    for (key, value) in consume(&broker.address, "zones", 2000) {
        let event: serde_json::Value = serde_json::from_slice(&value).unwrap();
        assert_eq!(
            String::from_utf8(key).unwrap(),
            event["PULocationID"].to_string()
        );
    }
}

/// CRC-32 (IEEE, reflected, as zlib computes it), bit by bit: librdkafka's `rd_crc32`,
/// written out here so the test does not ask librdkafka what librdkafka would do.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &byte in bytes {
        crc ^= u32::from(byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn each_message_is_in_the_partition_librdkafkas_default_partitioner_picks() {
    // rtde picks the partitions itself (one produce call per partition); they must be what
    // librdkafka's `consistent_random` would pick: CRC-32 of the key modulo the partitions.
    assert_eq!(crc32(b"123456789"), 0xcbf4_3926, "the CRC-32 check value");
    let broker = Tansu::start();
    for (key, events) in [("pickup-zone", 3000), ("trip-id", 1000)] {
        let topic = format!("partitions-{key}");
        generate_ok(&[
            "--events",
            &events.to_string(),
            "--key",
            key,
            "--partitions",
            "3",
            "--sink",
            &format!("kafka://{}/{topic}", broker.address),
        ]);
        let received = consume_with_partitions(&broker.address, &topic, events);
        let mut used = std::collections::BTreeSet::new();
        for (key, _, partition) in &received {
            assert_eq!(
                *partition as u32,
                crc32(key) % 3,
                "key {}",
                String::from_utf8_lossy(key)
            );
            used.insert(*partition);
        }
        assert_eq!(used.len(), 3, "{key}: every partition gets messages");
    }
}

#[test]
fn unreachable_broker_is_a_clear_error_within_seconds() {
    // A port that was free a moment ago: nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let started = Instant::now();
    let (code, stderr) = generate_err(&[
        "--events",
        "100",
        "--sink",
        &format!("kafka://127.0.0.1:{port}/t"),
    ]);
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(code, 3, "{stderr}");
    assert!(stderr.contains("cannot reach the Kafka broker"), "{stderr}");
}
