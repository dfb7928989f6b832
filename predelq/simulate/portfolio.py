"""The portfolio's structure: makers, models, customers, accounts and vehicles.

Accounts are drawn one at a time until the requested number of vehicles is
reached: most accounts finance one vehicle, fleets (commercial models only) two
to five, about 1.45 vehicles per account overall. About 6% of accounts belong to
a customer who already has another account (repeat borrowers). Each vehicle has a
home base (a customer's home for private vehicles, a depot for fleets) and often a
work place, both in the customer's city.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np

from predelq.simulate import catalog
from predelq.simulate.ids import IdSet

EPOCH = dt.date(1970, 1, 1)
KM_PER_DEG_LAT = 111.32


def day_int(d: dt.date) -> int:
    return (d - EPOCH).days


def int_day(i: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(i))


FLEET_SIZES = np.array([1, 2, 3, 4, 5])
FLEET_WEIGHTS = np.array([0.72, 0.12, 0.08, 0.05, 0.03])


@dataclass
class Portfolio:
    seed: int
    oem_ids: IdSet
    model_ids: IdSet
    # customers
    customer_ids: IdSet
    customer_names: list[str]
    customer_city: np.ndarray
    customer_home: np.ndarray  # (n, 2) lat, lon
    # accounts
    account_ids: IdSet
    account_customer: np.ndarray
    account_model: np.ndarray
    account_size: np.ndarray
    # assets
    asset_ids: IdSet
    asset_account: np.ndarray
    asset_model: np.ndarray
    asset_base: np.ndarray  # (n, 2)
    asset_work: np.ndarray  # (n, 2), nan when the vehicle has no regular work place
    asset_km_factor: np.ndarray  # this driver's km relative to the model's typical day
    asset_speed_factor: np.ndarray
    asset_consumption_factor: np.ndarray
    asset_soc_target: np.ndarray  # this driver's usual charge target (%)
    # OEM service centres: (oem, city) -> (lat, lon)
    service_centres: dict[tuple[int, int], tuple[float, float]] = field(default_factory=dict)

    @property
    def n_accounts(self) -> int:
        return len(self.account_ids)

    @property
    def n_assets(self) -> int:
        return len(self.asset_ids)

    @property
    def asset_city(self) -> np.ndarray:
        return self.customer_city[self.account_customer[self.asset_account]]


def offset(latlon: np.ndarray, north_km: np.ndarray, east_km: np.ndarray) -> np.ndarray:
    """Move points by km north/east (small distances, equirectangular)."""
    lat = latlon[..., 0] + north_km / KM_PER_DEG_LAT
    lon = latlon[..., 1] + east_km / (KM_PER_DEG_LAT * np.cos(np.radians(latlon[..., 0])))
    return np.stack([lat, lon], axis=-1)


def build_portfolio(seed: int, n_assets: int, rng: np.random.Generator) -> Portfolio:
    models = catalog.MODELS
    model_w = np.array([m.weight for m in models])
    model_w = model_w / model_w.sum()

    # accounts, until the vehicles are all financed
    acc_model: list[int] = []
    acc_size: list[int] = []
    total = 0
    while total < n_assets:
        m = int(rng.choice(len(models), p=model_w))
        size = 1
        if models[m].max_fleet > 1:
            size = int(min(rng.choice(FLEET_SIZES, p=FLEET_WEIGHTS), models[m].max_fleet))
        size = min(size, n_assets - total)
        acc_model.append(m)
        acc_size.append(size)
        total += size
    n_acc = len(acc_model)
    account_model = np.array(acc_model, dtype=np.int64)
    account_size = np.array(acc_size, dtype=np.int64)

    # customers: one per account, some repeat borrowers
    account_customer = np.empty(n_acc, dtype=np.int64)
    n_cust = 0
    for a in range(n_acc):
        if a >= 10 and rng.random() < 0.06:
            account_customer[a] = int(rng.integers(0, n_cust))
        else:
            account_customer[a] = n_cust
            n_cust += 1
    city_w = np.array([c[4] for c in catalog.CITIES])
    customer_city = rng.choice(len(catalog.CITIES), size=n_cust, p=city_w / city_w.sum())
    centres = np.array([[c[1], c[2]] for c in catalog.CITIES])
    spread = np.array([c[5] for c in catalog.CITIES])[customer_city]
    customer_home = offset(
        centres[customer_city],
        rng.normal(0, 1, n_cust) * spread * 0.6,
        rng.normal(0, 1, n_cust) * spread * 0.6,
    )
    first = rng.integers(0, len(catalog.FIRST_NAMES), n_cust)
    last = rng.integers(0, len(catalog.LAST_NAMES), n_cust)
    customer_names = [
        f"{catalog.FIRST_NAMES[f]} {catalog.LAST_NAMES[la]}" for f, la in zip(first, last, strict=True)
    ]

    # assets
    asset_account = np.repeat(np.arange(n_acc), account_size)
    asset_model = account_model[asset_account]
    n_ast = len(asset_account)
    is_fleet = account_size[asset_account] > 1
    cust_of_asset = account_customer[asset_account]
    home = customer_home[cust_of_asset]
    # fleets park at a depot 2-8 km from the owner's home (one depot per account)
    depot = offset(
        customer_home[account_customer],
        rng.uniform(-6, 6, n_acc),
        rng.uniform(-6, 6, n_acc),
    )[asset_account]
    base = np.where(is_fleet[:, None], depot, home)
    # a few metres between vehicles sharing a base
    base = offset(base, rng.normal(0, 0.02, n_ast), rng.normal(0, 0.02, n_ast))
    has_work = rng.random(n_ast) < 0.65
    ang = rng.uniform(0, 2 * np.pi, n_ast)
    dist = rng.uniform(3, 14, n_ast)
    work = offset(base, dist * np.sin(ang), dist * np.cos(ang))
    work[~has_work] = np.nan

    commercial = np.array([models[m].commercial for m in asset_model])
    soc_target = np.where(rng.random(n_ast) < 0.7, 100.0, rng.uniform(80, 95, n_ast))
    soc_target = np.where(commercial, np.maximum(soc_target, 90.0), soc_target)

    # service centres: one per OEM per city
    service_centres: dict[tuple[int, int], tuple[float, float]] = {}
    for o in range(len(catalog.OEMS)):
        for c, city in enumerate(catalog.CITIES):
            p = offset(
                np.array([city[1], city[2]]), rng.normal(0, city[5] * 0.4), rng.normal(0, city[5] * 0.4)
            )
            service_centres[(o, c)] = (float(p[0]), float(p[1]))

    return Portfolio(
        seed=seed,
        oem_ids=IdSet(seed, "oem", len(catalog.OEMS)),
        model_ids=IdSet(seed, "asset_model", len(models)),
        customer_ids=IdSet(seed, "customer", n_cust),
        customer_names=customer_names,
        customer_city=customer_city,
        customer_home=customer_home,
        account_ids=IdSet(seed, "account", n_acc),
        account_customer=account_customer,
        account_model=account_model,
        account_size=account_size,
        asset_ids=IdSet(seed, "asset", n_ast),
        asset_account=asset_account,
        asset_model=asset_model,
        asset_base=base,
        asset_work=work,
        asset_km_factor=np.exp(rng.normal(0, 0.2, n_ast)),
        asset_speed_factor=rng.uniform(0.85, 1.15, n_ast),
        asset_consumption_factor=rng.uniform(0.9, 1.1, n_ast),
        asset_soc_target=soc_target,
        service_centres=service_centres,
    )
