"""DuckDB = PostgreSQL for the indicator and event models.

The same small simulated portfolio is built on both engines (seeds, then
`dbt run --select +events`: the models this layer needs, without the other
layers' tests, so that this test judges only the indicators and events). Every
indicator and event table must hold the same rows: same keys, ids and scores,
numbers equal to 1e-6 (both engines round stored figures to 6 decimals the same
way, see macro round_float; the tolerance covers the last digit of a double),
context JSON equal once parsed (key order and spacing differ between JSON and
JSONB).
"""

from __future__ import annotations

import pytest
from conftest import make_duckdb_warehouse, make_pg_warehouse
from indicator_helpers import rows_mismatch, table_rows

PORTFOLIO = [
    "--assets", "8", "--days", "80", "--seed", "3", "--end-date", "2026-10-31",
    "--dirty-rate", "0.002", "--no-progress", "--no-oracle",
]  # fmt: skip


# 80 days: the shipped std-dev indicators need 28 (gap) + 14 (minimum history) days before a score


def _build(wh):
    assert wh.cli("simulate", *PORTFOLIO) == 0
    wh.dbt("seed")
    wh.dbt("run", "--select", "+events")
    return wh


@pytest.fixture(scope="module")
def duck(tmp_path_factory):
    return _build(make_duckdb_warehouse(tmp_path_factory.mktemp("ind_duck")))


@pytest.fixture(scope="module")
def pg(tmp_path_factory, require_pg):
    with make_pg_warehouse(tmp_path_factory.mktemp("ind_pg")) as wh:
        yield _build(wh)


RELATIONS = [
    "indicators.int_indicator_parameters_typed",
    "indicators.int_indicator_baselines",
    "indicators.int_indicator_scores_atomic",
    "indicators.int_indicator_scores_composite",
    "indicators.indicator_values",
    "events.int_event_definitions_typed",
    "events.int_event_trigger_days",
    "events.events",
]


@pytest.mark.postgres
@pytest.mark.parametrize("relation", RELATIONS)
def test_duckdb_equals_postgres(duck, pg, relation):
    duck_columns, duck_rows = table_rows(duck, relation)
    pg_columns, pg_rows = table_rows(pg, relation)
    assert duck_columns == pg_columns
    mismatch = rows_mismatch(duck_rows, pg_rows)
    assert mismatch is None, f"{relation}: {mismatch}"


def test_indicator_layer_is_not_empty(duck):
    """The parity above means something only if the small portfolio scores and fires."""
    scored = dict(
        duck.query(
            "select indicator_id, count(*) from indicators.indicator_values where status = 'scored' "
            "group by indicator_id"
        )
    )
    for indicator in (
        "utilisation_drop",
        "idle_streak",
        "device_silence",
        "payment_dpd",
        "composite_account_risk",
    ):
        assert scored.get(indicator, 0) > 0, f"{indicator} never scored: {scored}"
    assert duck.scalar("select count(*) from events.events") > 0
