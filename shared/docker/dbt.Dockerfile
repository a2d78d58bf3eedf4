# The dbt runner image the compose stacks use: dbt-core plus the adapters the pipelines need
# (DuckDB with its lake extensions, PostgreSQL-wire), at the versions pinned in
# shared/dbt/requirements.txt.
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

# DuckDB's httpfs, avro, iceberg and delta extensions come from PyPI with requirements.txt
# (duckdb-ext-* packages), not from DuckDB's own repository, so this image builds wherever
# PyPI is reachable. Their folder sits under site-packages, whose path holds the Python
# version (which differs between bases): a fixed link names it for the duckdb_lake profile
# target. Loading each one here, with downloads off, fails the build if a package does not
# fit the DuckDB release instead of failing the first lake pipeline that runs.
ENV RTDE_DUCKDB_EXTENSION_DIR=/opt/duckdb-extensions
RUN ln -s "$(python -c 'import duckdb_ext; print(list(duckdb_ext.__path__)[0])')/extensions" \
        "${RTDE_DUCKDB_EXTENSION_DIR}" \
 && python -c "import duckdb, os; \
con = duckdb.connect(config={'extension_directory': os.environ['RTDE_DUCKDB_EXTENSION_DIR'], \
                             'autoinstall_known_extensions': False}); \
[con.load_extension(e) for e in ('httpfs', 'avro', 'iceberg', 'delta')]"

WORKDIR /dbt
ENTRYPOINT ["dbt"]
CMD ["build", "--project-dir", "/dbt", "--profiles-dir", "/dbt"]
