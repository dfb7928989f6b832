"""`predelq load` on messy files written here, on DuckDB and PostgreSQL.

Every test checks the accounting exactly: rows in = rows loaded + rows
quarantined, per batch and as the database sees it, with the reason of each
quarantined row.
"""

from __future__ import annotations

import json
import os
from collections import Counter

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from ingest_helpers import ACCOUNT_1, ACCOUNT_2, ASSET_3, ASSET_4, counts, load, quarantine, seed, write


@pytest.fixture(params=["duckdb", pytest.param("pg", marks=pytest.mark.postgres)])
def wh(request):
    name = "duckdb_warehouse" if request.param == "duckdb" else "pg_warehouse"
    warehouse = request.getfixturevalue(name)
    seed(warehouse)
    return warehouse


def assert_reconciled(wh, result) -> None:
    """The batch row, the raw rows and the quarantine rows tell the same story."""
    assert result.status == "loaded", result.line()
    b = wh.query(
        "select status, rows_in, rows_loaded, rows_quarantined from raw.load_batches "
        f"where id = '{result.batch_id}'"
    )
    assert b == [("loaded", result.rows_in, result.rows_loaded, result.rows_quarantined)]
    assert result.rows_in == result.rows_loaded + result.rows_quarantined
    q = wh.scalar(f"select count(*) from raw.load_quarantine where load_batch_id = '{result.batch_id}'")
    assert q == result.rows_quarantined
    if result.table == "raw_telemetry":
        n = wh.scalar(f"select count(*) from raw.raw_telemetry where load_batch_id = '{result.batch_id}'")
        assert n == result.rows_loaded


MESSY_TELEMETRY = """
device_id,ts,lat,lon,soc,odometer,speed,is_charging
D1,2024-03-01T00:00:00Z,18.52,73.85,80.5,1200.5,0,false
D1,2024-03-01T00:01:00Z,18.52,73.85,80.4,1200.7,12.5,false
D1,2024-03-01T00:00:00Z,18.52,73.85,80.5,1200.5,0,false
D1,2024-03-01T00:02:00Z,18.52,73.85,180,1200.9,10,false
D1,2024-03-01T00:03:00Z,95.0,73.85,80,1201,10,false
D1,2024-03-01T00:04:00Z,18.52,73.85,80,1201,400,false
D1,yesterday,18.52,73.85,80,1201,10,false
D1,2099-01-01T00:00:00Z,18.52,73.85,80,1201,10,false
D1,,18.52,73.85,80,1201,10,false
,2024-03-01T00:05:00Z,18.52,73.85,80,1201,10,false
D9,2024-03-01T00:05:00Z,18.52,73.85,80,1201,10,false
D2,2023-12-31T18:29:00Z,18.52,73.85,80,1201,10,false
D2,2023-12-31T18:30:00Z,18.52,73.85,80,1201,10,false
D2,2024-05-31T18:29:00Z,18.52,73.85,80,1201,10,false
D2,2024-05-31T18:30:00Z,18.52,73.85,80,1201,10,true
D5,2024-02-10T00:00:00Z,18.52,73.85,80,1201,10,false
D5,2024-03-10T00:00:00Z,18.52,73.85,80,1201,10,false
D1,2024-03-01T00:06:00Z,18.52,73.85,abc,1201,10,false
D1,2024-03-01T00:07:00Z,18.52,73.85,80,1201,10,maybe
D1,2024-03-01 05:38:00+05:30,18.52,73.85,80,1201,10,false
D1,2024-03-01T00:08:00Z,18.52,73.85,80,1201,10,false
D1,2024-03-01T00:09:00,18.52,73.85,,,,
D1,2024-03-01T00:10:00Z,18.52
  D1  ,1970-01-01T00:00:00Z,18.52,73.85,80,1201,10,false
"""

EXPECTED_MESSY = {
    3: ("duplicate", "same device_id, ts as row 1"),
    4: ("out_of_range", "soc 180 outside [0, 100]"),
    5: ("out_of_range", "lat 95 outside [-90, 90]"),
    6: ("out_of_range", "speed 400 outside [0, 250]"),
    7: ("unparseable_timestamp", "ts 'yesterday' is not a timestamp"),
    8: ("future_timestamp", None),
    9: ("missing_value", "ts is empty"),
    10: ("missing_value", "no device_id, vin or registration"),
    11: ("unknown_device", "device_id 'D9' is not a known asset identifier"),
    12: ("unknown_device", "device_id 'D2' belongs to no asset on 2023-12-31 (Asia/Kolkata)"),
    17: ("ambiguous_device", "device_id 'D5' belongs to 2 assets on 2024-03-10 (overlapping windows)"),
    18: ("unparseable_value", "soc 'abc' is not a number"),
    19: ("unparseable_value", "is_charging 'maybe' is not a boolean"),
    21: ("duplicate", "same device_id, ts as row 20"),
    23: ("malformed_row", "3 field(s) where the header has 8"),
    24: ("out_of_range", "ts 1970-01-01T00:00:00Z is before 2000-01-01"),
}


def test_messy_telemetry_csv(wh, tmp_path):
    path = write(tmp_path / "telemetry_messy.csv", MESSY_TELEMETRY)
    [result] = load(wh, path)
    assert (result.rows_in, result.rows_loaded, result.rows_quarantined) == (24, 8, 16)
    assert_reconciled(wh, result)
    got = quarantine(wh, result.batch_id)
    assert set(got) == set(EXPECTED_MESSY)
    for row, (reason, detail) in EXPECTED_MESSY.items():
        assert got[row][0] == reason, (row, got[row])
        if detail:
            assert got[row][1] == detail, (row, got[row])
    assert got[8][1].startswith("ts 2099-01-01T00:00:00Z is later than load time + 10 min")
    assert result.reasons == Counter(r for r, _ in EXPECTED_MESSY.values())
    # the quarantined record is the row as sent
    record = wh.scalar(
        f"select cast(record as varchar) from raw.load_quarantine where load_batch_id = '{result.batch_id}' "
        "and row_number = 7"
    )
    assert json.loads(record)["ts"] == "yesterday"
    # loaded rows: device rows keep the device and leave asset_id to staging; +05:30 and naive (UTC) parse
    loaded = wh.query(
        "select device_id, asset_id, cast(ts as varchar), soc, speed, is_charging from raw.raw_telemetry "
        "order by ts, device_id"
    )
    assert [r[0] for r in loaded] == ["D2", "D5", "D1", "D1", "D1", "D1", "D2", "D2"]
    assert all(r[1] is None for r in loaded)
    stamps = [r[2].replace("+00:00", "+00") for r in loaded]
    assert "2024-03-01 00:08:00+00" in stamps and "2024-03-01 00:09:00+00" in stamps
    nulls = [r for r in loaded if r[2].startswith("2024-03-01 00:09")][0]
    assert nulls[3] is None and nulls[4] is None and nulls[5] is None
    assert float(loaded[0][3]) == 80.0


def test_same_file_twice_adds_nothing(wh, tmp_path):
    path = write(tmp_path / "telemetry_messy.csv", MESSY_TELEMETRY)
    [first] = load(wh, path)
    before = counts(wh)
    copy = tmp_path / "telemetry_renamed_copy.csv"
    copy.write_bytes(path.read_bytes())
    second, third = load(wh, path, copy)
    assert second.status == third.status == "skipped"
    assert f"already loaded as batch {first.batch_id}" in second.message
    assert counts(wh) == before
    assert wh.scalar("select count(*) from raw.load_batches") == 1


def test_rows_already_loaded_by_another_file_are_duplicates(wh, tmp_path):
    a = write(
        tmp_path / "telemetry_a.csv",
        """
device_id,ts,soc
D1,2024-03-02T00:00:00Z,50
D1,2024-03-02T00:01:00Z,51
""",
    )
    b = write(
        tmp_path / "telemetry_b.csv",
        """
device_id,ts,soc
D1,2024-03-02T00:01:00Z,51
D1,2024-03-02T00:02:00Z,52
""",
    )
    ra, rb = load(wh, a, b)
    assert (ra.rows_loaded, ra.rows_quarantined) == (2, 0)
    assert (rb.rows_in, rb.rows_loaded, rb.rows_quarantined) == (2, 1, 1)
    assert_reconciled(wh, rb)
    assert quarantine(wh, rb.batch_id) == {
        1: ("duplicate", "already loaded: same device_id, ts in raw.raw_telemetry")
    }
    assert wh.scalar("select count(*) from raw.raw_telemetry") == 3


VIN = "VIN0000000000003"


def test_vin_registration_and_identifier_type_columns(wh, tmp_path):
    jsonl = write(
        tmp_path / "feed.jsonl",
        "\n".join(
            [
                json.dumps(
                    {"vin": "VIN0000000000003", "ts": "2024-03-01T00:00:00Z", "soc": 50, "temp_c": 31}
                ),
                json.dumps({"vin": "VIN0000000000003", "ts": "2024-03-01T00:01:00Z", "soc": 49.5}),
                "{not json",
                json.dumps({"vin": "VIN_UNKNOWN", "ts": "2024-03-01T00:01:00Z", "soc": 49.5}),
                "",
                json.dumps(["a", "list"]),
                json.dumps({"vin": "VIN0000000000003", "ts": "2024-03-01T00:02:00Z", "soc": True}),
            ]
        ),
    )
    [r] = load(wh, jsonl, kind="telemetry")
    assert (r.rows_in, r.rows_loaded, r.rows_quarantined) == (6, 2, 4)
    assert_reconciled(wh, r)
    q = quarantine(wh, r.batch_id)
    assert {k: v[0] for k, v in q.items()} == {
        3: "malformed_row",
        4: "unknown_device",
        6: "malformed_row",
        7: "unparseable_value",
    }
    assert q[3][1].startswith("invalid JSON")
    rows = wh.query(
        "select device_id, cast(asset_id as varchar), cast(raw_payload as varchar) from raw.raw_telemetry "
        "order by ts"
    )
    assert [(d, a) for d, a, _ in rows] == [("VIN0000000000003", ASSET_3)] * 2
    assert json.loads(rows[0][2]) == {"identifier_type": "vin", "temp_c": "31"}

    csv = write(
        tmp_path / "telemetry_mixed.csv",
        """
identifier_type,identifier,ts,soc
registration,KA01AB1234,2024-03-01T00:00:00Z,40
device_id,D1,2024-03-01T00:00:00Z,41
imei,123456,2024-03-01T00:00:00Z,42
""",
    )
    [r] = load(wh, csv)
    assert (r.rows_in, r.rows_loaded, r.rows_quarantined) == (3, 2, 1)
    assert quarantine(wh, r.batch_id) == {
        3: ("invalid_value", "identifier_type 'imei' not in device_id, vin, registration")
    }
    got = dict(
        wh.query(
            "select device_id, cast(asset_id as varchar) from raw.raw_telemetry "
            f"where load_batch_id = '{r.batch_id}'"
        )
    )
    assert got == {"KA01AB1234": ASSET_4, "D1": None}


def test_truncated_csv_quarantines_the_cut_line(wh, tmp_path):
    lines = ["device_id,ts,lat,lon,soc,odometer,speed,is_charging"]
    lines += [f"D1,2024-04-01T00:{m:02d}:00Z,18.5,73.8,60,1000,10,false" for m in range(40)]
    text = "\n".join(lines) + "\n"
    cut = text.index("D1,2024-04-01T00:30:00Z") + 12  # in the middle of row 31's timestamp
    path = tmp_path / "telemetry_truncated.csv"
    path.write_text(text[:cut])
    [r] = load(wh, path)
    assert (r.rows_in, r.rows_loaded, r.rows_quarantined) == (31, 30, 1)
    assert_reconciled(wh, r)
    assert quarantine(wh, r.batch_id) == {31: ("malformed_row", "2 field(s) where the header has 8")}


def _refused(wh, result, fragment: str) -> None:
    assert result.status == "refused", result.line()
    assert fragment in result.message
    row = wh.query(f"select status, rows_in, message from raw.load_batches where id = '{result.batch_id}'")
    assert row == [("refused", None, result.message)]


def test_truncated_parquet_is_refused_and_nothing_written(wh, tmp_path):
    n = 2000
    table = pa.table(
        {"device_id": ["D1"] * n, "ts": [f"2024-04-02T00:00:{i % 60:02d}.{i:04d}Z" for i in range(n)]}
    )
    full = tmp_path / "telemetry_full.parquet"
    pq.write_table(table, full)
    data = full.read_bytes()
    path = tmp_path / "telemetry_cut.parquet"
    path.write_bytes(data[: len(data) * 2 // 3])
    before = counts(wh)
    [r] = load(wh, path)
    _refused(wh, r, "not a readable Parquet file")
    after = counts(wh)
    assert after == {**before, "load_batches": before["load_batches"] + 1}


def test_missing_required_column_is_refused(wh, tmp_path):
    path = write(tmp_path / "telemetry_no_ts.csv", "device_id,time,soc\nD1,2024-03-01T00:00:00Z,50\n")
    before = counts(wh)
    [r] = load(wh, path)
    _refused(wh, r, "missing required column(s) for a telemetry file: ts")
    assert counts(wh) == {**before, "load_batches": before["load_batches"] + 1}
    # the same content again is not judged twice, unless asked; but it is still refused
    # (issue 14 defect 7: a file that stays refused keeps the exit status non-zero)
    [again] = load(wh, path)
    assert again.status == "refused" and "refused earlier" in again.message
    assert wh.scalar("select count(*) from raw.load_batches where status = 'refused'") == 1
    [retry] = load(wh, path, retry_refused=True)
    assert retry.status == "refused"
    assert wh.scalar("select count(*) from raw.load_batches where status = 'refused'") == 2


def test_not_a_csv_and_unknown_kind_are_refused(wh, tmp_path):
    junk = tmp_path / "telemetry_junk.csv"
    junk.write_bytes(os.urandom(3000) + b"\x00\xff" * 100)
    unknown = write(tmp_path / "something.csv", "a,b\n1,2\n")
    empty = tmp_path / "telemetry_empty.csv"
    empty.write_bytes(b"")
    before = counts(wh)
    r1, r2, r3 = load(wh, junk, unknown, empty)
    assert [r.status for r in (r1, r2, r3)] == ["refused"] * 3
    assert "CSV" in r1.message
    assert "cannot tell what the file holds" in r2.message
    assert "empty file" in r3.message
    assert counts(wh) == {**before, "load_batches": before["load_batches"] + 3}


def test_parquet_with_typed_columns(wh, tmp_path):
    import datetime as dt

    ts = [dt.datetime(2024, 4, 3, 0, m, tzinfo=dt.UTC) for m in range(5)]
    table = pa.table(
        {
            "device_id": ["D1", "D1", "D1", "D9", "D1"],
            "ts": pa.array(ts, pa.timestamp("ms", "UTC")),
            "soc": [50.0, float("nan"), 101.0, 50.0, 49.0],
            "is_charging": [True, False, None, True, False],
        }
    )
    path = tmp_path / "telemetry_typed.parquet"
    pq.write_table(table, path)
    [r] = load(wh, path)
    assert (r.rows_in, r.rows_loaded, r.rows_quarantined) == (5, 3, 2)
    assert_reconciled(wh, r)
    assert {k: v[0] for k, v in quarantine(wh, r.batch_id).items()} == {
        3: "out_of_range",
        4: "unknown_device",
    }
    assert wh.scalar("select count(*) from raw.raw_telemetry where soc is null") == 1


PAYMENTS = f"""
id,account_id,due_date,paid_date,amount_due,amount_paid,payment_method,status,bounce_reason
b0000000-0000-4000-8000-000000000001,{ACCOUNT_1},2024-02-05,2024-02-05,5000,5000,upi,paid,
b0000000-0000-4000-8000-000000000002,{ACCOUNT_1},2024-03-05,,5000,0,nach,bounced,insufficient funds
b0000000-0000-4000-8000-000000000003,a0000000-0000-4000-8000-000000000099,2024-03-05,2024-03-05,5000,5000,upi,paid,
b0000000-0000-4000-8000-000000000004,{ACCOUNT_1},2024-04-05,,-5000,0,,missed,
b0000000-0000-4000-8000-000000000005,{ACCOUNT_1},2024-04-05,,5000,0,,lost,
b0000000-0000-4000-8000-000000000001,{ACCOUNT_1},2024-02-05,2024-02-05,5000,5000,upi,paid,
not-a-uuid,{ACCOUNT_1},2024-04-05,,5000,0,,missed,
b0000000-0000-4000-8000-000000000008,{ACCOUNT_2},2024-13-05,,5000,0,,missed,
B0000000-0000-4000-8000-000000000009,{ACCOUNT_2},2024-04-05,2024-04-07,5000,2500.50,upi,PARTIAL,
"""


def test_payments_file(wh, tmp_path):
    [r] = load(wh, write(tmp_path / "payments_2024_04.csv", PAYMENTS))
    assert (r.rows_in, r.rows_loaded, r.rows_quarantined) == (9, 3, 6)
    assert_reconciled(wh, r)
    assert quarantine(wh, r.batch_id) == {
        3: ("unknown_account", "account_id 'a0000000-0000-4000-8000-000000000099' is not in raw.accounts"),
        4: ("out_of_range", "amount_due -5000 outside [0, 9999999999.99]"),  # exact, not 1e+10
        5: ("invalid_value", "status 'lost' not in paid, partial, missed, bounced"),
        6: ("duplicate", "same id as row 1"),
        7: ("unparseable_value", "id 'not-a-uuid' is not a UUID"),
        8: ("unparseable_value", "due_date '2024-13-05' is not a date (YYYY-MM-DD)"),
    }
    rows = wh.query("select cast(id as varchar), status, amount_paid from raw.payments order by due_date, id")
    assert rows[-1][0] == "b0000000-0000-4000-8000-000000000009" and rows[-1][1] == "partial"
    assert float(rows[-1][2]) == 2500.5
    again = write(
        tmp_path / "payments_2024_05.csv",
        f"""
id,account_id,due_date,amount_due,status
b0000000-0000-4000-8000-000000000002,{ACCOUNT_1},2024-03-05,5000,bounced
b0000000-0000-4000-8000-000000000010,{ACCOUNT_1},2024-05-05,5000,missed
""",
    )
    [r2] = load(wh, again)
    assert (r2.rows_loaded, r2.rows_quarantined) == (1, 1)
    assert quarantine(wh, r2.batch_id) == {1: ("duplicate", "already loaded: same id in raw.payments")}
    assert wh.scalar("select count(*) from raw.payments") == 4


def test_repayment_schedule_file(wh, tmp_path):
    path = write(
        tmp_path / "repayment_schedule.csv",
        f"""
id,account_id,installment_number,due_date,principal_component,interest_component,total_due,branch
d0000000-0000-4000-8000-000000000001,{ACCOUNT_1},1,2024-02-05,4000,1000,5000,pune
d0000000-0000-4000-8000-000000000002,{ACCOUNT_1},2,2024-03-05,4000,1000,5000,pune
d0000000-0000-4000-8000-000000000003,{ACCOUNT_1},2,2024-03-05,4000,1000,5000,pune
d0000000-0000-4000-8000-000000000004,{ACCOUNT_1},2.5,2024-04-05,4000,1000,5000,pune
d0000000-0000-4000-8000-000000000005,{ACCOUNT_1},0,2024-04-05,4000,1000,5000,pune
d0000000-0000-4000-8000-000000000006,{ACCOUNT_2},1,2024-02-05,4000,1000,,pune
""",
    )
    [r] = load(wh, path)
    assert (r.rows_in, r.rows_loaded, r.rows_quarantined) == (6, 2, 4)
    assert_reconciled(wh, r)
    assert quarantine(wh, r.batch_id) == {
        3: ("duplicate", "same account_id, installment_number as row 2"),
        4: ("unparseable_value", "installment_number '2.5' is not an integer"),
        5: ("out_of_range", "installment_number 0 outside [1, 600]"),
        6: ("missing_value", "total_due is empty"),
    }
    assert "ignored column(s): branch" in r.message


def test_nul_characters_are_quarantined_not_fatal(wh, tmp_path):
    path = tmp_path / "telemetry_nul.csv"
    path.write_bytes(
        b"device_id,ts,soc,note\n"
        b"D1,2024-03-03T00:00:00Z,50,ok\n"
        b"D\x001,2024-03-03T00:01:00Z,50,ok\n"
        b"D1,2024-03-03T00:02:00Z,50,bad\x00note\n"
        b"D1,2024-03-03T00:03:00Z,5\x00\n"
    )
    [r] = load(wh, path)
    assert (r.rows_in, r.rows_loaded, r.rows_quarantined) == (4, 1, 3)
    assert_reconciled(wh, r)
    assert quarantine(wh, r.batch_id) == {
        2: ("unparseable_value", "device_id contains a NUL character"),
        3: ("unparseable_value", "note contains a NUL character"),
        4: ("malformed_row", "3 field(s) where the header has 4"),
    }
