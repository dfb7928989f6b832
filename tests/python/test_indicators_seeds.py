"""Seed checks: a malformed analyst seed fails `dbt build` naming the bad row.

Each test copies the project, breaks the indicator seeds (indicator_definitions,
indicator_static_rules, indicator_std_dev_rules) or seeds/event_definitions.csv
the way an analyst might, and builds the seeds and the typed definition models
on an empty warehouse. Text where a number belongs fails `dbt seed` naming the
value (typed seeds); every other bad row fails a data test whose name says the
rule and whose stored failing rows (store_failures) name the row. The typed
models (the only way into scoring) must be skipped: a malformed seed never
reaches scoring SQL.
"""

from __future__ import annotations

import pytest
from indicator_helpers import copy_project, dbt_problems, edit_seed, seed_failures

SELECT = [
    "--select",
    "metric_definitions indicator_definitions indicator_static_rules indicator_std_dev_rules "
    "indicator_ml_bands event_definitions int_indicator_parameters_typed int_event_definitions_typed",
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

    def static_rules(rows):
        template = next(r for r in rows if r["indicator_id"] == "idle_streak")
        for r in rows:
            if r["indicator_id"] == "idle_streak":
                r["cut_3"] = "1"  # below cut_2 = 2: out of order
        rows.append(
            {
                **template,
                "indicator_id": "ghost_metric",
                "cut_2": "1",
                "cut_3": "2",
                "cut_4": "3",
                "cut_5": "4",
            }
        )
        return rows

    def std_dev_rules(rows):
        for r in rows:
            if r["indicator_id"] == "utilisation_drop":
                r["z_cut_3"] = "2.5 sd"  # text in a number
        return rows

    edit_seed(project, "indicator_definitions", definitions)
    edit_seed(project, "indicator_static_rules", static_rules)
    edit_seed(project, "indicator_std_dev_rules", std_dev_rules)


# (the failing test's name names the seed and rule, a stored failing row names the row or value)
INDICATOR_PROBLEMS = [
    ("indicator_definitions_metric_is_active_and_of_its_entity", "ghost_metric"),
    ("accepted_values_indicator_definitions_scoring_method", "crystal_ball"),
    ("accepted_range_indicator_definitions_weight", "payment_bounces"),
    ("cut_points_in_order_indicator_static_rules", "idle_streak"),
]
# (the seed that fails to load, and what its message names)
LOAD_PROBLEMS = [("indicator_std_dev_rules", "2.5 sd")]


def _assert_rejected(wh, result, expected, load_problems, typed_models) -> None:
    assert not result.success, "the build must fail on a malformed seed"
    problems = dbt_problems(result)
    failures = seed_failures(wh, result)
    for test, row in expected:
        named = [rows for name, rows in failures.items() if test in name]
        assert named, f"no failing test {test!r}: {sorted(failures)}"
        assert any(row in " ".join(map(str, r)) for rows in named for r in rows), f"{row!r} not in {named}"
    for seed, text in load_problems:
        messages = " ".join(m for node, status, m in problems if node == f"seed.predelq.{seed}")
        assert text in messages, f"seed {seed} did not fail naming {text!r}: {problems}"
    skipped = {node.split(".")[-1] for node, status, _ in problems if status == "skipped"}
    assert set(typed_models) <= skipped, problems


def test_bad_indicator_rows_are_named_and_never_scored(duckdb_warehouse, tmp_path):
    project = copy_project(tmp_path / "project")
    _break_indicator_seeds(project)
    result = duckdb_warehouse.dbt("build", *SELECT, "--project-dir", str(project), expect_success=False)
    _assert_rejected(
        duckdb_warehouse, result, INDICATOR_PROBLEMS, LOAD_PROBLEMS,
        ["int_indicator_parameters_typed", "int_event_definitions_typed"],
    )  # fmt: skip
    load_error = " ".join(
        m for node, _, m in dbt_problems(result) if node.endswith("indicator_std_dev_rules")
    )
    assert "z_cut_3" in load_error and "utilisation_drop" in load_error, load_error


def test_bad_event_rows_are_named(duckdb_warehouse, tmp_path):
    project = copy_project(tmp_path / "project")

    def events(rows):
        for r in rows:
            if r["event_definition_id"] == "device_silent":
                r["trigger_type"] = "sometimes"
            if r["event_definition_id"] == "idle_streak_long":
                r["indicator_id"] = "no_such_indicator"
        return rows

    edit_seed(project, "event_definitions", events)
    result = duckdb_warehouse.dbt("build", *SELECT, "--project-dir", str(project), expect_success=False)
    expected = [
        ("accepted_values_event_definitions_trigger_type", "sometimes"),
        ("relationships_event_definitions_indicator_id", "no_such_indicator"),
    ]
    _assert_rejected(duckdb_warehouse, result, expected, [], ["int_event_definitions_typed"])

    def severity(rows):
        for r in rows:
            if r["event_definition_id"] == "payment_late":
                r["severity"] = "high"
        return rows

    project = copy_project(tmp_path / "project2")
    edit_seed(project, "event_definitions", severity)
    result = duckdb_warehouse.dbt("build", *SELECT, "--project-dir", str(project), expect_success=False)
    _assert_rejected(
        duckdb_warehouse, result, [], [("event_definitions", "high")], ["int_event_definitions_typed"]
    )
    load_error = " ".join(m for node, _, m in dbt_problems(result) if node.endswith("event_definitions"))
    assert "severity" in load_error and "payment_late" in load_error, load_error


def test_good_seeds_pass(duckdb_warehouse):
    result = duckdb_warehouse.dbt("build", *SELECT)
    assert result.success, dbt_problems(result)


@pytest.mark.postgres
def test_bad_rows_are_named_on_postgres(pg_warehouse, tmp_path):
    project = copy_project(tmp_path / "project")
    _break_indicator_seeds(project)
    result = pg_warehouse.dbt("build", *SELECT, "--project-dir", str(project), expect_success=False)
    _assert_rejected(
        pg_warehouse, result, INDICATOR_PROBLEMS, LOAD_PROBLEMS,
        ["int_indicator_parameters_typed", "int_event_definitions_typed"],
    )  # fmt: skip
