//! `rtde topics` against a real Kafka-protocol broker (tansu): topics are created once and
//! with their partitions, counted by reading them to the end, and a missing topic or an
//! unreachable broker is a clear error with its exit code.

#[path = "support/generate_tansu.rs"]
mod tansu;

use std::time::Duration;

use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use tansu::Tansu;

fn rtde(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_rtde"))
        .args(args)
        .output()
        .expect("running rtde")
}

fn topics(args: &[&str]) -> std::process::Output {
    rtde(&[&["topics"], args].concat())
}

fn topics_ok(args: &[&str]) -> String {
    let output = topics(args);
    assert!(
        output.status.success(),
        "rtde topics {args:?} failed with {}:\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

fn partitions(brokers: &str, topic: &str) -> usize {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .create()
        .unwrap();
    let metadata = consumer
        .fetch_metadata(Some(topic), Duration::from_secs(10))
        .unwrap();
    metadata.topics()[0].partitions().len()
}

#[test]
fn create_is_idempotent_and_gives_each_topic_its_partitions() {
    let broker = Tansu::start();
    let bootstrap = broker.address.as_str();
    let args = [
        "create",
        "--bootstrap",
        bootstrap,
        "taxi.raw_trips",
        "taxi.raw_trips.dlq:1",
    ];
    let out = topics_ok(&args);
    assert!(out.contains("topic taxi.raw_trips ready"), "{out}");
    assert!(out.contains("topic taxi.raw_trips.dlq ready"), "{out}");
    // The second run finds both and changes nothing.
    topics_ok(&args);
    assert_eq!(partitions(bootstrap, "taxi.raw_trips"), 3);
    assert_eq!(partitions(bootstrap, "taxi.raw_trips.dlq"), 1);
    let out = topics_ok(&["count", "--bootstrap", bootstrap, "taxi.raw_trips.dlq"]);
    assert_eq!(out.trim(), "taxi.raw_trips.dlq: messages=0");
}

#[test]
fn count_reads_every_message_of_every_partition() {
    let broker = Tansu::start();
    let bootstrap = broker.address.as_str();
    topics_ok(&["create", "--bootstrap", bootstrap, "trips:3"]);
    let sink = format!("kafka://{bootstrap}/trips");
    let generated = rtde(&[
        "generate", "--events", "2500", "--seed", "7", "--sink", &sink,
    ]);
    assert!(generated.status.success(), "{generated:?}");
    let out = topics_ok(&["count", "--bootstrap", bootstrap, "trips"]);
    assert_eq!(out.trim(), "trips: messages=2500");
}

#[test]
fn a_missing_topic_and_an_unreachable_broker_are_clear_errors() {
    let broker = Tansu::start();
    let output = topics(&["count", "--bootstrap", &broker.address, "nowhere"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("topic nowhere does not exist"), "{stderr}");

    // A port nothing listens on: the command gives up at its deadline with exit code 3.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = closed.local_addr().unwrap().to_string();
    drop(closed);
    let output = topics(&["create", "--bootstrap", &address, "--timeout", "2s", "t"]);
    assert_eq!(output.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot reach the Kafka broker"), "{stderr}");
}
