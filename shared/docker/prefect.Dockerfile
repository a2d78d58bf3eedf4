# The Prefect image (P18): the server and the worker that serves P18's flow, Prefect 3.9.1 and
# Docker's Python SDK, every package at the exact version pinned in
# pipelines/18-prefect-orchestrated/requirements.txt. The flow, its trigger and P01's steps
# (shared/orchestrate) are bind-mounted, so a change to them needs no rebuild.
#
#   docker build -f shared/docker/prefect.Dockerfile -t rtde/prefect:3.9.1 .
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
COPY pipelines/18-prefect-orchestrated/requirements.txt /opt/rtde/requirements.txt
RUN python3 -m venv /opt/venv \
 && /opt/venv/bin/pip install --requirement /opt/rtde/requirements.txt
ENV PATH=/opt/venv/bin:$PATH

EXPOSE 4200
ENTRYPOINT ["prefect"]
CMD ["--help"]
