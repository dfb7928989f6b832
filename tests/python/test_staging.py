"""Staging on crafted rows: device swaps, duplicates, every rejection reason, reconciliation.

Each test writes a handful of raw rows into a throwaway warehouse, builds the
staging layer and checks what came out, on DuckDB and on PostgreSQL.
"""

from __future__ import annotations

import pytest

from predelq.landing import all_ddl

# The staging layer and its own tests; tests that also read later layers (e.g. the
# relationship from event actions to events) wait for a full build.
STAGING = ("--select", "staging", "--indirect-selection", "cautious", "--exclude", "events+")

ASSET_A = "00000000-0000-4000-8000-00000000000a"
ASSET_B = "00000000-0000-4000-8000-00000000000b"
ACCOUNT = "00000000-0000-4000-8000-0000000000a1"
CUSTOMER = "00000000-0000-4000-8000-0000000000c1"

MASTER_DATA = [
    f"insert into raw.customers (id, status) values ('{CUSTOMER}', 'active')",
    f"""insert into raw.accounts (id, customer_id, status, loan_amount, disbursement_date)
        values ('{ACCOUNT}', '{CUSTOMER}', 'active', 100000, '2026-01-01')""",
    f"""insert into raw.assets (id, account_id, status) values
        ('{ASSET_A}', '{ACCOUNT}', 'active'), ('{ASSET_B}', '{ACCOUNT}', 'active')""",
    # DEV-1 belongs to A until 2026-03-10 (local), then to B; DEV-2 belongs to A from then on.
    f"""insert into raw.entity_identifiers
        (id, entity_type, entity_id, identifier_type, identifier_value, valid_from, valid_to) values
        ('00000000-0000-4000-8000-000000000101', 'asset', '{ASSET_A}', 'device_id', 'DEV-1',
         '2026-01-01', '2026-03-10'),
        ('00000000-0000-4000-8000-000000000102', 'asset', '{ASSET_B}', 'device_id', 'DEV-1',
         '2026-03-10', null),
        ('00000000-0000-4000-8000-000000000103', 'asset', '{ASSET_A}', 'device_id', 'DEV-2',
         '2026-03-10', null)""",
]

# (id suffix, device, ts UTC, soc, speed, ingested_at UTC, expected asset or rejection reason)
READINGS = [
    # 2026-03-09 18:29:59Z is 23:59:59 on the 9th in Asia/Kolkata: still DEV-1 -> A
    ("01", "DEV-1", "2026-03-09 18:29:59+00", 50, 10, "2026-03-09 18:30:05+00", ASSET_A),
    # one second later it is the 10th locally: DEV-1 now belongs to B
    ("02", "DEV-1", "2026-03-09 18:30:00+00", 50, 10, "2026-03-09 18:30:05+00", ASSET_B),
    ("03", "DEV-2", "2026-03-10 05:00:00+00", 80, 0, "2026-03-10 05:00:02+00", ASSET_A),
    # the same reading twice, the later-ingested copy is the duplicate
    ("04", "DEV-2", "2026-03-10 05:01:00+00", 80, 0, "2026-03-10 05:01:02+00", ASSET_A),
    ("05", "DEV-2", "2026-03-10 05:01:00+00", 80, 0, "2026-03-12 09:00:00+00", "duplicate"),
    ("06", "DEV-9", "2026-03-10 05:02:00+00", 80, 0, "2026-03-10 05:02:02+00", "unknown_device"),
    # DEV-2 before its window: unknown on that day
    ("07", "DEV-2", "2026-03-01 05:00:00+00", 80, 0, "2026-03-01 05:00:02+00", "unknown_device"),
    ("08", "DEV-2", "2026-03-10 05:03:00+00", 140, 0, "2026-03-10 05:03:02+00", "soc_out_of_range"),
    ("09", "DEV-2", "2026-03-10 05:04:00+00", 80, -5, "2026-03-10 05:04:02+00", "speed_out_of_range"),
    ("10", "DEV-2", "2026-03-11 05:05:00+00", 80, 0, "2026-03-10 05:05:02+00", "future_timestamp"),
    # late-arriving but valid: kept
    ("11", "DEV-2", "2026-03-10 06:00:00+00", 79, 0, "2026-03-12 06:00:00+00", ASSET_A),
    # no timestamp at all (a feed bug): the loader quarantines it, raw can still hold it
    ("12", "DEV-2", None, 80, 0, "2026-03-10 05:06:02+00", "missing_timestamp"),
    # latitude 95 (see LATITUDE)
    ("13", "DEV-2", "2026-03-10 05:07:00+00", 80, 0, "2026-03-10 05:07:02+00", "coordinates_out_of_range"),
]
# every reading is at 12.97 N except these
LATITUDE = {"13": 95.0}


def _seed_raw(wh) -> None:
    with wh.activated() as target:
        con = target.connect()
        cur = con.cursor()
        for stmt in all_ddl(wh.engine) + MASTER_DATA:
            cur.execute(stmt)
        for suffix, device, ts, soc, speed, ingested, _ in READINGS:
            cur.execute(
                "insert into raw.raw_telemetry (id, device_id, ts, lat, lon, soc, odometer, speed, "
                "is_charging, ingested_at) values "
                f"('00000000-0000-4000-8000-0000000002{suffix}', '{device}', "
                f"{'null' if ts is None else repr(ts)}, {LATITUDE.get(suffix, 12.97)}, 77.59, "
                f"{soc}, 1000, {speed}, false, '{ingested}')"
            )
        con.commit()
        con.close()


def _check_staging(wh) -> None:
    _seed_raw(wh)
    wh.dbt("build", *STAGING)
    staged = dict(
        wh.query(
            "select cast(telemetry_id as varchar), cast(asset_id as varchar) "
            "from staging.stg_telematics__telemetry"
        )
    )
    rejected = dict(
        wh.query(
            "select cast(telemetry_id as varchar), rejection_reason "
            "from staging.stg_telematics__telemetry_rejections"
        )
    )
    assert not set(staged) & set(rejected), "a reading is both staged and rejected"
    assert len(staged) + len(rejected) == len(READINGS)
    for suffix, *_, expected in READINGS:
        telemetry_id = f"00000000-0000-4000-8000-0000000002{suffix}"
        got = staged.get(telemetry_id) or rejected.get(telemetry_id)
        assert got == expected, f"reading {suffix}: expected {expected}, got {got}"


def test_staging_resolves_and_rejects_on_duckdb(duckdb_warehouse):
    _check_staging(duckdb_warehouse)


@pytest.mark.postgres
def test_staging_resolves_and_rejects_on_postgres(pg_warehouse):
    _check_staging(pg_warehouse)


def test_overlapping_device_windows_fail_the_build(duckdb_warehouse):
    wh = duckdb_warehouse
    _seed_raw(wh)
    wh.execute(
        "insert into raw.entity_identifiers (id, entity_type, entity_id, identifier_type, "
        f"identifier_value, valid_from, valid_to) values ('00000000-0000-4000-8000-000000000104', "
        f"'asset', '{ASSET_B}', 'device_id', 'DEV-2', '2026-03-20', null)"
    )
    result = wh.dbt("build", *STAGING, expect_success=False)
    assert not result.success
    failed = {r.node.name for r in result.result.results if str(r.status) in ("fail", "error")}
    assert "assert_device_windows_do_not_overlap" in failed
