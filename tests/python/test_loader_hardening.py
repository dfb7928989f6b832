"""Issue 14: bad input never moves, blocks or doubles the warehouse.

One test (or more) per defect of the issue, each failing on the loader as it was
before the fix, on DuckDB and PostgreSQL where the defect applies. The four-run
pipeline over an inbox of every kind of bad file is in test_pipeline_hardening.py.
"""

from __future__ import annotations

import bz2
import contextlib
import datetime as dt
import gzip
import json
import re
import threading
from pathlib import Path

import pytest
import yaml
from ingest_helpers import ACCOUNT_1, ACCOUNT_2, counts, load, quarantine, seed, write

from predelq.db import PROJECT_DIR


@pytest.fixture(params=["duckdb", pytest.param("pg", marks=pytest.mark.postgres)])
def wh(request):
    name = "duckdb_warehouse" if request.param == "duckdb" else "pg_warehouse"
    warehouse = request.getfixturevalue(name)
    seed(warehouse)
    return warehouse


def pid(n: int) -> str:
    return f"b0000000-0000-4000-8000-{n:012d}"


def sid(n: int) -> str:
    return f"d0000000-0000-4000-8000-{n:012d}"


# --- 1. loan-book date bounds --------------------------------------------------------------
# The seeded accounts were disbursed on 2024-01-01 for 24 months (maturity 2026-01-01): their
# term ends 2026-04-17 (the later of maturity and disbursement + 24 x 31 days, plus 93 days).
def test_loan_book_dates_out_of_bounds_are_quarantined(wh, tmp_path):
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    payments = write(
        tmp_path / "payments_dates.csv",
        f"""
id,account_id,due_date,paid_date,amount_due,amount_paid,status,created_at
{pid(1)},{ACCOUNT_1},2024-02-05,2024-02-05,5000,5000,paid,2024-02-05T10:00:00Z
{pid(2)},{ACCOUNT_1},2024-03-05,2099-01-01,5000,5000,paid,
{pid(3)},{ACCOUNT_1},9999-12-31,,5000,,missed,
{pid(4)},{ACCOUNT_1},0001-01-01,,5000,,missed,
{pid(5)},{ACCOUNT_1},1800-06-05,,5000,,missed,
{pid(6)},{ACCOUNT_2},2024-04-05,2023-12-01,5000,5000,paid,
{pid(7)},{ACCOUNT_2},2023-11-05,,5000,,missed,
{pid(8)},{ACCOUNT_2},2024-05-05,{future},5000,5000,paid,
{pid(9)},{ACCOUNT_2},2024-06-05,2024-06-05,5000,5000,paid,2099-01-01T00:00:00Z
{pid(10)},{ACCOUNT_2},2026-04-17,2024-06-05,5000,5000,paid,
""",
    )
    [r] = load(wh, payments)
    assert (r.rows_in, r.rows_loaded, r.rows_quarantined) == (10, 2, 8), r.line()
    got = quarantine(wh, r.batch_id)
    assert got[2][0] == "future_date" and got[2][1].startswith(
        "paid_date 2099-01-01 is later than the load day"
    )
    assert got[3] == (
        "out_of_range",
        "due_date 9999-12-31 is after the loan's term (last allowed day 2026-04-17, 93 days grace included)",
    )
    assert got[4] == ("out_of_range", "due_date 0001-01-01 is before 2000-01-01")
    assert got[5] == ("out_of_range", "due_date 1800-06-05 is before 2000-01-01")
    assert got[6] == ("out_of_range", "paid_date 2023-12-01 is before the loan's disbursement on 2024-01-01")
    assert got[7] == ("out_of_range", "due_date 2023-11-05 is before the loan's disbursement on 2024-01-01")
    assert got[8][0] == "future_date" and got[8][1].startswith(f"paid_date {future} is later")
    assert got[9][0] == "future_timestamp" and got[9][1].startswith("created_at 2099-01-01T00:00:00Z")
    assert wh.scalar("select max(paid_date) from raw.payments") == dt.date(2024, 6, 5)

    schedule = write(
        tmp_path / "repayment_schedule_dates.csv",
        f"""
id,account_id,installment_number,due_date,total_due
{sid(1)},{ACCOUNT_1},1,2024-02-05,5000
{sid(2)},{ACCOUNT_1},2,2099-01-05,5000
{sid(3)},{ACCOUNT_1},3,1999-12-31,5000
{sid(4)},{ACCOUNT_1},4,2023-12-31,5000
""",
    )
    [s] = load(wh, schedule)
    assert (s.rows_loaded, s.rows_quarantined) == (1, 3)
    got = quarantine(wh, s.batch_id)
    assert got[2][1].startswith("due_date 2099-01-05 is after the loan's term")
    assert got[3] == ("out_of_range", "due_date 1999-12-31 is before 2000-01-01")
    assert got[4] == ("out_of_range", "due_date 2023-12-31 is before the loan's disbursement on 2024-01-01")


def test_check_flags_loan_book_dates_out_of_bounds(wh, tmp_path, monkeypatch):
    """`predelq check` runs the same bounds (loader/bounds.py) over raw: a row written around
    the loader (the simulator, a hand fix) fails the loan_book_dates suite."""
    monkeypatch.setenv("PREDELQ_DATA_DOCS_DIR", str(tmp_path / "docs"))
    ok = f"'{pid(1)}', '{ACCOUNT_1}', date '2024-02-05', date '2024-02-05', 5000, 5000, 'paid'"
    cols = "id, account_id, due_date, paid_date, amount_due, amount_paid, status"
    wh.execute(f"insert into raw.payments ({cols}) values ({ok})")
    assert wh.cli("check", "--no-docs", "--suite", "loan_book_dates") == 0
    bad = f"'{pid(2)}', '{ACCOUNT_1}', date '2024-03-05', date '2099-01-01', 5000, 5000, 'paid'"
    wh.execute(f"insert into raw.payments ({cols}) values ({bad})")
    assert wh.cli("check", "--no-docs", "--suite", "loan_book_dates") == 1


def _calendar_as_of(wh) -> dt.date:
    wh.dbt("run", "--select", "+int_portfolio_calendar")
    return wh.scalar("select max(local_date) from intermediate.int_portfolio_calendar")


def test_a_future_payment_cannot_move_the_as_of_day(wh, tmp_path):
    """Belt and braces behind the loader: even a row written around it cannot carry the
    calendar (and every account's state) past today's local date."""
    cols = "id, account_id, due_date, paid_date, amount_due, amount_paid, status"
    wh.execute(
        f"insert into raw.payments ({cols}) values "
        f"('{pid(1)}', '{ACCOUNT_1}', date '2024-02-05', date '2024-02-05', 5000, 5000, 'paid'), "
        f"('{pid(2)}', '{ACCOUNT_1}', date '9999-12-31', date '2099-01-01', 5000, 5000, 'paid')"
    )
    as_of = _calendar_as_of(wh)
    assert as_of <= dt.date.today() + dt.timedelta(days=1)
    assert as_of >= dt.date.today() - dt.timedelta(days=1)


# --- 2. the loader's keys are staging's ----------------------------------------------------
def _staging_unique_keys() -> dict[str, set[tuple[str, ...]]]:
    """Raw table -> unique keys the staging yml tests require, in raw column names."""
    folder = PROJECT_DIR / "models" / "staging" / "loan_book"
    models = yaml.safe_load((folder / "_loan_book__models.yml").read_text())["models"]
    sources = {"stg_loan_book__payments": "payments", "stg_loan_book__installments": "repayment_schedule"}
    out: dict[str, set[tuple[str, ...]]] = {}
    for model in models:
        table = sources.get(model["name"])
        if not table:
            continue
        sql = (folder / f"{model['name']}.sql").read_text()
        raw_name = {alias: col for col, alias in re.findall(r"^\s*(\w+) as (\w+),?$", sql, re.M)}
        keys = set()
        for test in model.get("data_tests") or []:
            if isinstance(test, dict) and "unique_combination_of_columns" in test:
                combo = test["unique_combination_of_columns"]["arguments"]["combination"]
                keys.add(tuple(sorted(raw_name.get(c, c) for c in combo)))
        for col in model.get("columns") or []:
            tests = col.get("data_tests") or []
            if "unique" in tests:
                keys.add((raw_name.get(col["name"], col["name"]),))
        out[table] = keys
    return out


def test_loader_keys_equal_the_staging_unique_tests():
    from predelq.loader.specs import SPECS

    staging = _staging_unique_keys()
    assert set(staging) == {"payments", "repayment_schedule"}
    for table, keys in staging.items():
        spec = next(s for s in SPECS.values() if s.table == table)
        assert {tuple(sorted(k)) for k in spec.keys} == keys, table
    assert ("account_id", "due_date") in staging["repayment_schedule"]


def test_two_installments_on_one_due_date_are_quarantined(wh, tmp_path):
    first = write(
        tmp_path / "repayment_schedule_1.csv",
        f"""
id,account_id,installment_number,due_date,total_due
{sid(1)},{ACCOUNT_1},1,2024-02-05,5000
{sid(2)},{ACCOUNT_1},2,2024-02-05,5000
{sid(3)},{ACCOUNT_1},3,2024-04-05,5000
""",
    )
    [r] = load(wh, first)
    assert quarantine(wh, r.batch_id) == {2: ("duplicate", "same account_id, due_date as row 1")}
    again = write(
        tmp_path / "repayment_schedule_2.csv",
        f"id,account_id,installment_number,due_date,total_due\n{sid(4)},{ACCOUNT_1},4,2024-04-05,5000\n",
    )
    [r2] = load(wh, again)
    assert quarantine(wh, r2.batch_id) == {
        1: ("duplicate", "already loaded: same account_id, due_date in raw.repayment_schedule")
    }
    dupes = wh.scalar(
        "select count(*) from (select account_id, due_date from raw.repayment_schedule "
        "group by account_id, due_date having count(*) > 1) d"
    )
    assert dupes == 0


# --- 3. a damaged .csv.gz ----------------------------------------------------------------------
def _damaged_gz(path: Path) -> Path:
    good = gzip.compress(b"device_id,ts,soc\n" + b"D1,2024-03-01T00:00:00Z,50\n" * 2000)
    data = bytearray(good)
    for i in range(12, 60):  # the deflate stream's first block
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))
    return path


def test_a_damaged_gz_is_refused_and_the_other_files_load(wh, tmp_path, capsys):
    folder = tmp_path / "inbox"
    folder.mkdir()
    _damaged_gz(folder / "telemetry_a_damaged.csv.gz")
    write(folder / "telemetry_b_good.csv", "device_id,ts,soc\nD1,2024-03-01T00:00:00Z,50\n")
    truncated = gzip.compress(b"device_id,ts,soc\n" + b"D1,2024-03-01T00:01:00Z,50\n" * 5000)
    (folder / "telemetry_c_truncated.csv.gz").write_bytes(truncated[: len(truncated) // 2])
    assert wh.cli("load", str(folder)) == 1
    out = capsys.readouterr().out
    lines = [ln for ln in out.splitlines() if ln.startswith("refused")]
    assert len(lines) == 2
    assert lines[0].startswith("refused telemetry_a_damaged.csv.gz:") and "damaged archive" in lines[0]
    assert lines[1].startswith("refused telemetry_c_truncated.csv.gz:")
    assert wh.scalar("select count(*) from raw.raw_telemetry") == 1
    refused = wh.query("select file_name, message from raw.load_batches where status = 'refused' order by 1")
    assert [r[0] for r in refused] == ["telemetry_a_damaged.csv.gz", "telemetry_c_truncated.csv.gz"]
    assert all(r[1] for r in refused)


# --- 4. PostgreSQL: concurrent loads of the same rows ---------------------------------------
def _concurrent(wh, files: list[Path], monkeypatch) -> list:
    """Load the files at once, each on its own connection; every load waits for the others
    at the start of its duplicate check (2 s at most), as two slow loads would meet there."""
    from predelq.loader.files import load_files
    from predelq.loader.store import Store

    barrier = threading.Barrier(len(files))
    finish = Store.finish

    def meeting_finish(self, *args, **kwargs):
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=2)
        return finish(self, *args, **kwargs)

    monkeypatch.setattr(Store, "finish", meeting_finish)
    results: list = [None] * len(files)
    errors: list = []

    def run(i):
        try:
            [results[i]] = load_files(wh.target, [files[i]], progress=False, echo=lambda *_: None)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    with wh.activated():
        threads = [threading.Thread(target=run, args=(i,)) for i in range(len(files))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    assert not errors, errors
    return results


@pytest.mark.postgres
def test_pg_concurrent_loads_of_the_same_rows_do_not_double(pg_warehouse, tmp_path, monkeypatch):
    wh = pg_warehouse
    seed(wh)
    load(wh)  # the loader's own tables and indexes exist: this test is about rows, not DDL
    body = "".join(f"D1,2024-03-01T{i // 60:02d}:{i % 60:02d}:00Z,50\n" for i in range(600))
    a = write(tmp_path / "telemetry_a.csv", "device_id,ts,soc\n" + body)
    b = write(tmp_path / "telemetry_b.csv", "device_id,ts,soc\n" + body + "D1,2024-03-02T00:00:00Z,50\n")
    results = _concurrent(wh, [a, b], monkeypatch)
    # whichever went first loaded all its rows; the other quarantined the 600 it shares
    assert sorted(r.rows_loaded for r in results) in ([0, 601], [1, 600]), [r.line() for r in results]
    assert sum(r.rows_quarantined for r in results) == 600
    assert wh.scalar("select count(*) from raw.raw_telemetry") == 601
    # duplicate payment ids at once: quarantined, not a primary-key traceback
    rows = "".join(f"{pid(i)},{ACCOUNT_1},2024-03-05,5000,paid\n" for i in range(1, 51))
    p1 = write(tmp_path / "payments_1.csv", "id,account_id,due_date,amount_due,status\n" + rows)
    p2 = write(tmp_path / "payments_2.csv", "id,account_id,due_date,amount_due,status\n" + rows + "\n")
    results = _concurrent(wh, [p1, p2], monkeypatch)
    assert sorted((r.status, r.rows_loaded, r.rows_quarantined) for r in results) == [
        ("loaded", 0, 50),
        ("loaded", 50, 0),
    ]
    assert wh.scalar("select count(*) from raw.payments") == 50


# --- 5. DuckDB: one writer lock ----------------------------------------------------------------
def test_duckdb_load_and_dbt_wait_for_the_pipeline_lock_then_exit_75(duckdb_warehouse, tmp_path, monkeypatch):
    from predelq.commands.pipeline import ALREADY_RUNNING, PipelineLock, lock_path

    wh = duckdb_warehouse
    seed(wh)
    path = write(tmp_path / "telemetry_1.csv", "device_id,ts,soc\nD1,2024-03-01T00:00:00Z,50\n")
    monkeypatch.setenv("PREDELQ_LOCK_WAIT_SECONDS", "1")
    with wh.activated() as target:
        lock = lock_path(target)
    with PipelineLock(lock):  # a pipeline run (its build) holds the warehouse
        assert wh.cli("load", str(path)) == ALREADY_RUNNING
        assert wh.cli("dbt", "run", "--select", "stg_loan_book__accounts") == ALREADY_RUNNING
    assert wh.scalar("select count(*) from raw.raw_telemetry") == 0
    # a load that starts while the lock is held waits for it (here: released after 1 s)
    monkeypatch.setenv("PREDELQ_LOCK_WAIT_SECONDS", "30")
    holder = PipelineLock(lock).__enter__()
    threading.Timer(1.0, holder.__exit__, args=(None, None, None)).start()
    assert wh.cli("load", str(path)) == 0
    assert wh.scalar("select count(*) from raw.raw_telemetry") == 1


# --- 6. PostgreSQL: DDL once under concurrency --------------------------------------------
@pytest.mark.postgres
def test_pg_concurrent_first_loads_create_the_tables_once(pg_warehouse):
    from predelq.loader.core import ensure_tables

    wh = pg_warehouse
    errors: list = []

    def first_load():
        with wh.activated() as target:
            con = target.connect()
        try:
            ensure_tables(con, "postgres")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            con.close()

    for _ in range(4):
        wh.execute("drop schema if exists raw cascade")
        threads = [threading.Thread(target=first_load) for _ in range(6)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    assert not errors, errors
    assert wh.scalar("select count(*) from pg_indexes where indexname = 'load_batches_sha256'") == 1


# --- 7. a refused file keeps the exit non-zero while it stays -------------------------------
def test_a_refused_file_fails_every_run_while_it_stays(wh, tmp_path, capsys):
    bad = write(tmp_path / "telemetry_no_ts.csv", "device_id,time,soc\nD1,2024-03-01T00:00:00Z,50\n")
    assert wh.cli("load", str(bad)) == 1
    capsys.readouterr()
    assert wh.cli("load", str(bad)) == 1
    out = capsys.readouterr().out
    assert "refused telemetry_no_ts.csv: refused earlier as batch" in out
    assert wh.scalar("select count(*) from raw.load_batches where status = 'refused'") == 1


def test_a_folder_load_moves_a_refused_file_to_refused_with_its_reason(wh, tmp_path, capsys):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    write(inbox / "telemetry_no_ts.csv", "device_id,time,soc\nD1,2024-03-01T00:00:00Z,50\n")
    write(inbox / "telemetry_ok.csv", "device_id,ts,soc\nD1,2024-03-01T00:00:00Z,50\n")
    assert wh.cli("load", str(inbox)) == 1
    assert not (inbox / "telemetry_no_ts.csv").exists()
    moved = inbox / "refused" / "telemetry_no_ts.csv"
    reason = (inbox / "refused" / "telemetry_no_ts.csv.reason.txt").read_text()
    assert moved.exists() and "missing required column(s) for a telemetry file: ts" in reason
    capsys.readouterr()
    assert wh.cli("load", str(inbox)) == 0  # nothing refused is left in the inbox
    assert "skipped telemetry_ok.csv: already loaded" in capsys.readouterr().out


# --- 8. a UTF-8 byte-order mark ------------------------------------------------------------
def test_a_utf8_bom_is_not_part_of_the_first_column(wh, tmp_path):
    csv = tmp_path / "payments_bom.csv"
    csv.write_bytes(
        "\ufeffid,account_id,due_date,amount_due,status\n".encode()
        + f"{pid(1)},{ACCOUNT_1},2024-03-05,5000,paid\n".encode()
    )
    jsonl = tmp_path / "telemetry_bom.jsonl"
    jsonl.write_bytes(
        b"\xef\xbb\xbf" + json.dumps({"device_id": "D1", "ts": "2024-03-01T00:00:00Z"}).encode()
    )
    [r1, r2] = load(wh, csv, jsonl)
    assert (r1.status, r1.rows_loaded) == ("loaded", 1), r1.line()
    assert (r2.status, r2.rows_loaded) == ("loaded", 1), r2.line()


# --- 9. the smaller items ------------------------------------------------------------------------
def test_row_numbers_after_blank_lines_and_exact_range_values(wh, tmp_path):
    path = write(
        tmp_path / "telemetry_blank.csv",
        """
device_id,ts,lat,lon
D1,2024-03-01T00:00:00Z,18.5,73.8

D1,2024-03-01T00:01:00Z,18.5,-180.0001


D1,2024-03-01T00:02:00Z,90.00000001,73.8
D1,2024-03-01T00:03:00Z,18.5,73.8,extra
""",
    )
    [r] = load(wh, path)
    assert (r.rows_in, r.rows_loaded, r.rows_quarantined) == (4, 1, 3)
    assert quarantine(wh, r.batch_id) == {
        3: ("out_of_range", "lon -180.0001 outside [-180, 180]"),
        6: ("out_of_range", "lat 90.00000001 outside [-90, 90]"),
        7: ("malformed_row", "5 field(s) where the header has 4"),
    }


def test_quarantined_duplicates_keep_the_row_as_sent(wh, tmp_path):
    path = write(
        tmp_path / "telemetry_dupes.csv",
        """
device_id,ts,soc
D1,2024-03-01T00:00:00Z,50
D1,2024-03-01 05:30:00+05:30,50.50
""",
    )
    [r] = load(wh, path)
    assert quarantine(wh, r.batch_id) == {2: ("duplicate", "same device_id, ts as row 1")}
    record = wh.scalar(
        f"select cast(record as varchar) from raw.load_quarantine where load_batch_id = '{r.batch_id}'"
    )
    assert json.loads(record) == {"device_id": "D1", "ts": "2024-03-01 05:30:00+05:30", "soc": "50.50"}


def test_folder_loads_report_unsupported_and_nested_files(wh, tmp_path, capsys):
    inbox = tmp_path / "inbox"
    (inbox / "2024" / "march").mkdir(parents=True)
    write(inbox / "telemetry_ok.csv", "device_id,ts,soc\nD1,2024-03-01T00:00:00Z,50\n")
    (inbox / "payments.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    (inbox / "telemetry_2.csv.bz2").write_bytes(
        bz2.compress(b"device_id,ts,soc\nD1,2024-03-01T00:01:00Z,50\n")
    )
    write(inbox / "2024" / "march" / "telemetry_3.csv", "device_id,ts,soc\nD1,2024-03-01T00:02:00Z,50\n")
    before = counts(wh)
    assert wh.cli("load", str(inbox)) == 1
    out = capsys.readouterr().out
    assert "refused payments.xlsx: unsupported file type '.xlsx'" in out
    assert "refused telemetry_2.csv.bz2: unsupported file type" in out
    assert f"ignored {inbox / '2024' / 'march' / 'telemetry_3.csv'}: in a subfolder" in out
    assert "3 file(s): 1 loaded (1 rows, 0 quarantined), 0 skipped, 2 refused, 1 ignored" in out
    assert counts(wh)["load_batches"] == before["load_batches"] + 3
    assert sorted(p.name for p in (inbox / "refused").iterdir()) == [
        "payments.xlsx",
        "payments.xlsx.reason.txt",
        "telemetry_2.csv.bz2",
        "telemetry_2.csv.bz2.reason.txt",
    ]
