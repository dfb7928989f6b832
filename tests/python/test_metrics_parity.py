"""The same simulated input gives the same metrics on DuckDB and on PostgreSQL.

Both warehouses get the same portfolio (the simulator writes identical raw rows
on both engines) with the base POIs of half the assets removed, so that home
base detection runs too. Every metric table must have the same keys and the
same values to 1e-6. The loan state must also agree with the simulator's
delinquency_events on PostgreSQL (test_metrics_loan_state checks DuckDB).
"""

from __future__ import annotations

import pytest
from metrics_helpers import (
    METRICS_SELECTION,
    differences,
    loan_state_vs_delinquency_events,
    snapshot_all,
)

PORTFOLIO = [
    "--assets", "10", "--days", "14", "--seed", "23", "--end-date", "2026-10-31",
    "--dirty-rate", "0.01", "--no-progress", "--no-oracle",
]  # fmt: skip


def build(wh) -> dict:
    assert wh.cli("simulate", *PORTFOLIO) == 0
    # half the assets lose their base POI: their base is detected from the nights
    wh.execute(
        "delete from raw.pois where poi_type = 'base' and owner_id in "
        "(select id from raw.assets order by id limit 5)"
    )
    wh.dbt("seed", "--select", "metric_definitions")
    wh.dbt("run", "--select", *METRICS_SELECTION)
    return snapshot_all(wh)


@pytest.mark.postgres
def test_duckdb_and_postgres_give_the_same_metrics(duckdb_warehouse, pg_warehouse):
    duck = build(duckdb_warehouse)
    pg = build(pg_warehouse)
    problems = []
    for table in duck:
        assert duck[table][1], f"{table} is empty on DuckDB"
        problems += differences(table, duck[table], pg[table], tol=1e-6)
    assert not problems, "DuckDB != PostgreSQL:\n" + "\n".join(problems[:40])
    # on a real portfolio every active metric has values (the dbt test only warns)
    for wh in (duckdb_warehouse, pg_warehouse):
        silent = wh.query(
            "select name from metrics.metric_definitions where is_active and name not in "
            "(select distinct metric_name from metrics.metric_values)"
        )
        assert not silent, f"{wh.engine}: active metrics without values: {silent}"
    detected = pg_warehouse.scalar(
        "select count(*) from intermediate.int_asset_home_bases where base_source = 'detected'"
    )
    assert detected > 0, "no home base was detected: the detection path was not exercised"

    compared, problems = loan_state_vs_delinquency_events(pg_warehouse)
    assert not problems, "\n".join(problems[:20])
