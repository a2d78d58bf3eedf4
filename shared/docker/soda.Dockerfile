# The Soda Core image (P11): Soda Core 3.5.6 for DuckDB, every package at the exact version
# pinned in pipelines/11-observability-stack/soda/requirements.txt (its DuckDB is 1.0.0, which
# soda-core-duckdb requires, hence an image apart from the dbt runner's DuckDB 1.4.4). The
# checks and the wrapper that runs them (soda/checks, soda/soda_scan.py) are bind-mounted, so a
# change to them needs no rebuild.
#
#   docker build -f shared/docker/soda.Dockerfile -t rtde/soda:3.5.6 .
#
# BASE_IMAGE defaults to the pinned public Python image; without a registry rtde passes a
# locally imported Debian Python base instead (`rtde images build --base local`).
ARG BASE_IMAGE=python:3.12.12-slim-bookworm
FROM ${BASE_IMAGE}

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

# A virtual environment works the same on the public image and on a Debian base, whose
# system Python refuses global pip installs (PEP 668). --no-deps: the file is the whole tree.
COPY pipelines/11-observability-stack/soda/requirements.txt /opt/rtde/requirements.txt
RUN python3 -m venv /opt/venv \
 && /opt/venv/bin/pip install --no-deps --requirement /opt/rtde/requirements.txt \
 && /opt/venv/bin/pip check
ENV PATH=/opt/venv/bin:$PATH

ENTRYPOINT ["python", "/opt/rtde/soda/soda_scan.py"]
CMD ["--help"]
