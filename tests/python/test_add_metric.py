"""The README's "Add a metric" recipe, followed in a copy of the project.

A new telemetry metric, km per active hour, is added in the three files the
recipe names (the wide model computing it, the metric registry seed, the
model's yml) and nowhere else; the metrics layer is built on a small portfolio
and metric_values carries the new metric beside every metric it had before.
"""

from __future__ import annotations

import filecmp
from pathlib import Path

from indicator_helpers import copy_project

from predelq.db import PROJECT_DIR

PORTFOLIO = [
    "--assets", "8", "--days", "20", "--seed", "3", "--end-date", "2026-10-31",
    "--no-progress", "--no-oracle",
]  # fmt: skip
METRIC = "km_per_active_hour"
RECIPE_FILES = {
    "models/metrics/asset_metrics_daily.sql",
    "seeds/metric_definitions.csv",
    "models/metrics/_metrics__models.yml",
}


def _insert_after(path: Path, anchor: str, text: str) -> None:
    source = path.read_text()
    assert source.count(anchor) == 1, f"{anchor!r} not found once in {path}"
    path.write_text(source.replace(anchor, anchor + text))


def _add_metric(project: Path) -> None:
    # 1. the SQL model computing it: one column of the wide per-asset-day table
    _insert_after(
        project / "models/metrics/asset_metrics_daily.sql",
        "        service_centre_visits,\n",
        f"        case when active_minutes > 0 then 60 * km_driven / active_minutes end as {METRIC},\n",
    )
    # 2. the registry row (what metric_values publishes)
    seed = project / "seeds/metric_definitions.csv"
    seed.write_text(
        seed.read_text().rstrip("\n")
        + f"\n{METRIC},Km per active hour,Km driven per hour moving,asset,float,daily,km/h,true,"
        + "risk-analytics,\n"
    )
    # 3. its column doc
    _insert_after(
        project / "models/metrics/_metrics__models.yml",
        "      - name: service_centre_visits\n"
        "        description: Visits to a service centre of the vehicle's OEM started that day.\n",
        f"      - name: {METRIC}\n"
        "        description: Km driven per hour moving (null on a day without movement).\n",
    )


def _changed_files(original: Path, copy: Path) -> set[str]:
    changed = set()
    for path in copy.rglob("*"):
        rel = path.relative_to(copy)
        in_project = rel.parts[0] in ("models", "macros", "seeds", "tests", "python_models")
        if in_project and path.is_file() and not filecmp.cmp(path, original / rel, shallow=False):
            changed.add(rel.as_posix())
    return changed


def test_a_new_metric_takes_three_files_and_reaches_metric_values(duckdb_warehouse, tmp_path):
    wh = duckdb_warehouse
    project = copy_project(tmp_path / "project")
    _add_metric(project)
    assert _changed_files(PROJECT_DIR, project) == RECIPE_FILES

    assert wh.cli("simulate", *PORTFOLIO) == 0
    # with the data tests of the layer, among them assert_active_metrics_are_computed
    wh.dbt(
        "build",
        "--select",
        "+metric_values",
        "--indirect-selection",
        "cautious",
        "--project-dir",
        str(project),
    )

    active = {r[0] for r in wh.query("select name from metrics.metric_definitions where is_active")}
    published = {r[0] for r in wh.query("select distinct metric_name from metrics.metric_values")}
    assert METRIC in active
    assert published == active, f"missing: {sorted(active - published)}, extra: {sorted(published - active)}"
    assert wh.scalar(
        f"select count(*) from metrics.metric_values where metric_name = '{METRIC}' and value > 0"
    ), "the new metric has no positive value"
