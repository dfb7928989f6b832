"""The daily loan state agrees with the simulator's delinquency_events.

The simulator derives dpd_30/60/90/default events from the repayment schedule
and the payments with the DPD rule (docs/decisions.md D6). Recomputing the same
events from int_account_loan_state_daily (first day of each episode at each
threshold, DPD and arrears that day, first day back at 0) must give exactly the
raw table. Many accounts, two days of telemetry: the loan book covers each
loan's whole life regardless.
"""

from __future__ import annotations

from metrics_helpers import loan_state_vs_delinquency_events

PORTFOLIO = [
    "--assets", "500", "--days", "2", "--seed", "3", "--end-date", "2026-10-31",
    "--minute-step", "60", "--no-progress", "--no-oracle",
]  # fmt: skip


def test_loan_state_agrees_with_delinquency_events(duckdb_warehouse):
    wh = duckdb_warehouse
    assert wh.cli("simulate", *PORTFOLIO) == 0
    wh.dbt("build", "--select", "+int_account_loan_state_daily", "--indirect-selection", "cautious")
    compared, problems = loan_state_vs_delinquency_events(wh)
    assert compared >= 10, f"only {compared} delinquency events: the check would prove little"
    assert not problems, f"{len(problems)} differences:\n" + "\n".join(problems[:20])
