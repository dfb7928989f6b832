"""Vehicles' lives: when they report, through which device, and how they end.

- A vehicle's telematics device is fitted on its disbursement day and reports
  until the vehicle is sold or repossessed (valid_to of a sold vehicle's device =
  sale day) or, for goes_dark accounts, until it goes permanently silent.
- About 3% of vehicles (at least 2 in any portfolio with 4+ vehicles and 10+
  days) get a new device at a local midnight inside the window: old device
  valid_to = swap day, new device valid_from = swap day. A third of the removed
  devices are fitted again to ANOTHER vehicle 7-40 days later, so a device id
  means different vehicles in different windows.
- Written-off accounts' vehicles are repossessed (60%) 5-45 days after default;
  closed accounts' vehicles are sold (35%) 15-240 days after the last payment.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from predelq.simulate.ids import hex_token
from predelq.simulate.loanbook import Statuses, Terms
from predelq.simulate.portfolio import Portfolio
from predelq.simulate.risk import NONE, Profiles

FAR = 10**7


@dataclass
class Fleet:
    asset_status: list[str]
    status_day: np.ndarray  # day the vehicle was sold / repossessed, or NONE
    online_from: np.ndarray  # first day the vehicle reports (disbursement)
    online_until: np.ndarray  # first day it no longer reports (FAR if it still does)
    last_day_minutes: np.ndarray  # goes_dark: minutes reported on the dark day (1440 = a whole day)
    device_names: list[str]
    first_device: np.ndarray  # device index per vehicle
    swap_day: np.ndarray  # NONE if never swapped
    second_device: np.ndarray  # device fitted on swap_day (-1 if none)
    device_valid_to_first: np.ndarray  # valid_to of the first device's assignment (NONE = open)
    device_valid_to_second: np.ndarray
    n_swaps: int
    n_reassigned: int

    def device_on(self, day: int) -> np.ndarray:
        return np.where(
            (self.swap_day != NONE) & (day >= self.swap_day), self.second_device, self.first_device
        )


def plan_fleet(
    seed, pf: Portfolio, terms: Terms, st: Statuses, plan: Profiles, end, window_start, rng
) -> Fleet:
    n = pf.n_assets
    acc = pf.asset_account
    online_from = terms.disbursement[acc].copy()
    until = np.full(n, FAR, dtype=np.int64)
    status = ["active"] * n
    status_day = np.full(n, NONE, dtype=np.int64)
    valid_to_first = np.full(n, NONE, dtype=np.int64)
    for i in range(n):
        a = acc[i]
        if st.default_day[a] != NONE and rng.random() < 0.6:
            d = int(st.default_day[a] + rng.integers(5, 46))
            if d <= end:
                status[i], status_day[i], until[i] = "repossessed", d, d
        elif st.closed_day[a] != NONE and rng.random() < 0.35:
            d = int(st.closed_day[a] + rng.integers(15, 241))
            if d <= end:
                status[i], status_day[i], until[i] = "sold", d, d
                valid_to_first[i] = d
    # goes_dark: silent from a minute of the dark day on, for good
    last_minutes = np.full(n, 1440, dtype=np.int64)
    dark_acc = plan.dark_from[acc]
    for i in np.flatnonzero(dark_acc != NONE):
        if dark_acc[i] < until[i]:
            until[i] = dark_acc[i] + 1
            last_minutes[i] = int(rng.integers(0, 1440))

    # device swaps
    first = np.arange(n, dtype=np.int64)
    names = [f"TCU-{h}" for h in hex_token(seed, "device", np.arange(n), 10)]
    swap_day = np.full(n, NONE, dtype=np.int64)
    second = np.full(n, -1, dtype=np.int64)
    valid_to_second = np.full(n, NONE, dtype=np.int64)
    lo = np.maximum(online_from + 30, window_start + 1)
    hi = np.minimum(until - 2, end)
    cands = np.flatnonzero(lo <= hi)
    n_swaps = int(round(0.03 * n))
    if n >= 4 and end - window_start >= 9:
        n_swaps = max(n_swaps, 2)
    n_swaps = min(n_swaps, len(cands))
    n_re = max(1, n_swaps // 3) if n_swaps >= 2 else 0
    donors = rng.choice(cands, size=n_swaps - n_re, replace=False) if n_swaps else np.array([], dtype=int)
    for i in donors:
        swap_day[i] = int(rng.integers(lo[i], hi[i] + 1))
    n_reassigned = 0
    for i in sorted(donors, key=lambda j: swap_day[j])[:n_re]:
        target = int(swap_day[i] + rng.integers(7, 41))
        free = [j for j in cands if swap_day[j] == NONE and lo[j] <= target <= hi[j]]
        if not free:  # nobody to re-use it on: another vehicle gets a new device instead
            spare = [j for j in cands if swap_day[j] == NONE]
            if spare:
                j = int(rng.choice(spare))
                swap_day[j] = int(rng.integers(lo[j], hi[j] + 1))
            continue
        j = int(rng.choice(free))
        swap_day[j] = target
        second[j] = first[i]  # the removed device, fitted to another vehicle
        n_reassigned += 1
    for i in np.flatnonzero((swap_day != NONE) & (second == -1)):
        second[i] = len(names)
        names.append(f"TCU-{hex_token(seed, 'device', np.array([n + i]), 10)[0]}")
    swapped = swap_day != NONE
    valid_to_first[swapped] = swap_day[swapped]
    sold_swapped = swapped & np.array([s == "sold" for s in status], dtype=bool)
    valid_to_second[sold_swapped] = status_day[sold_swapped]
    return Fleet(
        asset_status=status,
        status_day=status_day,
        online_from=online_from,
        online_until=until,
        last_day_minutes=last_minutes,
        device_names=names,
        first_device=first,
        swap_day=swap_day,
        second_device=second,
        device_valid_to_first=valid_to_first,
        device_valid_to_second=valid_to_second,
        n_swaps=int(swapped.sum()),
        n_reassigned=n_reassigned,
    )
