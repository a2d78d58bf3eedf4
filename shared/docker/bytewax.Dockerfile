# The Bytewax worker image: Python with bytewax, its Kafka connector (confluent-kafka) and
# pyarrow, at the versions pinned in pipelines/20-kafka-bytewax/dataflow/requirements.txt.
# The dataflow itself is bind-mounted (/flow), so a change to it needs no rebuild.
#
#   docker build -f shared/docker/bytewax.Dockerfile -t rtde/bytewax:0.21.1 .
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
COPY pipelines/20-kafka-bytewax/dataflow/requirements.txt /opt/rtde/requirements.txt
RUN python3 -m venv /opt/venv \
 && /opt/venv/bin/pip install --requirement /opt/rtde/requirements.txt
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /flow
ENTRYPOINT ["python", "-m", "bytewax.run"]
CMD ["flow:flow"]
