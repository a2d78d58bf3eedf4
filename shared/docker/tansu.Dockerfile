# tansu, a Kafka-protocol broker that builds from crates.io: the broker rtde can substitute for
# Kafka (`--var broker=tansu`) on machines where no Kafka image can be pulled.
#
#   docker build -f shared/docker/tansu.Dockerfile -t rtde/tansu:0.6.0 .
#
# Both bases are build arguments; without a registry rtde builds
# shared/docker/tansu-prebuilt.Dockerfile on a local Debian base instead (docs/offline.md).
ARG RUST_IMAGE=rust:1.95.0-slim-bookworm
ARG BASE_IMAGE=debian:12.12-slim

FROM ${RUST_IMAGE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential pkg-config libssl-dev \
 && rm -rf /var/lib/apt/lists/*
RUN cargo install tansu --version 0.6.0 --features dynostore --locked --root /opt/tansu

FROM ${BASE_IMAGE}
COPY --from=build /opt/tansu/bin/tansu /usr/local/bin/tansu
ENTRYPOINT ["tansu"]
