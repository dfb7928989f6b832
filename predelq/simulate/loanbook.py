"""The loan book: terms, repayment schedules, payments and delinquency events.

Money is handled in integer paisa (1/100 INR) and written as decimal(12,2).

Payments
--------
The rows come from the day-by-day process (process.py), which decides each
installment's fate from the account's state at the time. The loan system's
convention, the same for every installment whatever happens to it later:

- on its due date every installment gets exactly ONE row: `paid` (in full),
  `partial` (30-80% of it), or, when nothing came in, `bounced` (auto-debit:
  nach or cheque, with a bounce_reason) or `missed` (upi, cash);
- every later payment gets one row per installment it (fully) pays, on the day
  it comes in (`paid`, by upi or cash), oldest installment first.

`amount_due` is what the row's attempt tried to collect (the installment, or what
was left of it); `paid_date` is null when nothing was paid; `created_at` is when
the row was recorded. Rows dated after the end date do not exist yet.

The DPD rule (the one rule; tests recompute it from the written tables)
------------------------------------------------------------------------
DPD on local day d = d - due_date of the OLDEST installment not fully paid by day
d, where "fully paid by d" means the sum of `amount_paid` of its payment rows
with `paid_date <= d` (rows matched by account_id + due_date) reaches its
`total_due`; installments due on or after d do not count; DPD = 0 when nothing is
overdue. An episode is a run of consecutive days with DPD > 0. In each episode a
`dpd_30` / `dpd_60` / `dpd_90` event is triggered on the first day DPD reaches 30
/ 60 / 90, and `default` on the first day it reaches 120 (the customer pays nothing
more from then on; the lender writes the loan off when DPD reaches 180).
`resolved_at` is the first day DPD is back to 0 (arrears cleared), null while it
is not. `days_past_due` is the DPD on the trigger day,
`outstanding_amount` the arrears then (unpaid amounts of installments due before
that day). Event timestamps are local noon of their day (so the local and UTC
dates agree).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from predelq.simulate import catalog
from predelq.simulate.portfolio import Portfolio, int_day
from predelq.simulate.process import NONE, STATUS_NAMES, WRITE_OFF_DPD

DUE_DAYS = np.array([1, 5, 7, 10, 15])
DUE_DAY_WEIGHTS = np.array([0.2, 0.4, 0.2, 0.1, 0.1])
DAYS_PER_MONTH = 30.44
THRESHOLDS = [(30, "dpd_30"), (60, "dpd_60"), (90, "dpd_90"), (120, "default")]
FAR_FUTURE = 10**7


@dataclass
class Terms:
    disbursement: np.ndarray  # day
    tenure: np.ndarray  # months
    rate: np.ndarray  # annual, 4 decimals
    loan_paisa: np.ndarray
    due_dom: np.ndarray  # day of month installments fall due
    method: list[str]  # usual payment method


def loan_terms(pf: Portfolio, end: int, rng: np.random.Generator) -> Terms:
    """Every loan the same way, whatever its future: 30 days to 3 years on book at the end
    date (mostly still running), a tenure of its model, a rate in its model's band."""
    n = pf.n_accounts
    disb = np.zeros(n, dtype=np.int64)
    tenure = np.zeros(n, dtype=np.int64)
    rate = np.zeros(n)
    loan = np.zeros(n, dtype=np.int64)
    for a in range(n):
        m = catalog.MODELS[pf.account_model[a]]
        price = m.price_inr * pf.account_size[a]
        loan[a] = int(round(price * rng.uniform(0.75, 0.9) / 1000)) * 1000 * 100
        rate[a] = round(rng.uniform(*m.rate) / 0.0025) * 0.0025
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


DEBIT_METHODS = ("nach", "cheque")  # auto-debit: a failed collection is a bounce
CATCH_UP_METHODS, CATCH_UP_WEIGHTS = np.array(["upi", "cash"]), np.array([0.6, 0.4])


def payments_from_rows(rows: dict[str, np.ndarray], terms: Terms, rng: np.random.Generator) -> Payments:
    """The process's rows as payment records: methods, bounce reasons and the minute each
    was recorded are drawn here (they do not change what is owed), rows in a fixed order."""
    n = len(rows["lane"])
    order = np.lexsort((rows["catch_up"], rows["day"], rows["due"], rows["lane"]))
    acc = rows["lane"][order].astype(np.int64)
    catch_up = rows["catch_up"][order].astype(bool)
    status = rows["status"][order]
    own = np.array(terms.method, dtype=object)[acc]
    how = CATCH_UP_METHODS[rng.choice(len(CATCH_UP_METHODS), n, p=CATCH_UP_WEIGHTS)]
    reasons = np.array(catalog.BOUNCE_REASONS, dtype=object)[
        rng.choice(len(catalog.BOUNCE_REASONS), n, p=catalog.BOUNCE_REASON_WEIGHTS)
    ]
    minute = rng.integers(9 * 60, 20 * 60, n)
    names = np.array(STATUS_NAMES, dtype=object)
    return Payments(
        account=acc,
        due=rows["due"][order].astype(np.int64),
        paid=rows["paid"][order].astype(np.int64),
        amount_due=rows["amount_due"][order].astype(np.int64),
        amount_paid=rows["amount_paid"][order].astype(np.int64),
        method=np.where(catch_up, how, own).tolist(),
        status=names[status].tolist(),
        bounce_reason=np.where(names[status] == "bounced", reasons, None).tolist(),
        recorded_day=rows["day"][order].astype(np.int64),
        recorded_minute=minute,
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
    write_off_day: np.ndarray  # per account: first day DPD reached WRITE_OFF_DPD, or NONE


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
    write_off = np.full(n_acc, NONE, dtype=np.int64)
    # only installments with at least one overdue day (due < d < fully paid) can set the DPD
    ever_overdue = (full > schedule.due + 1) & (schedule.due < end)
    for a in np.unique(schedule.account[ever_overdue]):
        sl = schedule.rows(a)
        due, tot, fp = schedule.due[sl], schedule.total[sl], full[sl]
        keep = ever_overdue[sl]
        days = np.arange(due[keep][0] + 1, end + 1)
        dpd = dpd_by_day(due[keep], fp[keep], days)
        dpd_end[a] = dpd[-1]
        if (dpd >= WRITE_OFF_DPD).any():
            write_off[a] = days[int(np.argmax(dpd >= WRITE_OFF_DPD))]
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
    return Delinquency(i64(acc), typ, i64(trig), i64(res), i64(dpds), i64(outs), dpd_end, full, write_off)


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
        if dq.write_off_day[a] != NONE:
            status.append("written_off")
            changed[a] = dq.write_off_day[a]
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
