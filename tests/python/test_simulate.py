"""`predelq simulate`: determinism, counts, integrity, the DPD rule, cohorts, dirty rows, PostgreSQL.

Small portfolios only. The default portfolio's loan book and truth are checked at
--minute-step 60 (the world does not depend on the step, only telemetry does).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from conftest import SMALL_PORTFOLIO, make_duckdb_warehouse

from predelq.simulate.truth import auc, oracle_auc

TZ = ZoneInfo("Asia/Kolkata")
TINY = [
    "--assets",
    "6",
    "--days",
    "3",
    "--seed",
    "11",
    "--dirty-rate",
    "0.01",
    "--no-oracle",
    "--no-progress",
]
RAW = [
    "oems", "asset_models", "customers", "accounts", "assets", "entity_identifiers", "pois",
    "repayment_schedule", "payments", "delinquency_events", "raw_telemetry", "raw_telemetry_archive",
]  # fmt: skip
TRUTH = ["accounts", "account_daily_risk", "runs", "telemetry_dirty"]


def simulate(wh, *args: str) -> None:
    assert wh.cli("simulate", *args) == 0


def local_date(ts: dt.datetime) -> dt.date:
    return ts.astimezone(TZ).date()


def dirty_counts(wh) -> dict[str, int]:
    return dict(wh.query("select kind, n from truth.telemetry_dirty"))


def run_parameters(wh) -> dict:
    p = wh.scalar("select parameters from truth.runs")
    return json.loads(p) if isinstance(p, str) else p


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """The shared small portfolio (conftest's options) on DuckDB."""
    wh = make_duckdb_warehouse(tmp_path_factory.mktemp("sim_small"))
    simulate(wh, *SMALL_PORTFOLIO, "--no-progress")
    return wh


@pytest.fixture(scope="module")
def default_world(tmp_path_factory):
    """The default portfolio (450 assets, 240 days, seed 42) with hourly telemetry."""
    wh = make_duckdb_warehouse(tmp_path_factory.mktemp("sim_default"))
    simulate(wh, "--minute-step", "60", "--no-oracle", "--no-progress")
    return wh


# --- determinism -------------------------------------------------------------------


def table_digests(wh, tables: list[str], schema: str) -> dict[str, str]:
    out = {}
    for t in tables:
        out[t] = wh.scalar(
            f"select md5(coalesce(string_agg(cast(x as varchar), chr(10) order by cast(x as varchar)), '')) "
            f"from {schema}.{t} as x"
        )
    return out


def test_same_seed_gives_identical_tables_and_another_seed_differs(tmp_path):
    a, b, c = (make_duckdb_warehouse(tmp_path / n) for n in "abc")
    simulate(a, *TINY)
    simulate(b, *TINY)
    simulate(c, *[("12" if x == "11" else x) for x in TINY])
    for schema, tables in (("raw", RAW), ("truth", TRUTH)):
        assert table_digests(a, tables, schema) == table_digests(b, tables, schema)
    da, dc = table_digests(a, RAW, "raw"), table_digests(c, RAW, "raw")
    for t in ["customers", "accounts", "assets", "payments", "raw_telemetry"]:
        assert da[t] != dc[t], t


def test_simulating_again_replaces_the_data(tmp_path):
    wh = make_duckdb_warehouse(tmp_path / "w")
    simulate(wh, *TINY)
    first = {t: wh.scalar(f"select count(*) from raw.{t}") for t in RAW}
    simulate(wh, *TINY)
    assert {t: wh.scalar(f"select count(*) from raw.{t}") for t in RAW} == first


# --- counts and formats --------------------------------------------------------------


def test_three_vehicles_one_day_give_1440_minutes_each_less_signal_gaps(tmp_path):
    wh = make_duckdb_warehouse(tmp_path / "w")
    simulate(wh, "--assets", "3", "--days", "1", "--dirty-rate", "0", "--no-oracle", "--no-progress")
    cells = run_parameters(wh)["telemetry_cells"]
    assert cells["online"] == 3 * 1440
    rows = wh.scalar("select count(*) from raw.raw_telemetry")
    assert rows == cells["reported"] == 3 * 1440 - cells["signal_gaps"]
    assert 0.9 * 3 * 1440 < rows <= 3 * 1440
    # one reading per device and minute, all inside the one local day
    assert wh.scalar("select count(distinct (device_id, ts)) from raw.raw_telemetry") == rows
    days = wh.query("select distinct cast(timezone('Asia/Kolkata', ts) as date) from raw.raw_telemetry")
    assert days == [(dt.date(2026, 10, 31),)]


def test_minute_step_and_window(small):
    bad = small.scalar(
        "select count(*) from raw.raw_telemetry where second(ts) <> 0 or extract(microsecond from ts) <> 0"
    )
    assert bad == 0
    first, last = small.query(
        "select min(cast(timezone('Asia/Kolkata', ts) as date)), "
        "max(cast(timezone('Asia/Kolkata', ts) as date)) from raw.raw_telemetry"
    )[0]
    assert (first, last) == (dt.date(2026, 9, 22), dt.date(2026, 10, 31))  # 40 local days
    assert small.scalar("select count(*) from raw.raw_telemetry where asset_id is not null") == 0
    assert small.scalar("select count(*) from raw.raw_telemetry where raw_payload is not null") == 0
    # UUIDs are version 4 (deterministic, but shaped like random ones)
    assert (
        small.scalar("select count(*) from raw.raw_telemetry where substr(cast(id as varchar), 15, 1) <> '4'")
        == 0
    )


def test_schedules_amortise_the_loan(small):
    bad = small.query(
        """
        select a.id from raw.accounts a join raw.repayment_schedule s on s.account_id = a.id
        group by a.id, a.loan_amount, a.tenure_months, a.maturity_date
        having sum(s.principal_component) <> a.loan_amount or count(*) <> a.tenure_months
            or max(s.due_date) <> a.maturity_date or max(s.installment_number) <> a.tenure_months
        """
    )
    assert bad == []
    assert (
        small.scalar(
            "select count(*) from raw.repayment_schedule "
            "where total_due <> principal_component + interest_component or interest_component < 0"
        )
        == 0
    )


def test_cohort_shares_and_statuses(small):
    cohorts = dict(small.query("select cohort, count(*) from truth.accounts group by 1"))
    assert set(cohorts) == {"healthy", "gradual_decline", "sudden_default", "stressed_recovers", "goes_dark"}
    n_acc = small.scalar("select count(*) from raw.accounts")
    assert 24 / n_acc == pytest.approx(1.45, abs=0.25)
    statuses = dict(small.query("select status, count(*) from raw.accounts group by 1"))
    assert set(statuses) <= {"active", "delinquent", "closed", "written_off"}


# --- referential integrity -------------------------------------------------------------

FOREIGN_KEYS = [
    ("asset_models", "oem_id", "oems"),
    ("accounts", "customer_id", "customers"),
    ("assets", "account_id", "accounts"),
    ("assets", "asset_model_id", "asset_models"),
    ("repayment_schedule", "account_id", "accounts"),
    ("payments", "account_id", "accounts"),
    ("delinquency_events", "account_id", "accounts"),
]


@pytest.mark.parametrize("table,column,parent", FOREIGN_KEYS)
def test_foreign_keys_resolve(small, table, column, parent):
    orphans = small.scalar(
        f"select count(*) from raw.{table} c left join raw.{parent} p on c.{column} = p.id where p.id is null"
    )
    assert orphans == 0
    assert small.scalar(f"select count(*) from raw.{table}") > 0


def test_polymorphic_owners_and_payment_installments_resolve(small):
    for table, type_col, id_col, mapping in [
        ("entity_identifiers", "entity_type", "entity_id", {"customer": "customers", "account": "accounts",
                                                             "asset": "assets"}),
        ("pois", "owner_type", "owner_id", {"customer": "customers", "asset": "assets", "oem": "oems"}),
    ]:  # fmt: skip
        types = {r[0] for r in small.query(f"select distinct {type_col} from raw.{table}")}
        assert types == set(mapping)
        for kind, parent in mapping.items():
            orphans = small.scalar(
                f"select count(*) from raw.{table} c left join raw.{parent} p on c.{id_col} = p.id "
                f"where c.{type_col} = '{kind}' and p.id is null"
            )
            assert orphans == 0, (table, kind)
    # every payment names an installment of its account (account_id + due_date)
    assert (
        small.scalar(
            "select count(*) from raw.payments p left join raw.repayment_schedule s "
            "on p.account_id = s.account_id and p.due_date = s.due_date where s.id is null"
        )
        == 0
    )
    # no payment rows for installments due after the end date, none dated after it
    assert (
        small.scalar(
            "select count(*) from raw.payments "
            "where due_date > date '2026-10-31' or paid_date > date '2026-10-31'"
        )
        == 0
    )


DEVICE_RESOLUTION = """
    select t.device_id, t.ts, count(e.id) as matches, min(cast(e.entity_id as varchar)) as asset
    from (select distinct * from raw.raw_telemetry) t
    left join raw.entity_identifiers e
        on e.identifier_type = 'device_id' and e.identifier_value = t.device_id
        and cast(timezone('Asia/Kolkata', t.ts) as date) >= e.valid_from
        and (e.valid_to is null or cast(timezone('Asia/Kolkata', t.ts) as date) < e.valid_to)
    group by t.id, t.device_id, t.ts, t.ingested_at
"""


def test_every_reading_resolves_to_one_vehicle_except_unknown_devices(small):
    res = small.query(
        f"select matches, count(*), count(distinct device_id) from ({DEVICE_RESOLUTION}) "
        "group by 1 order by 1"
    )
    by = {m: (n, d) for m, n, d in res}
    assert set(by) == {0, 1}  # never two vehicles for one reading
    unknown = dirty_counts(small)["unknown_device_rows"]
    assert by[0][0] == unknown > 0
    known = {r[0] for r in small.query("select distinct identifier_value from raw.entity_identifiers")}
    unresolved = {
        r[0] for r in small.query(f"select distinct device_id from ({DEVICE_RESOLUTION}) where matches = 0")
    }
    assert not unresolved & known  # unresolved rows come only from devices nobody knows


def test_device_swaps_and_reuse(small):
    params = run_parameters(small)
    assert params["device_swaps"] >= 2 and params["device_reassignments"] >= 1
    reused = small.query(
        "select identifier_value, count(distinct entity_id), min(valid_to), max(valid_from) "
        "from raw.entity_identifiers where identifier_type = 'device_id' "
        "group by 1 having count(distinct entity_id) > 1"
    )
    assert reused
    for device, n_assets, first_end, second_start in reused:
        assert n_assets == 2 and first_end < second_start  # a gap between the two vehicles
        assets = small.query(
            f"select distinct asset from ({DEVICE_RESOLUTION}) where device_id = '{device}' and matches = 1"
        )
        assert len(assets) == 2, device  # its readings belong to one vehicle, then to another


# --- dirty data ------------------------------------------------------------------------


def test_dirty_rows_match_what_truth_says(small):
    d = dirty_counts(small)
    assert run_parameters(small)["dirty"] == d
    rows = small.scalar("select count(*) from raw.raw_telemetry")
    distinct = small.scalar("select count(*) from (select distinct * from raw.raw_telemetry)")
    assert rows - distinct == d["duplicate_rows"] > 0
    assert (
        small.scalar("select count(*) from raw.raw_telemetry where soc > 100")
        == d["soc_out_of_range_rows"]
        > 0
    )
    assert (
        small.scalar("select count(*) from raw.raw_telemetry where speed < 0") == d["negative_speed_rows"] > 0
    )
    late = small.scalar("select count(*) from raw.raw_telemetry where ingested_at >= ts + interval 1 day")
    assert late == d["late_arriving_rows"] > 0
    assert small.scalar("select max(ingested_at - ts) from raw.raw_telemetry") <= dt.timedelta(days=2)
    assert small.scalar("select min(ingested_at - ts) from raw.raw_telemetry") > dt.timedelta(0)
    spikes = small.scalar(
        """
        select count(*) from (
            select odometer - lag(odometer) over w as up, lead(odometer) over w - odometer as down
            from (select distinct * from raw.raw_telemetry) as t
            where device_id in (select identifier_value from raw.entity_identifiers)
            window w as (partition by device_id order by ts)
        ) where up > 10000 and down < -10000
        """
    )
    assert spikes == d["odometer_spike_rows"] > 0
    total = sum(v for k, v in d.items() if k.endswith("_rows"))
    assert total / rows == pytest.approx(0.002, rel=0.25)


def test_no_dirty_rows_when_the_rate_is_zero(tmp_path):
    wh = make_duckdb_warehouse(tmp_path / "w")
    simulate(wh, "--assets", "5", "--days", "3", "--dirty-rate", "0", "--no-oracle", "--no-progress")
    assert set(dirty_counts(wh).values()) == {0}
    assert (
        wh.scalar(
            "select count(*) from raw.raw_telemetry where soc > 100 or soc < 0 or speed < 0 "
            "or ingested_at > ts + interval 1 minute"
        )
        == 0
    )


# --- the DPD rule ------------------------------------------------------------------------


def recompute_events(wh) -> list[tuple]:
    """An independent implementation of the rule in loanbook.py's docstring, from the written tables."""
    end = wh.scalar("select end_date from truth.runs")
    schedule = defaultdict(list)
    for acc, due, total in wh.query(
        "select cast(account_id as varchar), due_date, total_due from raw.repayment_schedule"
    ):
        schedule[acc].append((due, total))
    paid = defaultdict(list)
    for acc, due, day, amount in wh.query(
        "select cast(account_id as varchar), due_date, paid_date, amount_paid from raw.payments "
        "where paid_date is not null"
    ):
        paid[(acc, due)].append((day, amount))
    events = []
    for acc, insts in schedule.items():
        insts.sort()
        day = insts[0][0] + dt.timedelta(days=1)
        episode = None  # (start day, thresholds reached)
        pending: list[list] = []
        while day <= end:
            overdue = []
            for due, total in insts:
                if due >= day:
                    break
                got = sum((a for d, a in paid[(acc, due)] if d <= day), Decimal(0))
                if got < total:
                    overdue.append((due, total - got))
            dpd = (day - overdue[0][0]).days if overdue else 0
            if dpd > 0:
                if episode is None:
                    episode = set()
                for threshold, name in ((30, "dpd_30"), (60, "dpd_60"), (90, "dpd_90"), (120, "default")):
                    if dpd >= threshold and name not in episode:
                        episode.add(name)
                        pending.append([acc, name, day, None, dpd, sum(o[1] for o in overdue)])
            elif episode is not None:
                for e in pending:
                    e[3] = day
                events += [tuple(e) for e in pending]
                episode, pending = None, []
            day += dt.timedelta(days=1)
        events += [tuple(e) for e in pending]
    return sorted(events, key=lambda e: (e[0], e[2], e[4]))


def written_events(wh) -> list[tuple]:
    rows = wh.query(
        "select cast(account_id as varchar), event_type, triggered_at, resolved_at, days_past_due, "
        "outstanding_amount from raw.delinquency_events"
    )
    out = [(a, t, local_date(tr), local_date(rs) if rs else None, d, o) for a, t, tr, rs, d, o in rows]
    return sorted(out, key=lambda e: (e[0], e[2], e[4]))


def test_delinquency_events_agree_with_a_recomputation_from_the_loan_book(default_world):
    written = written_events(default_world)
    assert written == recompute_events(default_world)
    kinds = {e[1] for e in written}
    assert kinds == {"dpd_30", "dpd_60", "dpd_90", "default"}
    assert any(e[3] is not None for e in written)  # some accounts cure
    # account statuses follow the events
    status = dict(default_world.query("select cast(id as varchar), status from raw.accounts"))
    defaulted = {e[0] for e in written if e[1] == "default"}
    assert {a for a, s in status.items() if s == "written_off"} == defaulted
    open_30 = {e[0] for e in written if e[1] == "dpd_30" and e[3] is None} - defaulted
    assert {a for a, s in status.items() if s == "delinquent"} == open_30


# --- cohorts, behaviour and the oracle -------------------------------------------------------


def test_default_portfolio_has_enough_delinquencies_and_an_imperfect_oracle(default_world):
    wh = default_world
    n_acc = wh.scalar("select count(*) from raw.accounts")
    assert 280 <= n_acc <= 340  # ~1.45 vehicles per account
    reached = wh.scalar(
        "select count(distinct account_id) from raw.delinquency_events where event_type = 'dpd_30' "
        "and cast(timezone('Asia/Kolkata', triggered_at) as date) >= date '2026-03-06'"
    )
    assert reached >= 50
    # gradual decliners mostly reach 30+ DPD from ~60 days into the window to the end (a few censored)
    firsts = wh.query(
        "select t.planned_delinquency_date, min(cast(timezone('Asia/Kolkata', e.triggered_at) as date)) "
        "from truth.accounts t left join raw.delinquency_events e "
        "on e.account_id = t.account_id and e.event_type = 'dpd_30' "
        "where t.cohort = 'gradual_decline' group by t.account_id, 1"
    )
    in_range = [f for p, f in firsts if f is not None and dt.date(2026, 5, 5) <= f <= dt.date(2026, 10, 31)]
    censored = [p for p, f in firsts if f is None and p > dt.date(2026, 10, 31)]
    assert len(in_range) >= 0.75 * len(firsts) and censored
    assert all(f == p for p, f in firsts if f is not None)  # the plan is what the loan book shows
    # stressed accounts recover below 30 DPD; some healthy accounts cure from 30+
    by_cohort = dict(
        wh.query(
            "select t.cohort, count(distinct e.account_id) from truth.accounts t "
            "join raw.delinquency_events e on e.account_id = t.account_id group by 1"
        )
    )
    assert "stressed_recovers" not in by_cohort and by_cohort.get("healthy", 0) >= 1
    with wh.activated() as target:
        con = target.connect()
        try:
            aucs = {h: oracle_auc(con, h) for h in (30, 90, 180)}
        finally:
            con.close()
    assert 0.7 <= aucs[90] <= 0.93, aucs
    assert all(0.5 < v < 0.99 for v in aucs.values()), aucs


KM_BY_ASSET_DAY = """
    select a.account_id, cast(timezone('Asia/Kolkata', t.ts) as date) as day, sum(t.speed) as km
    from raw.raw_telemetry t
    join raw.entity_identifiers e
        on e.identifier_type = 'device_id' and e.identifier_value = t.device_id
        and cast(timezone('Asia/Kolkata', t.ts) as date) >= e.valid_from
        and (e.valid_to is null or cast(timezone('Asia/Kolkata', t.ts) as date) < e.valid_to)
    join raw.assets a on a.id = e.entity_id
    where t.speed >= 0 and t.speed < 250
    group by 1, 2
"""


def km_ratios(wh) -> dict[str, float]:
    """Median over accounts of km/day in the 45 days before the planned 30+ DPD vs 120+ days before.

    Healthy accounts: the last 45 days of the window vs its first 100 days.
    """
    rows = wh.query(
        f"""
        with d as ({KM_BY_ASSET_DAY}), t as (select * from truth.accounts)
        select t.cohort, t.shows_in_telemetry,
            avg(case when t.planned_delinquency_date is not null
                      and d.day >= t.planned_delinquency_date - 45 and d.day < t.planned_delinquency_date
                     then d.km
                     when t.planned_delinquency_date is null and d.day > date '2026-09-16' then d.km end)
            / nullif(avg(case when t.planned_delinquency_date is not null
                      and d.day < t.planned_delinquency_date - 120 then d.km
                     when t.planned_delinquency_date is null and d.day < date '2026-06-14' then d.km end), 0)
        from d join t on t.account_id = d.account_id
        group by t.account_id, 1, 2
        """
    )
    groups = defaultdict(list)
    for cohort, shows, ratio in rows:
        if ratio is not None:
            groups[f"{cohort}/{shows}"].append(float(ratio))
    return {k: float(np.median(v)) for k, v in groups.items() if len(v) >= 5}


def test_decliners_drive_less_before_default_but_only_when_it_shows(default_world):
    r = km_ratios(default_world)
    assert r["gradual_decline/True"] < 0.8 * r["healthy/True"], r
    assert r["gradual_decline/False"] > 0.85 * r["healthy/True"], r
    assert 0.85 < r["healthy/True"] < 1.15, r


def test_signal_strength_zero_removes_the_warning(tmp_path):
    wh = make_duckdb_warehouse(tmp_path / "w")
    simulate(wh, "--minute-step", "60", "--signal-strength", "0", "--no-oracle", "--no-progress")
    assert wh.scalar("select max(telemetry_stress) from truth.account_daily_risk") == 0
    r = km_ratios(wh)
    assert r["gradual_decline/True"] > 0.85 * r["healthy/True"], r


def test_auc_handles_ties_like_the_pairwise_definition():
    rng = np.random.default_rng(3)
    scores = rng.integers(0, 5, 200).astype(float)
    labels = rng.random(200) < 0.3
    pos, neg = scores[labels], scores[~labels]
    pairwise = ((pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()) / (
        len(pos) * len(neg)
    )
    assert auc(scores, labels) == pytest.approx(pairwise)
    assert np.isnan(auc(scores, np.zeros(200, dtype=bool)))


def test_bad_options_are_rejected_with_a_message(tmp_path, capsys):
    wh = make_duckdb_warehouse(tmp_path / "w")
    assert wh.cli("simulate", "--minute-step", "7") == 2
    assert "--minute-step" in capsys.readouterr().err
    assert wh.cli("simulate", "--timezone", "Mars/Olympus") == 2


# --- PostgreSQL ------------------------------------------------------------------------------


def normalise(value):
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, str) and value.startswith("{"):
        return json.loads(value)
    if isinstance(value, dict):
        return value
    if value is None or isinstance(value, (bool, int, float, Decimal, dt.date)):
        return value
    return str(value)


def table_rows(wh, schema: str, table: str) -> list[tuple]:
    rows = [tuple(normalise(v) for v in r) for r in wh.query(f"select * from {schema}.{table}")]
    return sorted(rows, key=repr)


@pytest.mark.postgres
def test_postgres_gets_exactly_the_same_tables_as_duckdb(pg_warehouse, tmp_path):
    duck = make_duckdb_warehouse(tmp_path / "duck")
    simulate(duck, *TINY)
    simulate(pg_warehouse, *TINY)
    simulate(pg_warehouse, *TINY)  # a second run replaces, never appends
    for schema, tables in (("raw", RAW), ("truth", TRUTH)):
        for t in tables:
            assert table_rows(pg_warehouse, schema, t) == table_rows(duck, schema, t), f"{schema}.{t}"
    assert pg_warehouse.scalar("select count(*) from raw.raw_telemetry") > 6 * 1440
