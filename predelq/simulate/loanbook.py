"""The loan book: terms, repayment schedules, payments and delinquency events.

Money is handled in integer paisa (1/100 INR) and written as decimal(12,2).

Payments
--------
One row per payment attempt against an installment, matched to it by
(account_id, due_date). `amount_due` is what the attempt tried to collect (the
installment, or what was left of it); `paid_date` is null when nothing was paid
(missed, bounced); `created_at` is when the attempt was recorded. Each
installment due on or before the end date gets an outcome drawn from the
account's latent risk r on its due date:

- paid on time (auto-debit on the due date, other methods up to 5 days early);
- paid late (1-29 days; a third of late payers wait for the next pay-day, the
  1st-5th of the month);
- partial (30-80% near the due date, the rest later);
- bounced (auto-debit or cheque returned: amount 0 and a bounce_reason, then paid
  by UPI/cash a few days later);
- missed (amount 0, paid later). For healthy accounts in a high-risk spell the
  late payment can take 30-60 days: they reach 30+ DPD and cure.

Defaulting cohorts pay nothing (or a token 5-20% partial) from their planned
missed installment on. Rows dated after the end date do not exist yet.

The DPD rule (the one rule; tests recompute it from the written tables)
------------------------------------------------------------------------
DPD on local day d = d - due_date of the OLDEST installment not fully paid by day
d, where "fully paid by d" means the sum of `amount_paid` of its payment rows
with `paid_date <= d` (rows matched by account_id + due_date) reaches its
`total_due`; installments due on or after d do not count; DPD = 0 when nothing is
overdue. An episode is a run of consecutive days with DPD > 0. In each episode a
`dpd_30` / `dpd_60` / `dpd_90` event is triggered on the first day DPD reaches 30
/ 60 / 90, and `default` on the first day it reaches 120. `resolved_at` is the
first day DPD is back to 0 (arrears cleared), null while it is not.
`days_past_due` is the DPD on the trigger day, `outstanding_amount` the arrears
then (unpaid amounts of installments due before that day). Event timestamps are
local noon of their day (so the local and UTC dates agree).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from predelq.simulate import catalog
from predelq.simulate.portfolio import Portfolio, int_day
from predelq.simulate.risk import HEALTHY, NONE

DUE_DAYS = np.array([1, 5, 7, 10, 15])
DUE_DAY_WEIGHTS = np.array([0.2, 0.4, 0.2, 0.1, 0.1])
DAYS_PER_MONTH = 30.44
THRESHOLDS = [(30, "dpd_30"), (60, "dpd_60"), (90, "dpd_90"), (120, "default")]
FAR_FUTURE = 10**7

STATUS_PAID, STATUS_PARTIAL, STATUS_MISSED, STATUS_BOUNCED = "paid", "partial", "missed", "bounced"


@dataclass
class Terms:
    disbursement: np.ndarray  # day
    tenure: np.ndarray  # months
    rate: np.ndarray  # annual, 4 decimals
    loan_paisa: np.ndarray
    due_dom: np.ndarray  # day of month installments fall due
    method: list[str]  # usual payment method


def loan_terms(pf: Portfolio, cohorts, target_p, end: int, rng: np.random.Generator) -> Terms:
    n = pf.n_accounts
    disb = np.zeros(n, dtype=np.int64)
    tenure = np.zeros(n, dtype=np.int64)
    rate = np.zeros(n)
    loan = np.zeros(n, dtype=np.int64)
    earliest = end - 1095
    for a in range(n):
        m = catalog.MODELS[pf.account_model[a]]
        price = m.price_inr * pf.account_size[a]
        loan[a] = int(round(price * rng.uniform(0.75, 0.9) / 1000)) * 1000 * 100
        rate[a] = round(rng.uniform(*m.rate) / 0.0025) * 0.0025
        if target_p[a] != NONE:
            # at least ~3 installments before the missed one, maturity after it
            latest = int(target_p[a]) - 30 - 100
            d = latest - int(rng.integers(0, max(1, min(600, latest - earliest))))
            d = max(d, earliest)
            ok = [t for t in m.tenures if d + t * DAYS_PER_MONTH >= target_p[a] + 15]
            if not ok:
                t = max(m.tenures)
                d = max(d, int(target_p[a] + 15 - t * DAYS_PER_MONTH))
                ok = [t]
            disb[a], tenure[a] = d, int(rng.choice(ok))
        else:
            t = int(rng.choice(m.tenures))
            age = int(rng.integers(30, 1096))
            if age > t * DAYS_PER_MONTH and rng.random() < 0.8:
                age = int(rng.integers(30, max(31, min(1096, int(t * DAYS_PER_MONTH) - 10))))
            disb[a], tenure[a] = end - age, t
    due_dom = rng.choice(DUE_DAYS, size=n, p=DUE_DAY_WEIGHTS)
    method = list(rng.choice(catalog.PAYMENT_METHODS, size=n, p=catalog.PAYMENT_METHOD_WEIGHTS))
    return Terms(disb, tenure, rate, loan, due_dom, [str(x) for x in method])


@dataclass
class Schedule:
    account: np.ndarray
    number: np.ndarray
    due: np.ndarray
    principal: np.ndarray
    interest: np.ndarray
    total: np.ndarray
    start: np.ndarray  # per account: first row index (CSR offsets, len n+1)

    def rows(self, a: int) -> slice:
        return slice(int(self.start[a]), int(self.start[a + 1]))


def _add_months(d: dt.date, k: int, dom: int) -> dt.date:
    y, m = divmod(d.month - 1 + k, 12)
    return dt.date(d.year + y, m + 1, dom)


def build_schedule(terms: Terms) -> Schedule:
    """Monthly installments (EMI formula, whole-rupee EMI, interest on the declining balance)."""
    n_acc = len(terms.disbursement)
    tenure = terms.tenure.astype(np.int64)
    first_month = np.empty(n_acc, dtype=np.int64)  # months since 1970-01 of the first installment
    for a in range(n_acc):
        d0 = int_day(terms.disbursement[a] + 20)
        first = dt.date(d0.year, d0.month, int(terms.due_dom[a]))
        mi = (d0.year - 1970) * 12 + d0.month - 1
        first_month[a] = mi + 1 if first <= d0 else mi
    start = np.concatenate([[0], np.cumsum(tenure)])
    acc = np.repeat(np.arange(n_acc), tenure)
    k = np.arange(start[-1]) - start[acc]
    month = (first_month[acc] + k).astype("datetime64[M]")
    due = (month.astype("datetime64[D]") + (terms.due_dom[acc] - 1)).astype(np.int64)
    r = terms.rate / 12
    p = terms.loan_paisa.astype(np.float64)
    growth = (1 + r) ** tenure
    emi = (np.rint(p * r * growth / (growth - 1) / 100) * 100).astype(np.int64)  # whole rupees
    principal = np.zeros(len(acc), dtype=np.int64)
    interest = np.zeros(len(acc), dtype=np.int64)
    balance = terms.loan_paisa.astype(np.int64).copy()
    for j in range(int(tenure.max(initial=0))):
        live = np.flatnonzero(j < tenure)
        intr = np.rint(balance[live] * r[live]).astype(np.int64)
        prin = np.where(j == tenure[live] - 1, balance[live], np.minimum(balance[live], emi[live] - intr))
        rows = start[live] + j
        interest[rows] = intr
        principal[rows] = prin
        balance[live] -= prin
    return Schedule(acc, k + 1, due, principal, interest, principal + interest, start)


def choose_missed_due(schedule: Schedule, target_p: np.ndarray) -> np.ndarray:
    """Due day of the installment a defaulter stops paying: first 30+ DPD closest to the target."""
    out = np.full(len(target_p), NONE, dtype=np.int64)
    for a in np.flatnonzero(target_p != NONE):
        dues = schedule.due[schedule.rows(a)]
        k = int(np.argmin(np.abs(dues[3:] + 30 - target_p[a]))) + 3 if len(dues) > 3 else len(dues) - 1
        out[a] = dues[k]
    return out


@dataclass
class Payments:
    account: np.ndarray
    due: np.ndarray
    paid: np.ndarray  # day or NONE
    amount_due: np.ndarray
    amount_paid: np.ndarray
    method: list[str]
    status: list[str]
    bounce_reason: list[str | None]
    recorded_day: np.ndarray  # local day the attempt was recorded
    recorded_minute: np.ndarray  # local minute of that day


ONTIME, LATE, BOUNCE, PARTIAL, MISSED, STOP, TOKEN = range(7)  # installment outcomes


def _next_month_first(due: np.ndarray) -> np.ndarray:
    """Day of the 1st of the month after each due day."""
    month = due.astype("datetime64[D]").astype("datetime64[M]") + 1
    return month.astype("datetime64[D]").astype(np.int64)


def generate_payments(seed, terms: Terms, schedule: Schedule, cohorts, missed_due, risk, grid_start, end):
    """Payment attempts of every installment due on or before `end` (vectorised over installments)."""
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, 21])))
    live = np.flatnonzero(schedule.due <= end)
    n = len(live)
    acc, due, total = schedule.account[live], schedule.due[live], schedule.total[live]
    r = risk[acc, due - 2 - grid_start].astype(np.float64)
    method = np.array(terms.method)[acc]
    debit = (method == "nach") | (method == "cheque")

    # outcome from r on the due date
    cum = np.cumsum(
        [np.where(debit, 0.012 + 0.22 * r * r, 0.0), 0.01 + 0.12 * r, 0.004 + 0.18 * r * r, 0.05 + 0.45 * r],
        axis=0,
    )
    u = rng.random(n)
    outcome = np.select(
        [u < cum[0], u < cum[1], u < cum[2], u < cum[3]], [BOUNCE, PARTIAL, MISSED, LATE], ONTIME
    )
    stopped = (missed_due[acc] != NONE) & (due >= missed_due[acc])
    outcome = np.where(stopped, np.where(rng.random(n) < 0.15, TOKEN, STOP), outcome)

    # when the (rest of the) money comes: 1-29 days, a third of payers wait for the next pay-day
    cap = 29
    delay = np.select(
        [outcome == BOUNCE, outcome == PARTIAL, outcome == MISSED],
        [
            1 + rng.geometric(1 / (2 + 10 * r)),
            rng.geometric(1 / (3 + 14 * r)),
            3 + rng.geometric(1 / (6 + 14 * r)),
        ],
        rng.geometric(1 / (2 + 14 * r)),
    )
    payday = _next_month_first(due) + rng.integers(0, 5, n)
    use_payday = (rng.random(n) < 0.35) & (payday > due) & (payday <= due + cap)
    late_day = np.where(use_payday, payday, due + np.clip(delay, 1, cap))
    # a healthy account in a bad spell may take 30-60 days, reach 30+ DPD and cure
    p_long = np.clip(1.5 * (r - 0.25), 0, 0.5)
    long = (cohorts[acc] == HEALTHY) & np.isin(outcome, [MISSED, LATE]) & (rng.random(n) < p_long)
    late_day = np.where(long, due + rng.integers(30, 61, n), late_day)

    part = (np.rint(total * rng.uniform(0.3, 0.8, n) / 100) * 100).astype(np.int64)
    part_day = due + np.where(debit, 0, rng.integers(0, 4, n))
    token = (np.rint(total * rng.uniform(0.05, 0.2, n) / 100) * 100).astype(np.int64)
    token_day = due + rng.integers(0, 11, n)
    early = np.where(method == "nach", 0, rng.choice([0, 0, 0, 1, 2, 3, 4, 5], n))
    reason = np.array(catalog.BOUNCE_REASONS)[
        rng.choice(len(catalog.BOUNCE_REASONS), n, p=catalog.BOUNCE_REASON_WEIGHTS)
    ]
    how = np.where(rng.random(n) < 0.6, "upi", "cash")
    minutes = rng.integers(9 * 60, 20 * 60, (2, n))

    # first attempt of every installment
    o = outcome
    paid1 = np.select(
        [o == ONTIME, o == LATE, o == PARTIAL, o == TOKEN], [due - early, late_day, part_day, token_day], NONE
    )
    amount1 = np.select([np.isin(o, [ONTIME, LATE]), o == PARTIAL, o == TOKEN], [total, part, token], 0)
    status1 = np.select(
        [np.isin(o, [ONTIME, LATE]), np.isin(o, [PARTIAL, TOKEN]), o == BOUNCE],
        [STATUS_PAID, STATUS_PARTIAL, STATUS_BOUNCED],
        STATUS_MISSED,
    )
    method1 = np.where(o == TOKEN, "upi", np.where((o == LATE) & debit, "upi", method))
    reason1 = np.where(o == BOUNCE, reason, None)
    day1 = np.where(paid1 != NONE, paid1, due)
    # the follow-up that pays the rest (bounced, partial, missed)
    two = np.isin(o, [BOUNCE, PARTIAL, MISSED])
    paid2 = np.where(o == PARTIAL, np.maximum(part_day + 1, late_day), late_day)
    amount2 = np.where(o == PARTIAL, total - part, total)
    method2 = np.where(o == PARTIAL, "upi", how)

    idx = np.concatenate([np.arange(n), np.flatnonzero(two)])
    order2 = np.concatenate([np.zeros(n, dtype=np.int64), np.ones(int(two.sum()), dtype=np.int64)])
    paid = np.concatenate([paid1, paid2[two]])
    day = np.concatenate([day1, paid2[two]])
    keep = (day <= end) & ((paid == NONE) | (paid <= end))  # what has not happened yet does not exist
    rows = np.flatnonzero(keep)
    rows = rows[np.lexsort((order2[rows], idx[rows]))]
    i = idx[rows]
    return Payments(
        account=acc[i],
        due=due[i],
        paid=paid[rows],
        amount_due=np.concatenate([total, amount2[two]])[rows],
        amount_paid=np.concatenate([amount1, amount2[two]])[rows],
        method=np.concatenate([method1, method2[two]])[rows].tolist(),
        status=np.concatenate([status1, np.full(int(two.sum()), STATUS_PAID)])[rows].tolist(),
        bounce_reason=np.concatenate([reason1, np.full(int(two.sum()), None)])[rows].tolist(),
        recorded_day=day[rows],
        recorded_minute=np.concatenate([minutes[0], minutes[1][two]])[rows],
    )


@dataclass
class Delinquency:
    """Events, and per account the DPD state at the end date."""

    account: np.ndarray
    event_type: list[str]
    triggered: np.ndarray  # day
    resolved: np.ndarray  # day or NONE
    dpd: np.ndarray
    outstanding: np.ndarray  # paisa
    dpd_at_end: np.ndarray  # per account
    fully_paid_day: np.ndarray  # per schedule row: day the installment was fully paid, or FAR_FUTURE


def fully_paid_days(schedule: Schedule, payments: Payments) -> np.ndarray:
    """Per installment, the first day its payments (paid_date <= day) cover total_due."""
    out = np.full(len(schedule.due), FAR_FUTURE, dtype=np.int64)
    rows = np.flatnonzero((payments.paid != NONE) & (payments.amount_paid > 0))
    rows = rows[np.lexsort((payments.paid[rows], payments.due[rows], payments.account[rows]))]
    # installment of each payment: schedule rows are sorted by (account, due date)
    sched_key = schedule.account * 100_000 + schedule.due
    pay_key = payments.account[rows] * 100_000 + payments.due[rows]
    inst = np.searchsorted(sched_key, pay_key)
    found = (inst < len(sched_key)) & (sched_key[np.minimum(inst, len(sched_key) - 1)] == pay_key)
    rows, inst = rows[found], inst[found]
    # running total per installment (payments are grouped by installment, in paid-date order)
    amount = payments.amount_paid[rows]
    cum = np.cumsum(amount)
    first_of_group = np.r_[True, inst[1:] != inst[:-1]]
    group_start = np.maximum.accumulate(np.where(first_of_group, np.arange(len(inst)), 0))
    running = cum - (cum[group_start] - amount[group_start])
    done = running >= schedule.total[inst]
    np.minimum.at(out, inst[done], payments.paid[rows][done])
    return out


def dpd_by_day(due: np.ndarray, full: np.ndarray, days: np.ndarray) -> np.ndarray:
    """DPD on each day for one account (installments sorted by due date)."""
    overdue = (due[:, None] < days[None, :]) & (full[:, None] > days[None, :])
    has = overdue.any(axis=0)
    oldest = overdue.argmax(axis=0)
    return np.where(has, days - due[oldest], 0)


def derive_delinquency(schedule: Schedule, payments: Payments, end: int) -> Delinquency:
    full = fully_paid_days(schedule, payments)
    acc, typ, trig, res, dpds, outs = [], [], [], [], [], []
    n_acc = len(schedule.start) - 1
    dpd_end = np.zeros(n_acc, dtype=np.int64)
    # only installments with at least one overdue day (due < d < fully paid) can set the DPD
    ever_overdue = (full > schedule.due + 1) & (schedule.due < end)
    for a in np.unique(schedule.account[ever_overdue]):
        sl = schedule.rows(a)
        due, tot, fp = schedule.due[sl], schedule.total[sl], full[sl]
        keep = ever_overdue[sl]
        days = np.arange(due[keep][0] + 1, end + 1)
        dpd = dpd_by_day(due[keep], fp[keep], days)
        dpd_end[a] = dpd[-1]
        positive = dpd > 0
        if not positive.any():
            continue
        edges = np.diff(np.concatenate([[0], positive.astype(np.int8), [0]]))
        starts, stops = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)  # stop = first day back at 0
        for s, e in zip(starts, stops, strict=True):
            run = dpd[s:e]
            for threshold, name in THRESHOLDS:
                hit = np.flatnonzero(run >= threshold)
                if len(hit) == 0:
                    break
                d = int(days[s + hit[0]])
                arrears = _arrears(due, tot, sl, schedule, payments, a, d)
                acc.append(a)
                typ.append(name)
                trig.append(d)
                res.append(int(days[e]) if e < len(days) else NONE)
                dpds.append(int(run[hit[0]]))
                outs.append(arrears)
    i64 = lambda x: np.array(x, dtype=np.int64)  # noqa: E731
    return Delinquency(i64(acc), typ, i64(trig), i64(res), i64(dpds), i64(outs), dpd_end, full)


def _arrears(due, tot, sl, schedule, payments, a, d) -> int:
    """Unpaid amount of the account's installments due before day d, as of day d."""
    mine = (payments.account == a) & (payments.paid != NONE) & (payments.paid <= d)
    total = 0
    for du, t in zip(due, tot, strict=True):
        if du >= d:
            break
        paid = int(payments.amount_paid[mine & (payments.due == du)].sum())
        total += max(0, int(t) - paid)
    return total


@dataclass
class Statuses:
    account_status: list[str]
    account_changed: np.ndarray  # day of the last status change
    default_day: np.ndarray  # day of the `default` event or NONE
    closed_day: np.ndarray  # day the last installment was paid (closed accounts) or NONE
    customer_status: list[str]


def statuses(pf: Portfolio, terms: Terms, schedule: Schedule, dq: Delinquency, end: int) -> Statuses:
    n = pf.n_accounts
    default_day = np.full(n, NONE, dtype=np.int64)
    for a, t, d in zip(dq.account, dq.event_type, dq.triggered, strict=True):
        if t == "default" and default_day[a] == NONE:
            default_day[a] = d
    last30 = np.full(n, NONE, dtype=np.int64)
    for a, t, d in zip(dq.account, dq.event_type, dq.triggered, strict=True):
        if t == "dpd_30":
            last30[a] = max(last30[a], d)
    status, changed = [], np.array(terms.disbursement, dtype=np.int64)
    closed_day = np.full(n, NONE, dtype=np.int64)
    for a in range(n):
        sl = schedule.rows(a)
        if default_day[a] != NONE:
            status.append("written_off")
            changed[a] = default_day[a]
        elif dq.dpd_at_end[a] >= 30:
            status.append("delinquent")
            changed[a] = last30[a]
        elif schedule.due[sl][-1] <= end and dq.fully_paid_day[sl].max() <= end:
            status.append("closed")
            closed_day[a] = changed[a] = dq.fully_paid_day[sl].max()
        else:
            status.append("active")
    n_cust = len(pf.customer_ids)
    st_arr = np.array(status)
    live = np.bincount(
        pf.account_customer, weights=np.isin(st_arr, ["active", "delinquent"]), minlength=n_cust
    )
    gone = np.bincount(pf.account_customer, weights=st_arr == "written_off", minlength=n_cust)
    cust = np.where(live > 0, "active", np.where(gone > 0, "churned", "inactive")).tolist()
    return Statuses(status, changed, default_day, closed_day, cust)
