"""The simulator's one dynamic process: each account's latent state and its payments, day by day.

Everything that decides whether and when an account falls behind lives here, as a
Markov process stepped one local day at a time over "lanes" (numpy arrays, one
element per lane). The main run has one lane per account and steps from the start
of the risk grid to the end date, recording every payment row; the Monte-Carlo
oracle (`predelq.simulate.oracle`) copies the lanes of sampled account-days, many
times each, and steps the same `step` function into the future with fresh random
draws. Nothing about an account's future is drawn in advance: the first 30+ DPD
*emerges* from the draws. The equations and every constant are written down in
docs/simulator.md (keep the two in step).

Per lane and day d (order of a step):

1. shocks: a regional (city) and a portfolio-wide bad spell start, run or end;
2. latent state: AR(1) noise, "bad weeks", the archetype's episode (start, rise,
   recover), going dark; latent risk r = clip(base + noise + bad week + season +
   seasoning + shocks + episode);
3. the installment due on d (if any) is paid in full, in part or not at all, drawn
   from r, arrears and the account's recent habit; ONE row is recorded on the due
   date whatever happens later (paid / partial / bounced for auto-debit / missed);
4. an account with overdue installments may catch up (oldest first), with a daily
   probability drawn from r, pay-days and collections pressure;
5. DPD at the end of d by the loan book's rule; from 120 DPD (`default`) the
   customer pays nothing more, at 180 DPD the loan is written off; a loan whose
   installments are all due and paid is closed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields

import numpy as np

NONE = -1
NO_DUE = np.iinfo(np.int64).max  # an empty slot of the arrears buffer
SLOTS = 8  # installments a lane can owe at once (180 DPD writes the loan off first)

ARCHETYPES = ("healthy", "gradual_decline", "sudden_shock", "stressed_recovers", "goes_dark")
HEALTHY, GRADUAL, SUDDEN, STRESSED, DARK = range(5)
SHARES = np.array([0.68, 0.14, 0.05, 0.09, 0.04])

# --- latent risk ----------------------------------------------------------------------
BASE_LOW, BASE_SPAN = 0.03, 0.12  # base = 0.03 + 0.12 Beta(2, 5)
AR_PHI, AR_SD, AR_SD0 = 0.93, 0.018, 0.049  # e' = phi e + N(0, sd); e0 ~ N(0, sd0)
BADWEEK_PER_DAY = 1 / 80
BADWEEK_DAYS = (3, 14)
BADWEEK_HEIGHT = (0.10, 0.35)
SEASON_AMPLITUDE, SEASON_PEAK_DOY = 0.025, 227  # income is thinnest in the monsoon (mid-August)
SEASONING_HEIGHT, SEASONING_PEAK_DAYS, SEASONING_WIDTH_DAYS = 0.04, 365, 200
CITY_SHOCK_PER_DAY, CITY_SHOCK_DAYS, CITY_SHOCK_HEIGHT = 1 / 540, (20, 75), (0.05, 0.20)
GLOBAL_SHOCK_PER_DAY, GLOBAL_SHOCK_DAYS, GLOBAL_SHOCK_HEIGHT = 1 / 1460, (30, 90), (0.05, 0.15)
SHOCK_HAZARD_GAIN = 10.0  # episode starts are (1 + 10 x shock height) times likelier in a shock

# episodes, per archetype (healthy, gradual, sudden, stressed, dark)
EP_START_PER_YEAR = np.array([0.1, 1.0, 0.65, 1.5, 1.0])
LIFE_EVENT_PER_YEAR = 0.10  # sudden shocks any account can meet
EP_SLOPE = np.array([[0.005, 0.015], [0.002, 0.006], [0.0, 0.0], [0.01, 0.03], [0.003, 0.008]])  # per day
EP_JUMP = np.array([[0.0, 0.0], [0.0, 0.0], [0.45, 0.9], [0.0, 0.0], [0.0, 0.0]])  # height at the start
EP_RISE_DAYS = np.array([20.0, 120.0, 1.0, 15.0, 100.0])  # mean days an episode keeps rising
EP_MAX = 0.95
EP_RECOVER_PER_YEAR = np.array([4.0, 0.8, 2.0, 12.0, 0.5])
EP_HALF_LIFE_DAYS = np.array([20.0, 45.0, 30.0, 15.0, 45.0])
SHOWS_IN_TELEMETRY = np.array([1.0, 0.75, 0.5, 0.75, 0.6])
DARK_LEVEL, DARK_PER_DAY = 0.4, 1 / 30  # goes_dark: above this episode level, the device may go silent

# --- payments -----------------------------------------------------------------------------
# P(installment not paid in full on its due date) = sigmoid(NOPAY . [1, r, arrears, habit, dark])
NOPAY = (-4.6, 6.0, 0.7, 1.0, 2.5)
PARTIAL_SHARE, PARTIAL_FRACTION = 0.25, (0.3, 0.8)  # of those not paying in full: a part, 30-80%
HABIT_KEEP = 0.6  # habit' = 0.6 habit + 0.4 [not paid in full on the due date]
# P(catching up on a day with arrears) = sigmoid(CATCHUP . [1, r, pay-day, dpd >= 7, dark])
CATCHUP = (-0.9, -6.5, 0.9, 0.4, -1.5)
CATCHUP_ALL = 0.6  # a catch-up clears all arrears, else the oldest installment
DEFAULT_DPD = 120  # from here on the customer pays nothing more (recovery goes through the vehicle)
WRITE_OFF_DPD = 180  # the lender writes the loan off

# row statuses (codes; text in STATUS_NAMES)
PAID, PARTIAL, MISSED, BOUNCED = range(4)
STATUS_NAMES = ("paid", "partial", "missed", "bounced")


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _per_day(per_year):
    return 1.0 - np.exp(-np.asarray(per_year, dtype=np.float64) / 365.25)


EP_START_PER_DAY = _per_day(EP_START_PER_YEAR)
EP_RECOVER_PER_DAY = _per_day(EP_RECOVER_PER_YEAR)
EP_STOP_PER_DAY = 1.0 / EP_RISE_DAYS
LIFE_EVENT_PER_DAY = float(_per_day(LIFE_EVENT_PER_YEAR))
NO_EPISODE, RISING, RECOVERING, HOLDING = range(4)
EP_DECAY = 0.5 ** (1.0 / EP_HALF_LIFE_DAYS)


@dataclass
class Calendar:
    """Per-day lookups from day0 on: season term and pay-day flag (1st-5th of the month)."""

    day0: int
    season: np.ndarray
    payday: np.ndarray
    seasoning: np.ndarray  # by loan age in days

    @classmethod
    def build(cls, first: int, last: int) -> Calendar:
        days = np.arange(first, last + 1, dtype=np.int64)
        d64 = days.astype("datetime64[D]")
        doy = (d64 - d64.astype("datetime64[Y]")).astype(np.int64) + 1
        dom = (d64 - d64.astype("datetime64[M]")).astype(np.int64) + 1
        season = SEASON_AMPLITUDE * np.cos(2 * math.pi * (doy - SEASON_PEAK_DOY) / 365.25)
        age = np.arange(4000, dtype=np.float64)
        seasoning = SEASONING_HEIGHT * np.exp(
            -0.5 * ((age - SEASONING_PEAK_DAYS) / SEASONING_WIDTH_DAYS) ** 2
        )
        return cls(first, season, dom <= 5, seasoning)


@dataclass
class Shocks:
    """Bad spells of a group of lanes (a city, or everyone): days left and height."""

    left: np.ndarray
    height: np.ndarray

    @classmethod
    def calm(cls, n: int) -> Shocks:
        return cls(np.zeros(n, dtype=np.int64), np.zeros(n))

    def step(self, rng: np.random.Generator, per_day: float, days: tuple, height: tuple) -> None:
        """One uniform per group (does a spell start?), two more per group that starts."""
        self.left -= self.left > 0
        self.height[self.left == 0] = 0.0
        start = np.flatnonzero((self.left == 0) & (rng.random(len(self.left), dtype=np.float32) < per_day))
        if len(start):
            v = rng.random((2, len(start)))
            self.left[start] = days[0] + np.floor(v[0] * (days[1] - days[0] + 1)).astype(np.int64)
            self.height[start] = height[0] + v[1] * (height[1] - height[0])

    def take(self, idx) -> Shocks:
        return Shocks(self.left[idx].copy(), self.height[idx].copy())


@dataclass
class Lanes:
    """The state of every lane (arrays of equal length; `buf_*` are lanes x SLOTS)."""

    # who the lane is (fixed)
    account: np.ndarray  # account index
    arch: np.ndarray  # archetype code
    base: np.ndarray
    debit: np.ndarray  # pays by auto-debit (nach, cheque): a failed collection is a bounce
    disbursed: np.ndarray  # day
    sched0: np.ndarray  # first row of the account's schedule
    tenure: np.ndarray  # installments
    city: np.ndarray  # index into the city shocks
    glob: np.ndarray  # index into the portfolio shocks
    # how it is now
    e: np.ndarray
    bw_left: np.ndarray
    bw_height: np.ndarray
    phase: np.ndarray  # episode: NO_EPISODE, RISING, HOLDING, RECOVERING
    x: np.ndarray  # episode level
    slope: np.ndarray
    dark: np.ndarray
    habit: np.ndarray
    n_due: np.ndarray  # installments whose due date has come
    buf_due: np.ndarray  # due day of each installment still owed (NO_DUE: empty slot)
    buf_rem: np.ndarray  # what is still owed on it (paisa)
    n_owed: np.ndarray  # occupied slots
    in30: np.ndarray  # the current DPD episode has reached 30
    ever30: np.ndarray  # some DPD episode of this loan has reached 30
    gone: np.ndarray  # written off or closed
    dpd: np.ndarray

    def take(self, idx) -> Lanes:
        return Lanes(**{f.name: getattr(self, f.name)[idx].copy() for f in fields(self)})

    def __len__(self) -> int:
        return len(self.account)


@dataclass
class Schedule:
    """The repayment schedules the process reads (CSR by account, sorted by due date)."""

    due: np.ndarray
    total: np.ndarray


@dataclass
class Rows:
    """Payment rows recorded by a step (main run only)."""

    lane: list
    due: list
    paid: list
    amount_due: list
    amount_paid: list
    status: list
    catch_up: list
    day: list

    @classmethod
    def empty(cls) -> Rows:
        return cls(*([] for _ in range(8)))

    def add(self, lane, due, paid, amount_due, amount_paid, status, catch_up, day) -> None:
        n = len(lane)
        if n == 0:
            return
        self.lane.append(lane)
        self.due.append(due)
        self.paid.append(paid)
        self.amount_due.append(amount_due)
        self.amount_paid.append(amount_paid)
        self.status.append(status)
        self.catch_up.append(np.full(n, catch_up))
        self.day.append(day)

    def arrays(self) -> dict[str, np.ndarray]:
        out = {}
        for f in fields(self):
            parts = getattr(self, f.name)
            out[f.name] = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
        return out


def initial_lanes(arch, base, debit, disbursed, sched0, tenure, city, rng: np.random.Generator) -> Lanes:
    n = len(arch)
    z = lambda dt: np.zeros(n, dtype=dt)  # noqa: E731
    return Lanes(
        account=np.arange(n, dtype=np.int64),
        arch=np.asarray(arch, dtype=np.int64),
        base=np.asarray(base, dtype=np.float64),
        debit=np.asarray(debit, dtype=bool),
        disbursed=np.asarray(disbursed, dtype=np.int64),
        sched0=np.asarray(sched0, dtype=np.int64),
        tenure=np.asarray(tenure, dtype=np.int64),
        city=np.asarray(city, dtype=np.int64),
        glob=z(np.int64),
        e=rng.normal(0, AR_SD0, n),
        bw_left=z(np.int64),
        bw_height=z(np.float64),
        phase=z(np.int64),
        x=z(np.float64),
        slope=z(np.float64),
        dark=z(bool),
        habit=z(np.float64),
        n_due=z(np.int64),
        buf_due=np.full((n, SLOTS), NO_DUE, dtype=np.int64),
        buf_rem=np.zeros((n, SLOTS), dtype=np.int64),
        n_owed=z(np.int64),
        in30=z(bool),
        ever30=z(bool),
        gone=z(bool),
        dpd=z(np.int64),
    )


@dataclass
class DayResult:
    r: np.ndarray  # latent risk
    common: np.ndarray  # r without the account's own episode (what shows when the episode does not)
    hit30: np.ndarray  # a DPD episode reached 30 today (a `dpd_30` milestone)
    started: np.ndarray  # an episode of the account's own trouble started today


def step(
    lanes: Lanes,
    city: Shocks,
    glob: Shocks,
    day,
    schedule: Schedule,
    cal: Calendar,
    rng: np.random.Generator,
    rows: Rows | None = None,
) -> DayResult:
    """Advance every lane by one local day (`day`: an int, or one day per lane).

    Random draws: per lane one normal (noise) and three uniforms (bad-week start,
    episode start, episode recovery / going dark); the rest only for the lanes an
    event concerns, in a fixed order. Same state and stream => same draws.
    """
    n = len(lanes)
    day = np.broadcast_to(np.asarray(day, dtype=np.int64), (n,))
    z = rng.standard_normal(n, dtype=np.float32)
    u = rng.random((3, n), dtype=np.float32)
    city.step(rng, CITY_SHOCK_PER_DAY, CITY_SHOCK_DAYS, CITY_SHOCK_HEIGHT)
    glob.step(rng, GLOBAL_SHOCK_PER_DAY, GLOBAL_SHOCK_DAYS, GLOBAL_SHOCK_HEIGHT)
    shock = city.height[lanes.city] + glob.height[lanes.glob]
    a = lanes.arch

    # ---- latent state ---------------------------------------------------------------
    lanes.e = AR_PHI * lanes.e + AR_SD * z
    lanes.bw_left -= lanes.bw_left > 0
    bw = np.flatnonzero((lanes.bw_left == 0) & (u[0] < BADWEEK_PER_DAY))
    if len(bw):
        v = rng.random((2, len(bw)))
        lanes.bw_left[bw] = BADWEEK_DAYS[0] + np.floor(v[0] * (BADWEEK_DAYS[1] - BADWEEK_DAYS[0] + 1))
        lanes.bw_height[bw] = BADWEEK_HEIGHT[0] + v[1] * (BADWEEK_HEIGHT[1] - BADWEEK_HEIGHT[0])
    badweek = np.where(lanes.bw_left > 0, lanes.bw_height, 0.0)

    # the lender does not lend to someone already in trouble: a new loan starts calm
    new = np.flatnonzero(day == lanes.disbursed)
    if len(new):
        lanes.phase[new] = 0
        lanes.x[new] = 0.0
        lanes.dark[new] = False

    # episodes: none -> rising (a sudden shock: at full height at once) -> holding -> recovering
    # a start is a life event (job loss, illness, accident: a sudden shock, whatever the
    # archetype) or an episode of the archetype's own kind; a regional or portfolio shock
    # makes both likelier
    gain = 1.0 + SHOCK_HAZARD_GAIN * shock
    life = u[1] < LIFE_EVENT_PER_DAY * gain
    started = (lanes.phase == NO_EPISODE) & (u[1] < (LIFE_EVENT_PER_DAY + EP_START_PER_DAY[a]) * gain)
    st = np.flatnonzero(started)
    if len(st):
        v = rng.random((2, len(st)))
        sa = np.where(life[st], SUDDEN, a[st])
        slope = EP_SLOPE[sa, 0] + v[0] * (EP_SLOPE[sa, 1] - EP_SLOPE[sa, 0])
        lanes.x[st] = EP_JUMP[sa, 0] + v[1] * (EP_JUMP[sa, 1] - EP_JUMP[sa, 0])
        lanes.slope[st] = slope
        lanes.phase[st] = np.where(slope > 0, RISING, HOLDING)
    ep = np.flatnonzero((lanes.phase == RISING) | (lanes.phase == HOLDING))
    if len(ep):
        ea = a[ep]
        recover = u[2, ep] < EP_RECOVER_PER_DAY[ea]
        rising = lanes.phase[ep] == RISING
        stop = np.zeros(len(ep), dtype=bool)
        stop[rising] = rng.random(int(rising.sum())) < EP_STOP_PER_DAY[ea[rising]]
        x = lanes.x[ep]
        x = np.where(recover, x * EP_DECAY[ea], np.where(rising, np.minimum(EP_MAX, x + lanes.slope[ep]), x))
        lanes.x[ep] = x
        lanes.phase[ep] = np.where(recover, RECOVERING, np.where(stop, HOLDING, lanes.phase[ep]))
        # goes_dark: high enough in its episode, the device may go silent for good (reuses the
        # recovery uniform, above the recovery range, so the two cannot both happen)
        dark = (ea == DARK) & ~recover & (x > DARK_LEVEL) & (u[2, ep] > 1.0 - DARK_PER_DAY)
        lanes.dark[ep[dark]] = True
    down = np.flatnonzero(lanes.phase == RECOVERING)
    if len(down):
        if len(ep):
            down = down[~np.isin(down, ep)]  # those that started recovering today decayed already
        x = lanes.x[down] * EP_DECAY[a[down]]
        calm = x < 0.01
        lanes.x[down] = np.where(calm, 0.0, x)
        lanes.phase[down] = np.where(calm, NO_EPISODE, RECOVERING)

    k = day - cal.day0
    age = day - lanes.disbursed
    seasoning = cal.seasoning[np.clip(age, 0, len(cal.seasoning) - 1)] * (age >= 0)
    common = lanes.base + lanes.e + badweek + cal.season[k] + seasoning + shock
    r = np.clip(common + lanes.x, 0.005, 0.995)
    common = np.clip(common, 0.005, 0.995)

    # ---- the installment due today ------------------------------------------------------
    live = ~lanes.gone
    paying = live & (lanes.dpd < DEFAULT_DPD)
    nxt = lanes.sched0 + np.minimum(lanes.n_due, np.maximum(lanes.tenure - 1, 0))
    due = np.flatnonzero(live & (lanes.n_due < lanes.tenure) & (schedule.due[nxt] == day))
    if len(due):
        v = rng.random((3, len(due)))
        dd, nd = day[due], nxt[due]
        owes = lanes.n_owed[due] > 0
        if owes.any():
            w = due[owes]
            owes[owes] = ((lanes.buf_due[w] < day[w, None]) & (lanes.buf_rem[w] > 0)).any(axis=1)
        c = NOPAY
        p_nopay = _sigmoid(
            c[0] + c[1] * r[due] + c[2] * owes + c[3] * lanes.habit[due] + c[4] * lanes.dark[due]
        )
        short = (v[0] < p_nopay) | ~paying[due]
        part = short & paying[due] & (v[1] < PARTIAL_SHARE)
        total = schedule.total[nd]
        fraction = PARTIAL_FRACTION[0] + v[2] * (PARTIAL_FRACTION[1] - PARTIAL_FRACTION[0])
        paid_now = np.where(
            short, np.where(part, (np.rint(total * fraction / 100) * 100).astype(np.int64), 0), total
        )
        lanes.n_due[due] += 1
        lanes.habit[due] = HABIT_KEEP * lanes.habit[due] + (1 - HABIT_KEEP) * short
        owe = due[short]
        if len(owe):
            free = lanes.buf_due[owe] == NO_DUE
            if not free.any(axis=1).all():  # pragma: no cover - 180 DPD writes off long before
                raise RuntimeError("arrears buffer full")
            slot = free.argmax(axis=1)
            lanes.buf_due[owe, slot] = dd[short]
            lanes.buf_rem[owe, slot] = total[short] - paid_now[short]
            lanes.n_owed[owe] += 1
        if rows is not None:
            status = np.where(
                ~short, PAID, np.where(part, PARTIAL, np.where(lanes.debit[due], BOUNCED, MISSED))
            )
            rows.add(due, dd, np.where(paid_now > 0, dd, NONE), total, paid_now, status, False, dd)

    # ---- catching up on arrears, then DPD at the end of the day --------------------------------
    hit30 = np.zeros(n, dtype=bool)
    ow = np.flatnonzero((lanes.n_owed > 0) & live)
    if len(ow):
        od = day[ow]
        bd, br = lanes.buf_due[ow], lanes.buf_rem[ow]
        overdue = (bd < od[:, None]) & (br > 0)
        behind = overdue.any(axis=1) & paying[ow]
        b = np.flatnonzero(behind)
        if len(b):
            v = rng.random((2, len(b)))
            oldest = np.where(overdue[b], bd[b], NO_DUE).min(axis=1)
            dpd_now = od[b] - oldest
            c = CATCHUP
            lb = ow[b]
            p = _sigmoid(
                c[0] + c[1] * r[lb] + c[2] * cal.payday[k[lb]] + c[3] * (dpd_now >= 7) + c[4] * lanes.dark[lb]
            )
            catch = v[0] < p
            pay = overdue[b] & catch[:, None] & ((v[1] < CATCHUP_ALL)[:, None] | (bd[b] == oldest[:, None]))
            li, si = np.nonzero(pay)
            if len(li):
                lane = lb[li]
                if rows is not None:
                    rem = lanes.buf_rem[lane, si]
                    rows.add(
                        lane,
                        lanes.buf_due[lane, si],
                        day[lane],
                        rem,
                        rem,
                        np.full(len(li), PAID),
                        True,
                        day[lane],
                    )
                lanes.buf_rem[lane, si] = 0
                lanes.buf_due[lane, si] = NO_DUE
                np.subtract.at(lanes.n_owed, lane, 1)
                bd, br = lanes.buf_due[ow], lanes.buf_rem[ow]
                overdue = (bd < od[:, None]) & (br > 0)
        oldest = np.where(overdue, bd, NO_DUE).min(axis=1)
        dpd = np.where(overdue.any(axis=1), od - oldest, 0)
        lanes.dpd[ow] = dpd
        hit = (dpd >= 30) & ~lanes.in30[ow]
        hit30[ow] = hit
        lanes.in30[ow] = (lanes.in30[ow] | hit) & (dpd > 0)
        lanes.ever30[ow] |= hit
        gone = dpd >= WRITE_OFF_DPD
        lanes.gone[ow[gone]] = True
    # lanes owing nothing are at 0 DPD
    clear = live & (lanes.n_owed == 0)
    lanes.dpd[clear] = 0
    lanes.in30[clear] = False
    lanes.gone |= clear & (lanes.n_due >= lanes.tenure)  # closed: all due, all paid
    return DayResult(r, common, hit30, started)
