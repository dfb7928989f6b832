"""Incremental = full refresh for the indicator and event models, human actions never lost.

A small simulated portfolio arrives in three steps, like days arrive in
production: the warehouse is built with the last 9 days held back, then 5 of
them arrive (with a slice of one day held back a little longer: late
telemetry inside the lookback), then the rest. Between the steps a collector
acknowledges an event. After the last incremental run, the indicator and
event tables are compared with a --full-refresh of the same models on the
same inputs: they must be identical (volatile run columns aside), and the
action must still be joined to the same event id.
"""

from __future__ import annotations

import datetime as dt

from indicator_helpers import MY_MODELS, diff_rows, hold_back_raw, release_raw, table_rows

END = dt.date(2026, 10, 31)
PORTFOLIO = [
    "--assets", "16", "--days", "60", "--seed", "11", "--end-date", END.isoformat(),
    "--dirty-rate", "0.002", "--no-progress", "--no-oracle",
]  # fmt: skip
COMPARED = [
    "indicators.int_indicator_baselines",
    "indicators.int_indicator_scores_atomic",
    "indicators.int_indicator_scores_composite",
    "indicators.indicator_values",
    "events.int_event_trigger_days",
    "events.events",
]
ACTION_ID = "00000000-0000-4000-8000-00000000ac71"


def _run(wh, *extra):
    wh.dbt("run", "--select", "+events", *extra)


def _hold_a_slice_longer(wh, day: dt.date) -> None:
    """Put about 1/16 of the readings of `day` back into the held rows (they arrive later)."""
    cond = (
        f"cast(timezone('Asia/Kolkata', ts) as date) = date '{day}' "
        "and substr(cast(id as varchar), 36, 1) = '0'"
    )
    wh.execute(f"insert into raw.held_raw_telemetry select * from raw.raw_telemetry where {cond}")
    wh.execute(f"delete from raw.raw_telemetry where {cond}")


def test_incremental_runs_equal_full_refresh_and_keep_actions(duckdb_warehouse):
    wh = duckdb_warehouse
    assert wh.cli("simulate", *PORTFOLIO) == 0
    moved = hold_back_raw(wh, END - dt.timedelta(days=8))
    assert moved["raw_telemetry"] > 0

    wh.dbt("seed")
    _run(wh)  # first build: days up to END - 9
    first_max = wh.scalar("select max(period_date) from indicators.indicator_values")
    assert first_max == END - dt.timedelta(days=9)

    release_raw(wh, END - dt.timedelta(days=3))
    _hold_a_slice_longer(wh, END - dt.timedelta(days=5))
    _run(wh)  # incremental: five new days, one of them incomplete

    # a collector acknowledges the most recent open event and notes something
    event_id, opened_on = wh.query(
        "select cast(event_id as varchar), opened_on from events.events "
        "order by opened_on desc, event_id limit 1"
    )[0]
    wh.execute(
        "insert into raw.event_actions (id, event_id, action_type, outcome, note, actor, acted_at) values "
        f"('{ACTION_ID}', '{event_id}', 'acknowledge', null, 'called, will pay friday', 'asha', "
        "timestamptz '2026-10-30 10:00:00+05:30')"
    )

    release_raw(wh)  # the rest, including the late slice (inside the lookback)
    _run(wh)
    assert wh.scalar("select max(period_date) from indicators.indicator_values") == END

    incremental = {rel: table_rows(wh, rel) for rel in COMPARED}
    acked = wh.query(
        "select opened_on, acknowledged_at, notes, action_count from events.events "
        f"where cast(event_id as varchar) = '{event_id}'"
    )
    assert acked and acked[0][0] == opened_on and acked[0][2] == "asha: called, will pay friday"

    wh.dbt("run", "--full-refresh", "--select", " ".join(MY_MODELS))
    for rel in COMPARED:
        columns, rows = table_rows(wh, rel)
        assert columns == incremental[rel][0], rel
        assert rows == incremental[rel][1], (
            f"{rel}: incremental != full refresh: {diff_rows(incremental[rel][1], rows)}"
        )
    assert (
        wh.query(
            "select opened_on, acknowledged_at, notes, action_count from events.events "
            f"where cast(event_id as varchar) = '{event_id}'"
        )
        == acked
    ), "a full refresh lost the human action"
    # and every day's scores are there: no gaps left by the steps
    days = wh.scalar(
        "select count(distinct period_date) from indicators.indicator_values "
        "where indicator_id = 'composite_account_risk'"
    )
    assert days >= 59
