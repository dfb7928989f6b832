"""Helpers for the metrics-layer tests: which models to build, table snapshots, comparisons."""

from __future__ import annotations

import datetime as dt
import decimal
import math
import uuid

# Everything the metrics layer builds (and its upstream staging views and seed).
METRICS_SELECTION = [
    "+metric_values",
    "+fct_portfolio_at_risk_daily",
    "+fct_portfolio_roll_rates_monthly",
    "+fct_portfolio_vintage_curves",
    "+int_charging_sessions",
    "+int_account_payment_trends",
]

# table -> key columns. Every metric table the layer writes, incremental or not.
METRIC_TABLES: dict[str, list[str]] = {
    "intermediate.int_telemetry_aggregated_daily": ["asset_id", "local_date"],
    "intermediate.int_asset_nights_located": ["asset_id", "local_date"],
    "intermediate.int_poi_visits_aggregated_daily": ["asset_id", "poi_id", "local_date"],
    "intermediate.int_charging_sessions": ["asset_id", "started_at"],
    "intermediate.int_asset_home_bases": ["asset_id"],
    "intermediate.int_account_loan_state_daily": ["account_id", "local_date"],
    "ml.int_account_payment_trends": ["account_id", "local_date"],
    "metrics.asset_metrics_daily": ["asset_id", "local_date"],
    "metrics.account_metrics_daily": ["account_id", "local_date"],
    "metrics.metric_values": ["metric_name", "entity_id", "local_date"],
    "marts.fct_portfolio_at_risk_daily": ["local_date"],
    "marts.fct_portfolio_roll_rates_monthly": ["month_start_date", "from_bucket", "to_bucket"],
    "marts.fct_portfolio_vintage_curves": ["vintage_month", "months_on_book"],
}

# Columns that record when/which run wrote a row: they differ between runs by design.
RUN_COLUMNS = {"computed_at", "pipeline_run_id"}
# Plumbing of the incremental machinery, not a metric.
PLUMBING_COLUMNS = {"max_ingested_at"}


def _columns(wh, table: str) -> list[str]:
    schema, name = table.split(".")
    rows = wh.query(
        "select column_name from information_schema.columns "
        f"where table_schema = '{schema}' and table_name = '{name}' order by ordinal_position"
    )
    return [r[0] for r in rows]


def normalise(value):
    """A value both engines and both runs spell the same way."""
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def snapshot(wh, table: str, keys: list[str], exclude=frozenset()) -> tuple[list[str], dict]:
    """(value column names, {key tuple: value tuple}) of a whole table."""
    cols = [c for c in _columns(wh, table) if c not in exclude]
    assert cols, f"{table} has no columns (does it exist?)"
    values = [c for c in cols if c not in keys]
    rows = wh.query(f"select {', '.join(keys + values)} from {table}")
    out = {}
    for r in rows:
        r = [normalise(v) for v in r]
        key = tuple(r[: len(keys)])
        assert key not in out, f"{table}: duplicate key {key}"
        out[key] = tuple(r[len(keys) :])
    return values, out


def same(a, b, tol: float) -> bool:
    """Equal, numbers within an absolute tolerance (plus a hair for binary rounding)."""
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None:
            return a is None and b is None
        a, b = float(a), float(b)
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return abs(a - b) <= tol + 1e-12 * max(1.0, abs(a), abs(b))
    return a == b


def differences(name: str, left: tuple, right: tuple, tol: float, limit: int = 8) -> list[str]:
    """Human-readable differences between two snapshots of the same table."""
    cols_l, rows_l = left
    cols_r, rows_r = right
    out = []
    if cols_l != cols_r:
        return [f"{name}: columns differ: {cols_l} vs {cols_r}"]
    missing = sorted(set(rows_l) - set(rows_r))[:limit]
    extra = sorted(set(rows_r) - set(rows_l))[:limit]
    out += [f"{name}: key only on the left: {k}" for k in missing]
    out += [f"{name}: key only on the right: {k}" for k in extra]
    for key in sorted(set(rows_l) & set(rows_r)):
        for col, a, b in zip(cols_l, rows_l[key], rows_r[key], strict=True):
            if not same(a, b, tol):
                out.append(f"{name} {key} {col}: {a!r} vs {b!r}")
                if len(out) >= limit:
                    return out
    return out


def snapshot_all(wh) -> dict[str, tuple]:
    return {
        table: snapshot(wh, table, keys, exclude=RUN_COLUMNS | PLUMBING_COLUMNS)
        for table, keys in METRIC_TABLES.items()
    }


def loan_state_vs_delinquency_events(wh) -> tuple[int, list[str]]:
    """Derive dpd_30/60/90/default events from the daily loan state with the
    simulator's rule and compare with raw delinquency_events.

    Returns (events compared, differences)."""
    derived = wh.query(
        """
        with numbered as (
            select
                account_id, local_date, days_past_due, arrears_amount,
                sum(case when days_past_due = 0 then 1 else 0 end) over (
                    partition by account_id order by local_date
                    rows between unbounded preceding and current row
                ) as episode
            from intermediate.int_account_loan_state_daily
        ),
        thresholds (threshold, event_type) as (
            values (30, 'dpd_30'), (60, 'dpd_60'), (90, 'dpd_90'), (120, 'default')
        ),
        firsts as (
            select numbered.account_id, thresholds.event_type, min(numbered.local_date) as trigger_date
            from numbered
            inner join thresholds on numbered.days_past_due >= thresholds.threshold
            group by numbered.account_id, thresholds.event_type, numbered.episode
        )
        select
            firsts.account_id, firsts.event_type, firsts.trigger_date,
            numbered.days_past_due, numbered.arrears_amount,
            (
                select min(later.local_date) from numbered as later
                where later.account_id = firsts.account_id
                    and later.local_date > firsts.trigger_date and later.days_past_due = 0
            ) as resolved_date
        from firsts
        inner join numbered
            on numbered.account_id = firsts.account_id and numbered.local_date = firsts.trigger_date
        """
    )
    tz = "Asia/Kolkata"
    raw = wh.query(
        f"""
        select
            account_id, event_type, cast(triggered_at at time zone '{tz}' as date),
            days_past_due, outstanding_amount, cast(resolved_at at time zone '{tz}' as date)
        from raw.delinquency_events
        """
    )
    mine = {(normalise(r[0]), r[1], normalise(r[2])): [normalise(v) for v in r[3:]] for r in derived}
    theirs = {(normalise(r[0]), r[1], normalise(r[2])): [normalise(v) for v in r[3:]] for r in raw}
    out = []
    for key in sorted(set(mine) | set(theirs)):
        a, b = mine.get(key), theirs.get(key)
        if a is None or b is None:
            out.append(f"{key}: derived {a} vs delinquency_events {b}")
        elif not all(same(x, y, 1e-9) for x, y in zip(a, b, strict=True)):
            out.append(f"{key}: (dpd, arrears, resolved) derived {a} vs delinquency_events {b}")
    return len(theirs), out
