"""Change one cut point in the seed, rebuild: exactly the affected scores and events change.

On a copy of the project and a small simulated portfolio, the warehouse is
built, then the analyst moves idle_streak's cut_3 from 4 to 3 idle days and
runs the normal (incremental) build again. Expected:

- idle_streak: every row gets the new threshold version; the score changes
  exactly on the rows whose value is 3 (from 2 to 3), nowhere else;
- the composite account risk changes only on the account-days where one of
  the account's idle_streak scores changed;
- every other indicator's rows are untouched (same version, same scores);
- events of definitions that watch neither idle_streak nor the composite are
  untouched; events of the composite differ only on accounts with a changed
  composite score; idle_streak_long (score >= 4) keeps its episodes;
- the incremental result equals a full refresh with the new seed.
"""

from __future__ import annotations

from indicator_helpers import MY_MODELS, copy_project, diff_rows, edit_seed, table_rows

PORTFOLIO = [
    "--assets", "16", "--days", "60", "--seed", "5", "--end-date", "2026-10-31",
    "--dirty-rate", "0.002", "--no-progress", "--no-oracle",
]  # fmt: skip
CHANGED = "idle_streak"
COMPOSITE = "composite_account_risk"


def _scores(wh):
    rows = wh.query(
        "select indicator_id, cast(entity_id as varchar), period_date, score, underlying_value, "
        "threshold_version from indicators.indicator_values"
    )
    return {(r[0], r[1], r[2]): (r[3], float(r[4]) if r[4] is not None else None, r[5]) for r in rows}


def _events(wh):
    rows = wh.query(
        "select event_definition_id, cast(entity_id as varchar), cast(account_id as varchar), opened_on, "
        "closed_on, last_triggered_on, peak_score, event_version from events.events"
    )
    return {(r[0], r[1], r[3]): r for r in rows}


def test_one_cut_point_changes_exactly_what_it_affects(duckdb_warehouse, tmp_path):
    wh = duckdb_warehouse
    project = copy_project(tmp_path / "project")
    build = ["build", "--select", "+events", "--exclude", "resource_type:test", "--project-dir", str(project)]
    assert wh.cli("simulate", *PORTFOLIO) == 0
    wh.dbt(*build)
    before, events_before = _scores(wh), _events(wh)
    assert any(k[0] == CHANGED and v[1] == 3 for k, v in before.items()), "no idle streak of 3 days to move"

    def move_cut_3(rows):
        for r in rows:
            if r["indicator_id"] == CHANGED:
                assert r["cut_3"] == "4"
                r["cut_3"] = "3"
        return rows

    edit_seed(project, "indicator_static_rules", move_cut_3)
    wh.dbt(*build)  # the normal incremental build
    after, events_after = _scores(wh), _events(wh)
    assert before.keys() == after.keys()

    asset_account = dict(
        wh.query(
            "select cast(asset_id as varchar), cast(account_id as varchar) from staging.stg_fleet__assets"
        )
    )
    changed_account_days = set()
    for key, (score, value, version) in before.items():
        new_score, new_value, new_version = after[key]
        indicator, entity, day = key
        if indicator == CHANGED:
            assert new_version != version, "idle_streak rows must record the new threshold version"
            assert new_value == value
            if value == 3:
                assert (score, new_score) == (2, 3), key
                changed_account_days.add((asset_account[entity], day))
            else:
                assert new_score == score, f"{key}: value {value} should keep score {score}"
        elif indicator != COMPOSITE:
            assert (new_score, new_value, new_version) == (score, value, version), f"{key} changed"
    assert changed_account_days

    composite_changed = set()
    for key, (score, value, _version) in before.items():
        indicator, entity, day = key
        if indicator != COMPOSITE:
            continue
        new_score, new_value, _ = after[key]
        if (entity, day) in changed_account_days:
            # the account's worst asset may already have had a higher idle score
            assert new_value >= value, f"{key}: a higher idle score cannot lower the weighted mean"
        else:
            assert (new_score, new_value) == (score, value), f"{key} changed but no idle score of it did"
        if new_score != score:
            composite_changed.add(entity)

    watched = {CHANGED, COMPOSITE}
    definitions = dict(
        wh.query("select event_definition_id, indicator_id from events.int_event_definitions_typed")
    )
    for key in set(events_before) | set(events_after):
        definition, entity = key[0], key[1]
        old, new = events_before.get(key), events_after.get(key)
        if definitions[definition] not in watched:
            assert old == new, f"event {key} of an unaffected indicator changed"
        elif definition == "idle_streak_long":
            assert old is not None and new is not None and old[:7] == new[:7], key
        elif old is None or new is None or old[:7] != new[:7]:
            assert entity in composite_changed, f"composite event {key} changed on an unchanged account"

    # and the incremental result is what a full refresh with the new seed gives
    compared = ["indicators.indicator_values", "events.events"]
    incremental = {rel: table_rows(wh, rel) for rel in compared}
    wh.dbt("run", "--full-refresh", "--select", " ".join(MY_MODELS), "--project-dir", str(project))
    for rel in compared:
        rows = table_rows(wh, rel)[1]
        assert rows == incremental[rel][1], f"{rel}: {diff_rows(incremental[rel][1], rows)}"


def test_a_switched_off_definition_leaves_the_incremental_tables(duckdb_warehouse, tmp_path):
    """An analyst switches an indicator and its event off: the next incremental build
    drops their rows (pre-hook delete_inactive_rows, events rebuilt) and equals a full refresh."""
    wh = duckdb_warehouse
    project = copy_project(tmp_path / "project")
    build = ["build", "--select", "+events", "--exclude", "resource_type:test", "--project-dir", str(project)]
    assert wh.cli("simulate", *PORTFOLIO) == 0
    wh.dbt(*build)
    indicator, event = "low_soc_habit", "low_soc_habit_high"
    tables = {
        "indicators.int_indicator_baselines": "indicator_id",
        "indicators.int_indicator_scores_atomic": "indicator_id",
        "indicators.indicator_values": "indicator_id",
        "events.int_event_trigger_days": "event_definition_id",
        "events.events": "event_definition_id",
    }

    def count(rel, column):
        value = indicator if column == "indicator_id" else event
        return wh.scalar(f"select count(*) from {rel} where {column} = '{value}'")

    assert all(count(rel, column) > 0 for rel, column in tables.items() if rel != "events.events")

    def switch_off(key, value):
        def edit(rows):
            for r in rows:
                if r[key] == value:
                    r["is_active"] = "false"
            return rows

        return edit

    edit_seed(project, "indicator_definitions", switch_off("indicator_id", indicator))
    edit_seed(project, "event_definitions", switch_off("event_definition_id", event))
    wh.dbt(*build)  # incremental
    assert {rel: count(rel, column) for rel, column in tables.items()} == dict.fromkeys(tables, 0)

    compared = ["indicators.indicator_values", "events.int_event_trigger_days", "events.events"]
    incremental = {rel: table_rows(wh, rel) for rel in compared}
    wh.dbt("run", "--full-refresh", "--select", " ".join(MY_MODELS), "--project-dir", str(project))
    for rel in compared:
        rows = table_rows(wh, rel)[1]
        assert rows == incremental[rel][1], f"{rel}: {diff_rows(incremental[rel][1], rows)}"
