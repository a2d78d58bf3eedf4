# The Dagster image (P09): the webserver and the daemon, Dagster 1.13.27 with dagster-dbt,
# the dbt runner's dbt and DuckDB (with its lake extensions) and Docker's Python SDK, every
# package at the exact version pinned in pipelines/09-dagster-orchestrated/requirements.txt.
# The definitions, their trigger, P01's steps (shared/orchestrate) and the dbt project are
# bind-mounted, so a change to them needs no rebuild.
#
#   docker build -f shared/docker/dagster.Dockerfile -t rtde/dagster:1.13.27 .
#
# BASE_IMAGE defaults to the pinned public Python image; without a registry rtde passes a
# locally imported Debian Python base instead (`rtde images build --base local`).
ARG BASE_IMAGE=python:3.12.12-slim-bookworm
FROM ${BASE_IMAGE}

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DBT_SEND_ANONYMOUS_USAGE_STATS=false

# A virtual environment works the same on the public image and on a Debian base, whose
# system Python refuses global pip installs (PEP 668).
COPY pipelines/09-dagster-orchestrated/requirements.txt /opt/rtde/requirements.txt
RUN python3 -m venv /opt/venv \
 && /opt/venv/bin/pip install --requirement /opt/rtde/requirements.txt
ENV PATH=/opt/venv/bin:$PATH

# DuckDB's extensions from their PyPI packages, linked and loaded as the dbt runner's image
# does (dbt.Dockerfile says why): dbt runs here, on P01's `duckdb_lake` target.
ENV RTDE_DUCKDB_EXTENSION_DIR=/opt/duckdb-extensions
RUN ln -s "$(python -c 'import duckdb_ext; print(list(duckdb_ext.__path__)[0])')/extensions" \
        "${RTDE_DUCKDB_EXTENSION_DIR}" \
 && python -c "import duckdb, os; \
con = duckdb.connect(config={'extension_directory': os.environ['RTDE_DUCKDB_EXTENSION_DIR'], \
                             'autoinstall_known_extensions': False}); \
[con.load_extension(e) for e in ('httpfs', 'avro', 'iceberg', 'delta')]"

ENV DAGSTER_HOME=/opt/dagster/home
EXPOSE 3000
ENTRYPOINT ["dagster"]
CMD ["--help"]
