"""The portfolio's realism figures, from its loan book (what the warehouse will see).

- `first_dpd30_rate_per_year`: accounts reaching 30+ DPD for the first time in the
  telemetry window / account-years at risk in the window (open, disbursed, never
  30+ DPD before);
- `cure_share`: of the DPD spells (runs of days with DPD > 0) that started in the
  window and ended inside it or reached 30, the share that went back to 0 before
  reaching 30;
- `par30_at_end`: loans open at the end date (not closed, not written off) with
  DPD >= 30 then, over all loans open then.

docs/simulator.md gives the bounds the tests hold the default portfolio to, and
where they come from.
"""

from __future__ import annotations

import numpy as np

from predelq.simulate.loanbook import dpd_by_day
from predelq.simulate.process import NONE


def dpd_matrix(world, first: int, last: int) -> np.ndarray:
    """DPD of every account on every day first..last by the loan book's rule."""
    sch, dq = world.schedule, world.dq
    days = np.arange(first, last + 1)
    out = np.zeros((world.pf.n_accounts, len(days)), dtype=np.int64)
    late = dq.fully_paid_day > sch.due + 1  # installments with at least one overdue day
    for a in np.unique(sch.account[late]):
        sl = sch.rows(a)
        keep = late[sl]
        out[a] = dpd_by_day(sch.due[sl][keep], dq.fully_paid_day[sl][keep], days)
    return out


def figures(world) -> dict:
    ws, end = world.window_start, world.end
    dpd = dpd_matrix(world, ws - 1, end)  # column 0: the eve of the window
    first30 = np.full(world.pf.n_accounts, NONE, dtype=np.int64)
    for a, t, d in zip(world.dq.account, world.dq.event_type, world.dq.triggered, strict=True):
        if t == "dpd_30" and (first30[a] == NONE or d < first30[a]):
            first30[a] = d
    closed = world.st.closed_day
    exposure_days, first_events = 0, 0
    for a in range(world.pf.n_accounts):
        lo = max(ws, int(world.terms.disbursement[a]) + 1)
        hi = end if closed[a] == NONE else min(end, int(closed[a]))
        if first30[a] != NONE and first30[a] < lo:
            continue  # already 30+ DPD before: not at risk of a first one
        if first30[a] != NONE and first30[a] <= end:
            hi = min(hi, int(first30[a]))
            first_events += 1
        exposure_days += max(0, hi - lo + 1)
    cured = rolled = 0
    for a in range(world.pf.n_accounts):
        pos = dpd[a] > 0
        edges = np.diff(np.concatenate([[0], pos.astype(np.int8), [0]]))
        for s, e in zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True):
            if s == 0:
                continue  # began before the window
            if (dpd[a, s:e] >= 30).any():
                rolled += 1
            elif e < dpd.shape[1]:
                cured += 1
    status = np.array(world.st.account_status)
    open_ = np.isin(status, ["active", "delinquent"])
    par30 = float((world.dq.dpd_at_end[open_] >= 30).mean()) if open_.any() else float("nan")
    years = exposure_days / 365.25
    return {
        "first_dpd30_rate_per_year": round(first_events / years, 4) if years else None,
        "first_dpd30_accounts": first_events,
        "account_years_at_risk": round(years, 1),
        "cure_share": round(cured / (cured + rolled), 4) if cured + rolled else None,
        "spells_cured": cured,
        "spells_reaching_30": rolled,
        "par30_at_end": round(par30, 4),
        "open_loans_at_end": int(open_.sum()),
    }
