# Flink 2.0.1 with the connectors of the Flink pipelines (P01, P04): the Kafka SQL connector,
# Iceberg's Flink runtime with its AWS bundle (S3FileIO for MinIO), and the Hadoop client
# classes Iceberg's Flink catalog factory loads even for a REST catalog. Jars come from Maven
# Central at build time; each is checked against the SHA-1 Maven publishes beside it (no
# checksum could be pinned here: the machine this was written on cannot reach Maven Central).
ARG BASE_IMAGE=flink:2.0.1-java17
FROM ${BASE_IMAGE}

ARG MAVEN=https://repo1.maven.org/maven2
# The last line fails the build if the base lacks the Prometheus reporter Flink ships.
RUN set -eu; \
    cd /opt/flink/lib; \
    if command -v curl >/dev/null; then fetch="curl -fsSL -o"; else fetch="wget -q -O"; fi; \
    for jar in \
        org/apache/flink/flink-sql-connector-kafka/4.0.1-2.0/flink-sql-connector-kafka-4.0.1-2.0.jar \
        org/apache/iceberg/iceberg-flink-runtime-2.0/1.10.1/iceberg-flink-runtime-2.0-1.10.1.jar \
        org/apache/iceberg/iceberg-aws-bundle/1.10.1/iceberg-aws-bundle-1.10.1.jar \
        org/apache/hadoop/hadoop-client-api/3.3.6/hadoop-client-api-3.3.6.jar \
        org/apache/hadoop/hadoop-client-runtime/3.3.6/hadoop-client-runtime-3.3.6.jar; \
    do \
        name=$(basename "$jar"); \
        $fetch "$name" "$MAVEN/$jar"; \
        $fetch "$name.sha1" "$MAVEN/$jar.sha1"; \
        echo "$(cut -c1-40 "$name.sha1")  $name" | sha1sum -c -; \
        rm "$name.sha1"; \
    done; \
    chown flink:flink /opt/flink/lib/*.jar; \
    ls /opt/flink/plugins/metrics-prometheus/flink-metrics-prometheus-*.jar
