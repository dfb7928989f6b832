"""The dbt run log: on-run-end writes one ops.pipeline_runs row per node result (DuckDB and PostgreSQL)."""

from __future__ import annotations

import pytest
from ingest_helpers import seed


@pytest.mark.parametrize("engine", ["duckdb", pytest.param("pg", marks=pytest.mark.postgres)])
def test_every_node_result_is_logged(engine, request):
    wh = request.getfixturevalue("duckdb_warehouse" if engine == "duckdb" else "pg_warehouse")
    seed(wh)
    # one asset with a status the staging test refuses: the build has a failing node
    wh.execute("update raw.assets set status = 'stolen' where id = '10000000-0000-4000-8000-000000000004'")
    select = ["--select", "stg_fleet__assets", "--indirect-selection", "cautious"]
    result = wh.dbt("build", *select, expect_success=False)
    assert not result.success
    expected = {
        r.node.unique_id: str(r.status).lower()
        for r in result.result.results
        if r.node.resource_type != "operation"  # the hooks themselves are not nodes of the run
    }
    assert "fail" in expected.values() and "success" in expected.values()

    rows = wh.query(
        "select run_id, node_id, node_name, resource_type, status, failures, execution_seconds, "
        "started_at, completed_at, duration_ms, error_message, command, target_name, "
        "cast(run_metadata as varchar) from ops.pipeline_runs"
    )
    assert {r[1]: r[4] for r in rows} == expected
    assert len({r[0] for r in rows}) == 1  # one run id (dbt's invocation_id)
    by_node = {r[1]: r for r in rows}
    model = by_node["model.predelq.stg_fleet__assets"]
    assert model[3] == "model" and model[11] == "build" and model[12] == wh.target.name
    assert model[7] is not None and model[8] >= model[7] and model[6] >= 0 and model[9] >= 0
    failing = [r for r in rows if r[4] == "fail"]
    assert len(failing) == 1 and failing[0][3] == "test" and failing[0][5] == 1
    assert "accepted_values" in failing[0][1] and failing[0][10]
    assert '"target_type"' in model[13]

    # a second command appends its own rows
    wh.dbt("run", "--select", "stg_fleet__oems")
    runs = wh.query("select run_id, count(*) from ops.pipeline_runs group by run_id")
    assert len(runs) == 2
    assert sorted(n for _, n in runs) == sorted([1, len(expected)])
