"""The backtest's portfolios: read `portfolios.toml`, simulate and build each one.

Each portfolio lives in its own DuckDB file under `target/backtest/` and is built
with `dbt seed` + `dbt run` of what the backtest reads (the feature table, the
indicators, the events; no tests, no ML scorer). A file is reused when its marker
says it was built from the same settings, simulator and warehouse code (models,
macros, seeds: fingerprints of their files); when only the warehouse code
changed, the simulation is kept and dbt rebuilds with --full-refresh.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path

from predelq.db import PROJECT_DIR

CONFIG = Path(__file__).with_name("portfolios.toml")
# what the backtest reads from a built portfolio
DBT_SELECT = "+ml_features_daily +events"


@dataclass(frozen=True)
class Portfolio:
    name: str
    role: str  # "train" or "held_out"
    seed: int
    assets: int
    days: int
    minute_step: int
    end_date: str
    oracle_draws: int
    oracle_every: int

    def simulate_args(self) -> list[str]:
        return [
            "--seed", str(self.seed), "--assets", str(self.assets), "--days", str(self.days),
            "--minute-step", str(self.minute_step), "--end-date", self.end_date,
            "--oracle-draws", str(self.oracle_draws), "--oracle-every", str(self.oracle_every),
            "--no-progress",
        ]  # fmt: skip

    def dbt_vars(self) -> dict:
        # readings every `minute_step` minutes: each covers that many minutes
        return {"telemetry_expected_interval_minutes": self.minute_step, "ml_indicators_enabled": False}


def load_config(path: Path = CONFIG, **overrides) -> tuple[Portfolio, list[Portfolio]]:
    """(training portfolio, held-out portfolios); `overrides` replace defaults (tests, quick runs)."""
    raw = tomllib.loads(path.read_text())
    defaults = {**raw.get("defaults", {}), **overrides}

    def make(entry: dict, role: str) -> Portfolio:
        merged = {**defaults, **{k: v for k, v in entry.items() if k not in overrides}}
        return Portfolio(
            name=merged["name"],
            role=role,
            seed=int(merged["seed"]),
            assets=int(merged["assets"]),
            days=int(merged["days"]),
            minute_step=int(merged["minute_step"]),
            end_date=str(merged["end_date"]),
            oracle_draws=int(merged["oracle_draws"]),
            oracle_every=int(merged["oracle_every"]),
        )

    train = make(raw["training"], "train")
    held = [make(e, "held_out") for e in raw.get("held_out", [])]
    seeds = [train.seed, *[p.seed for p in held]]
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"{path}: every portfolio needs its own seed, got {seeds}")
    return train, held


SIMULATOR_FILES = ["predelq/simulate"]
WAREHOUSE_FILES = ["models", "macros", "seeds", "python_models", "dbt_project.yml"]
NOT_BUILT = ("models/marts",)  # the backtest builds up to the features and events, never the marts


def code_fingerprint(roots=(*SIMULATOR_FILES, *WAREHOUSE_FILES)) -> str:
    """Hash of the files under `roots` (folders or files of the project)."""
    h = hashlib.sha256()
    files = []
    for root in roots:
        path = PROJECT_DIR / root
        if path.is_file():
            files.append(path)
            continue
        files += sorted(
            p
            for p in (PROJECT_DIR / root).rglob("*")
            if p.is_file()
            and "__pycache__" not in p.parts
            and not str(p.relative_to(PROJECT_DIR)).startswith(NOT_BUILT)
        )
    for f in files:
        h.update(str(f.relative_to(PROJECT_DIR)).encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


# A full build of a 540-day portfolio materialises every std-dev indicator's trailing window at
# once (int_indicator_baselines); 6 GB, the warehouse's default, is not enough for the training
# portfolio. The backtest's builds get more unless the user set PREDELQ_DUCKDB_MEMORY.
BUILD_MEMORY = "12GB"


@contextlib.contextmanager
def duckdb_env(path: Path):
    saved = {k: os.environ.get(k) for k in ("PREDELQ_TARGET", "PREDELQ_DUCKDB_PATH", "PREDELQ_DUCKDB_MEMORY")}
    os.environ["PREDELQ_TARGET"] = "dev"
    os.environ["PREDELQ_DUCKDB_PATH"] = str(path)
    os.environ.setdefault("PREDELQ_DUCKDB_MEMORY", BUILD_MEMORY)
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def build(p: Portfolio, folder: Path, reuse: bool = True, log=print) -> Path:
    """Simulate and build one portfolio into folder/<name>.duckdb (or reuse a matching one)."""
    from predelq.cli import main as cli_main
    from predelq.db import Target
    from predelq.dbt import run_dbt
    from predelq.errors import UserError

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{p.name}.duckdb"
    marker = folder / f"{p.name}.built.json"
    want = {
        "portfolio": asdict(p),
        "simulator": code_fingerprint(SIMULATOR_FILES),
        "warehouse": code_fingerprint(WAREHOUSE_FILES),
    }
    have = json.loads(marker.read_text()) if reuse and path.exists() and marker.exists() else {}
    if have == want:
        log(f"  {p.name}: reusing {path.name} (same settings and code)")
        return path
    # the simulation is kept when the settings and the simulator are unchanged (its own marker is
    # written as soon as it finishes, so an interrupted dbt run does not cost a new simulation)
    sim_marker = folder / f"{p.name}.simulated.json"
    sim_want = {k: want[k] for k in ("portfolio", "simulator")}
    simulated = (
        reuse and path.exists() and sim_marker.exists() and json.loads(sim_marker.read_text()) == sim_want
    )
    marker.unlink(missing_ok=True)
    t0 = time.perf_counter()
    with duckdb_env(path):
        target = Target("dev")
        if not simulated:
            sim_marker.unlink(missing_ok=True)
            path.unlink(missing_ok=True)
            if cli_main(["simulate", "--target", "dev", *p.simulate_args()]) != 0:
                raise UserError(f"simulating portfolio {p.name} failed")
            sim_marker.write_text(json.dumps(sim_want))
        t1 = time.perf_counter()
        args = ["--vars", json.dumps(p.dbt_vars()), "--quiet"]
        run_dbt(["seed", "--full-refresh", *args], target)
        # incremental models are rebuilt from scratch: the data or the models may have changed
        run_dbt(["run", "--select", DBT_SELECT, "--full-refresh", *args], target)
    what = "kept the simulation" if simulated else f"simulated in {t1 - t0:.0f} s"
    log(f"  {p.name}: {what}, built in {time.perf_counter() - t1:.0f} s")
    marker.write_text(json.dumps(want))
    return path
    simulated = {k: have.get(k) for k in ("portfolio", "simulator")} == {
        k: want[k] for k in ("portfolio", "simulator")
    }
    marker.unlink(missing_ok=True)
    t0 = time.perf_counter()
    with duckdb_env(path):
        target = Target("dev")
        if not simulated:
            path.unlink(missing_ok=True)
            if cli_main(["simulate", "--target", "dev", *p.simulate_args()]) != 0:
                raise UserError(f"simulating portfolio {p.name} failed")
        t1 = time.perf_counter()
        args = ["--vars", json.dumps(p.dbt_vars()), "--quiet"]
        run_dbt(["seed", "--full-refresh", *args], target)
        # the same raw data with new models: rebuild the incremental models from scratch
        refresh = ["--full-refresh"] if simulated else []
        run_dbt(["run", "--select", DBT_SELECT, *refresh, *args], target)
    what = "kept the simulation" if simulated else f"simulated in {t1 - t0:.0f} s"
    log(f"  {p.name}: {what}, built in {time.perf_counter() - t1:.0f} s")
    marker.write_text(json.dumps(want))
    return path
