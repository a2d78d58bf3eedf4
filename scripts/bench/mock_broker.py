#!/usr/bin/env python3
"""A Kafka broker that is not the bottleneck, for the generator benchmark: librdkafka's own
mock cluster (the one its test suite runs against), started inside this process and
listening on a loopback port, so both producers reach it over TCP as they reach tansu.

It keeps each partition's last 5 MB of record batches in memory (older ones are dropped;
the high watermarks still count every message), checks the batches' framing and producer
sequence numbers, and acknowledges; it neither decompresses nor writes anything, so its CPU
per event is a small fraction of a real broker's. It cannot create topics on request
(no CreateTopics): a topic comes into being, with 4 partitions, the first time a client asks
for its metadata.

Prints `host:port` on stdout once it answers, then serves until SIGTERM or SIGINT.
"""

import signal
import sys

from confluent_kafka import Producer

METADATA_DEADLINE_S = 10


def main():
    # bootstrap.servers is ignored once the mock cluster is on; librdkafka still wants one.
    holder = Producer({"test.mock.num.brokers": 1, "bootstrap.servers": "mock:0",
                       "log_level": 3})
    brokers = holder.list_topics(timeout=METADATA_DEADLINE_S).brokers
    broker = next(iter(brokers.values()))
    print(f"{broker.host}:{broker.port}", flush=True)
    signal.sigwait([signal.SIGTERM, signal.SIGINT])
    del holder


if __name__ == "__main__":
    sys.exit(main())
