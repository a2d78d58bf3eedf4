# PostgreSQL with logical decoding for the CDC pipelines (P12, P23): Debian bookworm's
# PostgreSQL 15 (the original ran the postgres:16 image; no registry here serves it, and
# Debian's is what installs on both bases), started with wal_level=logical so Debezium's
# pgoutput slot can stream the generator's inserts. Built the same way on the public Debian
# image and on the local one (`rtde images build --base local --only postgres`).
ARG BASE_IMAGE=debian:12.12-slim
FROM ${BASE_IMAGE}

RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-15 \
 && rm -rf /var/lib/apt/lists/*
COPY shared/docker/postgres/start.sh /usr/local/bin/rtde-postgres
# The data folder exists in the image, owned by postgres, so that a fresh named volume mounted
# there takes that owner (Docker copies it), not root's.
RUN chmod 0755 /usr/local/bin/rtde-postgres \
 && install -d -o postgres -g postgres -m 0700 /var/lib/postgresql/data
ENV PATH=/usr/lib/postgresql/15/bin:$PATH
LABEL rtde.postgres.distribution="Debian bookworm postgresql-15, wal_level=logical"
USER postgres
ENTRYPOINT ["rtde-postgres"]
