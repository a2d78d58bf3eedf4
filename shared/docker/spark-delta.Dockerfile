# The Spark image of P13: Apache Spark 3.5 with Delta Lake and the Kafka connector, the jars
# fetched here at build time so a run never resolves packages (no `--packages`, no Ivy cache):
#
#   delta-spark_2.12, delta-storage  Delta Lake 3.3 (the last line for Spark 3.5): the tables,
#                                    MERGE INTO, the streaming source and sink
#   hadoop-aws, aws-java-sdk-bundle  S3A for MinIO: the versions of Spark's own Hadoop client
#                                    (3.3.4) and the SDK its pom names
#   spark-sql-kafka-0-10_2.12        the Kafka source and sink, with its token provider,
#                                    kafka-clients and commons-pool2 (as spark.Dockerfile)
#
# The jobs are P02's (shared/spark/jobs, bind-mounted at /opt/rtde/jobs); RTDE_TABLE_FORMAT=delta
# (pipelines/13-kafka-spark-delta-lake/compose.yaml) picks their Delta writer. Build from the
# repo root:
#
#   docker build -f shared/docker/spark-delta.Dockerfile -t rtde/spark:3.5.8-delta3.3.3 .
ARG BASE_IMAGE=apache/spark:3.5.8-scala2.12-java17-python3-ubuntu
FROM ${BASE_IMAGE}

ARG SPARK_VERSION=3.5.8
ARG DELTA_VERSION=3.3.3
ARG HADOOP_VERSION=3.3.4
ARG AWS_SDK_VERSION=1.12.262
ARG KAFKA_CLIENTS_VERSION=3.4.1
ARG COMMONS_POOL2_VERSION=2.11.1
ARG MAVEN=https://repo1.maven.org/maven2

USER root
# Each jar is checked against the SHA-1 Maven Central publishes beside it, so a truncated or
# substituted download fails the build instead of a job.
RUN set -eu; \
    cd /opt/spark/jars; \
    for path in \
      "io/delta/delta-spark_2.12/${DELTA_VERSION}/delta-spark_2.12-${DELTA_VERSION}.jar" \
      "io/delta/delta-storage/${DELTA_VERSION}/delta-storage-${DELTA_VERSION}.jar" \
      "org/apache/hadoop/hadoop-aws/${HADOOP_VERSION}/hadoop-aws-${HADOOP_VERSION}.jar" \
      "com/amazonaws/aws-java-sdk-bundle/${AWS_SDK_VERSION}/aws-java-sdk-bundle-${AWS_SDK_VERSION}.jar" \
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
