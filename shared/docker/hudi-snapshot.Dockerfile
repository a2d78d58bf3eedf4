# P22's snapshot stage: hudi-rs (PyPI `hudi`) reading Silver's latest Hudi snapshot from the
# object store into the Parquet Silver dbt reads (pipelines/22-hudi-cdc-storage/snapshot/,
# mounted at /opt/rtde/snapshot). Every package pinned, the whole tree (snapshot/requirements.txt).
#
#   rtde images build --base local --only hudi-snapshot
ARG BASE_IMAGE=python:3.12.12-slim-bookworm
FROM ${BASE_IMAGE}

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

COPY pipelines/22-hudi-cdc-storage/snapshot/requirements.txt /opt/rtde/requirements.txt
RUN python3 -m venv /opt/venv \
 && /opt/venv/bin/pip install --no-deps --requirement /opt/rtde/requirements.txt \
 && /opt/venv/bin/python -c "import hudi, pyarrow"
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /data
