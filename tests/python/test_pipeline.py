"""`make pipeline` / `predelq pipeline`: the lock, the steps, the one-line summary on failure."""

from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest
from ingest_helpers import ACCOUNT_1, seed, write

from predelq.commands.pipeline import ALREADY_RUNNING, lock_path
from predelq.db import PROJECT_DIR, Target

ALL_STEPS = "load,check,build,score,publish"


def _make_pipeline(wh, hold: float, args: str = f"--skip {ALL_STEPS}") -> subprocess.Popen:
    env = {**os.environ, **wh.env, "PREDELQ_PIPELINE_HOLD_SECONDS": str(hold), "PIPELINE_ARGS": args}
    # -o setup: the venv exists; never reinstall it from a test
    return subprocess.Popen(
        ["make", "-s", "--no-print-directory", "-o", "setup", "pipeline"],
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def test_two_make_pipeline_runs_at_once(duckdb_warehouse):
    wh = duckdb_warehouse
    hold = 10
    t0 = time.monotonic()
    runs = [_make_pipeline(wh, hold=hold), _make_pipeline(wh, hold=hold)]
    finished: dict[int, float] = {}
    while len(finished) < 2:  # note when each one ends, whichever ends first
        for i, p in enumerate(runs):
            if i not in finished and p.poll() is not None:
                finished[i] = time.monotonic() - t0
        assert time.monotonic() - t0 < 120
        time.sleep(0.05)
    outputs = [(p.returncode, *p.communicate(), finished[i]) for i, p in enumerate(runs)]
    codes = sorted(o[0] for o in outputs)
    assert codes == [0, 2], outputs  # make reports the recipe's failure (exit 75) as its own exit 2
    winner = next(o for o in outputs if o[0] == 0)
    loser = next(o for o in outputs if o[0] != 0)
    assert "pipeline ok" in winner[1]
    assert "already running (pid " in loser[2] and f"Error {ALREADY_RUNNING}" in loser[2], loser
    assert loser[3] < winner[3] and winner[3] >= hold  # the loser did not wait for the lock
    # the lock is released: a third run goes through
    third = _make_pipeline(wh, hold=0)
    out, err = third.communicate(timeout=120)
    assert third.returncode == 0, err


def test_a_killed_run_leaves_no_stale_lock(duckdb_warehouse):
    wh = duckdb_warehouse
    holder = _make_pipeline(wh, hold=60)
    path = wh.workdir / "warehouse.duckdb.pipeline.lock"
    deadline = time.monotonic() + 30
    while not (path.exists() and path.read_text().startswith("pid")):
        assert time.monotonic() < deadline, "the first run never took the lock"
        time.sleep(0.1)
    blocked = _make_pipeline(wh, hold=0)
    _, err = blocked.communicate(timeout=60)
    assert blocked.returncode == 2 and "already running" in err
    os.killpg(holder.pid, signal.SIGKILL)  # make and predelq: the whole process group
    holder.communicate(timeout=30)
    after = _make_pipeline(wh, hold=0)
    out, err = after.communicate(timeout=60)
    assert after.returncode == 0, err


def test_lock_file_location(monkeypatch, tmp_path):
    monkeypatch.delenv("PREDELQ_PIPELINE_LOCK", raising=False)
    monkeypatch.setenv("PREDELQ_DUCKDB_PATH", str(tmp_path / "w.duckdb"))
    assert lock_path(Target("dev")) == tmp_path / "w.duckdb.pipeline.lock"
    monkeypatch.setenv("PREDELQ_PG_DATABASE", "predelq_x")
    assert lock_path(Target("pg")).name.endswith("-predelq_x.lock")
    monkeypatch.setenv("PREDELQ_PIPELINE_LOCK", str(tmp_path / "my.lock"))
    assert lock_path(Target("pg")) == tmp_path / "my.lock"


@pytest.fixture(params=["duckdb", pytest.param("pg", marks=pytest.mark.postgres)])
def wh(request, tmp_path, monkeypatch):
    monkeypatch.setenv("PREDELQ_DATA_DOCS_DIR", str(tmp_path / "docs"))
    warehouse = request.getfixturevalue("duckdb_warehouse" if request.param == "duckdb" else "pg_warehouse")
    seed(warehouse)
    return warehouse


def _inbox(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    stamps = [f"2024-03-0{1 + i // 144}T{(i % 144) // 6:02d}:{i % 6}0:00Z" for i in range(432)]
    write(inbox / "telemetry_1.csv", "device_id,ts,soc\n" + "".join(f"D1,{t},50\n" for t in stamps))
    payment = f"b0000000-0000-4000-8000-000000000001,{ACCOUNT_1},2024-03-05,5000,paid"
    write(inbox / "payments_1.csv", f"id,account_id,due_date,amount_due,status\n{payment}\n")
    return inbox


def test_pipeline_loads_the_inbox_then_checks(wh, tmp_path, capsys):
    inbox = _inbox(tmp_path)
    assert wh.cli("pipeline", "--inbox", str(inbox), "--skip", "build,score,publish") == 0
    out = capsys.readouterr().out
    last = out.strip().splitlines()[-1]
    assert last.startswith("pipeline ok") and "load 2 file(s), 433 rows, 0 quarantined" in last
    assert "check 4" in last and "build skipped" in last
    # the next run finds nothing new to add
    assert wh.cli("pipeline", "--inbox", str(inbox), "--skip", "check,build,score,publish") == 0
    assert "load 0 file(s), 0 rows" in capsys.readouterr().out
    assert wh.scalar("select count(*) from raw.raw_telemetry") == 432


def test_pipeline_failure_is_one_line_naming_the_step(wh, tmp_path, capsys):
    inbox = _inbox(tmp_path)
    write(inbox / "telemetry_2.csv", "device_id,soc\nD1,50\n")
    assert wh.cli("pipeline", "--inbox", str(inbox), "--skip", "build,score,publish") == 1
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith("pipeline FAILED at step load")
    assert "1 file(s) refused: telemetry_2.csv (missing required column(s) for a telemetry file: ts" in last
    # the good files were loaded all the same (one transaction per file)
    assert wh.scalar("select count(*) from raw.raw_telemetry") == 432

    wh.execute(
        "insert into raw.assets (id, account_id, status) values "
        "('10000000-0000-4000-8000-0000000000ff', 'a0000000-0000-4000-8000-000000000001', 'stolen')"
    )
    assert wh.cli("pipeline", "--inbox", str(inbox), "--skip", "build,score,publish") == 1
    last = capsys.readouterr().out.strip().splitlines()[-1]
    assert last.startswith("pipeline FAILED at step check")
    assert (
        "1 critical data-quality failure(s), first: assets expect_column_values_to_be_in_set(status)" in last
    )


def test_score_step_trains_first_and_skips_when_nothing_can_be_trained(duckdb_warehouse, capsys):
    """A fresh warehouse has no active model: the cron run tries to train one first, and a
    history too short to train on skips scoring (rule-based warnings still ran) instead of
    failing every run."""
    from predelq.commands.pipeline import step_score

    with duckdb_warehouse.activated() as target:
        summary = step_score(target, None)
    assert summary.startswith("skipped (no active model"), summary
    out = capsys.readouterr().out
    assert "no active model for 30d, 90d, 180d: training first" in out
