# The Spark image of P02/P05: Apache Spark 3.5 with the connector jars its jobs need, fetched
# here at build time so a run never resolves packages (no `--packages`, no Ivy cache):
#
#   iceberg-spark-runtime-3.5_2.12  the Iceberg tables (SparkCatalog, MERGE INTO, streaming)
#   iceberg-aws-bundle              S3FileIO for MinIO, and the REST catalog's AWS signer
#   spark-sql-kafka-0-10_2.12       the Kafka source and sink, with the three jars it needs at
#                                   run time that Spark does not ship: its token provider,
#                                   kafka-clients and commons-pool2 (the versions its pom names)
#
# The jobs are not copied in: stacks bind-mount shared/spark/jobs at /opt/rtde/jobs, so a job
# change needs no rebuild. Build from the repo root:
#
#   docker build -f shared/docker/spark.Dockerfile -t rtde/spark:3.5.8-iceberg1.10.1 .
ARG BASE_IMAGE=apache/spark:3.5.8-scala2.12-java17-python3-ubuntu
FROM ${BASE_IMAGE}

ARG SPARK_VERSION=3.5.8
ARG ICEBERG_VERSION=1.10.1
ARG KAFKA_CLIENTS_VERSION=3.4.1
ARG COMMONS_POOL2_VERSION=2.11.1
ARG MAVEN=https://repo1.maven.org/maven2

USER root
# Each jar is checked against the SHA-1 Maven Central publishes beside it, so a truncated or
# substituted download fails the build instead of a job.
RUN set -eu; \
    cd /opt/spark/jars; \
    for path in \
      "org/apache/iceberg/iceberg-spark-runtime-3.5_2.12/${ICEBERG_VERSION}/iceberg-spark-runtime-3.5_2.12-${ICEBERG_VERSION}.jar" \
      "org/apache/iceberg/iceberg-aws-bundle/${ICEBERG_VERSION}/iceberg-aws-bundle-${ICEBERG_VERSION}.jar" \
      "org/apache/spark/spark-sql-kafka-0-10_2.12/${SPARK_VERSION}/spark-sql-kafka-0-10_2.12-${SPARK_VERSION}.jar" \
      "org/apache/spark/spark-token-provider-kafka-0-10_2.12/${SPARK_VERSION}/spark-token-provider-kafka-0-10_2.12-${SPARK_VERSION}.jar" \
      "org/apache/kafka/kafka-clients/${KAFKA_CLIENTS_VERSION}/kafka-clients-${KAFKA_CLIENTS_VERSION}.jar" \
      "org/apache/commons/commons-pool2/${COMMONS_POOL2_VERSION}/commons-pool2-${COMMONS_POOL2_VERSION}.jar"; \
    do \
      jar="${path##*/}"; \
      wget -nv -O "$jar" "${MAVEN}/${path}"; \
      echo "$(wget -qO- "${MAVEN}/${path}.sha1" | cut -c1-40)  $jar" | sha1sum -c -; \
    done; \
    mkdir -p /opt/rtde/jobs

COPY shared/spark/conf/spark-defaults.conf /opt/spark/conf/spark-defaults.conf

ENV PYTHONPATH=/opt/rtde/jobs \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /opt/rtde/jobs
USER spark
