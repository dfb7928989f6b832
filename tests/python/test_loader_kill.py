"""The loader killed mid-file (SIGKILL) leaves the database as it was; a re-run loads the file once."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time

import pytest
from ingest_helpers import counts, load, seed, write

from bench.bench_load import device_ids, write_telemetry_csv
from predelq.db import PROJECT_DIR

DEVICES = 100
MINUTES = 2000  # 200,000 rows, ~15 MB


def _add_devices(wh) -> None:
    rows = ", ".join(
        f"('f0000000-0000-4000-8000-{i:012d}', 'asset', '20000000-0000-4000-8000-{i:012d}', 'device_id', "
        f"'{d}', 'oem', true, '2024-01-01', null, null)"
        for i, d in enumerate(device_ids(DEVICES))
    )
    wh.execute(f"insert into raw.entity_identifiers values {rows}")


@pytest.mark.parametrize("engine", ["duckdb", pytest.param("pg", marks=pytest.mark.postgres)])
def test_sigkill_mid_file_leaves_nothing_and_rerun_loads_once(engine, request, tmp_path):
    wh = request.getfixturevalue("duckdb_warehouse" if engine == "duckdb" else "pg_warehouse")
    seed(wh)
    _add_devices(wh)
    # some history, so "as before" is not just "empty"
    [earlier] = load(
        wh, write(tmp_path / "telemetry_early.csv", "device_id,ts,soc\nD1,2024-03-01T00:00:00Z,50\n")
    )
    assert earlier.status == "loaded"
    big = tmp_path / "telemetry_big.csv"
    rows = write_telemetry_csv(big, DEVICES, MINUTES, start=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    # a few rows the loader must quarantine, so quarantine writes are in flight too
    with open(big, "a") as fh:
        fh.write("NOPE,2026-01-01T00:00:00Z,0,0,50,1,1,false\n" * 5)
    before = counts(wh)

    env = {
        **os.environ,
        **wh.env,
        "PREDELQ_LOAD_TRACE": "1",
        "PREDELQ_LOAD_CHUNK_BYTES": str(64 * 1024),
    }
    cmd = [sys.executable, "-m", "predelq.cli", "load", "--target", wh.target.name, "--no-progress", str(big)]
    proc = subprocess.Popen(cmd, env=env, cwd=PROJECT_DIR, stderr=subprocess.PIPE, text=True)
    seen = []
    deadline = time.monotonic() + 120
    try:
        for line in proc.stderr:
            seen.append(line)
            if line.startswith("[load chunk 20:"):
                break
            assert time.monotonic() < deadline, "loader did not get going"
        else:
            pytest.fail(f"loader finished before it could be killed: {''.join(seen[-5:])}")
        os.kill(proc.pid, signal.SIGKILL)
        assert proc.wait(timeout=30) == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stderr.close()

    assert any("_load_stage" in s for s in seen)  # it was writing when killed
    assert counts(wh) == before

    [again] = load(wh, big)
    assert again.status == "loaded"
    assert again.rows_in == rows + 5
    assert (again.rows_loaded, again.rows_quarantined) == (rows, 5)
    after = counts(wh)
    assert after["raw_telemetry"] == before["raw_telemetry"] + rows
    assert after["load_quarantine"] == before["load_quarantine"] + 5
    assert after["load_batches"] == before["load_batches"] + 1
    [third] = load(wh, big)
    assert third.status == "skipped"
    assert counts(wh) == after
