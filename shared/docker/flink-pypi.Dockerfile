# Flink 2.0.1 without a container registry or Maven Central: Java 17 from Debian on the local
# base, the Flink distribution's jars from PyPI's `apache-flink-libraries` (the Apache Flink
# project's own), and the Kafka connector 4.0.1-2.0 with kafka-clients 3.9.1 from
# `shigawire-apache-flink-libraries`, a third party's redistribution (not Maven Central).
# Both are downloaded in pip's hash-checking mode (flink-pypi/requirements.txt), and every
# jar taken out of them is checked against its pinned sha256 and declared version
# (flink-pypi/jars.toml, assemble.py): any difference fails the build naming the file.
#
# No Iceberg: its Flink runtime is on no registry this machine reaches, so P01 runs on it
# with `storage=files` (pipelines/01-kafka-flink-iceberg/README.md). A user with a registry
# should build shared/docker/flink.Dockerfile on the public flink:2.0.1-java17 image.
#
#   rtde images build --base local --only flink     # tags rtde/flink:2.0.1-pypi
ARG BASE_IMAGE=rtde-local/python:3.11-bookworm
FROM ${BASE_IMAGE}

# The JDK rather than the JRE: the SQL runner is a Java source file, launched without a build
# step (sql-client.sh). setuptools and wheel from Debian: pip prepares the sdist's metadata without build isolation,
# so nothing unpinned is fetched from PyPI.
RUN apt-get update \
 && apt-get install -y --no-install-recommends openjdk-17-jdk-headless curl \
      python3-setuptools python3-wheel \
 && rm -rf /var/lib/apt/lists/*

COPY shared/docker/flink-pypi/requirements.txt shared/docker/flink-pypi/jars.toml \
     shared/docker/flink-pypi/assemble.py /opt/rtde/flink-pypi/
RUN set -eu; \
    python3 -m pip download --no-deps --require-hashes --no-build-isolation \
      --disable-pip-version-check --no-cache-dir \
      --dest /tmp/flink-downloads --requirement /opt/rtde/flink-pypi/requirements.txt; \
    python3 /opt/rtde/flink-pypi/assemble.py --downloads /tmp/flink-downloads \
      --pins /opt/rtde/flink-pypi/jars.toml --home /opt/flink; \
    rm -rf /tmp/flink-downloads

ENV FLINK_HOME=/opt/flink \
    FLINK_CONF_DIR=/opt/flink/conf \
    FLINK_PLUGINS_DIR=/opt/flink/plugins
COPY shared/docker/flink-pypi/config.yaml /opt/flink/conf-base/config.yaml
COPY shared/docker/flink-pypi/log4j-console.properties shared/docker/flink-pypi/log4j-cli.properties /opt/flink/conf/
COPY shared/docker/flink-pypi/flink.sh shared/docker/flink-pypi/sql-client.sh \
     shared/flink/local/RunSql.java /opt/flink/bin/
RUN chmod 0755 /opt/flink/bin/flink.sh /opt/flink/bin/sql-client.sh \
 && useradd --uid 9999 --home-dir /opt/flink --no-create-home flink \
 && chown -R flink:flink /opt/flink/conf
# Tagged rtde/flink:2.0.1-pypi (images.yaml), apart from the public image's rtde/flink:2.0.1, so
# run.json's containers name which ran; the label says what is inside. The wheel's Flink is
# 2.0.1, the public image's version: were they to differ, the tag would carry the wheel's.
LABEL rtde.flink.version="2.0.1" \
      rtde.flink.distribution="apache-flink-libraries 2.0.1 (PyPI); flink-connector-kafka 4.0.1-2.0 and kafka-clients 3.9.1 from shigawire-apache-flink-libraries 2.0.0.post1 (PyPI, a third party's redistribution); no Iceberg"
USER flink
WORKDIR /opt/flink
ENTRYPOINT ["/opt/flink/bin/flink.sh"]
