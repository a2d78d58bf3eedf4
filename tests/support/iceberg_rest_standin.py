"""A stand-in for an Iceberg REST catalog's two read endpoints, for tests only.

No REST catalog server (Lakekeeper, Polaris, Nessie) installs from this project's registries,
so tests/dbt_project.rs serves the answers Lakekeeper gives — GET /v1/config with a
warehouse prefix, GET a table with its metadata-location and its metadata (the REST spec's
LoadTableResult) — from a table that pyiceberg wrote for real, and checks that
shared/dbt/scripts/iceberg_metadata.py and `rtde probe`'s Iceberg source read it. It prints
the port it listens on, then serves until killed.

    iceberg_rest_standin.py METADATA_LOCATION
"""

import json
import sys
from http.server import BaseHTTPRequestHandler, HTTPServer

PREFIX = "0b5e-warehouse-id"
TABLE_PATH = f"/catalog/v1/{PREFIX}/namespaces/taxi/tables/silver_trips"


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/catalog/v1/config?warehouse=warehouse":
            body = {"defaults": {}, "overrides": {"prefix": PREFIX}}
        elif self.path == TABLE_PATH:
            location = self.server.metadata_location
            with open(location.removeprefix("file://")) as f:
                body = {"metadata-location": location, "metadata": json.load(f)}
        else:
            self.send_error(404, f"no such route {self.path}")
            return
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


server = HTTPServer(("127.0.0.1", 0), Handler)
server.metadata_location = sys.argv[1]
print(server.server_address[1], flush=True)
server.serve_forever()
