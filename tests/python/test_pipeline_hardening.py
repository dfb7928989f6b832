"""Issue 14, "what it must show": the cron pipeline, run four times over an inbox holding
every kind of bad file next to good ones, ends green.

Design (docs/decisions.md D16): a file the loader refuses in a folder load is moved
to `inbox/refused/` with `<name>.reason.txt`, so the run that refused it fails (exit 1,
the file named) and the next runs are clean; nothing is lost (the file, its reason and
its refused batch row are all kept). Files in other subfolders are reported as ignored
on every run and left where they are. Rows a loaded file holds that break a rule are
quarantined with their reason; they never reach raw, so they cannot move the as-of day.

The good rows are rows of a simulated portfolio taken out of raw and put in the inbox:
after the runs, raw must hold exactly the portfolio again.
"""

from __future__ import annotations

import bz2
import csv
import datetime as dt
import gzip
import io
from collections import Counter

import pytest
from conftest import make_duckdb_warehouse, make_pg_warehouse

# clean data (no dirty rows): the rows taken out must load again exactly
SIMULATE = ["--assets", "12", "--days", "30", "--seed", "5", "--end-date", "2026-10-31", "--dirty-rate", "0"]
TELEMETRY_COLS = ["device_id", "ts", "lat", "lon", "soc", "odometer", "speed", "is_charging"]
PAYMENT_COLS = [
    "id", "account_id", "due_date", "paid_date", "amount_due", "amount_paid", "payment_method",
    "status", "bounce_reason", "created_at",
]  # fmt: skip
SCHEDULE_COLS = [
    "id", "account_id", "installment_number", "due_date", "principal_component",
    "interest_component", "total_due", "created_at",
]  # fmt: skip


def _csv(columns: list[str], rows) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for row in rows:
        w.writerow(["" if v is None else (v.isoformat() if hasattr(v, "isoformat") else v) for v in row])
    return buf.getvalue()


def _take_out(wh, table: str, columns: list[str], where: str) -> list[tuple]:
    rows = wh.query(f"select {', '.join(columns)} from raw.{table} where {where}")
    wh.execute(f"delete from raw.{table} where {where}")
    return [tuple(str(v) if v is not None and not hasattr(v, "isoformat") else v for v in r) for r in rows]


def _as_of_from_raw(wh) -> dt.date:
    """The as-of day the raw data implies (the calendar's rule): the latest local day with data."""
    tz = "Asia/Kolkata"
    return max(
        wh.scalar(f"select max(cast(timezone('{tz}', ts) as date)) from raw.raw_telemetry"),
        wh.scalar("select max(paid_date) from raw.payments"),
        wh.scalar("select max(due_date) from raw.payments"),
        wh.scalar(f"select max(cast(timezone('{tz}', created_at) as date)) from raw.payments"),
    )


def _counts(wh) -> dict[str, int]:
    return {
        t: wh.scalar(f"select count(*) from raw.{t}")
        for t in ("raw_telemetry", "payments", "repayment_schedule")
    }


def _inbox(wh, tmp_path):
    """Good rows (taken out of raw) and every kind of bad file; what each must become."""
    inbox = tmp_path / "inbox"
    (inbox / "archive" / "2026").mkdir(parents=True)
    device = wh.scalar(
        "select device_id from raw.raw_telemetry where ts >= timestamptz '2026-10-30 00:00:00+00' "
        "group by device_id order by device_id limit 1"
    )
    window = (
        f"id in (select id from raw.raw_telemetry where device_id = '{device}' "
        "and ts >= timestamptz '2026-10-30 00:00:00+00' order by ts limit 120)"
    )
    telemetry = _take_out(wh, "raw_telemetry", TELEMETRY_COLS, window)
    payments = _take_out(
        wh, "payments", PAYMENT_COLS, "id in (select id from raw.payments order by due_date desc, id limit 6)"
    )
    schedule = _take_out(
        wh,
        "repayment_schedule",
        SCHEDULE_COLS,
        "id in (select id from raw.repayment_schedule order by due_date desc, id limit 4)",
    )
    assert len(telemetry) > 20 and len(payments) == 6 and len(schedule) == 4
    account, disbursed = wh.query(
        "select cast(id as varchar), disbursement_date from raw.accounts order by id"
    )[0]
    kept = wh.query(
        "select cast(account_id as varchar), due_date, installment_number from raw.repayment_schedule "
        "order by due_date, id limit 1"
    )[0]
    kept_payment = wh.query(f"select {', '.join(PAYMENT_COLS)} from raw.payments order by id limit 1")[0]

    # good files: one with a byte-order mark (a spreadsheet's CSV)
    (inbox / "telemetry_good.csv").write_bytes(b"\xef\xbb\xbf" + _csv(TELEMETRY_COLS, telemetry).encode())
    (inbox / "payments_good.csv").write_text(_csv(PAYMENT_COLS, payments))
    (inbox / "repayment_schedule_good.csv").write_text(_csv(SCHEDULE_COLS, schedule))

    # files that load, with rows to quarantine
    b = "b0000000-0000-4000-8000-0000000000"
    bad_payments = [
        (f"{b}01", account, "2026-09-05", "2099-01-01", 100, 100, "nach", "paid", None, None),  # future
        (f"{b}02", account, "9999-12-31", None, 100, None, None, "missed", None, None),  # after the term
        (f"{b}03", account, "0001-01-01", None, 100, None, None, "missed", None, None),  # before 2000
        (
            f"{b}04",
            account,
            (disbursed - dt.timedelta(days=40)).isoformat(),
            None,
            100,
            None,
            None,
            "missed",
            None,
            None,
        ),  # fmt: skip
        tuple(
            str(v) if v is not None and not hasattr(v, "isoformat") else v for v in kept_payment
        ),  # dupe id
    ]
    (inbox / "payments_bad_rows.csv").write_text(_csv(PAYMENT_COLS, bad_payments))
    (inbox / "repayment_schedule_same_due_date.csv").write_text(
        _csv(
            ["id", "account_id", "installment_number", "due_date", "total_due"],
            [("d0000000-0000-4000-8000-000000000001", kept[0], 500, kept[1], 100)],
        )
    )
    messy = "device_id,ts,lat,lon,soc\n"
    messy += f"{device},2026-10-30T01:00:00.5Z,18.5,-180.0001,50\n\n"  # lon out of range, blank line
    messy += f"{device},2099-01-01T00:00:00Z,18.5,73.8,50\n"  # future
    messy += "NOT-A-DEVICE,2026-10-30T01:00:00Z,18.5,73.8,50\n"  # unknown device
    messy += f"{device},{telemetry[0][1].isoformat()},{telemetry[0][2]},{telemetry[0][3]},{telemetry[0][4]}\n"
    (inbox / "telemetry_messy.csv").write_text(messy)

    # files to refuse
    good_gz = gzip.compress(_csv(TELEMETRY_COLS, telemetry).encode())
    damaged = bytearray(good_gz)
    for i in range(12, 60):
        damaged[i] ^= 0x5A
    (inbox / "telemetry_damaged.csv.gz").write_bytes(bytes(damaged))
    (inbox / "telemetry_no_ts.csv").write_text("device_id,time,soc\nD1,2026-10-30T00:00:00Z,50\n")
    (inbox / "telemetry_empty.csv").write_bytes(b"")
    (inbox / "payments.xlsx").write_bytes(b"PK\x03\x04 a workbook")
    (inbox / "telemetry_more.csv.bz2").write_bytes(bz2.compress(_csv(TELEMETRY_COLS, telemetry).encode()))
    # a nested file: reported as ignored, never loaded from there
    (inbox / "archive" / "2026" / "telemetry_old.csv").write_text(_csv(TELEMETRY_COLS, telemetry))
    refused = {
        "telemetry_damaged.csv.gz": "damaged archive",
        "telemetry_no_ts.csv": "missing required column(s) for a telemetry file: ts",
        "telemetry_empty.csv": "empty file",
        "payments.xlsx": "unsupported file type '.xlsx'",
        "telemetry_more.csv.bz2": "unsupported file type",
    }
    quarantined = {
        "payments_bad_rows.csv": Counter(out_of_range=3, future_date=1, duplicate=1),
        "repayment_schedule_same_due_date.csv": Counter(duplicate=1),
        "telemetry_messy.csv": Counter(out_of_range=1, future_timestamp=1, unknown_device=1, duplicate=1),
    }
    return inbox, refused, quarantined


def _four_runs(wh, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PREDELQ_DATA_DOCS_DIR", str(tmp_path / "docs"))
    monkeypatch.setenv("DBT_TARGET_PATH", str(tmp_path / "target"))
    monkeypatch.setenv("DBT_LOG_PATH", str(tmp_path / "logs"))
    assert wh.cli("simulate", *SIMULATE) == 0
    full = _counts(wh)
    as_of = _as_of_from_raw(wh)
    inbox, refused, quarantined = _inbox(wh, tmp_path)
    assert _counts(wh) != full

    codes, lasts = [], []
    # runs 2 and 3 skip the build (time: one dbt build is most of a run); run 4 is the full
    # cron run but for score and publish (no model to train on 30 days, docs are slow)
    skips = ["score,publish", "build,score,publish", "build,score,publish", "score,publish"]
    for skip in skips:
        codes.append(wh.cli("pipeline", "--inbox", str(inbox), "--skip", skip))
        out = capsys.readouterr().out
        lasts.append(out.strip().splitlines()[-1])
        assert "ignored " in out and "telemetry_old.csv: in a subfolder" in out, out
    # run 1 refuses the bad files (named, moved out of the inbox); runs 2-4 are green
    assert codes == [1, 0, 0, 0], lasts
    assert lasts[0].startswith("pipeline FAILED at step load after ")
    assert "5 file(s) refused: " in lasts[0]
    for name in refused:
        assert name in lasts[0]
    assert (
        lasts[3].startswith("pipeline ok")
        and "; build " in lasts[3]
        and " nodes (" in lasts[3]
        and "load 0 file(s)" in lasts[3]
    )

    # every good row loaded, once: raw is the simulated portfolio again
    assert _counts(wh) == full
    # every bad file refused with its reason, kept in inbox/refused/ with a .reason.txt
    rows = wh.query("select file_name, message from raw.load_batches where status = 'refused'")
    assert {r[0] for r in rows} == set(refused) and len(rows) == len(refused)
    for name, message in rows:
        assert refused[name] in message, (name, message)
        assert (inbox / "refused" / name).exists()
        assert refused[name] in (inbox / "refused" / f"{name}.reason.txt").read_text()
    assert (inbox / "archive" / "2026" / "telemetry_old.csv").exists()
    # every bad row quarantined with its reason
    for name, reasons in quarantined.items():
        got = wh.query(
            "select q.reason, q.detail from raw.load_quarantine q join raw.load_batches b "
            f"on b.id = q.load_batch_id where b.file_name = '{name}'"
        )
        assert Counter(r[0] for r in got) == reasons, (name, got)
        assert all(r[1] for r in got)
    # the as-of day is the portfolio's, whatever the bad rows said
    assert wh.scalar("select max(local_date) from intermediate.int_portfolio_calendar") == as_of
    assert wh.scalar("select max(as_of_date) from marts.account_current_state") == as_of


def test_four_pipeline_runs_over_a_bad_inbox_end_green_duckdb(tmp_path, monkeypatch, capsys):
    wh = make_duckdb_warehouse(tmp_path / "duckdb")
    _four_runs(wh, tmp_path, monkeypatch, capsys)


@pytest.mark.postgres
def test_four_pipeline_runs_over_a_bad_inbox_end_green_pg(tmp_path, monkeypatch, capsys, require_pg):
    with make_pg_warehouse(tmp_path / "pg") as wh:
        _four_runs(wh, tmp_path, monkeypatch, capsys)


def test_pipeline_test_scope_setting(monkeypatch):
    """PREDELQ_PIPELINE_TEST_DAYS: the pipeline's data-test scope (D30); a bad value is a clear error."""
    from predelq.dbt import pipeline_test_vars
    from predelq.errors import UserError

    monkeypatch.delenv("PREDELQ_PIPELINE_TEST_DAYS", raising=False)
    assert pipeline_test_vars() == []  # default: every row
    monkeypatch.setenv("PREDELQ_PIPELINE_TEST_DAYS", "14")
    assert pipeline_test_vars() == ["--vars", '{"data_tests_recent_days": 14}']
    monkeypatch.setenv("PREDELQ_PIPELINE_TEST_DAYS", "All")
    assert pipeline_test_vars() == []
    monkeypatch.setenv("PREDELQ_PIPELINE_TEST_DAYS", "a week")
    with pytest.raises(UserError, match="PREDELQ_PIPELINE_TEST_DAYS"):
        pipeline_test_vars()
