# The Airflow image (P08): Airflow 3.1.8 (its API server, scheduler with the LocalExecutor,
# DAG processor and triggerer, run together by `airflow standalone`) and Docker's Python SDK,
# every package at the exact version pinned in
# pipelines/08-airflow-orchestrated/requirements.txt. The DAG, its trigger and P01's steps
# (shared/orchestrate) are bind-mounted, so a change to them needs no rebuild.
#
#   docker build -f shared/docker/airflow.Dockerfile -t rtde/airflow:3.1.8 .
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
# system Python refuses global pip installs (PEP 668).
COPY pipelines/08-airflow-orchestrated/requirements.txt /opt/rtde/requirements.txt
RUN python3 -m venv /opt/venv \
 && /opt/venv/bin/pip install --requirement /opt/rtde/requirements.txt
# `airflow standalone` starts each component as `airflow …` found on the PATH.
ENV PATH=/opt/venv/bin:$PATH \
    AIRFLOW_HOME=/opt/airflow

EXPOSE 8080
ENTRYPOINT ["airflow"]
CMD ["--help"]
