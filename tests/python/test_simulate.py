"""`predelq simulate`: determinism, counts, integrity, the DPD rule, the process and its oracle,
no outcome leak, realism bounds, dirty rows, PostgreSQL.

The default portfolio's loan book and truth are checked at --minute-step 60 on DuckDB and
--minute-step 1440 on PostgreSQL (the world does not depend on the step, only telemetry does).
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

from predelq.simulate.truth import auc, oracle_auc, oracle_frame

TZ = ZoneInfo("Asia/Kolkata")
TINY = [
    "--assets", "6", "--days", "15", "--seed", "11", "--dirty-rate", "0.01",
    "--oracle-draws", "50", "--oracle-every", "5", "--no-progress",
]  # fmt: skip
RAW = [
    "oems", "asset_models", "customers", "accounts", "assets", "entity_identifiers", "pois",
    "repayment_schedule", "payments", "delinquency_events", "raw_telemetry", "raw_telemetry_archive",
]  # fmt: skip
TRUTH = ["accounts", "account_daily_risk", "oracle", "runs", "telemetry_dirty"]


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
    """The default portfolio (450 assets, 240 days, seed 42) with hourly telemetry and its oracle."""
    wh = make_duckdb_warehouse(tmp_path_factory.mktemp("sim_default"))
    simulate(wh, "--minute-step", "60", "--no-progress")
    return wh


@pytest.fixture(scope="module", params=["duckdb", pytest.param("pg", marks=pytest.mark.postgres)])
def default_loan_book(request, default_world, tmp_path_factory):
    """The default portfolio's loan book and truth on each engine (PostgreSQL: one reading a day)."""
    if request.param == "duckdb":
        yield default_world
        return
    from conftest import make_pg_warehouse, pg_unavailable_reason

    if pg_unavailable_reason():
        pytest.skip(pg_unavailable_reason())
    with make_pg_warehouse(tmp_path_factory.mktemp("sim_default_pg")) as wh:
        simulate(wh, "--minute-step", "1440", "--no-progress")
        yield wh


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
    assert table_digests(a, RAW, "raw") == table_digests(b, RAW, "raw")
    world = [t for t in TRUTH if t != "runs"]
    assert table_digests(a, world, "truth") == table_digests(b, world, "truth")
    # truth.runs also records what the oracle cost this run (RUN_COSTS): compare the rest
    assert table_rows(a, "truth", "runs") == table_rows(b, "truth", "runs")
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


def test_archetype_shares_and_statuses(small):
    cohorts = dict(small.query("select cohort, count(*) from truth.accounts group by 1"))
    assert set(cohorts) == {"healthy", "gradual_decline", "sudden_shock", "stressed_recovers", "goes_dark"}
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
    # account statuses follow the events: nothing is paid after `default` (120 DPD), the loan is
    # written off 60 days later (180 DPD)
    status = dict(default_world.query("select cast(id as varchar), status from raw.accounts"))
    end = dt.date(2026, 10, 31)
    defaulted = {e[0] for e in written if e[1] == "default"}
    assert all(e[3] is None for e in written if e[1] == "default")
    written_off = {e[0] for e in written if e[1] == "default" and e[2] + dt.timedelta(days=60) <= end}
    assert {a for a, s in status.items() if s == "written_off"} == written_off
    open_30 = {e[0] for e in written if e[1] == "dpd_30" and e[3] is None} - written_off
    assert {a for a, s in status.items() if s == "delinquent"} == open_30
    assert defaulted - written_off <= open_30


# --- the process: emergence, no leak, realism, the oracle ----------------------------------------


def test_process_dpd_agrees_with_the_loan_book_day_by_day():
    """The process's own DPD (what its hazards read) is the loan book's rule applied to its rows."""
    from predelq.simulate.config import SimConfig
    from predelq.simulate.realism import dpd_matrix
    from predelq.simulate.world import build_world

    w = build_world(SimConfig(assets=120, days=200, seed=5), sample_oracle=False)
    book = dpd_matrix(w, w.grid_start, w.end)
    own = w.history.dpd.astype(np.int64)
    live = own > 0  # the process stops counting once a loan is written off or closed
    assert (book[live] == own[live]).all()
    still_open = np.array([s in ("active", "delinquent") for s in w.st.account_status])
    assert (book[still_open, -1] == own[still_open, -1]).all()
    assert (own > 0).any() and (own >= 30).any()


def test_resuming_from_a_copied_state_replays_the_uninterrupted_run():
    """A copy of the lanes and shocks is the whole state: stepping it on with the same random
    stream gives exactly what the main run did. That is what the oracle relies on."""
    import copy

    from predelq.simulate import catalog, loanbook, process, risk
    from predelq.simulate.config import SimConfig
    from predelq.simulate.portfolio import build_portfolio, day_int
    from predelq.simulate.world import stream

    cfg = SimConfig(assets=80, days=60, seed=9)
    end = day_int(cfg.end_date)
    pf = build_portfolio(cfg.seed, cfg.assets, stream(cfg.seed, 1))
    prof = risk.draw_profiles(pf.n_accounts, stream(cfg.seed, 2))
    terms = loanbook.loan_terms(pf, end, stream(cfg.seed, 4))
    sch = loanbook.build_schedule(terms)
    debit = np.isin(np.array(terms.method), loanbook.DEBIT_METHODS)
    city = pf.customer_city[pf.account_customer]
    rng = stream(cfg.seed, 6)
    lanes = process.initial_lanes(prof.archetype, prof.base, debit, terms.disbursement, sch.start[:-1],
                                  terms.tenure, city, rng)  # fmt: skip
    shocks = process.Shocks.calm(len(catalog.CITIES)), process.Shocks.calm(1)
    sched = process.Schedule(sch.due, sch.total)
    cal = process.Calendar.build(end - 1200, end + 10)
    for day in range(end - 1130, end - 400):
        process.step(lanes, *shocks, day, sched, cal, rng)
    all_lanes = np.arange(len(lanes))
    twin = (lanes.take(all_lanes), shocks[0].take(np.arange(len(catalog.CITIES))), shocks[1].take([0]))
    twin_rng = copy.deepcopy(rng)
    a_rows, b_rows = process.Rows.empty(), process.Rows.empty()
    for day in range(end - 400, end + 1):
        a = process.step(lanes, *shocks, day, sched, cal, rng, a_rows)
        b = process.step(twin[0], twin[1], twin[2], day, sched, cal, twin_rng, b_rows)
        assert (a.r == b.r).all() and (a.hit30 == b.hit30).all()
    for key, col in a_rows.arrays().items():
        assert (col == b_rows.arrays()[key]).all(), key
    assert a_rows.arrays()["lane"].size > 0


def test_the_first_30_dpd_is_not_scheduled(default_world):
    """Archetypes are tendencies: some decliners never reach 30+ DPD, some healthy accounts do,
    and loans of every age get there."""
    wh = default_world
    reached = dict(
        wh.query(
            "select t.cohort, count(distinct e.account_id) from truth.accounts t "
            "left join raw.delinquency_events e on e.account_id = t.account_id and e.event_type = 'dpd_30' "
            "group by 1"
        )
    )
    accounts = dict(wh.query("select cohort, count(*) from truth.accounts group by 1"))
    assert reached["healthy"] >= 3
    assert 0 < reached["gradual_decline"] < accounts["gradual_decline"]
    assert reached["stressed_recovers"] < accounts["stressed_recovers"]
    ages = [
        a
        for (a,) in wh.query(
            "select min(cast(timezone('Asia/Kolkata', e.triggered_at) as date)) - a.disbursement_date "
            "from raw.delinquency_events e join raw.accounts a on a.id = e.account_id "
            "where e.event_type = 'dpd_30' group by a.id, a.disbursement_date"
        )
    ]
    assert min(ages) < 120 and max(ages) > 500  # young loans default too
    cured = wh.scalar(
        "select count(*) from raw.delinquency_events where event_type = 'dpd_30' and resolved_at is not null"
    )
    again = wh.scalar(
        "select count(*) from (select account_id from raw.delinquency_events where event_type = 'dpd_30' "
        "group by 1 having count(*) > 1)"
    )
    assert cured > 0 and again > 0  # cures, and re-defaults


UNPAID_ON_DUE_DATE = """
    with due_rows as (
        select p.account_id, p.due_date, p.status, p.bounce_reason, p.payment_method, p.amount_paid,
               p.created_at, s.total_due
        from raw.payments p
        join raw.repayment_schedule s on s.account_id = p.account_id and s.due_date = p.due_date
        where cast(timezone('Asia/Kolkata', p.created_at) as date) = p.due_date
    ),
    paid_by as (
        select account_id, due_date, max(paid_date) as full_date, sum(amount_paid) as paid
        from raw.payments where paid_date is not null group by 1, 2
    )
    select d.status, d.bounce_reason, d.payment_method,
        case
            when coalesce(b.paid, 0) >= d.total_due then 'paid later'
            when d.due_date <= date '2026-10-31' - 30 then 'never paid'
            else 'open'
        end as fate
    from due_rows d
    left join paid_by b on b.account_id = d.account_id and b.due_date = d.due_date
    where d.amount_paid = 0
"""


def test_unpaid_installments_are_recorded_alike_whatever_their_fate(default_loan_book):
    """Among installments with nothing paid on their due date, the row written that day is the
    same kind whether the money comes later or never: the loan book does not leak the outcome."""
    wh = default_loan_book
    # every installment due in the data has exactly one row recorded on its due date
    assert (
        wh.scalar(
            "select count(*) from raw.repayment_schedule s join raw.accounts a on a.id = s.account_id "
            "where s.due_date <= date '2026-10-31' and s.due_date >= a.disbursement_date "
            # a written-off loan's book is closed: nothing is recorded after the write-off
            "and (a.status <> 'written_off' "
            "or s.due_date <= cast(timezone('Asia/Kolkata', a.updated_at) as date)) "
            "and 1 <> (select count(*) from raw.payments p where p.account_id = s.account_id "
            "and p.due_date = s.due_date "
            "and cast(timezone('Asia/Kolkata', p.created_at) as date) = p.due_date)"
        )
        == 0
    )
    rows = wh.query(UNPAID_ON_DUE_DATE)
    assert {r[0] for r in rows} == {"missed", "bounced"}
    # the status is the payment method's convention, nothing else
    assert all((s == "bounced") == (m in ("nach", "cheque")) for s, _, m, _ in rows)
    by_fate = defaultdict(list)
    for status, reason, _, fate in rows:
        by_fate[fate].append((status, reason))
    later, never = by_fate["paid later"], by_fate["never paid"]
    assert len(later) > 100 and len(never) > 20
    # same share of bounces, and of each bounce reason, within sampling error (|z| < 3)
    for value in ["bounced", "insufficient_funds", "technical_failure"]:
        p1 = np.mean([value in r for r in later])
        p2 = np.mean([value in r for r in never])
        pooled = (p1 * len(later) + p2 * len(never)) / (len(later) + len(never))
        se = np.sqrt(pooled * (1 - pooled) * (1 / len(later) + 1 / len(never)))
        assert abs(p1 - p2) < 3 * se + 1e-9, (value, p1, p2, se)


def test_default_portfolio_is_realistic(default_loan_book):
    """The bounds of docs/simulator.md, section 4."""
    realism = run_parameters(default_loan_book)["realism"]
    assert 0.05 <= realism["first_dpd30_rate_per_year"] <= 0.20, realism
    assert 0.40 <= realism["cure_share"] <= 0.85, realism
    assert 0.03 <= realism["par30_at_end"] <= 0.15, realism
    assert realism["first_dpd30_accounts"] >= 15, realism


def test_oracle_is_a_ceiling_neither_trivial_nor_hopeless(default_loan_book):
    wh = default_loan_book
    with wh.activated() as target:
        con = target.connect()
        try:
            current = {h: oracle_auc(con, h, "current") for h in (90, 180)}
            active = oracle_auc(con, 90, "active")
            scores, labels, _, _ = oracle_frame(con, 90, "current")
        finally:
            con.close()
    assert 0.75 <= current[90] <= 0.93, current
    assert 0.6 < current[180] < 0.95 and active > current[90] - 0.05, (current, active)
    # the oracle is calibrated: its mean estimate is the realised rate (Monte-Carlo and
    # account-level sampling error allowed)
    assert labels.sum() >= 30
    assert 0.6 < scores.mean() / labels.mean() < 1.6, (scores.mean(), labels.mean())


def test_oracle_rows_cover_open_accounts_and_grow_with_the_horizon(small):
    rows = small.query(
        "select cast(account_id as varchar), as_of_date, horizon_days, n_draws, estimate "
        "from truth.oracle order by 1, 2, 3"
    )
    assert rows and {r[3] for r in rows} == {100}
    horizons = sorted({r[2] for r in rows})
    assert horizons == [30, 60, 90, 120, 180, 210]
    by_day = defaultdict(list)
    for acc, day, _, _, est in rows:
        by_day[(acc, day)].append(est)
    assert all(len(v) == 6 and all(a <= b for a, b in zip(v, v[1:], strict=False)) for v in by_day.values())
    # sampled every 7th as-of day from the day after the first telemetry day, every open account
    days = sorted({r[1] for r in rows})
    assert days[0] == dt.date(2026, 9, 23) and all(
        (b - a).days == 7 for a, b in zip(days, days[1:], strict=False)
    )
    open_on_first = small.scalar(
        "select count(*) from raw.accounts where disbursement_date < date '2026-09-23' "
        "and (status in ('active', 'delinquent') or updated_at >= timestamp '2026-09-23')"
    )
    assert len({a for a, d in by_day if d == days[0]}) <= open_on_first


def test_oracle_draws_only_change_the_monte_carlo_error(tmp_path):
    """Twice the draws: the same estimates within a few standard errors."""
    from predelq.simulate import oracle
    from predelq.simulate.config import SimConfig
    from predelq.simulate.world import build_world

    w = build_world(SimConfig(assets=60, days=60, seed=3, oracle_every=14))
    args = (w.history.snapshots, w.process_schedule(), w.calendar, (90,))
    a = oracle.estimate(*args, draws=200, seed=1).estimate[:, 0]
    b = oracle.estimate(*args, draws=400, seed=2).estimate[:, 0]
    p = (a + b) / 2
    se = np.sqrt(p * (1 - p) * (1 / 200 + 1 / 400)) + 1e-3
    assert (np.abs(a - b) < 4.5 * se).mean() > 0.99
    assert (p > 0).any()


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
    """Median over accounts of km/day on days deep in the account's own episode (episode_risk >
    0.4) against calm days (episode_risk 0), by whether its trouble shows in telemetry."""
    rows = wh.query(
        f"""
        with d as ({KM_BY_ASSET_DAY})
        select t.shows_in_telemetry,
            avg(case when r.episode_risk > 0.4 then d.km end)
            / nullif(avg(case when r.episode_risk = 0 then d.km end), 0)
        from d
        join truth.account_daily_risk r on r.account_id = d.account_id and r.day = d.day
        join truth.accounts t on t.account_id = d.account_id
        group by t.account_id, 1
        """
    )
    groups = defaultdict(list)
    for shows, ratio in rows:
        if ratio is not None:
            groups[bool(shows)].append(float(ratio))
    return {("shows" if k else "hidden"): float(np.median(v)) for k, v in groups.items() if len(v) >= 5}


def test_telemetry_follows_the_latent_state_only_when_it_shows(default_world):
    r = km_ratios(default_world)
    assert r["shows"] < 0.8, r
    assert r["hidden"] > 0.85, r


def test_signal_strength_zero_removes_the_warning(tmp_path):
    wh = make_duckdb_warehouse(tmp_path / "w")
    simulate(wh, "--minute-step", "60", "--signal-strength", "0", "--no-oracle", "--no-progress")
    assert wh.scalar("select max(telemetry_stress) from truth.account_daily_risk") == 0
    r = km_ratios(wh)
    assert r["shows"] > 0.85, r


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


# what the oracle cost this run (wall time, memory): recorded in truth.runs, not part of the world
RUN_COSTS = ("seconds", "lanes_peak_mb")


def normalise(value):
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, str) and value.startswith("{"):
        value = json.loads(value)
    if isinstance(value, dict):
        if isinstance(value.get("oracle"), dict):
            value = {**value, "oracle": {k: v for k, v in value["oracle"].items() if k not in RUN_COSTS}}
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
