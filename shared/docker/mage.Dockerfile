# The Mage server image (P19): mage-ai 0.9.80 and confluent-kafka, every package at the exact
# version pinned in pipelines/19-mage-ai/requirements.txt. The Mage project itself (the
# pipeline, its blocks, its API trigger) is bind-mounted, so a change to it needs no rebuild;
# so are the shared Silver rules (shared/python), on PYTHONPATH.
#
#   docker build -f shared/docker/mage.Dockerfile -t rtde/mage:0.9.80 .
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
COPY pipelines/19-mage-ai/requirements.txt /opt/rtde/requirements.txt
RUN python3 -m venv /opt/venv \
 && /opt/venv/bin/pip install --requirement /opt/rtde/requirements.txt
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /home/src
EXPOSE 6789
ENTRYPOINT ["mage"]
CMD ["start", "--help"]
