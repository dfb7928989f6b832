"""`dbt run-operation archive_raw_telemetry` on DuckDB and PostgreSQL.

Hot + archive keep exactly the same rows (by id, duplicates included), no row is
in both, the cutoff is local midnight `days` days before the latest non-future
reading, a re-run moves nothing, staging sees the same telemetry before and
after, and a count mismatch rolls everything back.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter

import pytest
from ingest_helpers import seed

START = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
# latest non-future reading: 2024-04-30 18:00 UTC = 23:30 IST on 30 April; 30 days before
# that local day is 31 March, which starts at 2024-03-30 18:30 UTC.
CUTOFF_30 = dt.datetime(2024, 3, 30, 18, 30, tzinfo=dt.UTC)


@pytest.fixture(
    params=[
        "duckdb",
        pytest.param("pg", marks=pytest.mark.postgres),
        pytest.param("pg_partitions", marks=pytest.mark.postgres),
    ]
)
def wh(request):
    """`pg`: the rows land in the default partition (written before their days had
    partitions), so they move as rows; `pg_partitions`: every day has its partition
    first, so whole partitions move."""
    warehouse = request.getfixturevalue("duckdb_warehouse" if request.param == "duckdb" else "pg_warehouse")
    warehouse.partitions = request.param == "pg_partitions"
    seed(warehouse)
    if warehouse.partitions:
        from predelq import partitions

        with warehouse.activated() as target:
            con = target.connect()
            with con.cursor() as cur:
                # the hot table's days; the archive gets its partitions by archiving
                first, last = dt.datetime(2023, 6, 1, tzinfo=dt.UTC), dt.datetime(2024, 5, 1, tzinfo=dt.UTC)
                partitions.ensure_days(cur, "raw_telemetry", first, last)
            con.commit()
            con.close()
    rows = []
    ts = START
    while ts <= dt.datetime(2024, 4, 30, 18, tzinfo=dt.UTC):
        rows.append((str(uuid.uuid4()), ts))
        ts += dt.timedelta(hours=6)
    rows += [(str(uuid.uuid4()), CUTOFF_30 - dt.timedelta(minutes=1)), (str(uuid.uuid4()), CUTOFF_30)]
    rows.append(rows[10])  # an exact duplicate row (same id): both copies must move together
    rows.append((str(uuid.uuid4()), None))  # no timestamp: stays hot
    rows.append((str(uuid.uuid4()), dt.datetime(2099, 1, 1, tzinfo=dt.UTC)))  # future: ignored for the cutoff
    values = ", ".join(
        f"('{i}', 'D1', null, {_ts(t)}, 18.5, 73.8, 50, 1000, 10, false, null, "
        "cast('2024-05-01 00:00:00+00' as timestamp with time zone), null)"
        for i, t in rows
    )
    warehouse.execute(f"insert into raw.raw_telemetry values {values}")
    # something already archived earlier
    old = dt.datetime(2023, 6, 1, tzinfo=dt.UTC)
    warehouse.execute(
        f"insert into raw.raw_telemetry_archive values ('{uuid.uuid4()}', 'D1', null, {_ts(old)}, "
        f"18.5, 73.8, 50, 900, 0, false, null, {_ts(old + dt.timedelta(days=1))}, null)"
    )
    return warehouse


def _ts(t) -> str:
    return "null" if t is None else f"cast('{t.isoformat()}' as timestamp with time zone)"


def _state(wh) -> tuple[Counter, Counter]:
    hot = Counter(wh.query("select cast(id as varchar), ts from raw.raw_telemetry"))
    archive = Counter(wh.query("select cast(id as varchar), ts from raw.raw_telemetry_archive"))
    return hot, archive


def _archive(wh, days: int | None = None):
    args = ["run-operation", "archive_raw_telemetry"]
    if days is not None:
        args += ["--args", f"{{days: {days}}}"]
    return wh.dbt(*args)


def test_archive_moves_old_rows_and_keeps_every_row_once(wh):
    # (one warehouse and one dbt parse for the whole story: these steps are slow to set up)
    models = ("stg_telematics__telemetry", "stg_telematics__telemetry_rejections")
    wh.dbt("run", "--select", *(f"+{m}" for m in models))
    staged = [wh.scalar(f"select count(*) from staging.{m}") for m in models]
    hot0, archive0 = _state(wh)

    bad = wh.dbt("run-operation", "archive_raw_telemetry", "--args", "{days: 0}", expect_success=False)
    assert not bad.success
    assert _state(wh) == (hot0, archive0)

    _archive(wh, 30)
    hot1, archive1 = _state(wh)
    if wh.partitions:  # whole days moved as partitions: none before the cutoff is left hot
        left = wh.scalar(
            "select count(*) from pg_inherits i join pg_class c on c.oid = i.inhrelid "
            "join pg_class p on p.oid = i.inhparent where p.relname = 'raw_telemetry' "
            "and c.relname < 'raw_telemetry_d20240331' and c.relname like 'raw_telemetry_d%'"
        )
        archived = wh.scalar(
            "select count(*) from pg_inherits i join pg_class c on c.oid = i.inhrelid "
            "join pg_class p on p.oid = i.inhparent where p.relname = 'raw_telemetry_archive' "
            "and c.relname between 'raw_telemetry_archive_d20240101' and 'raw_telemetry_archive_d20240330'"
        )
        assert left == 0 and archived == 90, (left, archived)
    assert hot1 + archive1 == hot0 + archive0  # same rows, duplicates included
    assert not {i for i, _ in hot1} & {i for i, _ in archive1}  # no row in both
    moved = archive1 - archive0
    assert moved and all(ts < CUTOFF_30 for _, ts in moved)
    assert all(ts is None or ts >= CUTOFF_30 for _, ts in hot1)
    assert sum(moved.values()) == sum(1 for _, ts in hot0.elements() if ts is not None and ts < CUTOFF_30)
    assert any(ts == CUTOFF_30 for _, ts in hot1)  # the first instant of the cutoff day stays hot
    # staging reads hot + archive: the same readings and rejections as before
    assert [wh.scalar(f"select count(*) from staging.{m}") for m in models] == staged

    # a second run, or the default 90 days, moves nothing more
    _archive(wh, 30)
    _archive(wh)
    assert _state(wh) == (hot1, archive1)


@pytest.mark.postgres
def test_count_mismatch_rolls_back(pg_warehouse):
    wh = pg_warehouse
    seed(wh)
    for day in (1, 2, 3, 4):
        ts = dt.datetime(2024, 1, day, tzinfo=dt.UTC)
        wh.execute(
            f"insert into raw.raw_telemetry (id, device_id, ts, ingested_at) values "
            f"('{uuid.uuid4()}', 'D1', {_ts(ts)}, now())"
        )
    # a trigger that silently drops what the archive receives: the counts cannot reconcile
    wh.execute(
        "create function raw.drop_row() returns trigger language plpgsql as $$ begin return null; end $$;"
        "create trigger eat before insert on raw.raw_telemetry_archive "
        "for each row execute function raw.drop_row()"
    )
    before = _state(wh)
    result = wh.dbt("run-operation", "archive_raw_telemetry", "--args", "{days: 1}", expect_success=False)
    assert not result.success
    assert _state(wh) == before


@pytest.mark.postgres
def test_archiving_whole_partitions_keeps_every_metric(tmp_path, require_pg):
    """A simulated portfolio on PostgreSQL (the simulator creates the daily partitions):
    archive all but the last 10 days, rebuild the metrics from scratch, same values."""
    from conftest import make_pg_warehouse

    with make_pg_warehouse(tmp_path / "pg") as wh:
        args = [
            "--assets",
            "12",
            "--days",
            "30",
            "--minute-step",
            "15",
            "--seed",
            "3",
            "--end-date",
            "2026-10-31",
        ]
        assert wh.cli("simulate", *args, "--no-oracle", "--no-progress") == 0
        select = ("+metric_values",)
        wh.dbt("seed")
        wh.dbt("run", "--select", *select)
        metrics_sql = (
            "select metric_name, entity_type, cast(entity_id as varchar), local_date, value "
            "from metrics.metric_values order by 1, 2, 3, 4"
        )
        before = wh.query(metrics_sql)
        hot0, archive0 = _state(wh)

        _archive(wh, 10)
        hot1, archive1 = _state(wh)
        assert hot1 + archive1 == hot0 + archive0 and len(archive1) > len(archive0)
        archived_days = wh.scalar(
            "select count(*) from pg_inherits i join pg_class p on p.oid = i.inhparent "
            "where p.relname = 'raw_telemetry_archive'"
        )
        assert archived_days >= 19, archived_days  # ~20 whole days (+ the default partition)

        wh.dbt("run", "--full-refresh", "--select", *select)
        assert wh.query(metrics_sql) == before
