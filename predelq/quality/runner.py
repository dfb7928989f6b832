"""Run the suites with great-expectations, record the results, build the Data Docs."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import math
import os
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote_plus

from predelq.quality.suites import CRITICAL, Suite

RESULTS_TABLE = "ops.data_quality_checks"


@dataclass
class Outcome:
    suite: str
    table: str
    batch: str
    expectation: str
    column: str | None
    kwargs: dict
    severity: str
    why: str
    success: bool
    element_count: int | None = None
    unexpected_count: int | None = None
    unexpected_percent: float | None = None
    observed_value: str | None = None
    examples: list = field(default_factory=list)
    error: str | None = None

    def describe(self) -> str:
        args = self.column or ", ".join(self.kwargs.get("column_list", [])) or "table"
        bounds = {
            k: v for k, v in self.kwargs.items() if k in ("min_value", "max_value", "value_set", "mostly")
        }
        if self.error:
            got = f"error: {self.error}"
        elif self.unexpected_count is not None and self.element_count:
            share = f"({self.unexpected_percent:.2f}%)"
            got = f"{self.unexpected_count:,} of {self.element_count:,} rows {share} unexpected"
            if self.examples:
                got += ", e.g. " + ", ".join(repr(e) for e in self.examples[:3])
        else:
            got = f"observed {self.observed_value}"
        return f"{self.suite}: {self.expectation}({args}) {bounds or ''} -> {got} [{self.why}]"


@dataclass
class Report:
    run_id: str
    outcomes: list[Outcome]
    seconds: float
    docs_index: Path | None

    @property
    def critical_failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.success and o.severity == CRITICAL]

    @property
    def warnings(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.success and o.severity != CRITICAL]


def _gx():
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import logging

    import great_expectations as gx

    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    return gx


def pg_url(params: dict) -> str:
    user = quote_plus(params["user"])
    password = f":{quote_plus(params['password'])}" if params.get("password") else ""
    url = f"postgresql+psycopg2://{user}{password}@{params['host']}:{params['port']}/{quote_plus(params['dbname'])}"
    query = ["options=" + quote_plus("-csearch_path=raw")]  # table assets name raw tables unqualified
    if params.get("sslmode"):
        query.append(f"sslmode={params['sslmode']}")
    return url + "?" + "&".join(query)


def run_suites(target, con, suites: list[Suite], batches, docs_dir: Path | None) -> Report:
    gx = _gx()
    started = time.perf_counter()
    run_id = str(uuid.uuid4())
    ctx = gx.get_context(mode="ephemeral")
    with contextlib.suppress(Exception):  # only cosmetic
        ctx.variables.progress_bars = {"globally": False, "metric_calculations": False}
    actions = []
    if docs_dir is not None:
        docs_dir.mkdir(parents=True, exist_ok=True)
        ctx.add_data_docs_site(
            site_name="predelq",
            site_config={
                "class_name": "SiteBuilder",
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(docs_dir),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
        actions = [gx.checkpoint.UpdateDataDocsAction(name="data_docs", site_names=["predelq"])]
    frames = ctx.data_sources.add_pandas("frames")
    sql = None
    if target.engine == "postgres":
        sql = ctx.data_sources.add_postgres("warehouse", connection_string=pg_url(target.pg_params))
    outcomes: list[Outcome] = []
    for suite in suites:
        if suite.source == "table" and sql is not None:
            asset = sql.add_table_asset(suite.name, table_name=suite.table)
            definition = asset.add_batch_definition_whole_table("all rows")
            params, description = None, f"raw.{suite.table}: all rows, computed in PostgreSQL"
        else:
            batch = (
                batches.table(suite.table) if suite.source == "table" else getattr(batches, suite.source)()
            )
            asset = frames.add_dataframe_asset(suite.name)
            definition = asset.add_batch_definition_whole_dataframe("frame")
            params, description = {"dataframe": batch.frame}, batch.description
        gx_suite = ctx.suites.add(gx.ExpectationSuite(name=suite.name, meta={"batch": description}))
        for check in suite.checks:
            cls = getattr(gx.expectations, check.expectation)
            gx_suite.add_expectation(cls(**check.kwargs, meta={"severity": check.severity, "why": check.why}))
        validation = ctx.validation_definitions.add(
            gx.ValidationDefinition(name=suite.name, data=definition, suite=gx_suite)
        )
        checkpoint = ctx.checkpoints.add(
            gx.Checkpoint(
                name=f"predelq_check_{suite.name}",
                validation_definitions=[validation],
                actions=actions,
                result_format={"result_format": "SUMMARY"},
            )
        )
        result = checkpoint.run(batch_parameters=params) if params else checkpoint.run()
        for run_result in result.run_results.values():
            for r in run_result.results:
                outcomes.append(_outcome(suite, description, r))
    index = docs_dir / "index.html" if docs_dir is not None else None
    return Report(
        run_id, outcomes, time.perf_counter() - started, index if index and index.exists() else None
    )


def _outcome(suite: Suite, description: str, r) -> Outcome:
    config = r.expectation_config
    kwargs = {k: v for k, v in dict(config.kwargs).items() if k != "batch_id"}
    meta = dict(config.meta or {})
    res = dict(r.result or {})
    error = None
    info = getattr(r, "exception_info", None) or {}
    if isinstance(info, dict) and info.get("raised_exception"):
        error = " ".join(str(info.get("exception_message", "")).split())[:300]
    return Outcome(
        suite=suite.name,
        table=suite.table,
        batch=description,
        expectation=config.type,
        column=kwargs.get("column") or ", ".join(kwargs.get("column_list") or []) or None,
        kwargs=kwargs,
        severity=meta.get("severity", CRITICAL),
        why=meta.get("why", ""),
        success=bool(r.success),
        element_count=_int(res.get("element_count")),
        unexpected_count=_int(res.get("unexpected_count")),
        unexpected_percent=_float(res.get("unexpected_percent")),
        observed_value=None if res.get("observed_value") is None else str(res.get("observed_value"))[:500],
        examples=[_plain(v) for v in (res.get("partial_unexpected_list") or [])[:5]],
        error=error,
    )


def _int(v):
    return None if v is None else int(v)


def _float(v):
    if v is None:
        return None
    f = float(v)
    return None if math.isnan(f) else f


def _plain(v):
    if isinstance(v, dict | list | str | int | float | bool) or v is None:
        return v
    return str(v)


# --- ops.data_quality_checks (DDL in predelq/landing.py) -------------------------------------
def record(con, engine: str, target_name: str, report: Report, checked_at: dt.datetime) -> None:
    from predelq.db import execute_all
    from predelq.landing import OPS_SCHEMA, schema_ddl

    execute_all(con, schema_ddl(OPS_SCHEMA, engine))
    ph = "?" if engine == "duckdb" else "%s"
    json_cast = "json" if engine == "duckdb" else "jsonb"
    marks = ", ".join([ph] * 16) + f", cast({ph} as {json_cast})"
    sql = (
        f"insert into {RESULTS_TABLE} (check_run_id, checked_at, target_name, suite_name, table_name, "
        "batch_description, expectation_type, column_name, severity, success, element_count, "
        "unexpected_count, unexpected_percent, observed_value, why, data_docs_path, details) "
        f"values ({marks})"
    )
    docs = str(report.docs_index) if report.docs_index else None
    rows = [
        (
            report.run_id,
            checked_at,
            target_name,
            o.suite,
            o.table,
            o.batch,
            o.expectation,
            o.column,
            o.severity,
            o.success,
            o.element_count,
            o.unexpected_count,
            o.unexpected_percent,
            o.observed_value,
            o.why,
            docs,
            json.dumps({"kwargs": o.kwargs, "examples": o.examples, "error": o.error}, default=str),
        )
        for o in report.outcomes
    ]
    cur = con.cursor()
    cur.executemany(sql, rows)
    con.commit()


# --- `predelq check` and the pipeline's check step -------------------------------------------
def docs_path(value: str | None = None) -> Path:
    """Where the Data Docs site goes: the argument, $PREDELQ_DATA_DOCS_DIR, else target/data_docs."""
    from predelq.db import PROJECT_DIR

    path = Path(value or os.environ.get("PREDELQ_DATA_DOCS_DIR") or "target/data_docs")
    return path if path.is_absolute() else PROJECT_DIR / path


def check(
    target,
    hours: float = 24,
    sample_rows: int = 100_000,
    days: int = 8,
    max_rows: int = 1_000_000,
    freshness_hours: float = 36,
    only: list[str] | None = None,
    docs_dir: Path | None = None,
):
    """Run the suites on `target`, record the results; returns the runner's Report."""
    import datetime as dt

    from predelq.errors import UserError
    from predelq.loader.core import connect, ensure_tables
    from predelq.loader.settings import LoaderSettings
    from predelq.quality.batches import Batches
    from predelq.quality.suites import suites

    settings = LoaderSettings.from_env()
    chosen = suites(settings, freshness_hours)
    if only:
        unknown = sorted(set(only) - {s.name for s in chosen})
        if unknown:
            names = ", ".join(s.name for s in chosen)
            raise UserError(f"unknown suite(s) {', '.join(unknown)}: choose from {names}")
        chosen = [s for s in chosen if s.name in only]
    now = dt.datetime.now(dt.UTC)
    con = connect(target)
    try:
        ensure_tables(con, target.engine)
        batches = Batches(con, target.engine, settings, now, hours, sample_rows, days, max_rows)
        report = run_suites(target, con, chosen, batches, docs_dir)
        record(con, target.engine, target.name, report, now)
    finally:
        con.close()
    return report


def summarize(report, target, echo=print) -> int:
    total = len(report.outcomes)
    critical, warnings = report.critical_failures, report.warnings
    passed = total - len(critical) - len(warnings)
    for o in warnings:
        echo(f"  warning  {o.describe()}")
    for o in critical:
        echo(f"  CRITICAL {o.describe()}")
    if report.docs_index:
        echo(f"Data Docs: {report.docs_index}")
    verdict = "FAILED" if critical else "ok"
    echo(
        f"check {verdict} on {target.describe()}: {total} expectations, {passed} passed, "
        f"{len(warnings)} warning(s), {len(critical)} critical failure(s) "
        f"[run {report.run_id[:8]}, {report.seconds:.1f} s, results in ops.data_quality_checks]"
    )
    return 1 if critical else 0
