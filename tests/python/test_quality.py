"""`predelq check` on DuckDB and PostgreSQL: results in ops.data_quality_checks, Data Docs, exit codes."""

from __future__ import annotations

import datetime as dt

import pytest
from ingest_helpers import ACCOUNT_1, load, seed, write


@pytest.fixture(params=["duckdb", pytest.param("pg", marks=pytest.mark.postgres)])
def wh(request, tmp_path):
    warehouse = request.getfixturevalue("duckdb_warehouse" if request.param == "duckdb" else "pg_warehouse")
    seed(warehouse)
    start = dt.datetime(2024, 3, 1, tzinfo=dt.UTC)
    lines = ["device_id,ts,lat,lon,soc,odometer,speed,is_charging"]
    for i in range(6 * 24 * 9):  # every 10 minutes for 9 days
        ts = start + dt.timedelta(minutes=10 * i)
        lines.append(f"D1,{ts:%Y-%m-%dT%H:%M:%SZ},18.5,73.8,{50 + i % 40},{1000 + i},{i % 60},false")
    payments = [
        "id,account_id,due_date,amount_due,amount_paid,status",
        f"b0000000-0000-4000-8000-000000000001,{ACCOUNT_1},2024-02-05,5000,5000,paid",
        f"b0000000-0000-4000-8000-000000000002,{ACCOUNT_1},2024-03-05,5000,0,missed",
    ]
    results = load(
        warehouse,
        write(tmp_path / "telemetry_march.csv", "\n".join(lines) + "\n"),
        write(tmp_path / "payments.csv", "\n".join(payments) + "\n"),
    )
    assert [r.status for r in results] == ["loaded", "loaded"]
    return warehouse


def checks(wh, run_id=None) -> list[tuple]:
    where = f"where check_run_id = '{run_id}'" if run_id else ""
    return wh.query(
        "select check_run_id, suite_name, expectation_type, column_name, severity, success, element_count, "
        f"unexpected_count from ops.data_quality_checks {where}"
    )


def test_clean_warehouse_passes_and_records_every_expectation(wh, tmp_path, capsys):
    docs = tmp_path / "docs"
    assert wh.cli("check", "--docs-dir", str(docs), "--sample-rows", "500") == 0
    out = capsys.readouterr().out
    assert "check ok" in out and "0 critical failure(s)" in out
    rows = checks(wh)
    assert len({r[0] for r in rows}) == 1
    suites = {r[1] for r in rows}
    assert {
        "raw_telemetry_sample",
        "raw_telemetry_window",
        "raw_telemetry_daily",
        "payments",
        "accounts",
    } <= suites
    assert all(r[5] for r in rows if r[4] == "critical")
    sample = [r for r in rows if r[1] == "raw_telemetry_sample" and r[3] == "soc"]
    assert sample[0][6] == 144  # the last 24 h before the latest reading, 10-minute readings: bounded window
    daily = [r for r in rows if r[1] == "raw_telemetry_daily"][0]
    assert daily[6] == 8  # eight full local days, each against its 7-day median
    assert (docs / "index.html").exists()
    assert list((docs / "validations").rglob("*.html"))


def test_critical_failure_exits_1_with_a_summary(wh, tmp_path, capsys):
    # raw is a landing zone: a bad row written by another system is what check is for
    wh.execute(
        "insert into raw.accounts (id, customer_id, status) values "
        "('a0000000-0000-4000-8000-0000000000ff', 'c0000000-0000-4000-8000-000000000001', 'bogus')"
    )
    assert wh.cli("check", "--no-docs", "--sample-rows", "500") == 1
    out = capsys.readouterr().out
    assert "CRITICAL accounts: expect_column_values_to_be_in_set(status)" in out
    assert "1 of 3 rows" in out and "'bogus'" in out
    assert "check FAILED" in out and "1 critical failure(s)" in out
    failed = [r for r in checks(wh) if not r[5]]
    assert [(r[1], r[3], r[4], r[7]) for r in failed] == [("accounts", "status", "critical", 1)]


def test_warnings_do_not_fail(wh, tmp_path, capsys):
    # the same readings again, written around the loader: duplicates over 1% of the window
    wh.execute(
        "insert into raw.raw_telemetry select * from raw.raw_telemetry "
        "where ts >= cast('2024-03-09 12:00:00+00' as timestamp with time zone)"
    )
    assert wh.cli("check", "--no-docs", "--suite", "raw_telemetry_window") == 0
    out = capsys.readouterr().out
    assert "warning  raw_telemetry_window: expect_column_values_to_be_between(duplicate_pct)" in out
    assert "1 warning(s), 0 critical failure(s)" in out
