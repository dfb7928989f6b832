"""Syncing the marts' descriptions and semantic types to Metabase with dbt-metabase (issue 6).

No Metabase runs here, so a small stand-in of its HTTP API listens on 127.0.0.1:
it answers the calls dbt-metabase makes (databases, sync, metadata) with the
tables and columns the built warehouse really has in schema marts, and records
every update. The test runs the documented command (README "Connect Metabase",
`make metabase-sync`) against it and checks what a real Metabase would have
been told: table and column descriptions, currency and latitude/longitude
semantic types, and foreign keys.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

API_KEY = "test-key-not-a-secret"


class FakeMetabase:
    """Just enough of Metabase's API for `dbt-metabase models`; records what it is sent."""

    def __init__(self, tables: dict[str, list[str]]):
        self.calls: list[tuple[str, str, dict | None]] = []
        self.tables = []
        self.fields: dict[int, dict] = {}
        next_id = 100
        for table_id, (name, columns) in enumerate(sorted(tables.items()), start=1):
            fields = []
            for col in columns:
                next_id += 1
                field = {
                    "id": next_id,
                    "name": col,
                    "display_name": col.replace("_", " ").title(),
                    "description": None,
                    "semantic_type": None,
                    "visibility_type": "normal",
                    "fk_target_field_id": None,
                    "settings": None,
                }
                fields.append(field)
                self.fields[next_id] = field
            self.tables.append(
                {
                    "id": table_id,
                    "db_id": 1,
                    "schema": "marts",
                    "name": name,
                    "display_name": name.replace("_", " ").title(),
                    "description": None,
                    "visibility_type": None,
                    "fields": fields,
                }
            )

    def handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _reply(self, body, status=200):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _handle(self, method):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length)) if length else None
                path = self.path.split("?")[0]
                fake.calls.append((method, path, body))
                if self.headers.get("X-API-KEY") != API_KEY:
                    return self._reply({"message": "unauthenticated"}, 401)
                if method == "GET" and path == "/api/database":
                    return self._reply({"data": [{"id": 1, "name": "predelq", "engine": "postgres"}]})
                if method == "POST" and path == "/api/database/1/sync_schema":
                    return self._reply({"status": "ok"})
                if method == "GET" and path == "/api/database/1/metadata":
                    return self._reply(
                        {"id": 1, "name": "predelq", "engine": "postgres", "tables": fake.tables}
                    )
                if method == "PUT" and (path.startswith("/api/table/") or path.startswith("/api/field/")):
                    return self._reply({"id": int(path.rstrip("/").split("/")[-1]), **(body or {})})
                return self._reply({"message": f"not in the stand-in: {method} {path}"}, 404)

            def do_GET(self):  # noqa: N802 - http.server's naming
                self._handle("GET")

            def do_POST(self):  # noqa: N802
                self._handle("POST")

            def do_PUT(self):  # noqa: N802
                self._handle("PUT")

        return Handler


@pytest.fixture
def fake_metabase(built_duckdb):
    rows = built_duckdb.query(
        "select table_name, column_name from information_schema.columns "
        "where table_schema = 'marts' order by table_name, ordinal_position"
    )
    tables: dict[str, list[str]] = {}
    for table, column in rows:
        tables.setdefault(table, []).append(column)
    fake = FakeMetabase(tables)
    server = ThreadingHTTPServer(("127.0.0.1", 0), fake.handler())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


def test_dbt_metabase_syncs_descriptions_and_semantic_types(built_duckdb, fake_metabase):
    manifest = built_duckdb.workdir / "target" / "manifest.json"
    if not manifest.exists():
        built_duckdb.dbt("parse")
    cli = Path(sys.executable).with_name("dbt-metabase")
    cmd = [
        str(cli), "models",
        "--manifest-path", str(manifest),
        "--metabase-url", fake_metabase.url,
        "--metabase-api-key", API_KEY,
        "--metabase-database", "predelq",
        "--include-schemas", "marts",
        "--sync-timeout", "1",
    ]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]

    puts = [(path, body) for method, path, body in fake_metabase.calls if method == "PUT"]
    tables = {t["id"]: t["name"] for t in fake_metabase.tables}
    fields = {f["id"]: (tables[t["id"]], f["name"]) for t in fake_metabase.tables for f in t["fields"]}
    table_updates = {tables[int(p.split("/")[-1])]: b for p, b in puts if p.startswith("/api/table/")}
    field_updates = {fields[int(p.split("/")[-1])]: b for p, b in puts if p.startswith("/api/field/")}

    assert "expected loss" in table_updates["v_collection_priority"]["description"].lower()
    assert set(table_updates) >= {"v_collection_priority", "account_current_state", "v_poi_summary"}
    loss = field_updates[("v_collection_priority", "expected_loss_amount")]
    assert loss["semantic_type"] == "type/Currency"
    assert field_updates[("v_poi_summary", "lat")]["semantic_type"] == "type/Latitude"
    assert field_updates[("v_poi_summary", "lon")]["semantic_type"] == "type/Longitude"
    assert field_updates[("asset_current_state", "oem_name")]["semantic_type"] == "type/Category"
    assert field_updates[("account_current_state", "account_id")]["semantic_type"] == "type/PK"
    # a foreign key points at the field of the target mart
    fk = field_updates[("asset_current_state", "account_id")]
    target_id = next(f for f, key in fields.items() if key == ("account_current_state", "account_id"))
    assert fk["semantic_type"] == "type/FK" and fk["fk_target_field_id"] == target_id
    # every mart column got its description
    described = {key for key, body in field_updates.items() if body.get("description")}
    missing = [key for key in fields.values() if key not in described]
    assert not missing, missing[:20]
