# tansu on a local Debian base, from the binary `cargo install tansu --version 0.6.0
# --features dynostore` built on the host (the same Debian release, so the same glibc).
ARG BASE_IMAGE=debian:12.12-slim
FROM ${BASE_IMAGE}
COPY tansu /usr/local/bin/tansu
ENTRYPOINT ["tansu"]
