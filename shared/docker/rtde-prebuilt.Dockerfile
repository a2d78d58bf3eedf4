# The rtde image on a local Debian base, from the release binary built on the host
# (`cargo build --release`; the same Debian release, so the same glibc). With a registry,
# shared/docker/rtde.Dockerfile builds it from source instead.
ARG BASE_IMAGE=debian:12.12-slim
FROM ${BASE_IMAGE}
COPY rtde /usr/local/bin/rtde
RUN useradd --system --uid 10001 rtde
USER rtde
ENTRYPOINT ["rtde"]
