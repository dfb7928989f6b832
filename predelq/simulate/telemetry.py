"""Minute telemetry, one local day at a time, vectorised over vehicles x minutes.

Each day every reporting vehicle gets a plan (numpy over vehicles):

- idle or active (weekday/weekend and holiday seasonality by use: private or
  commercial; stress makes idle days likelier);
- K trips between a morning departure and an evening arrival: km from the
  vehicle's typical day x noise x (1 - 0.55 stress), destinations: the work
  place, random points within the city, now and then the OEM service centre,
  and last the place the vehicle spends the night: its base, or (with stress)
  somewhere else, sometimes far away;
- a day's timeline is a sequence of segments: park, drive, park, ..., drive,
  park. Each minute cell finds its segment by comparing with the segment
  boundaries; values are interpolated inside the segment (position along a
  bowed path, speed = trip speed x minute noise with stops, odometer = running
  sum of speed, SOC = SOC at segment start - consumption + charging);
- charging: overnight sessions at the night place start in the evening (plug-in
  time irregular under stress) and run past midnight until the target SOC is
  reached or the vehicle leaves; commercial vehicles and low batteries charge
  in a midday park; stressed drivers skip charges and charge to lower targets;
- signal gaps: Poisson number of gaps a day, more and longer under stress;
  goes_dark vehicles stop reporting for good at a minute of their dark day.

Stress = signal_strength x latent risk (or x the account's common risk only,
when its decline does not show in telemetry), see risk.py.

State carried from day to day: odometer (and the device's reset offset), SOC,
position, a charging session still running at midnight.

Dirty rows (see `inject_dirty`) are added to each chunk at `dirty_rate`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from predelq.simulate import catalog
from predelq.simulate.devices import Fleet
from predelq.simulate.ids import hex_token, row_uuid_halves, uuid_halves
from predelq.simulate.portfolio import KM_PER_DEG_LAT, Portfolio, day_int, int_day, offset
from predelq.simulate.timebase import US_PER_MIN, LocalClock

KMAX = 6  # most trips a vehicle makes in a day
S = 2 * KMAX + 1  # segments: park, drive, park, ... , drive, park
CHUNK = 1024  # vehicles per vectorised block (fixed: part of the random stream layout)
DIRTY_KINDS = {
    "duplicate_rows": 0.30,
    "late_arriving_rows": 0.25,
    "soc_out_of_range_rows": 0.10,
    "negative_speed_rows": 0.10,
    "odometer_spike_rows": 0.10,
    "unknown_device_rows": 0.15,
}
RESET_SHARE = 0.05  # odometer resets per vehicle-day, as a share of dirty_rate
N_UNKNOWN_DEVICES = 25
TELEMETRY_STREAM = 31


@dataclass
class VehicleParams:
    """Per-vehicle constants (arrays over vehicles)."""

    km_mean: np.ndarray
    v_mean: np.ndarray
    cons: np.ndarray  # SOC % per km
    rate: np.ndarray  # SOC % per minute while charging
    kmin: np.ndarray
    kmax: np.ndarray
    first_min: np.ndarray
    last_min: np.ndarray
    commercial: np.ndarray
    range_km: np.ndarray
    radius_km: np.ndarray  # how far from base the vehicle roams
    base: np.ndarray
    work: np.ndarray
    has_work: np.ndarray
    service: np.ndarray
    soc_target: np.ndarray

    @classmethod
    def build(cls, pf: Portfolio) -> VehicleParams:
        ms = [catalog.MODELS[m] for m in pf.asset_model]
        arr = lambda f: np.array([f(m) for m in ms], dtype=np.float64)  # noqa: E731
        battery = arr(lambda m: m.battery_kwh)
        kwh_km = arr(lambda m: m.kwh_per_km) * pf.asset_consumption_factor
        city = pf.asset_city
        service = np.array(
            [
                pf.service_centres[(catalog.MODELS[m].oem, int(c))]
                for m, c in zip(pf.asset_model, city, strict=True)
            ]
        ).reshape(-1, 2)
        km_mean = arr(lambda m: m.daily_km) * pf.asset_km_factor
        return cls(
            km_mean=km_mean,
            v_mean=arr(lambda m: m.speed_kmh) * pf.asset_speed_factor,
            cons=kwh_km / battery * 100,
            rate=arr(lambda m: m.charger_kw) * 0.9 / battery * 100 / 60,
            kmin=arr(lambda m: m.trips[0]).astype(np.int64),
            kmax=arr(lambda m: m.trips[1]).astype(np.int64),
            first_min=arr(lambda m: m.first_trip_min),
            last_min=arr(lambda m: m.last_arrival_min),
            commercial=np.array([m.commercial for m in ms], dtype=bool),
            range_km=battery / kwh_km,
            radius_km=np.clip(km_mean / 4, 6, 30),
            base=pf.asset_base,
            work=np.nan_to_num(pf.asset_work),
            has_work=~np.isnan(pf.asset_work[:, 0]),
            service=service,
            soc_target=pf.asset_soc_target,
        )

    def take(self, sl: slice) -> VehicleParams:
        return VehicleParams(**{k: v[sl] for k, v in self.__dict__.items()})


@dataclass
class State:
    """What a vehicle carries from one day to the next."""

    odo: np.ndarray
    odo_offset: np.ndarray  # reported odometer = odo - odo_offset (device resets)
    soc: np.ndarray
    pos: np.ndarray  # (n, 2)
    carry_gain: np.ndarray  # SOC % still to charge in a session running past midnight
    carry_cs: np.ndarray  # minute the carried session (re)starts next day

    @classmethod
    def initial(cls, pf: Portfolio, params: VehicleParams, fleet: Fleet, window_start: int, rng) -> State:
        n = pf.n_assets
        age = np.maximum(0, window_start - fleet.online_from)
        odo = rng.uniform(5, 300, n) + age * params.km_mean * rng.uniform(0.6, 0.85, n)
        return cls(
            odo=odo,
            odo_offset=np.zeros(n),
            soc=rng.uniform(50, 95, n),
            pos=params.base.copy(),
            carry_gain=np.zeros(n),
            carry_cs=np.zeros(n),
        )


@dataclass
class DayOutput:
    batches: list[dict[str, np.ndarray]]  # column arrays: the readings, then any injected extra rows
    dirty: dict[str, int] = field(default_factory=dict)


def _dist_km(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    dn = (b[..., 0] - a[..., 0]) * KM_PER_DEG_LAT
    de = (b[..., 1] - a[..., 1]) * KM_PER_DEG_LAT * np.cos(np.radians(a[..., 0]))
    return np.hypot(dn, de)


class TelemetryGenerator:
    def __init__(self, cfg, pf: Portfolio, fleet: Fleet, stress: np.ndarray, holidays: set[int], clock):
        self.cfg = cfg
        self.pf = pf
        self.fleet = fleet
        self.stress = stress  # (accounts, window days)
        self.holidays = holidays
        self.clock: LocalClock = clock
        self.params = VehicleParams.build(pf)
        self.window_start = day_int(cfg.window_start)
        rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([cfg.seed, TELEMETRY_STREAM])))
        self.state = State.initial(pf, self.params, fleet, self.window_start, rng)
        self.unknown_devices = np.array(
            [f"TCU-{h}" for h in hex_token(cfg.seed, "unknown_device", np.arange(N_UNKNOWN_DEVICES), 10)]
        )
        self.device_names = np.array(fleet.device_names)
        # every device name the feed can send: known ones, then unknown ones (dictionary for Arrow)
        self.all_device_names = np.concatenate([self.device_names, self.unknown_devices])
        self.total_dirty = dict.fromkeys([*DIRTY_KINDS, "odometer_resets"], 0)
        # minute cells of reporting vehicles, and those actually reported (the rest are signal gaps)
        self.cells = {"online": 0, "reported": 0}

    # ------------------------------------------------------------------ day
    def day(self, day: int):
        """Yield the day's rows, one dict of column arrays per block of vehicles."""
        n = self.pf.n_assets
        for c0 in range(0, n, CHUNK):
            sl = slice(c0, min(n, c0 + CHUNK))
            rng = np.random.Generator(
                np.random.PCG64(np.random.SeedSequence([self.cfg.seed, TELEMETRY_STREAM, day, c0 // CHUNK]))
            )
            out = self._chunk(day, sl, rng)
            for k, v in out.dirty.items():
                self.total_dirty[k] += v
            yield from out.batches

    def _chunk(self, day: int, sl: slice, rng: np.random.Generator) -> DayOutput:
        cfg, fleet = self.cfg, self.fleet
        p = self.params.take(sl)
        st = self.state
        A = sl.stop - sl.start
        gidx = np.arange(sl.start, sl.stop)
        step = cfg.minute_step
        minutes_in_day = self.clock.minutes_in_day(day)
        n_cells = minutes_in_day // step
        m = (np.arange(n_cells) * step).astype(np.float64)[None, :]  # local minute of each cell

        online = (day >= fleet.online_from[sl]) & (day < fleet.online_until[sl])
        s = np.clip(self.stress[self.pf.asset_account[sl], day - self.window_start], 0, 1).astype(np.float64)
        dow = int_day(day).weekday()
        holiday = day in self.holidays
        dom = int_day(day).day

        # ---- day plan --------------------------------------------------------
        com = p.commercial
        if dow == 6:
            base_idle = np.where(com, 0.22, 0.30)
        elif dow == 5:
            base_idle = np.where(com, 0.07, 0.22)
        else:
            base_idle = np.where(com, 0.04, 0.07)
        if holiday:
            base_idle = base_idle + np.where(com, 0.15, 0.25)
        p_idle = np.clip(base_idle + 0.55 * s**1.5, 0, 0.97)
        idle = rng.random(A) < p_idle
        k_trips = rng.integers(p.kmin, p.kmax + 1)
        k_trips = np.maximum(1, np.round(k_trips * (1 - 0.4 * s))).astype(np.int64)
        k_trips[idle] = 0
        weekday_factor = np.where(com | (dow < 5), 1.0, 0.8)
        payday = 1.05 if dom <= 5 else 1.0
        km_day = p.km_mean * rng.lognormal(0, 0.3, A) * (1 - 0.55 * s) * weekday_factor * payday
        first = p.first_min + rng.normal(0, 40, A) + s * rng.uniform(0, 150, A)
        last = p.last_min + rng.normal(0, 50, A) - s * rng.uniform(0, 60, A)
        first = np.clip(first, 240, 1200)
        last = np.clip(last, first + 90, 1420)
        # nobody plans a day the battery cannot do: what is in it (after the night's charge),
        # plus a midday top-up (~90 min) for commercial vehicles, less a reserve; and the
        # driving must leave time for that break
        soc_avail = np.minimum(100, st.soc[sl] + st.carry_gain[sl])
        feasible = np.maximum(0, (soc_avail - 10 + np.where(com, p.rate * 90, 0)) / p.cons)
        feasible = np.minimum(feasible, np.maximum(0, last - first - np.where(com, 120, 30)) / 60 * p.v_mean)

        # where the night is spent: at base, or (stress) elsewhere, sometimes far (if the battery allows)
        away = rng.random(A) < 0.02 + 0.4 * s**1.2
        far = (rng.random(A) < 0.15 + 0.5 * s) & (feasible > 100)
        ang = rng.uniform(0, 2 * np.pi, A)
        far_km = np.minimum(rng.uniform(30, 120, A), np.minimum(0.45 * p.range_km, feasible / 2.5))
        near_km = rng.uniform(3, 15, A)
        dist = np.where(far, np.maximum(far_km, near_km), near_km)
        night = np.where(away[:, None], offset(p.base, dist * np.sin(ang), dist * np.cos(ang)), p.base)
        trip_home = 1.3 * _dist_km(st.pos[sl], night)  # the least the day's driving must cover
        km_day = np.maximum(np.minimum(km_day, feasible * rng.uniform(0.85, 1.0, A)), trip_home)

        kk = np.arange(KMAX)[None, :]
        used = kk < k_trips[:, None]
        w = rng.uniform(0.5, 1.5, (A, KMAX)) * used
        km = km_day[:, None] * w / np.maximum(w.sum(axis=1, keepdims=True), 1e-9)
        v = p.v_mean[:, None] * rng.uniform(0.8, 1.2, (A, KMAX))

        # destinations, trip by trip
        origin = np.empty((A, KMAX, 2))
        dest = np.empty((A, KMAX, 2))
        pos = st.pos[sl].copy()
        service_trip = np.where(rng.random(A) < 1 / 60, rng.integers(0, KMAX, A), -1)
        to_work = p.has_work & ((dow < 5) | com) & (rng.random(A) < 0.8)
        r_ang = rng.uniform(0, 2 * np.pi, (A, KMAX))
        r_frac = rng.uniform(0.3, 0.6, (A, KMAX))
        for k in range(KMAX):
            origin[:, k] = pos
            step_km = km[:, k] * r_frac[:, k]
            cand = offset(pos, step_km * np.sin(r_ang[:, k]), step_km * np.cos(r_ang[:, k]))
            d_base = _dist_km(p.base, cand)
            pull = np.where(d_base > p.radius_km, p.radius_km / np.maximum(d_base, 1e-9), 1.0)
            cand = p.base + (cand - p.base) * pull[:, None]
            if k == 0:
                cand = np.where(to_work[:, None], p.work, cand)
            cand = np.where(((service_trip == k) & (k < k_trips - 1))[:, None], p.service, cand)
            cand = np.where((k == k_trips - 1)[:, None], night, cand)
            dest[:, k] = cand
            pos = np.where(used[:, k : k + 1], cand, pos)
        night_pos = pos  # where each vehicle is at midnight (idle: where it was)
        disp = _dist_km(origin, dest)
        km = np.where(used, np.maximum(km, 1.25 * disp), 0.0)
        bulge_amp = np.sqrt(np.maximum(0.0, (km / 2.6) ** 2 - (disp / 2) ** 2))
        b_ang = rng.uniform(0, 2 * np.pi, (A, KMAX))
        bulge = np.stack(
            [bulge_amp * np.sin(b_ang) / KM_PER_DEG_LAT,
             bulge_amp * np.cos(b_ang) / (KM_PER_DEG_LAT * np.cos(np.radians(origin[..., 0])))],
            axis=-1,
        )  # fmt: skip

        # timetable
        dur = np.where(used, np.maximum(2.0, km / v * 60), 0.0)
        spare = np.maximum(last - first - dur.sum(axis=1), 10.0 * np.maximum(k_trips - 1, 0))
        gw = rng.uniform(0.3, 1.7, (A, KMAX)) * (used & (kk >= 1))
        # commercial drivers take a long midday break (and top the battery up there)
        lunch = np.where(com & (k_trips >= 2), np.maximum(1, k_trips // 2), -1)
        gw = gw + 3.0 * (kk == lunch[:, None])
        gaps = spare[:, None] * gw / np.maximum(gw.sum(axis=1, keepdims=True), 1e-9)
        starts = first[:, None] + np.cumsum(gaps + dur, axis=1) - dur
        ends = starts + dur
        span_end = np.where(k_trips > 0, ends.max(axis=1, where=used, initial=0), 0)
        squeeze = np.where(span_end > 1430, (1430 - first) / np.maximum(span_end - first, 1), 1.0)
        starts = first[:, None] + (starts - first[:, None]) * squeeze[:, None]
        ends = first[:, None] + (ends - first[:, None]) * squeeze[:, None]
        starts = np.where(used, np.round(starts), minutes_in_day)
        ends = np.where(used, np.maximum(np.round(ends), starts + 1), minutes_in_day)
        dur = ends - starts
        v_eff = np.where(used, km / np.maximum(dur, 1) * 60 / 0.93, 0.0)  # 0.93: mean minute factor

        # segment boundaries: b[0]=0, b[2k+1]=start_k, b[2k+2]=end_k, b[S]=day end
        b = np.empty((A, S + 1))
        b[:, 0] = 0
        b[:, 1:-1:2] = starts
        b[:, 2:-1:2] = ends
        b[:, S] = minutes_in_day
        seg = np.zeros((A, n_cells), dtype=np.int8)
        for j in range(1, S):
            seg += m >= b[:, j : j + 1]
        flat = (seg + (np.arange(A, dtype=np.int32) * S)[:, None]).astype(np.int32)
        gather = lambda x: np.take(x.reshape(-1), flat)  # noqa: E731

        # speed and odometer
        v_seg = np.zeros((A, S))
        v_seg[:, 1::2] = v_eff
        z = rng.standard_normal((A, n_cells), dtype=np.float32)
        factor = np.where(z < -1.5, 0.0, np.clip(1.0 + 0.3 * z, 0.2, 1.8))
        speed = gather(v_seg) * factor
        odo_ext = np.empty((A, n_cells + 1))
        odo_ext[:, 0] = st.odo[sl]
        np.cumsum(speed * (step / 60.0), axis=1, out=odo_ext[:, 1:])
        odo_ext[:, 1:] += st.odo[sl][:, None]
        odo = odo_ext[:, :-1]
        bcell = np.clip(np.ceil(b / step).astype(np.int64), 0, n_cells)
        odo_b = np.take_along_axis(odo_ext, bcell, axis=1)  # odometer at each boundary

        # SOC, segment by segment
        soc_seg, cs_seg, gain_seg = np.zeros((A, S)), np.zeros((A, S)), np.zeros((A, S))
        rate = p.rate
        soc = st.soc[sl].copy()
        carry_gain = st.carry_gain[sl].copy()
        carry_cs = st.carry_cs[sl].copy()
        new_carry_gain = np.zeros(A)
        new_carry_cs = np.zeros(A)
        night_target = np.clip(p.soc_target - s * rng.uniform(0, 40, A), 50, 100)
        day_target = np.clip(night_target - rng.uniform(0, 15, A), 40, 100)
        thr_night = 35 - 20 * s
        skip_night = rng.random(A) < 0.04 + 0.45 * s
        at_base = ~away
        can_charge_away = rng.random(A) < np.where(far, 0.3, 0.5)
        plug = np.clip(21 * 60 + rng.normal(0, 50, A) + s * rng.normal(0, 150, A), 18 * 60, 26 * 60)
        irregular = rng.random(A) < 0.04 + 0.3 * s
        irregular_park = rng.integers(1, KMAX + 1, A)
        idle_cs = rng.uniform(600, 1260, A)
        cs_jitter = rng.uniform(3, 15, A)
        for j in range(S):
            lo_b, hi_b = b[:, j], b[:, j + 1]
            soc_seg[:, j] = soc
            if j % 2 == 1:  # drive
                soc = soc - p.cons * (odo_b[:, j + 1] - odo_b[:, j])
                continue
            park = j // 2
            length = hi_b - lo_b
            cs = lo_b + cs_jitter
            gain = np.zeros(A)
            next_need = np.zeros(A)
            if park < KMAX:
                next_need = p.cons * (odo_b[:, j + 2] - odo_b[:, j + 1])  # next trip's consumption
            if park == 0:
                carried = carry_gain > 0
                need_now = (soc - next_need < 8) & (k_trips > 0)
                cs = np.where(carried, carry_cs, np.where(need_now, 0.0, cs))
                want = np.where(carried, carry_gain, np.where(need_now, night_target - soc, 0.0))
                # idle day, nothing carried: a daytime charge when low
                idle_low = (k_trips == 0) & ~carried & (soc < thr_night)
                cs = np.where(idle_low, idle_cs, cs)
                want = np.where(idle_low, night_target - soc, want)
                want = np.maximum(want, 0)
                gain = np.minimum(want, rate * np.maximum(0, hi_b - cs))
                # an idle day's session may run past midnight
                rest = np.where((k_trips == 0) & (want > gain), want - gain, 0.0)
                new_carry_gain = np.where(k_trips == 0, rest, new_carry_gain)
                new_carry_cs = np.where(k_trips == 0, np.maximum(0.0, cs - minutes_in_day), new_carry_cs)
            else:
                is_night = k_trips == park
                is_mid = park < k_trips
                low = is_mid & (length >= 20) & ((soc - next_need < 12) | ((soc < 25) & com))
                low |= is_mid & (lunch == park) & (soc < 60) & (length >= 30)
                odd = is_mid & irregular & (irregular_park == park) & (length >= 30)
                day_charge = low | odd
                want_day = np.where(low, np.maximum(day_target, soc + next_need + 10), day_target) - soc
                charge_night = (
                    is_night & (~skip_night | (soc < thr_night)) & (at_base | can_charge_away | (soc < 15))
                )
                cs_night = np.maximum(lo_b + cs_jitter, plug)
                cs = np.where(charge_night, cs_night, cs)
                want = np.where(day_charge, want_day, np.where(charge_night, night_target - soc, 0.0))
                want = np.minimum(np.maximum(want, 0), 100 - soc)
                gain = np.minimum(want, rate * np.maximum(0, hi_b - cs))
                rest = np.where(charge_night, want - gain, 0.0)
                new_carry_gain = np.where(is_night, rest, new_carry_gain)
                new_carry_cs = np.where(is_night, np.maximum(0.0, cs - minutes_in_day), new_carry_cs)
            cs_seg[:, j] = cs
            gain_seg[:, j] = gain
            soc = soc + gain

        # per-minute values: one gather per segment parameter (pairs packed as complex numbers)
        soc_plus = soc_seg + p.cons[:, None] * odo_b[:, :-1]  # SOC = soc_plus - cons * odometer (+ charge)
        charge = gather(cs_seg + 1j * gain_seg)
        since = m - charge.real
        charged = np.clip(since * rate[:, None], 0, None)
        soc_cells = gather(soc_plus) - p.cons[:, None] * odo
        soc_cells = np.clip(soc_cells + np.minimum(charged, charge.imag), 0, 100)
        charging = (since >= 0) & (charged < charge.imag)

        # position: from + delta * f + bulge * sin(pi f), f = how far into the segment
        b_start = b[:, :-1]
        timing = gather(b_start + 1j / np.maximum(b[:, 1:] - b_start, 1))
        frm = np.empty((A, S), dtype=np.complex128)  # lat + i lon
        dlt = np.zeros((A, S), dtype=np.complex128)
        blg = np.zeros((A, S), dtype=np.complex128)
        cplx = lambda x: x[..., 0] + 1j * x[..., 1]  # noqa: E731
        frm[:, 0] = cplx(st.pos[sl])
        frm[:, 1::2] = cplx(origin)
        frm[:, 2::2] = cplx(dest)
        dlt[:, 1::2] = cplx(dest - origin)
        blg[:, 1::2] = cplx(bulge)
        # parks after an unused trip keep the last position
        for k in range(KMAX):
            stay = ~used[:, k]
            frm[stay, 2 * k + 1] = frm[stay, 2 * k]
            frm[stay, 2 * k + 2] = frm[stay, 2 * k]
        f = np.clip((m - timing.real) * timing.imag, 0, 1)
        pos_cells = gather(frm) + gather(dlt) * f + gather(blg) * np.sin(np.pi * f)
        jitter = 3.5e-5
        lat = pos_cells.real + rng.standard_normal((A, n_cells), dtype=np.float32) * jitter
        lon = pos_cells.imag + rng.standard_normal((A, n_cells), dtype=np.float32) * jitter

        # ---- which cells are reported -----------------------------------------
        present = np.broadcast_to(online[:, None], (A, n_cells)).copy()
        dark_day = (fleet.online_until[sl] == day + 1) & (fleet.last_day_minutes[sl] < 1440)
        if dark_day.any():
            present &= ~(dark_day[:, None] & (m >= fleet.last_day_minutes[sl][:, None]))
        self.cells["online"] += int(present.sum())
        n_gaps = np.minimum(rng.poisson(0.35 + 3.5 * s), 12)
        if n_gaps.sum():
            rows = np.repeat(np.arange(A), n_gaps)
            g0 = rng.uniform(0, minutes_in_day, len(rows))
            glen = np.clip(np.exp(rng.normal(np.log(4 + 30 * s[rows]), 1.0)), 1, 600)
            c0 = np.clip(np.ceil(g0 / step), 0, n_cells).astype(np.int64)
            c1 = np.clip(np.ceil((g0 + glen) / step), 0, n_cells).astype(np.int64)
            diff = np.zeros((A, n_cells + 1), dtype=np.int16)
            np.add.at(diff, (rows, c0), 1)
            np.add.at(diff, (rows, c1), -1)
            present &= np.cumsum(diff[:, :-1], axis=1) == 0
        self.cells["reported"] += int(present.sum())

        # odometer resets (dirty): from a minute on, the device counts from 0 (a new device
        # reads the vehicle's true odometer again)
        st.odo_offset[sl] = np.where(fleet.swap_day[sl] == day, 0.0, st.odo_offset[sl])
        reported_odo = odo - st.odo_offset[sl][:, None]
        resets = online & (rng.random(A) < cfg.dirty_rate * RESET_SHARE)
        n_resets = int(resets.sum())
        if n_resets:
            rm = rng.integers(0, n_cells, A)
            at = odo[np.arange(A), rm] - st.odo_offset[sl]
            hit = resets[:, None] & (np.arange(n_cells)[None, :] >= rm[:, None])
            reported_odo = np.where(hit, reported_odo - at[:, None], reported_odo)
            st.odo_offset[sl] = np.where(resets, st.odo_offset[sl] + at, st.odo_offset[sl])

        # ---- carry state to tomorrow ------------------------------------------
        upd = online
        st.odo[sl] = np.where(upd, odo_ext[:, -1], st.odo[sl])
        end_soc = np.clip(soc, 0, 100)
        st.soc[sl] = np.where(upd, end_soc, st.soc[sl])
        st.pos[sl] = np.where(upd[:, None], night_pos, st.pos[sl])
        st.carry_gain[sl] = np.where(upd, new_carry_gain, 0)
        st.carry_cs[sl] = np.where(upd, new_carry_cs, 0)

        if not present.any():
            return DayOutput([], {"odometer_resets": n_resets})

        # ---- rows ---------------------------------------------------------------
        ai, ci = np.nonzero(present)
        midnight = self.clock.midnight_us(day)
        ts = midnight + (ci.astype(np.int64) * step) * US_PER_MIN
        device = fleet.device_on(day)[sl][ai]
        hi, lo = row_uuid_halves(
            cfg.seed, "telemetry", (gidx.astype(np.uint64) << np.uint64(24)) | np.uint64(day), ai, ci
        )
        cols = {
            "id_hi": hi,
            "id_lo": lo,
            "device": device.astype(np.int32),
            "ts": ts,
            "lat": lat[present],
            "lon": lon[present],
            "soc": soc_cells[present],
            "odometer": reported_odo[present],
            "speed": speed[present],
            "is_charging": charging[present],
            "ingested_at": ts + rng.integers(2_000_000, 45_000_000, len(ts)),
        }
        dirty, extra = inject_dirty(
            cols, rng, cfg.dirty_rate, day, midnight, n_cells, step, self, sl.start // CHUNK
        )
        dirty["odometer_resets"] = n_resets
        return DayOutput([cols, *extra], dirty)


def sample_distinct(rng: np.random.Generator, n: int, k: int) -> np.ndarray:
    """k distinct integers from [0, n) in random order (fast when k << n)."""
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    if k > n // 4:
        return rng.permutation(n)[:k]
    picks = np.unique(rng.integers(0, n, int(k * 1.1) + 16))
    while len(picks) < k:
        picks = np.union1d(picks, rng.integers(0, n, k))
    return rng.permutation(picks)[:k]


def inject_dirty(cols, rng, rate, day, midnight, n_cells, step, gen: TelemetryGenerator, chunk_id):
    """Alter rows in place and make extra rows (see DIRTY_KINDS); returns (counts, extra batches)."""
    n = len(cols["ts"])
    counts = {k: int(rng.binomial(n, rate * share)) if rate > 0 else 0 for k, share in DIRTY_KINDS.items()}
    altered = ["late_arriving_rows", "soc_out_of_range_rows", "negative_speed_rows", "odometer_spike_rows"]
    k_alt = sum(counts[k] for k in altered)
    if k_alt + counts["duplicate_rows"] > n:
        return dict.fromkeys(counts, 0), []
    picks = sample_distinct(rng, n, k_alt + counts["duplicate_rows"])
    i = 0
    for kind in altered:
        rows = picks[i : i + counts[kind]]
        i += counts[kind]
        if kind == "late_arriving_rows":
            cols["ingested_at"][rows] = cols["ts"][rows] + rng.integers(
                86_400_000_000, 172_800_000_001, len(rows)
            )
        elif kind == "soc_out_of_range_rows":
            cols["soc"][rows] = np.where(
                rng.random(len(rows)) < 0.5, 140.0, rng.uniform(100.5, 199, len(rows))
            )
        elif kind == "negative_speed_rows":
            cols["speed"][rows] = -rng.uniform(1, 60, len(rows))
        elif kind == "odometer_spike_rows":
            cols["odometer"][rows] = cols["odometer"][rows] + rng.uniform(20_000, 500_000, len(rows))
    dup = picks[i:]
    extra = [{k: v[dup] for k, v in cols.items()}] if len(dup) else []

    n_unk = counts["unknown_device_rows"]
    if n_unk:
        cells = sample_distinct(rng, N_UNKNOWN_DEVICES * n_cells, min(n_unk, N_UNKNOWN_DEVICES * n_cells))
        n_unk = counts["unknown_device_rows"] = len(cells)
        dev = cells // n_cells
        ts = midnight + (cells % n_cells).astype(np.int64) * step * US_PER_MIN
        city = rng.integers(0, len(catalog.CITIES), n_unk)
        centre = np.array([[c[1], c[2]] for c in catalog.CITIES])[city]
        ll = offset(centre, rng.normal(0, 8, n_unk), rng.normal(0, 8, n_unk))
        counter = (
            (np.uint64(day) << np.uint64(32))
            | (np.uint64(chunk_id) << np.uint64(20))
            | np.arange(n_unk, dtype=np.uint64)
        )
        hi, lo = uuid_halves(gen.cfg.seed, "unknown_telemetry", counter)
        extra.append(
            {
                "id_hi": hi,
                "id_lo": lo,
                "device": (len(gen.device_names) + dev).astype(np.int32),
                "ts": ts,
                "lat": ll[:, 0],
                "lon": ll[:, 1],
                "soc": rng.uniform(10, 100, n_unk),
                "odometer": rng.uniform(1_000, 90_000, n_unk),
                "speed": np.where(rng.random(n_unk) < 0.6, 0.0, rng.uniform(5, 40, n_unk)),
                "is_charging": np.zeros(n_unk, dtype=bool),
                "ingested_at": ts + rng.integers(2_000_000, 45_000_000, n_unk),
            }
        )
    return counts, extra
