"""Seed checks: a malformed analyst seed fails `dbt build` naming the bad row.

Each test copies the project, breaks seeds/indicator_*.csv or
seeds/event_definitions.csv the way an analyst might, and builds the seeds and
the typed definition models on an empty warehouse. The seed checks must fail
with every bad row named in the message, and the typed models (the only way
into scoring) must be skipped: a malformed seed never reaches scoring SQL.
"""

from __future__ import annotations

import pytest
from indicator_helpers import copy_project, dbt_problems, edit_seed

SELECT = [
    "--select",
    "metric_definitions indicator_definitions indicator_parameters event_definitions "
    "int_indicator_parameters_typed int_event_definitions_typed",
    "--indirect-selection",
    "cautious",
]


def _break_indicator_seeds(project):
    def definitions(rows):
        template = next(r for r in rows if r["indicator_id"] == "idle_streak")
        for r in rows:
            if r["indicator_id"] == "payment_bounces":
                r["weight"] = "-1"  # a weight < 0
        rows.append({**template, "indicator_id": "ghost_metric", "metric_name": "no_such_metric"})
        rows.append({**template, "indicator_id": "magic_method", "scoring_method": "crystal_ball"})
        return rows

    def parameters(rows):
        for r in rows:
            if (r["indicator_id"], r["parameter_name"]) == ("idle_streak", "cut_3"):
                r["parameter_value"] = "1"  # below cut_2 = 2: out of order
            if (r["indicator_id"], r["parameter_name"]) == ("utilisation_drop", "z_cut_3"):
                r["parameter_value"] = "2.5 sd"  # text in a number
        for name, value in (("cut_2", "1"), ("cut_3", "2"), ("cut_4", "3"), ("cut_5", "4")):
            rows.append({"indicator_id": "ghost_metric", "parameter_name": name, "parameter_value": value})
        return rows

    edit_seed(project, "indicator_definitions", definitions)
    edit_seed(project, "indicator_parameters", parameters)


DEFINITION_PROBLEMS = [
    "indicator_definitions row ghost_metric: unknown metric 'no_such_metric'",
    "indicator_definitions row magic_method: scoring_method 'crystal_ball' is not one of",
    "indicator_definitions row payment_bounces: weight '-1' is negative",
]
PARAMETER_PROBLEMS = [
    "indicator_definitions row idle_streak: cut points out of order for higher_is_worse",
    "indicator_parameters row (utilisation_drop, z_cut_3) value '2.5 sd': not a number",
]


def _assert_rejected(result, expected: list[str], check: str) -> None:
    assert not result.success, "the build must fail on a malformed seed"
    problems = dbt_problems(result)
    messages = " ".join(m for node, _, m in problems if check in node)
    assert messages, f"seed check {check} did not fail: {problems}"
    for text in expected:
        assert text in messages, f"{text!r} not named in: {messages}"
    skipped = {node.split(".")[-1] for node, status, _ in problems if status == "skipped"}
    assert {"int_indicator_parameters_typed", "int_event_definitions_typed"} <= skipped, problems


def test_bad_indicator_rows_are_named_and_never_scored(duckdb_warehouse, tmp_path):
    project = copy_project(tmp_path / "project")
    _break_indicator_seeds(project)
    result = duckdb_warehouse.dbt("build", *SELECT, "--project-dir", str(project), expect_success=False)
    _assert_rejected(result, DEFINITION_PROBLEMS, "indicator_definitions_are_valid")
    _assert_rejected(result, PARAMETER_PROBLEMS, "indicator_parameters_are_valid")


def test_bad_event_rows_are_named(duckdb_warehouse, tmp_path):
    project = copy_project(tmp_path / "project")

    def events(rows):
        for r in rows:
            if r["event_definition_id"] == "device_silent":
                r["trigger_type"] = "sometimes"
            if r["event_definition_id"] == "payment_late":
                r["severity"] = "high"
            if r["event_definition_id"] == "idle_streak_long":
                r["indicator_id"] = "no_such_indicator"
        return rows

    edit_seed(project, "event_definitions", events)
    result = duckdb_warehouse.dbt("build", *SELECT, "--project-dir", str(project), expect_success=False)
    assert not result.success
    messages = " ".join(m for node, _, m in dbt_problems(result) if "event_definitions_are_valid" in node)
    for text in (
        "event_definitions row device_silent: trigger_type 'sometimes' is not one of threshold, delta, trend",
        "event_definitions row payment_late: severity 'high' is not a whole number",
        "event_definitions row idle_streak_long: unknown indicator_id 'no_such_indicator'",
    ):
        assert text in messages, f"{text!r} not named in: {messages}"
    skipped = {n.split(".")[-1] for n, status, _ in dbt_problems(result) if status == "skipped"}
    assert "int_event_definitions_typed" in skipped


def test_good_seeds_pass(duckdb_warehouse):
    result = duckdb_warehouse.dbt("build", *SELECT)
    assert result.success, dbt_problems(result)


@pytest.mark.postgres
def test_bad_rows_are_named_on_postgres(pg_warehouse, tmp_path):
    project = copy_project(tmp_path / "project")
    _break_indicator_seeds(project)
    result = pg_warehouse.dbt("build", *SELECT, "--project-dir", str(project), expect_success=False)
    _assert_rejected(result, DEFINITION_PROBLEMS, "indicator_definitions_are_valid")
    _assert_rejected(result, PARAMETER_PROBLEMS, "indicator_parameters_are_valid")
