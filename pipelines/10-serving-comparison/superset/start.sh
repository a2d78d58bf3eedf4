#!/bin/sh
# Superset's container (compose profile `dashboards`): its metadata database, the admin user
# and roles, the dashboard imported from the files in assets/ (bundle.py), then the web
# server. The image does not have ClickHouse's SQLAlchemy dialect, so it is installed first,
# at the version superset/requirements.txt pins (what the test imported the dashboard with).
set -eu
dialect=$(grep '^clickhouse-connect==' /p10/superset/requirements.txt)
uv pip install --quiet "$dialect" 2>/dev/null || pip install --quiet "$dialect"
superset db upgrade
superset fab create-admin --username admin --firstname rtde --lastname admin \
  --email admin@rtde.local --password "$RTDE_SUPERSET_ADMIN_PASSWORD"
superset init
python /p10/superset/bundle.py --out /tmp/p10_dashboard.zip
superset import-dashboards -p /tmp/p10_dashboard.zip -u admin
exec superset run --host 0.0.0.0 --port 8088 --with-threads
