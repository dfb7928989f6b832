"""Pipeline health marts: v_pipeline_health (dbt run log) and v_data_quality (`predelq check`).

Each engine works on a copy of the shared small portfolio (as test_ml_drift_events),
into whose ops tables a made-up failed dbt run and a check run are written.
"""

from __future__ import annotations

import pytest

RUN = "test-run-0001"
START = "2026-11-01 02:00:00+00:00"
# node, resource type, status
NODES = [
    ("model.predelq.m_ok", "model", "success"),
    ("model.predelq.m_broken", "model", "error"),
    ("model.predelq.m_after", "model", "skipped"),
    ("test.predelq.t_fails", "test", "fail"),
    ("test.predelq.t_warns", "test", "warn"),
    ("test.predelq.t_passes", "test", "pass"),
]
# suite, table, severity, success
CHECKS = [
    ("payments", "payments", "critical", True),
    ("payments", "payments", "warning", False),
    ("payments", "payments", "critical", True),
    ("accounts", "accounts", "critical", False),
    ("accounts", "accounts", "warning", True),
]


def ts(value: str) -> str:
    return f"cast('{value}' as timestamp with time zone)"


def write_failed_run(wh) -> None:
    values = ", ".join(
        f"('{RUN}', '{node}', '{node.split('.')[-1]}', '{kind}', '{status}', 1.5, {ts(START)}, "
        f"{ts('2026-11-01 02:01:30+00:00') if i == 0 else ts('2026-11-01 02:00:30+00:00')}, "
        f"'build', 'pg', {ts(START)}, {ts('2026-11-01 02:01:31+00:00')})"
        for i, (node, kind, status) in enumerate(NODES)
    )
    wh.execute(
        "insert into ops.pipeline_runs (run_id, node_id, node_name, resource_type, status, "
        "execution_seconds, started_at, completed_at, command, target_name, run_started_at, created_at) "
        f"values {values}"
    )


def write_check_run(wh) -> None:
    values = ", ".join(
        f"('check-1', {ts('2026-11-01 01:50:00+00:00')}, 'pg', '{suite}', '{table}', "
        f"'expect_something', '{severity}', {'true' if ok else 'false'}, '/srv/docs/index.html')"
        for suite, table, severity, ok in CHECKS
    )
    wh.execute(
        "insert into ops.data_quality_checks (check_run_id, checked_at, target_name, suite_name, "
        f"table_name, expectation_type, severity, success, data_docs_path) values {values}"
    )


def check_health_views(wh) -> None:
    # the build of the shared portfolio itself: one successful run, every logged node counted
    builds = wh.query("select run_id, nodes, is_success, failed_nodes from marts.v_pipeline_health")
    assert builds and all(r[2] and r[3] is None for r in builds), builds
    for run_id, nodes, _, _ in builds:
        assert nodes == wh.scalar(f"select count(*) from ops.pipeline_runs where run_id = '{run_id}'")

    write_failed_run(wh)
    row = wh.query(
        "select command, target_name, run_seconds, nodes, nodes_success, nodes_error, nodes_fail, "
        "nodes_warn, nodes_skipped, failed_nodes, warned_nodes, is_success "
        f"from marts.v_pipeline_health where run_id = '{RUN}'"
    )
    # 6 nodes: 2 success/pass, 1 error, 1 fail, 1 warn, 1 skipped; 90 s from start to the last node's end
    want = ("build", "pg", pytest.approx(90.0), 6, 2, 1, 1, 1, 1, "m_broken, t_fails", "t_warns", False)
    assert row == [want]

    assert wh.query("select count(*) from marts.v_data_quality") == [(0,)]  # no check has run
    write_check_run(wh)
    rows = wh.query(
        "select suite_name, table_name, expectations_run, expectations_failed, critical_failed, is_passing, "
        "data_docs_path from marts.v_data_quality where check_run_id = 'check-1' order by suite_name"
    )
    assert rows == [
        ("accounts", "accounts", 2, 1, 1, False, "/srv/docs/index.html"),
        ("payments", "payments", 3, 1, 0, True, "/srv/docs/index.html"),
    ]


def test_pipeline_health_and_data_quality_duckdb(built_duckdb, tmp_path):
    from test_marts import warehouse_copy

    check_health_views(warehouse_copy(built_duckdb, tmp_path / "wh"))


@pytest.mark.postgres
def test_pipeline_health_and_data_quality_postgres(built_pg, tmp_path):
    from test_ml_drift_events import pg_copy

    with pg_copy(built_pg, tmp_path / "wh") as wh:
        check_health_views(wh)


def test_db_create_makes_the_data_quality_table(duckdb_warehouse):
    """v_data_quality reads ops.data_quality_checks: it must exist before the first `predelq check`."""
    assert duckdb_warehouse.cli("db-create") == 0
    assert duckdb_warehouse.query("select count(*) from ops.data_quality_checks") == [(0,)]
