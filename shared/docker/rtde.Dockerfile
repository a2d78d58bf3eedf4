# The rtde image: `rtde generate` is the generator service of every pipeline's compose stack.
#
#   DOCKER_BUILDKIT=1 docker build -f shared/docker/rtde.Dockerfile -t rtde:local .
#   docker run --rm rtde:local generate --events 10 --sink stdout
#
# Two stages: build with a pinned Rust image, run in a pinned slim Debian with only the
# binary. Both base images are build arguments so that a machine without a registry can
# point them at images it has built or imported locally.
ARG RUST_IMAGE=rust:1.95.0-slim-bookworm
ARG BASE_IMAGE=debian:12.12-slim

FROM ${RUST_IMAGE} AS build
# librdkafka is built from source by rdkafka-sys: it needs a C toolchain, make, perl and
# python3 for its configure script, and zlib.
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential perl python3 zlib1g-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
RUN cargo build --release --locked --bin rtde \
 && strip target/release/rtde

FROM ${BASE_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends zlib1g ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 rtde
COPY --from=build /src/target/release/rtde /usr/local/bin/rtde
USER rtde
ENTRYPOINT ["rtde"]
CMD ["generate", "--help"]
