"""Loan-book date bounds: the one place the loader and `predelq check` take them from.

A loan-book date is plausible when it is

- not before `MIN_DATE` (2000-01-01, as for telemetry timestamps);
- not after the local day of load time + the allowed clock skew, for dates that
  record something that happened (`paid_date`; `created_at` timestamps use the
  instant itself);
- not before the loan's disbursement date (`paid_date`, `due_date`);
- for due dates (schedule and payments), within the loan's term: not after
  `term_end` = the later of `maturity_date` and disbursement + tenure months,
  plus `TERM_GRACE_DAYS` (a last installment may fall a few weeks after the
  nominal maturity).

The loader quarantines a row that breaks one of these (reason `out_of_range`,
the detail names the field, the value and the bound). `predelq check` runs the
same rules, in SQL built by `violations_sql()`, over what is already in raw.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

MIN_DATE = dt.date(2000, 1, 1)
TERM_GRACE_DAYS = 93
DAYS_PER_MONTH_MAX = 31  # disbursement + tenure months, rounded up to whole 31-day months

# field -> rules, for the loan-book tables the loader writes
#   "not_future": not after the local day of load time + skew
#   "after_disbursement": not before the account's disbursement_date
#   "within_term": not after the account's term end
DATE_RULES: dict[str, dict[str, tuple[str, ...]]] = {
    "payments": {
        "paid_date": ("not_future", "after_disbursement"),
        "due_date": ("after_disbursement", "within_term"),
    },
    "repayment_schedule": {
        "due_date": ("after_disbursement", "within_term"),
    },
}


def latest_day(now: dt.datetime, skew_minutes: int, timezone: str) -> dt.date:
    """The last local day a date may name: load time + the allowed clock skew."""
    return (now + dt.timedelta(minutes=skew_minutes)).astimezone(ZoneInfo(timezone)).date()


def term_end(disbursement: dt.date | None, maturity: dt.date | None, tenure_months) -> dt.date | None:
    """The last day a due date of this loan may fall on (None: unknown, no bound)."""
    ends = []
    if maturity is not None:
        ends.append(maturity)
    if disbursement is not None and tenure_months is not None:
        ends.append(disbursement + dt.timedelta(days=DAYS_PER_MONTH_MAX * int(tenure_months)))
    if not ends:
        return None
    return max(ends) + dt.timedelta(days=TERM_GRACE_DAYS)


def violations_sql(table: str, engine: str) -> str:
    """SELECT of (id, account_id, violation) for `table`'s rows that break a bound.

    Parameters, in order: MIN_DATE (once per rule field), latest_day (per not_future).
    Use `violations_params()` for them.
    """
    cases = []
    for name, rules in DATE_RULES[table].items():
        cases.append(f"when t.{name} < cast(%s as date) then '{name} before {MIN_DATE.isoformat()}'")
        if "not_future" in rules:
            cases.append(f"when t.{name} > cast(%s as date) then '{name} after load time'")
        if "after_disbursement" in rules:
            cases.append(f"when t.{name} < a.disbursement_date then '{name} before the disbursement'")
        if "within_term" in rules:
            months = f"a.tenure_months * {DAYS_PER_MONTH_MAX}"
            end = (
                f"(case when a.maturity_date is null or a.disbursement_date + {months} > a.maturity_date "
                f"then a.disbursement_date + {months} else a.maturity_date end) + {TERM_GRACE_DAYS}"
            )
            cases.append(f"when t.{name} > {end} then '{name} after the loan term'")
    return (
        f"select cast(t.id as varchar) as id, cast(t.account_id as varchar) as account_id, "
        f"case {' '.join(cases)} else null end as violation "
        f"from raw.{table} t left join raw.accounts a on a.id = t.account_id"
    )


def violations_params(table: str, latest: dt.date) -> list:
    params: list = []
    for rules in DATE_RULES[table].values():
        params.append(MIN_DATE)
        if "not_future" in rules:
            params.append(latest)
    return params
