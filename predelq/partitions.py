"""PostgreSQL: raw telemetry partitioned by local day.

`raw.raw_telemetry` and `raw.raw_telemetry_archive` are declarative range
partitions on `ts` (PostgreSQL only; DuckDB keeps plain tables and the models read
the same table names). One partition per local day of the project's time zone
(var `local_timezone`), named `<table>_dYYYYMMDD`, bounded by that day's local
midnights. A local day is the unit of everything downstream: the incremental
models recompute local days, and the archive cutoff is a local midnight, so
archiving moves whole partitions (DETACH from the hot table, ATTACH to the
archive) and deletes no rows. A default partition (`<table>_default`) holds rows
without a timestamp and anything written before its day's partition existed;
creating that day's partition moves such rows into it.

Partitions are created ahead of the rows, by whoever writes: the loader before it
copies a batch, the simulator before each chunk, the pipeline for today and
tomorrow. Each partition has the parent's indexes (BRIN on `ts`, btree on
`(device_id, ts)`), declared once on the parent.

A database created before partitioning keeps its plain table: every function here
does nothing on a table that is not partitioned.
"""

from __future__ import annotations

import datetime as dt
import zlib
from zoneinfo import ZoneInfo

from predelq.landing import PARTITIONED_BY_DAY, RAW_SCHEMA

SCHEMA = RAW_SCHEMA
TABLES = PARTITIONED_BY_DAY
_LOCK_KEY = zlib.crc32(b"predelq raw telemetry partitions")
FIRST_DAY = dt.date(2000, 1, 1)


def local_timezone() -> str:
    """The project's local time zone, as the loader reads it (env var, else dbt var)."""
    from predelq.loader.settings import LoaderSettings

    return LoaderSettings.from_env().local_timezone


def partition_name(table: str, day: dt.date) -> str:
    return f"{table}_d{day:%Y%m%d}"


def day_bounds(day: dt.date, tz: str) -> tuple[dt.datetime, dt.datetime]:
    """The UTC instants of the local midnights that start `day` and the day after."""
    zone = ZoneInfo(tz)
    lo = dt.datetime.combine(day, dt.time(), zone)
    hi = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), zone)
    return lo.astimezone(dt.UTC), hi.astimezone(dt.UTC)


def is_partitioned(cur, table: str) -> bool:
    cur.execute(
        "select c.relkind = 'p' from pg_class c join pg_namespace n on n.oid = c.relnamespace "
        "where n.nspname = %s and c.relname = %s",
        (SCHEMA, table),
    )
    row = cur.fetchone()
    return bool(row and row[0])


def existing_days(cur, table: str) -> set[dt.date]:
    cur.execute(
        "select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid "
        "join pg_class p on p.oid = i.inhparent join pg_namespace n on n.oid = p.relnamespace "
        "where n.nspname = %s and p.relname = %s",
        (SCHEMA, table),
    )
    prefix = f"{table}_d"
    out = set()
    for (name,) in cur.fetchall():
        if name.startswith(prefix) and name[len(prefix) :].isdigit():
            out.add(dt.datetime.strptime(name[len(prefix) :], "%Y%m%d").date())
    return out


def ensure_days(cur, table: str, low, high, tz: str | None = None) -> int:
    """Create the partitions of every local day from `low` to `high` (timestamps); returns how many.

    Runs inside the caller's transaction, under a transaction-level advisory lock so
    that concurrent writers create each partition once. Rows of a new day already in
    the default partition are moved into it.
    """
    if low is None or high is None or not is_partitioned(cur, table):
        return 0
    tz = tz or local_timezone()
    zone = ZoneInfo(tz)
    # days the loader accepts (2000 up to tomorrow); a row outside stays in the default partition
    first = max(_as_utc(low).astimezone(zone).date(), FIRST_DAY)
    last = min(_as_utc(high).astimezone(zone).date(), dt.datetime.now(zone).date() + dt.timedelta(days=1))
    if last < first:
        return 0
    wanted = {first + dt.timedelta(days=i) for i in range((last - first).days + 1)}
    missing = sorted(wanted - existing_days(cur, table))
    if not missing:
        return 0
    cur.execute("select pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
    missing = sorted(wanted - existing_days(cur, table))  # another writer may have made some
    for day in missing:
        _create(cur, table, day, tz)
    return len(missing)


def _create(cur, table: str, day: dt.date, tz: str) -> None:
    lo, hi = day_bounds(day, tz)
    name = partition_name(table, day)
    default = f"{SCHEMA}.{table}_default"
    # a day's rows already in the default partition would make CREATE ... PARTITION OF fail
    cur.execute(f"select count(*) from {default} where ts >= %s and ts < %s", (lo, hi))
    parked = cur.fetchone()[0]
    if parked:
        cur.execute(
            f"create temporary table _predelq_parked on commit drop as "
            f"with moved as (delete from {default} where ts >= %s and ts < %s returning *) "
            "select * from moved",
            (lo, hi),
        )
    cur.execute(
        f"create table {SCHEMA}.{name} partition of {SCHEMA}.{table} for values from (%s) to (%s)", (lo, hi)
    )
    if parked:
        cur.execute(f"insert into {SCHEMA}.{table} select * from _predelq_parked")
        cur.execute("drop table _predelq_parked")


def _as_utc(ts) -> dt.datetime:
    if isinstance(ts, str):
        ts = dt.datetime.fromisoformat(ts)
    if isinstance(ts, dt.date) and not isinstance(ts, dt.datetime):
        ts = dt.datetime.combine(ts, dt.time(), dt.UTC)
    return ts if ts.tzinfo else ts.replace(tzinfo=dt.UTC)
