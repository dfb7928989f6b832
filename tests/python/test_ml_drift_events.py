"""ML drift as events (model_drift_events, v_event_timeline, v_open_events).

A drift_results row with PSI 0.4 (above the 0.25 warning level) opens exactly one
model event; rows with PSI 0.1 open none; a later scoring without drift closes it.
Each engine works on a copy of the shared small portfolio (DuckDB: a copy of the
file; PostgreSQL: a database made from the built one as template), so the shared
warehouses are never changed.
"""

from __future__ import annotations

import contextlib
import json
import uuid

import pytest

MODEL_ID = "6f1c2a52-4a55-4d0e-9a4e-1b2f1c0e7d01"
MODEL = ("delinquency_30d_hgb", "v1")
DAY1, DAY2, DAY3 = "2026-11-01", "2026-11-02", "2026-11-03"
REBUILD = ["build", "-s", "ml_drift_checks+", "ml_drift_warnings+"]


def register_model(wh) -> None:
    """One registry row per horizon the model serves (same name and version), as the trainer writes them."""
    for horizon in (30, 90, 180):
        model_id = MODEL_ID if horizon == 30 else str(uuid.uuid4())
        wh.execute(
            "insert into ml.model_registry "
            "(id, name, version, horizon_days, storage_path, is_active, created_at) "
            f"values (cast('{model_id}' as uuid), '{MODEL[0]}', '{MODEL[1]}', {horizon}, "
            "'ml_artifacts/test.joblib', true, cast('2026-10-31 00:00:00+00:00' as timestamp with time zone))"
        )


def write_drift(wh, day: str, psi_by_variable: dict[str, float]) -> None:
    """One scoring of `day` by the model: a drift_results row per variable, as the scorer writes it."""
    run_id = uuid.uuid4()
    values = []
    for variable, psi in psi_by_variable.items():
        kind = "score" if variable == "__score__" else "feature"
        values.append(
            f"(cast('{run_id}' as uuid), cast('{day} 01:00:00+00:00' as timestamp with time zone), "
            f"cast('{day}' as date), 30, '{MODEL[0]}', '{MODEL[1]}', '{variable}', '{kind}', {psi}, "
            f"{'true' if psi > 0.25 else 'false'}, cast('2026-09-01' as date), cast('2026-10-15' as date), "
            "900, 24)"
        )
    wh.execute(
        "insert into ml.drift_results (run_id, computed_at, as_of_date, horizon_days, model_name, "
        "model_version, variable_name, variable_kind, psi, is_drifted, reference_start, reference_end, "
        "reference_rows, current_rows) values " + ", ".join(values)
    )


def model_events(wh) -> list[tuple]:
    return wh.query(
        "select entity_id, status, opened_on, closed_on, drifted_variables, severity, is_actionable, "
        "recommended_action, context from events.model_drift_events"
    )


def check_drift_becomes_one_event(wh) -> None:
    register_model(wh)
    # PSI 0.1 everywhere: checked, not drifted -> no event
    write_drift(wh, DAY1, {"pay_dpd_max_30d": 0.1, "tel_km_avg_30d": 0.1, "__score__": 0.05})
    wh.dbt(*REBUILD)
    assert model_events(wh) == []
    assert wh.scalar("select count(*) from marts.v_event_timeline where entity_type = 'model'") == 0

    # PSI 0.4 on one feature -> exactly one open warning event naming the model and the feature
    write_drift(wh, DAY2, {"pay_dpd_max_30d": 0.1, "tel_km_avg_30d": 0.4, "__score__": 0.05})
    wh.dbt(*REBUILD)
    rows = model_events(wh)
    assert len(rows) == 1, rows
    entity, status, opened, closed, variables, severity, actionable, action, context = rows[0]
    assert (entity, status, str(opened), closed) == ("delinquency_30d_hgb v1", "open", DAY2, None)
    assert variables == "tel_km_avg_30d 0.40"
    assert (severity, actionable) == (3, False)
    assert action.startswith("Retrain the 30-day model (delinquency_30d_hgb v1)")
    assert "tel_km_avg_30d 0.40" in action
    ctx = context if isinstance(context, dict) else json.loads(context)
    assert ctx["drifted_variables"] == [{"variable": "tel_km_avg_30d", "kind": "feature", "psi": 0.4}]
    assert ctx["model_version"] == "v1" and ctx["horizon_days"] == 30

    open_rows = wh.query(
        "select event_name, ml_model, account_id, asset_id, customer_id, days_open, opened_on "
        "from marts.v_open_events where entity_type = 'model'"
    )
    assert len(open_rows) == 1, open_rows
    name, ml_model, account, asset, customer, days_open, opened = open_rows[0]
    assert (name, ml_model, account, asset, customer, days_open) == (
        "ML model drift", "delinquency_30d_hgb v1", None, None, None, 1,
    )  # fmt: skip
    # the account and vehicle events are still all there
    assert wh.scalar("select count(*) from marts.v_event_timeline where entity_type <> 'model'") == wh.scalar(
        "select count(*) from events.events"
    )

    # the next scoring does not drift: the event closes and leaves the open list
    write_drift(wh, DAY3, {"pay_dpd_max_30d": 0.1, "tel_km_avg_30d": 0.2, "__score__": 0.05})
    wh.dbt(*REBUILD)
    rows = model_events(wh)
    assert [(r[1], str(r[2]), str(r[3])) for r in rows] == [("closed", DAY2, DAY3)]
    assert wh.scalar("select count(*) from marts.v_open_events where entity_type = 'model'") == 0
    assert wh.scalar("select count(*) from marts.v_event_timeline where entity_type = 'model'") == 1


def test_drift_above_025_is_one_model_event_duckdb(built_duckdb, tmp_path):
    from test_marts import warehouse_copy

    check_drift_becomes_one_event(warehouse_copy(built_duckdb, tmp_path / "wh"))


@contextlib.contextmanager
def pg_copy(built, workdir):
    """A PostgreSQL database created from `built`'s as template, dropped on exit."""
    import psycopg2
    from conftest import Warehouse

    from predelq.db import Target

    source = built.env["PREDELQ_PG_DATABASE"]
    name = f"predelq_test_{uuid.uuid4().hex[:10]}"
    params = {k: v for k, v in Target("pg").pg_params.items() if v != ""}
    params["dbname"] = "postgres"
    con = psycopg2.connect(**params)
    con.autocommit = True
    try:
        with con.cursor() as cur:
            # a template must have no other session: close idle ones left by this process
            cur.execute(
                "select pg_terminate_backend(pid) from pg_stat_activity "
                "where datname = %s and pid <> pg_backend_pid()",
                (source,),
            )
            cur.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
        workdir.mkdir(parents=True, exist_ok=True)
        yield Warehouse("pg", {**built.env, "PREDELQ_PG_DATABASE": name}, workdir)
    finally:
        with con.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        con.close()


@pytest.mark.postgres
def test_drift_above_025_is_one_model_event_postgres(built_pg, tmp_path):
    with pg_copy(built_pg, tmp_path / "wh") as wh:
        check_drift_becomes_one_event(wh)
