"""Master data and helpers shared by the loader, quality, archive and pipeline tests.

`seed(wh)` creates the raw tables on a throwaway warehouse and inserts a handful
of master rows: four assets on two accounts, and asset identifiers that cover
the cases the loader must handle (a device swapped between assets on a local
day boundary, a VIN, a registration, a device assigned to two assets at once).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

CUSTOMER = "c0000000-0000-4000-8000-000000000001"
ACCOUNT_1 = "a0000000-0000-4000-8000-000000000001"
ACCOUNT_2 = "a0000000-0000-4000-8000-000000000002"
ASSET_1 = "10000000-0000-4000-8000-000000000001"
ASSET_2 = "10000000-0000-4000-8000-000000000002"
ASSET_3 = "10000000-0000-4000-8000-000000000003"
ASSET_4 = "10000000-0000-4000-8000-000000000004"
ASSET_ACCOUNTS = [(ASSET_1, ACCOUNT_1), (ASSET_2, ACCOUNT_1), (ASSET_3, ACCOUNT_2), (ASSET_4, ACCOUNT_2)]
START = dt.date(2024, 1, 1)

# (id suffix, entity, identifier_type, value, valid_from, valid_to)
IDENTIFIERS = [
    (1, ASSET_1, "device_id", "D1", "2024-01-01", None),
    (2, ASSET_2, "device_id", "D2", "2024-01-01", "2024-06-01"),  # D2 moves to asset 4 on 1 June (local)
    (3, ASSET_4, "device_id", "D2", "2024-06-01", None),
    (4, ASSET_3, "vin", "VIN0000000000003", "2024-01-01", None),
    (5, ASSET_4, "registration", "KA01AB1234", "2024-01-01", None),
    (6, ASSET_1, "device_id", "D5", "2024-01-01", None),
    (7, ASSET_2, "device_id", "D5", "2024-03-01", None),  # overlapping window: ambiguous from March
]


def seed(wh) -> None:
    """Raw tables plus the master rows above."""
    from predelq.landing import all_ddl

    with wh.activated() as target:
        target.ensure_database()
        con = target.connect()
        try:
            cur = con.cursor()
            for stmt in all_ddl(target.engine, include_truth=False):
                cur.execute(stmt)
            ph = "?" if target.engine == "duckdb" else "%s"

            def insert(table, rows):
                marks = ", ".join([ph] * len(rows[0]))
                cur.executemany(f"insert into raw.{table} values ({marks})", rows)

            now = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
            insert("customers", [(CUSTOMER, "active", "Test Person", None, None, "Pune", now, now)])
            insert(
                "accounts",
                [
                    (
                        a,
                        CUSTOMER,
                        "active",
                        100000,
                        24,
                        0.12,
                        dt.date(2024, 1, 1),
                        dt.date(2026, 1, 1),
                        now,
                        now,
                    )
                    for a in (ACCOUNT_1, ACCOUNT_2)
                ],
            )
            insert(
                "assets",
                [
                    (a, acc, None, "active", 2023, now, now)
                    for a, acc in (
                        (ASSET_1, ACCOUNT_1),
                        (ASSET_2, ACCOUNT_1),
                        (ASSET_3, ACCOUNT_2),
                        (ASSET_4, ACCOUNT_2),
                    )
                ],
            )
            insert(
                "entity_identifiers",
                [
                    (f"e0000000-0000-4000-8000-{i:012d}", "asset", ent, typ, val, "oem", True, vf, vt, now)
                    for i, ent, typ, val, vf, vt in IDENTIFIERS
                ],
            )
            con.commit()
        finally:
            con.close()


def load(wh, *paths: Path, kind: str | None = None, retry_refused: bool = False):
    """Run the loader in-process on this warehouse; returns the LoadResults."""
    from predelq.loader.files import load_files

    with wh.activated() as target:
        return load_files(target, list(paths), kind=kind, retry_refused=retry_refused, progress=False)


def counts(wh) -> dict[str, int]:
    """Row counts of every table the loader writes."""
    tables = ["raw_telemetry", "load_quarantine", "load_batches", "payments", "repayment_schedule"]
    return {t: wh.scalar(f"select count(*) from raw.{t}") for t in tables}


def quarantine(wh, batch_id) -> dict[int, tuple[str, str]]:
    """{row number: (reason, detail)} of one batch's quarantined rows."""
    rows = wh.query(
        "select row_number, reason, detail from raw.load_quarantine "
        f"where load_batch_id = '{batch_id}' order by row_number"
    )
    return {r[0]: (r[1], r[2]) for r in rows}


def write(path: Path, text: str) -> Path:
    path.write_text(text.lstrip("\n"))
    return path
