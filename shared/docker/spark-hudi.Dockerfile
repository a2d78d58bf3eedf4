# The Spark image of P22: Apache Spark 3.5 with Apache Hudi and the Kafka connector, the jars
# fetched here at build time so a run never resolves packages (no `--packages`, no Ivy cache):
#
#   hudi-spark3.5-bundle_2.12        Hudi 1.2 for Spark 3.5: copy-on-write tables, insert and
#                                    upsert, the streaming source and sink (one shaded jar)
#   hadoop-aws, aws-java-sdk-bundle  S3A for MinIO: the versions of Spark's own Hadoop client
#                                    (3.3.4) and the SDK its pom names
#   spark-sql-kafka-0-10_2.12        the Kafka source and sink, with its token provider,
#                                    kafka-clients and commons-pool2 (as spark.Dockerfile)
#
# The jobs are P02's (shared/spark/jobs, bind-mounted at /opt/rtde/jobs); RTDE_TABLE_FORMAT=hudi
# (pipelines/22-hudi-cdc-storage/compose.yaml) picks their Hudi writer. Build from the
# repo root:
#
#   docker build -f shared/docker/spark-hudi.Dockerfile -t rtde/spark:3.5.8-hudi1.2.0 .
ARG BASE_IMAGE=apache/spark:3.5.8-scala2.12-java17-python3-ubuntu
FROM ${BASE_IMAGE}

ARG SPARK_VERSION=3.5.8
ARG HUDI_VERSION=1.2.0
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
      "org/apache/hudi/hudi-spark3.5-bundle_2.12/${HUDI_VERSION}/hudi-spark3.5-bundle_2.12-${HUDI_VERSION}.jar" \
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
