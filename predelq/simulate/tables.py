"""The simulated world as Arrow tables with the raw and truth schemas' columns.

Decimals are built from integers (exact, zero-copy decimal64), timestamps are
UTC microseconds, dates are local days. `raw_telemetry.raw_payload` and
`load_batch_id` are NULL for simulated rows (there was no device payload and no
loader batch); `asset_id` is NULL (the feed only knows the device, D3).
"""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pyarrow as pa

from predelq.simulate import catalog
from predelq.simulate.ids import IdSet, uuid_bytes
from predelq.simulate.loanbook import NONE
from predelq.simulate.portfolio import day_int, int_day
from predelq.simulate.risk import COHORTS
from predelq.simulate.timebase import LocalClock
from predelq.simulate.world import World, stream

TS = pa.timestamp("us", tz="UTC")


def _fixed(typ: pa.DataType, values: np.ndarray, null=None) -> pa.Array:
    """A fixed-width Arrow array over a numpy buffer (zero-copy), nulls where `null` is true."""
    v = np.ascontiguousarray(values)
    validity = None
    if null is not None and np.any(null):
        validity = pa.py_buffer(np.packbits(~np.asarray(null, dtype=bool), bitorder="little"))
    return pa.Array.from_buffers(typ, len(v), [validity, pa.py_buffer(v)])


def dec(values, precision: int, scale: int, scaled: bool = False) -> pa.Array:
    """decimal(precision, scale) from floats, or from integers already in units of 10^-scale."""
    v = np.asarray(values)
    v = v.astype(np.int64) if scaled else np.rint(v * 10.0**scale).astype(np.int64)
    return _fixed(pa.decimal64(precision, scale), v)


def dates(days) -> pa.Array:
    d = np.asarray(days, dtype=np.int64)
    return _fixed(pa.date32(), d.astype(np.int32), d == NONE)


def stamps(us, null=None) -> pa.Array:
    return _fixed(TS, np.asarray(us, dtype=np.int64), null)


def ints(values) -> pa.Array:
    return _fixed(pa.int32(), np.asarray(values).astype(np.int32))


def uuids_from_halves(hi, lo) -> pa.Array:
    b = uuid_bytes(hi, lo)
    storage = pa.FixedSizeBinaryArray.from_buffers(pa.binary(16), len(hi), [None, pa.py_buffer(b)])
    return pa.ExtensionArray.from_storage(pa.uuid(), storage)


def uuids(ids: IdSet, idx=None) -> pa.Array:
    """UUID column: all of an IdSet, or the ids at positions `idx` (a foreign key)."""
    if idx is None:
        return uuids_from_halves(ids.hi, ids.lo)
    return uuids_from_halves(*ids.take(idx))


def new_uuids(seed: int, stream: str, n: int) -> pa.Array:
    return uuids(IdSet(seed, stream, n))


def _year_letter(year: int) -> str:
    letters = "ABCDEFGHJKLMNPRSTVWXY123456789"  # VIN model-year code from 2010
    return letters[(year - 2010) % len(letters)]


def master_tables(w: World, clock: LocalClock) -> dict[str, pa.Table]:
    """Every raw table except raw_telemetry."""
    pf, terms, sch, pay, dq, st, fleet = w.pf, w.terms, w.schedule, w.payments, w.dq, w.st, w.fleet
    seed = w.cfg.seed
    rng = stream(seed, 8)
    at = lambda days, minute: clock.local_time_us(np.asarray(days), np.full(len(days), minute))  # noqa: E731
    out: dict[str, pa.Table] = {}

    n_oem = len(catalog.OEMS)
    oem_days = [day_int(dt.date(2019, 1, 1)) + 45 * i for i in range(n_oem)]
    out["oems"] = pa.table({
        "id": uuids(pf.oem_ids),
        "name": [o[0] for o in catalog.OEMS],
        "country": [o[1] for o in catalog.OEMS],
        "created_at": stamps(at(oem_days, 600)),
    })  # fmt: skip
    models = catalog.MODELS
    out["asset_models"] = pa.table({
        "id": uuids(pf.model_ids),
        "oem_id": uuids(pf.oem_ids, [m.oem for m in models]),
        "name": [m.name for m in models],
        "vehicle_type": [m.vehicle_type for m in models],
        "battery_capacity_kwh": dec([m.battery_kwh for m in models], 6, 2),
        "created_at": stamps(at([day_int(dt.date(2020, 3, 1)) + 30 * i for i in range(len(models))], 600)),
    })  # fmt: skip

    # customers
    n_cust = len(pf.customer_ids)
    first_disb = np.full(n_cust, 10**7, dtype=np.int64)
    last_change = np.zeros(n_cust, dtype=np.int64)
    for a, c in enumerate(pf.account_customer):
        first_disb[c] = min(first_disb[c], terms.disbursement[a])
        last_change[c] = max(last_change[c], st.account_changed[a])
    cust_created = first_disb - rng.integers(1, 21, n_cust)
    phones = [f"+91{d}{n:09d}" for d, n in zip(rng.integers(6, 10, n_cust), rng.integers(0, 10**9, n_cust),
                                                 strict=True)]  # fmt: skip
    emails = [
        f"{name.lower().replace(' ', '.')}{i % 97}@example.com" for i, name in enumerate(pf.customer_names)
    ]
    out["customers"] = pa.table({
        "id": uuids(pf.customer_ids),
        "status": st.customer_status,
        "full_name": pf.customer_names,
        "phone": phones,
        "email": emails,
        "city": [catalog.CITIES[c][0] for c in pf.customer_city],
        "created_at": stamps(at(cust_created, 11 * 60)),
        "updated_at": stamps(at(np.maximum(last_change, cust_created), 11 * 60)),
    })  # fmt: skip

    # accounts
    maturity = np.array([sch.due[sch.rows(a)][-1] for a in range(pf.n_accounts)], dtype=np.int64)
    out["accounts"] = pa.table({
        "id": uuids(pf.account_ids),
        "customer_id": uuids(pf.customer_ids, pf.account_customer),
        "status": st.account_status,
        "loan_amount": dec(terms.loan_paisa, 12, 2, scaled=True),
        "tenure_months": ints(terms.tenure),
        "interest_rate": dec(terms.rate, 5, 4),
        "disbursement_date": dates(terms.disbursement),
        "maturity_date": dates(maturity),
        "created_at": stamps(at(terms.disbursement, 11 * 60)),
        "updated_at": stamps(at(st.account_changed, 11 * 60)),
    })  # fmt: skip

    # assets
    disb_a = terms.disbursement[pf.asset_account]
    year = np.array([int_day(d).year for d in disb_a]) - (rng.random(pf.n_assets) < 0.3)
    changed = np.where(fleet.status_day != NONE, fleet.status_day, disb_a)
    out["assets"] = pa.table({
        "id": uuids(pf.asset_ids),
        "account_id": uuids(pf.account_ids, pf.asset_account),
        "asset_model_id": uuids(pf.model_ids, pf.asset_model),
        "status": fleet.asset_status,
        "year_of_manufacture": ints(year),
        "created_at": stamps(at(disb_a, 12 * 60)),
        "updated_at": stamps(at(changed, 12 * 60)),
    })  # fmt: skip

    out["entity_identifiers"] = _identifiers(w, clock, year)
    out["pois"] = _pois(w, clock)

    out["repayment_schedule"] = pa.table({
        "id": new_uuids(seed, "repayment_schedule", len(sch.due)),
        "account_id": uuids(pf.account_ids, sch.account),
        "installment_number": ints(sch.number),
        "due_date": dates(sch.due),
        "principal_component": dec(sch.principal, 12, 2, scaled=True),
        "interest_component": dec(sch.interest, 12, 2, scaled=True),
        "total_due": dec(sch.total, 12, 2, scaled=True),
        "created_at": stamps(at(terms.disbursement[sch.account], 11 * 60 + 5)),
    })  # fmt: skip

    out["payments"] = pa.table({
        "id": new_uuids(seed, "payment", len(pay.due)),
        "account_id": uuids(pf.account_ids, pay.account),
        "due_date": dates(pay.due),
        "paid_date": dates(pay.paid),
        "amount_due": dec(pay.amount_due, 12, 2, scaled=True),
        "amount_paid": dec(pay.amount_paid, 12, 2, scaled=True),
        "payment_method": pay.method,
        "status": pay.status,
        "bounce_reason": pay.bounce_reason,
        "created_at": stamps(clock.local_time_us(pay.recorded_day, pay.recorded_minute)),
    })  # fmt: skip

    trig = at(dq.triggered, 12 * 60)
    res = at(np.where(dq.resolved == NONE, dq.triggered, dq.resolved), 12 * 60)
    out["delinquency_events"] = pa.table({
        "id": new_uuids(seed, "delinquency_event", len(dq.triggered)),
        "account_id": uuids(pf.account_ids, dq.account),
        "event_type": dq.event_type,
        "triggered_at": stamps(trig),
        "resolved_at": stamps(res, dq.resolved == NONE),
        "days_past_due": ints(dq.dpd),
        "outstanding_amount": dec(dq.outstanding, 12, 2, scaled=True),
        "created_at": stamps(trig),
    })  # fmt: skip
    return out


def _identifiers(w: World, clock: LocalClock, year) -> pa.Table:
    pf, terms, fleet = w.pf, w.terms, w.fleet
    n_cust, n_acc, n_ast = len(pf.customer_ids), pf.n_accounts, pf.n_assets
    cust_from = np.full(n_cust, 10**7, dtype=np.int64)
    np.minimum.at(cust_from, pf.account_customer, terms.disbursement)
    # (entity hi, entity lo, entity_type, identifier_type, value, source, primary, from, to) per block
    hi, lo, etype, itype, value, source, primary, vfrom, vto = ([] for _ in range(9))

    def block(ids: IdSet, idx, et, it, values, src, prim, frm, to):
        h, l_ = ids.take(idx)
        hi.append(h)
        lo.append(l_)
        etype.extend([et] * len(values))
        itype.extend([it] * len(values))
        value.extend(values)
        source.extend([src] * len(values))
        primary.extend([prim] * len(values))
        vfrom.append(np.asarray(frm, dtype=np.int64))
        vto.append(np.asarray(to, dtype=np.int64))

    none = lambda n: np.full(n, NONE, dtype=np.int64)  # noqa: E731
    c_idx, a_idx, s_idx = np.arange(n_cust), np.arange(n_acc), np.arange(n_ast)
    block(pf.customer_ids, c_idx, "customer", "customer_ref", [f"CUST{1_000_000 + c}" for c in c_idx],
          "internal", True, cust_from, none(n_cust))  # fmt: skip
    block(pf.account_ids, a_idx, "account", "account_number", [f"LAN{4_100_000_000 + 37 * a}" for a in a_idx],
          "internal", True, terms.disbursement, none(n_acc))  # fmt: skip
    vins, regs = [], []
    for i in s_idx:
        m = catalog.MODELS[pf.asset_model[i]]
        wmi, yl = catalog.OEMS[m.oem][2], _year_letter(int(year[i]))
        vins.append(f"{wmi}E{pf.asset_model[i]:02d}KB0{yl}A{100_000 + i:06d}")
        state = catalog.CITIES[pf.asset_city[i]][3]
        regs.append(f"{state}{1 + (i * 7) % 40:02d}{_letters(i // 9000)}{1000 + i % 9000:04d}")
    start = fleet.online_from
    block(pf.asset_ids, s_idx, "asset", "vin", vins, "oem", True, start, none(n_ast))
    block(pf.asset_ids, s_idx, "asset", "registration", regs, "rto", False, start, none(n_ast))
    names = fleet.device_names
    block(pf.asset_ids, s_idx, "asset", "device_id", [names[d] for d in fleet.first_device], "telematics",
          False, start, fleet.device_valid_to_first)  # fmt: skip
    sw = np.flatnonzero(fleet.swap_day != NONE)
    block(pf.asset_ids, sw, "asset", "device_id", [names[d] for d in fleet.second_device[sw]], "telematics",
          False, fleet.swap_day[sw], fleet.device_valid_to_second[sw])  # fmt: skip
    valid_from = np.concatenate(vfrom)
    n = len(valid_from)
    return pa.table({
        "id": new_uuids(w.cfg.seed, "entity_identifier", n),
        "entity_type": etype,
        "entity_id": uuids_from_halves(np.concatenate(hi), np.concatenate(lo)),
        "identifier_type": itype,
        "identifier_value": value,
        "source": source,
        "is_primary": pa.array(primary, type=pa.bool_()),
        "valid_from": dates(valid_from),
        "valid_to": dates(np.concatenate(vto)),
        "created_at": stamps(clock.local_time_us(valid_from, np.full(n, 9 * 60))),
    })  # fmt: skip


def _letters(i: int) -> str:
    a = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    return a[(i // len(a)) % len(a)] + a[i % len(a)]


def _pois(w: World, clock: LocalClock) -> pa.Table:
    pf, terms = w.pf, w.terms
    n_cust = len(pf.customer_ids)
    cust_day = np.full(n_cust, 10**7, dtype=np.int64)
    np.minimum.at(cust_day, pf.account_customer, terms.disbursement)
    asset_day = terms.disbursement[pf.asset_account]
    fleet_base = pf.account_size[pf.asset_account] > 1
    has_work = ~np.isnan(pf.asset_work[:, 0])
    work_idx = np.flatnonzero(has_work)
    work_owner = pf.account_customer[pf.asset_account[work_idx]]
    sc = sorted(pf.service_centres.items())
    sc_oem = np.array([o for (o, _), _ in sc], dtype=np.int64)
    parts = [
        # owner ids, owner_type, poi_type, names, lat/lon, radius, created day
        (pf.customer_ids.take(np.arange(n_cust)), "customer", "home",
         [f"Home of {nm}" for nm in pf.customer_names], pf.customer_home, 100, cust_day),
        (pf.asset_ids.take(np.arange(pf.n_assets)), "asset", "base",
         ["Depot" if f else "Home base" for f in fleet_base], pf.asset_base, 150, asset_day),
        (pf.customer_ids.take(work_owner), "customer", "work", ["Work place"] * len(work_idx),
         pf.asset_work[work_idx], 200, asset_day[work_idx]),
        (pf.oem_ids.take(sc_oem), "oem", "service_centre",
         [f"{catalog.OEMS[o][0]} service, {catalog.CITIES[c][0]}" for (o, c), _ in sc],
         np.array([ll for _, ll in sc]).reshape(-1, 2), 250, np.full(len(sc), day_int(dt.date(2021, 1, 1)))),
    ]  # fmt: skip
    hi = np.concatenate([p[0][0] for p in parts])
    lo = np.concatenate([p[0][1] for p in parts])
    ll = np.concatenate([p[4] for p in parts])
    days = np.concatenate([p[6] for p in parts]).astype(np.int64)
    n = len(hi)
    return pa.table({
        "id": new_uuids(w.cfg.seed, "poi", n),
        "owner_type": [p[1] for p in parts for _ in range(len(p[3]))],
        "owner_id": uuids_from_halves(hi, lo),
        "poi_type": [p[2] for p in parts for _ in range(len(p[3]))],
        "name": [x for p in parts for x in p[3]],
        "lat": dec(ll[:, 0], 10, 7),
        "lon": dec(ll[:, 1], 10, 7),
        "radius_m": ints(np.concatenate([np.full(len(p[3]), p[5]) for p in parts])),
        "created_at": stamps(clock.local_time_us(days, np.full(n, 8 * 60))),
    })  # fmt: skip


def telemetry_table(cols: dict[str, np.ndarray], device_names: pa.Array) -> pa.Table:
    return pa.table({
        "id": uuids_from_halves(cols["id_hi"], cols["id_lo"]),
        "device_id": pa.DictionaryArray.from_arrays(pa.array(cols["device"], type=pa.int32()), device_names),
        "ts": stamps(cols["ts"]),
        "lat": dec(cols["lat"], 10, 7),
        "lon": dec(cols["lon"], 10, 7),
        "soc": dec(cols["soc"], 5, 2),
        "odometer": dec(cols["odometer"], 12, 2),
        "speed": dec(cols["speed"], 6, 2),
        "is_charging": pa.array(cols["is_charging"], type=pa.bool_()),
        "ingested_at": stamps(cols["ingested_at"]),
    })  # fmt: skip


def daily_risk_table(w: World) -> pa.Table:
    """truth.account_daily_risk: every account's latent risk from disbursement to the end date."""
    pf, prof, h = w.pf, w.profiles, w.history
    first = np.maximum(w.terms.disbursement, w.grid_start)
    counts = w.end - first + 1
    acc = np.repeat(np.arange(pf.n_accounts), counts)
    offs = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    day = np.repeat(first, counts) + offs
    col = day - w.grid_start
    r = h.r[acc, col]
    shown = np.where(prof.shows[acc], r, h.common[acc, col]) * w.cfg.signal_strength
    r5 = lambda x: _fixed(pa.float64(), np.round(np.asarray(x, dtype=np.float64), 5))  # noqa: E731
    return pa.table({
        "account_id": uuids(pf.account_ids, acc),
        "day": dates(day),
        "latent_risk": r5(r),
        "episode_risk": r5(h.episode[acc, col]),
        "telemetry_stress": r5(shown),
    })  # fmt: skip


def oracle_table(w: World, res) -> pa.Table:
    """truth.oracle: one row per sampled account-day and horizon."""
    n_h = len(res.horizons)
    rep = lambda x: np.repeat(np.asarray(x), n_h)  # noqa: E731
    return pa.table({
        "account_id": uuids(w.pf.account_ids, rep(res.account)),
        "as_of_date": dates(rep(res.as_of)),
        "horizon_days": ints(np.tile(np.array(res.horizons), len(res.as_of))),
        "n_draws": ints(np.full(len(res.as_of) * n_h, res.draws)),
        "estimate": _fixed(pa.float64(), np.round(res.estimate.reshape(-1).astype(np.float64), 6)),
        "dpd_on_eve": ints(rep(res.dpd_on_eve)),
        "ever_dpd30": pa.array(rep(res.ever_dpd30).astype(bool), type=pa.bool_()),
    })  # fmt: skip


def truth_tables(w: World, dirty: dict[str, int], parameters: dict) -> dict[str, pa.Table]:
    """truth.accounts, truth.runs and truth.telemetry_dirty (daily risk: `daily_risk_table`)."""
    pf, prof = w.pf, w.profiles
    n = pf.n_accounts
    out = {
        "accounts": pa.table(
            {
                "account_id": uuids(pf.account_ids),
                "cohort": [COHORTS[c] for c in prof.archetype],
                "shows_in_telemetry": pa.array(prof.shows.astype(bool), type=pa.bool_()),
                "signal_strength": pa.array(np.full(n, w.cfg.signal_strength)),
                "baseline_risk": _fixed(pa.float64(), np.round(prof.base.astype(np.float64), 5)),
                "episodes_started": ints(prof.episodes),
                "first_episode_date": dates(prof.first_episode),
                "dark_from_date": dates(prof.dark_from),
            }
        )  # fmt: skip
    }
    cfg = w.cfg
    out["runs"] = pa.table({
        "seed": pa.array([cfg.seed], type=pa.int64()),
        "n_assets": pa.array([pf.n_assets], type=pa.int32()),
        "n_accounts": pa.array([n], type=pa.int32()),
        "days": pa.array([cfg.days], type=pa.int32()),
        "end_date": dates([w.end]),
        "minute_step": pa.array([cfg.minute_step], type=pa.int32()),
        "dirty_rate": pa.array([cfg.dirty_rate]),
        "signal_strength": pa.array([cfg.signal_strength]),
        "parameters": [json.dumps(parameters, sort_keys=True)],
    })  # fmt: skip
    out["telemetry_dirty"] = pa.table({
        "kind": list(dirty),
        "n": pa.array(list(dirty.values()), type=pa.int64()),
    })  # fmt: skip
    return out
