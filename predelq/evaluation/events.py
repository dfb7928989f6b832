"""The `predelq evaluate` section for early-warning events, judged against the simulator's truth.

What a collections team wants to know about the events:

* for accounts that decline gradually (cohort gradual_decline), how often an
  actionable event came at least 30, 90 and 180 days before the account's
  first 30+ DPD, and how long before it the first warning came (median lead);
* for healthy accounts, how many actionable events they get per 100
  account-months (false alarms, the cost side);
* the same figures for every cohort, the share a healthy account's alarm rate
  would reach by chance over the same time (the floor any "warned" share must
  beat), and per event definition how often an event was followed by a 30+
  DPD within 90 / 180 days.

Two views: all actionable events, and only the early-warning ones (events of
indicators that do not read the loan book), because a "payment late" event
always comes about 30 days before the 30+ DPD it is part of.

The first 30+ DPD is the observed one (loan-book delinquency history,
`staging.stg_loan_book__delinquency_events`), so accounts whose planned default
lies after the data are left out of the lead-time figures. Only this module and
the ML section read the `truth` schema.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import defaultdict
from zoneinfo import ZoneInfo

# indicators that read the loan book: their events are not early warnings
PAYMENT_INDICATORS = {"payment_dpd", "payment_bounces", "payment_misses"}
LEADS = (30, 90, 180)
DAYS_PER_MONTH = 30.4375
COHORT_ORDER = ["gradual_decline", "goes_dark", "sudden_shock", "stressed_recovers", "healthy"]


def _query(con, sql: str) -> list[tuple]:
    cur = con.cursor()
    cur.execute(sql)
    return [tuple(r) for r in cur.fetchall()]


def _local_date(value, tz: ZoneInfo) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(tz).date()
    return value


def load(con, timezone: str = "Asia/Kolkata") -> dict:
    """Everything the section needs, as plain Python structures."""
    tz = ZoneInfo(timezone)
    cohorts = {
        str(a): c for a, c in _query(con, "select cast(account_id as varchar), cohort from truth.accounts")
    }
    first_dpd30: dict[str, dt.date] = {}
    for account, triggered in _query(
        con,
        "select cast(account_id as varchar), min(triggered_at) "
        "from staging.stg_loan_book__delinquency_events "
        "where delinquency_type in ('dpd_30', 'dpd_60', 'dpd_90', 'default') group by account_id",
    ):
        first_dpd30[account] = _local_date(triggered, tz)
    # days each account was watched: the days its composite risk has a row
    watched = {
        a: (int(n), first, last)
        for a, n, first, last in _query(
            con,
            "select cast(entity_id as varchar), count(*), min(period_date), max(period_date) "
            "from indicators.indicator_values where indicator_id = 'composite_account_risk' "
            "group by entity_id",
        )
    }
    events = [
        (definition, indicator, str(account), opened, bool(actionable))
        for definition, indicator, account, opened, actionable in _query(
            con,
            "select event_definition_id, indicator_id, cast(account_id as varchar), opened_on, is_actionable "
            "from events.events where account_id is not null",
        )
    ]
    window = _query(con, "select min(period_date), max(period_date) from indicators.indicator_values")[0]
    return {
        "cohorts": cohorts,
        "first_dpd30": first_dpd30,
        "watched": watched,
        "events": events,
        "window": window,
    }


def _rate_per_100_months(n_events: int, account_days: int) -> float:
    return 100.0 * n_events / (account_days / DAYS_PER_MONTH) if account_days else float("nan")


def lead_figures(data: dict, cohort: str, early_only: bool) -> dict:
    """Warned shares and lead times of the cohort's accounts with a 30+ DPD inside the data."""
    first_event: dict[str, list[dt.date]] = defaultdict(list)
    for _definition, indicator, account, opened, actionable in data["events"]:
        if actionable and not (early_only and indicator in PAYMENT_INDICATORS):
            first_event[account].append(opened)
    start = data["window"][0]
    leads, exposure_days = [], []
    for account, c in data["cohorts"].items():
        d = data["first_dpd30"].get(account)
        if c != cohort or d is None or account not in data["watched"]:
            continue
        before = [o for o in first_event.get(account, []) if o < d]
        leads.append((d - min(before)).days if before else None)
        exposure_days.append(max((d - max(start, data["watched"][account][1])).days, 0))
    n = len(leads)
    shares = {
        k: (sum(1 for x in leads if x is not None and x >= k) / n if n else float("nan")) for k in LEADS
    }
    found = [x for x in leads if x is not None]
    return {
        "accounts": n,
        "shares": shares,
        "median_lead": statistics.median(found) if found else None,
        "exposure_days": exposure_days,
    }


def alarm_rate(data: dict, cohort: str, early_only: bool) -> tuple[float, int, int]:
    """(actionable events per 100 account-months, events, accounts) over the cohort's watched days.

    For defaulting cohorts only the days before the first 30+ DPD count (after
    it, alarms are no longer early warnings).
    """
    accounts = {a for a, c in data["cohorts"].items() if c == cohort and a in data["watched"]}
    cut = {a: data["first_dpd30"].get(a) for a in accounts}
    days = 0
    for a in accounts:
        n, first, last = data["watched"][a]
        end = min(last, cut[a] - dt.timedelta(days=1)) if cut[a] else last
        days += max((end - first).days + 1, 0) if cut[a] else n
    n_events = sum(
        1
        for _d, indicator, account, opened, actionable in data["events"]
        if account in accounts
        and actionable
        and not (early_only and indicator in PAYMENT_INDICATORS)
        and (cut[account] is None or opened < cut[account])
    )
    return _rate_per_100_months(n_events, days), n_events, len(accounts)


def chance_share(rate_per_100_months: float, exposure_days: list[int], lead: int) -> float:
    """Share of accounts a random alarm process at the healthy rate would 'warn' >= lead days ahead."""
    if not exposure_days or math.isnan(rate_per_100_months):
        return float("nan")
    per_day = rate_per_100_months / 100.0 / DAYS_PER_MONTH
    return sum(1 - math.exp(-per_day * max(e - lead, 0)) for e in exposure_days) / len(exposure_days)


def definition_figures(data: dict) -> list[tuple]:
    """Per event definition: events, accounts, share followed by a 30+ DPD within 90 / 180 days."""
    rows = defaultdict(lambda: [0, set(), 0, 0, False])
    for definition, _indicator, account, opened, actionable in data["events"]:
        r = rows[definition]
        d = data["first_dpd30"].get(account)
        if d is not None and d <= opened:
            continue  # already delinquent: not a warning
        r[0] += 1
        r[1].add(account)
        if d is not None and (d - opened).days <= 90:
            r[2] += 1
        if d is not None and (d - opened).days <= 180:
            r[3] += 1
        r[4] = actionable
    return sorted(
        (
            k,
            v[4],
            v[0],
            len(v[1]),
            v[2] / v[0] if v[0] else float("nan"),
            v[3] / v[0] if v[0] else float("nan"),
        )
        for k, v in rows.items()
    )


def _pct(x: float) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:.0f}%"


def _num(x, digits: int = 1) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def render(data: dict) -> str:
    start, end = data["window"]
    lines = [
        f"Indicator days {start} .. {end}; {len(data['cohorts'])} accounts; "
        f"{len(data['events'])} events ({sum(1 for e in data['events'] if e[4])} actionable). "
        "An account is *warned N days ahead* when an actionable event opened at least N days before its "
        "first 30+ DPD; the lead is counted from its first actionable event before that day. "
        "*Early-warning events* leave out the payment indicators (days past due, bounced and missed "
        "payments), whose events come with the arrears themselves.",
        "",
    ]
    for early_only, title in ((False, "All actionable events"), (True, "Early-warning events only")):
        healthy_rate, healthy_events, healthy_accounts = alarm_rate(data, "healthy", early_only)
        lines += [
            f"### {title}",
            "",
            "| cohort | accounts with 30+ DPD | warned >= 30 d | >= 90 d | >= 180 d | median lead (days) "
            "| by chance >= 30 / 90 / 180 d | actionable events per 100 account-months |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for cohort in COHORT_ORDER:
            if cohort not in set(data["cohorts"].values()):
                continue
            rate, _n, _accounts = alarm_rate(data, cohort, early_only)
            lf = lead_figures(data, cohort, early_only)
            if lf["accounts"]:
                chance = " / ".join(_pct(chance_share(healthy_rate, lf["exposure_days"], k)) for k in LEADS)
                warned = [_pct(lf["shares"][k]) for k in LEADS]
                median = _num(lf["median_lead"], 0)
            else:
                chance, warned, median = "", ["", "", ""], ""
            lines.append(
                f"| {cohort} | {lf['accounts']} | {warned[0]} | {warned[1]} | {warned[2]} | {median} "
                f"| {chance} | {_num(rate)} |"
            )
        lines += [
            "",
            f"Healthy accounts: **{_num(healthy_rate)} actionable events per 100 account-months** "
            f"({healthy_events} events on {healthy_accounts} accounts): the false-alarm rate.",
            "",
        ]
        g = lead_figures(data, "gradual_decline", early_only)
        if g["accounts"]:
            lines += [
                "Gradual decline: " + " / ".join(_pct(g["shares"][k]) for k in LEADS) + " "
                f"warned >= 30 / 90 / 180 days ahead, median lead {_num(g['median_lead'], 0)} days "
                f"({g['accounts']} accounts with a 30+ DPD inside the data).",
                "",
            ]
    lines += [
        "### Per event definition",
        "",
        "Events opened before the account's first 30+ DPD (or on accounts that never reached it), and "
        "the share followed by a first 30+ DPD within 90 / 180 days (precision of the warning).",
        "",
        "| event | actionable | events | accounts | 30+ DPD within 90 d | within 180 d |",
        "|---|---|---|---|---|---|",
    ]
    for definition, actionable, n, accounts, p90, p180 in definition_figures(data):
        lines.append(
            f"| {definition} | {'yes' if actionable else 'no'} | {n} | {accounts} "
            f"| {_pct(p90)} | {_pct(p180)} |"
        )
    return "\n".join(lines)


def section(target) -> str:
    """Markdown for `predelq evaluate` (reads the warehouse of `target`, and its truth schema)."""
    con = target.connect()
    try:
        data = load(con)
    finally:
        con.close()
    if not data["events"] and not data["watched"]:
        return "_No indicator values or events: run `dbt build` first._"
    return render(data)
