"""Marts (issue 6): contracts, personal data, documentation, collection priority, demo table.

Read-only tests use the shared small portfolio (`built_duckdb`); the contract and
seed-check tests build against a copy of its DuckDB file with a copy of the
project in which one file is changed, so the shared warehouse is never touched.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from indicator_helpers import seed_failures

from predelq.db import PROJECT_DIR

EIGHT_VIEWS = {
    "v_portfolio_overview",
    "v_account_risk_dashboard",
    "v_asset_telemetry_dashboard",
    "v_open_events",
    "v_event_timeline",
    "v_indicator_trends",
    "v_poi_summary",
    "v_collection_priority",
}
# pipeline health (models/marts/ops): may be empty (no `predelq check` yet), so not in EIGHT_VIEWS
OPS_VIEWS = {"v_pipeline_health", "v_data_quality"}
CURRENT_STATE = {"asset_current_state", "account_current_state", "customer_current_state"}
PORTFOLIO = {
    "fct_portfolio_at_risk_daily",
    "fct_portfolio_roll_rates_monthly",
    "fct_portfolio_vintage_curves",
}


# --- helpers -------------------------------------------------------------------


def manifest(wh) -> dict:
    """The manifest of the warehouse's last dbt command (parsing once if missing)."""
    path = wh.workdir / "target" / "manifest.json"
    if not path.exists():
        wh.dbt("parse")
    return json.loads(path.read_text())


def mart_nodes(man: dict) -> dict[str, dict]:
    """Models in schema marts, by name."""
    return {
        n["name"]: n
        for n in man["nodes"].values()
        if n["resource_type"] == "model" and n["schema"] == "marts" and n["package_name"] == "predelq"
    }


def project_copy(dest: Path) -> Path:
    """A copy of the dbt project (no build output, venv or git), to change one file in."""
    ignore = shutil.ignore_patterns(
        ".venv", ".git", "target", "logs", "*.duckdb", "*.duckdb.wal", "artifacts", "__pycache__", ".*cache"
    )
    shutil.copytree(PROJECT_DIR, dest, ignore=ignore)
    return dest


def warehouse_copy(built, workdir: Path):
    """A DuckDB warehouse whose file is a copy of `built`'s."""
    from conftest import make_duckdb_warehouse

    wh = make_duckdb_warehouse(workdir)
    source = Path(built.env["PREDELQ_DUCKDB_PATH"])
    shutil.copyfile(source, wh.env["PREDELQ_DUCKDB_PATH"])
    wal = source.with_name(source.name + ".wal")  # changes not yet checkpointed
    if wal.exists():
        shutil.copyfile(wal, wh.env["PREDELQ_DUCKDB_PATH"] + ".wal")
    return wh


def result_messages(result) -> str:
    out = [str(result.exception or "")]
    for r in getattr(result.result, "results", []) or []:
        out.append(f"{r.node.name}: {r.status}: {r.message}")
    return "\n".join(out)


# --- the marts exist, under contract --------------------------------------------


def test_every_mart_is_built_under_an_enforced_contract(built_duckdb):
    man = manifest(built_duckdb)
    marts = mart_nodes(man)
    assert set(marts) >= EIGHT_VIEWS | OPS_VIEWS | CURRENT_STATE | PORTFOLIO, sorted(
        (EIGHT_VIEWS | OPS_VIEWS | CURRENT_STATE | PORTFOLIO) - set(marts)
    )
    problems = []
    for name, node in sorted(marts.items()):
        if not node["config"].get("contract", {}).get("enforced"):
            problems.append(f"{name}: contract not enforced")
        for col, spec in node["columns"].items():
            if not spec.get("data_type"):
                problems.append(f"{name}.{col}: no data_type")
    assert not problems, "\n".join(problems)
    for view in EIGHT_VIEWS | OPS_VIEWS:
        assert marts[view]["config"]["materialized"] == "view", view

    # every contract column exists in the built relation and nothing else does
    for name, node in marts.items():
        cols = built_duckdb.query(
            "select column_name from information_schema.columns "
            "where table_schema = 'marts' and table_name = ? order by ordinal_position",
            [name],
        )
        assert [c for (c,) in cols] == list(node["columns"]), name


def test_marts_have_rows_and_keys_hold(built_duckdb):
    q = built_duckdb.scalar
    accounts = q("select count(*) from staging.stg_loan_book__accounts")
    assets = q("select count(*) from staging.stg_fleet__assets")
    assert q("select count(*) from marts.account_current_state") == accounts
    assert q("select count(*) from marts.asset_current_state") == assets
    assert q("select count(*) from marts.customer_current_state") == q(
        "select count(*) from staging.stg_loan_book__customers"
    )
    for view in EIGHT_VIEWS:
        assert q(f"select count(*) from marts.{view}") > 0, f"{view} is empty on the small portfolio"


def test_collection_priority_keeps_every_open_account_and_explains_it(built_duckdb):
    q = built_duckdb.query
    expected = {
        a
        for (a,) in q(
            "select account_id from marts.account_current_state "
            "where outstanding_principal_amount > 0 and account_status not in ('closed', 'written_off')"
        )
    }
    rows = q(
        "select account_id, priority_rank, expected_loss_amount, probability_30d, probability_source, "
        "outstanding_principal_amount, recoverability_factor, recommended_action, days_past_due "
        "from marts.v_collection_priority order by priority_rank"
    )
    assert {r[0] for r in rows} == expected, "an account with principal outstanding is missing or extra"
    assert [r[1] for r in rows] == list(range(1, len(rows) + 1))
    losses = [float(r[2]) for r in rows]
    assert losses == sorted(losses, reverse=True), "not ranked by expected loss"
    for account, _, loss, prob, source, outstanding, factor, action, dpd in rows:
        assert abs(float(loss) - prob * float(outstanding) * factor) < 0.01, account
        assert 0 < factor <= 1 and action
        if dpd >= 30:
            assert (source, prob) == ("already_30_plus_dpd", 1.0)
    # without an active model (the small portfolio trains none) every other account
    # gets the documented fallback instead of being dropped
    sources = {r[4] for r in rows}
    assert sources <= {"already_30_plus_dpd", "ml_model", "rules_fallback", "unscored_fallback"}


def test_recoverability_factor_follows_the_seed(built_duckdb):
    ((alive, located, base),) = built_duckdb.query(
        "select device_alive_multiplier, located_multiplier, at_base_multiplier "
        "from seeds.collection_priority_parameters"
    )
    rows = built_duckdb.query(
        "select is_device_alive, is_located, is_located_at_base, recoverability_factor, last_signal_at "
        "from marts.asset_current_state"
    )
    assert rows
    for is_alive, is_located, at_base, factor, last_signal in rows:
        want = 1.0
        if last_signal is not None:
            want = (alive if is_alive else 1) * (located if is_located else 1) * (base if at_base else 1)
        assert factor == pytest.approx(want), (is_alive, is_located, at_base)


def test_demo_prints_the_collection_list_as_a_table(built_duckdb, capsys):
    from predelq.commands.demo import print_collection_priority

    with built_duckdb.activated() as target:
        print_collection_priority(target)
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Collection priority") and "expected loss" in out[1]
    blank = out.index("")
    body = out[3:blank]
    assert 1 <= len(body) <= 10
    assert [line.split()[0] for line in body] == [str(i) for i in range(1, len(body) + 1)]
    top_account = built_duckdb.scalar(
        "select account_id from marts.v_collection_priority where priority_rank = 1"
    )
    assert str(top_account)[:8] in body[0]
    # then the early warnings: accounts not yet 30+ DPD, in rank order
    assert out[blank + 1].startswith("Early warnings")
    early = built_duckdb.query(
        "select priority_rank, account_id from marts.v_collection_priority "
        "where days_past_due < 30 order by priority_rank limit 5"
    )
    early_body = out[blank + 4 :]
    assert len(early_body) == len(early)
    for line, (rank, account) in zip(early_body, early, strict=True):
        assert line.split()[0] == str(rank) and str(account)[:8] in line


# --- contracts fail the build ----------------------------------------------------


def test_changing_a_mart_column_type_without_its_contract_fails_the_build(built_duckdb, tmp_path):
    project = project_copy(tmp_path / "project")
    model = project / "models/marts/collections/v_collection_priority.sql"
    sql = model.read_text()
    changed = sql.replace("as integer) as priority_rank", "as bigint) as priority_rank")
    assert changed != sql
    model.write_text(changed)
    wh = warehouse_copy(built_duckdb, tmp_path / "wh")

    result = wh.dbt("run", "-s", "v_collection_priority", "--project-dir", str(project), expect_success=False)
    assert not result.success
    message = result_messages(result)
    assert "contract" in message.lower() and "priority_rank" in message, message

    # updating the contract as well makes it build again
    yml = project / "models/marts/collections/_collections__models.yml"
    text = yml.read_text()
    yml.write_text(
        re.sub(r"(- name: priority_rank\n\s+data_type: )integer", r"\1bigint", text, count=1),
    )
    wh.dbt("run", "-s", "v_collection_priority", "--project-dir", str(project))


def test_a_bad_collection_parameter_is_named_by_the_seed_tests(built_duckdb, tmp_path):
    project = project_copy(tmp_path / "project")
    seed = project / "seeds/collection_priority_parameters.csv"
    header, values = seed.read_text().splitlines()[:2]
    row = dict(zip(header.split(","), values.split(","), strict=False))
    wh = warehouse_copy(built_duckdb, tmp_path / "wh")

    def build_with(**changed):
        seed.write_text(header + "\n" + ",".join(changed.get(k, v) for k, v in row.items()) + "\n")
        return wh.dbt(
            "build",
            "-s",
            "collection_priority_parameters",
            "--project-dir",
            str(project),
            expect_success=False,
        )

    # text where a number belongs: the seed does not load, the message names the column and value
    result = build_with(located_multiplier="seventy percent")
    assert not result.success
    assert "located_multiplier" in result_messages(result) and "seventy percent" in result_messages(result)
    # a value out of range: the range test on the column fails, its stored failing row shows the value
    result = build_with(at_base_multiplier="1.8")
    assert not result.success
    assert "Got 1 result" in result_messages(result)
    failures = seed_failures(wh, result)
    assert list(failures) == ["accepted_range_collection_priority_parameters_at_base_multiplier__1"], failures
    assert [r[4] for r in next(iter(failures.values()))] == [1.8]


# --- personal data stays out of the marts -----------------------------------------


PII_COLUMNS = {"full_name", "phone", "email"}


def test_no_mart_column_is_personal_data(built_duckdb):
    man = manifest(built_duckdb)
    flagged = {
        col
        for n in man["nodes"].values()
        if n["resource_type"] == "model"
        for col, spec in n["columns"].items()
        if (spec.get("meta") or {}).get("contains_pii")
    }
    assert flagged >= PII_COLUMNS, "staging no longer marks the customer columns as PII"
    for name, node in mart_nodes(man).items():
        for col, spec in node["columns"].items():
            assert not (spec.get("meta") or {}).get("contains_pii"), f"{name}.{col} is marked PII"
            assert col not in flagged, f"{name}.{col} has the name of a personal-data column"


def test_no_personal_value_appears_in_any_mart(built_duckdb):
    """Every text value of every mart is checked against the borrowers' names, phones and e-mails."""
    people = built_duckdb.query("select full_name, phone, email from staging.stg_loan_book__customers")
    secrets = {v.lower() for row in people for v in row if v}
    names = {row[0].lower() for row in people if row[0]}
    assert secrets
    text_columns = built_duckdb.query(
        "select table_name, column_name from information_schema.columns "
        "where table_schema = 'marts' and data_type = 'VARCHAR'"
    )
    leaks = []
    for table, column in text_columns:
        for (value,) in built_duckdb.query(f'select distinct "{column}" from marts."{table}"'):
            if value is None:
                continue
            low = value.lower()
            if low in secrets or any(name in low for name in names):
                leaks.append(f"{table}.{column}: {value!r}")
    assert not leaks, "personal data in marts:\n" + "\n".join(leaks[:20])


# --- documentation ------------------------------------------------------------------


def test_every_model_column_seed_and_source_is_described(built_duckdb):
    """Fails naming each undocumented node or column (models, seeds, snapshots, sources).

    Columns are those in the manifest, plus those the built relation has (catalog)
    for models and seeds, so a column added in SQL but not in yml is caught too.
    Snapshots' copied columns are documented in their relation, so only their
    description is required.
    """
    wh = built_duckdb
    man = manifest(wh)
    catalog_path = wh.workdir / "target" / "catalog.json"
    if not catalog_path.exists():
        wh.dbt("docs", "generate")
        man = manifest(wh)
    catalog = json.loads(catalog_path.read_text())
    gaps = []
    nodes = {**man["nodes"], **man["sources"]}
    for uid, node in sorted(nodes.items()):
        if node["resource_type"] not in ("model", "seed", "snapshot", "source"):
            continue
        if node["package_name"] != "predelq" or not node["config"].get("enabled", True):
            continue
        if not (node.get("description") or "").strip():
            gaps.append(f"{uid}: no description")
        for col, spec in node["columns"].items():
            if not (spec.get("description") or "").strip():
                gaps.append(f"{uid}.{col}: no description")
        if node["resource_type"] in ("model", "seed"):
            documented = {c.lower() for c in node["columns"]}
            for col in (catalog["nodes"].get(uid) or {}).get("columns", {}):
                if col.lower() not in documented:
                    gaps.append(f"{uid}.{col}: column not documented in yml")
    assert not gaps, f"{len(gaps)} undocumented:\n" + "\n".join(gaps)


def test_metabase_semantic_types_on_money_and_coordinates(built_duckdb):
    marts = mart_nodes(manifest(built_duckdb))
    wrong = []
    for name, node in marts.items():
        for col, spec in node["columns"].items():
            semantic = (spec.get("meta") or {}).get("metabase.semantic_type")
            if col.endswith("_amount") and semantic != "type/Currency":
                wrong.append(f"{name}.{col}: {semantic}, want type/Currency")
            if (col.endswith("_lat") or col == "lat") and semantic != "type/Latitude":
                wrong.append(f"{name}.{col}: {semantic}, want type/Latitude")
            if (col.endswith("_lon") or col == "lon") and semantic != "type/Longitude":
                wrong.append(f"{name}.{col}: {semantic}, want type/Longitude")
    assert not wrong, "\n".join(wrong)


def test_exposures_point_at_metabase_and_the_scorer(built_duckdb):
    man = manifest(built_duckdb)
    exposures = {e["name"]: e for e in man["exposures"].values()}
    dashboards = [e for e in exposures.values() if e["type"] == "dashboard"]
    assert len(dashboards) >= 5
    covered = {dep.split(".")[-1] for e in dashboards for dep in e["depends_on"]["nodes"]}
    assert covered >= EIGHT_VIEWS | OPS_VIEWS, sorted((EIGHT_VIEWS | OPS_VIEWS) - covered)
    for e in dashboards:
        assert e["owner"]["name"] and e["maturity"] and e["url"].startswith("http"), e["name"]
    scorer = exposures["delinquency_scorer"]
    assert scorer["type"] == "ml"
    assert "model.predelq.ml_features_daily" in scorer["depends_on"]["nodes"]


# --- snapshots -------------------------------------------------------------------------


def turned_red_query() -> str:
    """The "when did this account turn red" query exactly as the docs show it."""
    docs = (PROJECT_DIR / "models/marts/current_state/_current_state__docs.md").read_text()
    block = docs[docs.index("{% docs account_risk_history %}") :]
    return block[block.index("```sql") + len("```sql") : block.index("```", block.index("```sql") + 6)]


def test_snapshots_record_status_and_daily_risk(built_duckdb):
    q = built_duckdb.query
    assert q("select count(*) from snapshots.account_status_snapshot where dbt_valid_to is null") == q(
        "select count(*) from staging.stg_loan_book__accounts"
    )
    assert q("select count(*) from snapshots.asset_status_snapshot where dbt_valid_to is null") == q(
        "select count(*) from staging.stg_fleet__assets"
    )
    # one version per account and scored day
    rows = q(
        "select account_id, risk_scored_on, risk_band, dbt_valid_from "
        "from snapshots.account_risk_state_snapshot"
    )
    assert rows and len({r[0] for r in rows}) == len(rows)
    red_now = {a for (a,) in q("select account_id from marts.account_current_state where risk_band = 'red'")}
    turned_red = dict(q(turned_red_query()))
    assert set(turned_red) == red_now  # one build: the day it turned red is its only scored day
    for account, scored_on, band, _ in rows:
        if band == "red":
            assert turned_red[account] == scored_on
