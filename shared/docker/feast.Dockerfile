# Feast for P21: the SDK and CLI with the file offline store and the SQLite online store, at
# the versions pinned in pipelines/21-feast-feature-store/feast/requirements.txt (the whole
# tree, from a resolved install). The feature repository is mounted (/feast).
#
#   rtde images build --base local --only feast
ARG BASE_IMAGE=python:3.12.12-slim-bookworm
FROM ${BASE_IMAGE}

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

COPY pipelines/21-feast-feature-store/feast/requirements.txt /opt/rtde/requirements.txt
RUN python3 -m venv /opt/venv \
 && /opt/venv/bin/pip install --no-deps --requirement /opt/rtde/requirements.txt
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /data
