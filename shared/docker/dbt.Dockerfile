# The dbt runner image the compose stacks use: dbt-core plus the adapters the pipelines need
# (DuckDB, PostgreSQL-wire), at the versions pinned in shared/dbt/requirements.txt.
#
# The project itself is not copied in: stacks bind-mount shared/dbt at /dbt, so the image is
# the same for every pipeline and a model change needs no rebuild. Build from the repo root:
#
#   docker build -f shared/docker/dbt.Dockerfile -t rtde-dbt:1.11.16 .
#
# No registry is reachable on the rtde machines, so BASE_IMAGE can name a locally imported
# Python image instead of the default pinned tag.
ARG BASE_IMAGE=python:3.12.12-slim-bookworm
FROM ${BASE_IMAGE}

# DuckDB fetches extensions on first use; the duckdb_lake profile target only loads them, so
# they are installed here, at build time, where a network is expected. Set to "" to skip
# (e.g. for a Parquet-only or PostgreSQL-only pipeline built without network access).
ARG DUCKDB_EXTENSIONS="httpfs iceberg delta"

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    DBT_SEND_ANONYMOUS_USAGE_STATS=false

# A virtual environment works the same on the public Python image and on a local Debian base,
# whose system Python refuses global pip installs (PEP 668).
COPY shared/dbt/requirements.txt /opt/rtde/requirements.txt
RUN python3 -m venv /opt/venv \
 && /opt/venv/bin/pip install --requirement /opt/rtde/requirements.txt
ENV PATH=/opt/venv/bin:$PATH

RUN if [ -n "${DUCKDB_EXTENSIONS}" ]; then \
        python -c "import duckdb, sys; con = duckdb.connect(); [con.install_extension(e) for e in sys.argv[1:]]" ${DUCKDB_EXTENSIONS}; \
    fi

WORKDIR /dbt
ENTRYPOINT ["dbt"]
CMD ["build", "--project-dir", "/dbt", "--profiles-dir", "/dbt"]
