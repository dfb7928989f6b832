"""One simulation run: build the world, write raw and truth, report."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field

import pyarrow as pa

from predelq.simulate import tables
from predelq.simulate.config import SimConfig
from predelq.simulate.risk import COHORTS
from predelq.simulate.telemetry import TelemetryGenerator
from predelq.simulate.timebase import LocalClock
from predelq.simulate.world import build_world
from predelq.simulate.writer import Writer

BATCH_ROWS = 1_000_000  # telemetry rows per write


@dataclass
class Summary:
    rows: dict[str, int]
    seconds: float
    telemetry_seconds: float
    parameters: dict
    oracle_auc: dict[str, dict[int, float]] = field(default_factory=dict)
    phases: dict[str, float] = field(default_factory=dict)

    def lines(self) -> list[str]:
        p = self.parameters
        out = [f"simulated {p['n_assets']} assets on {p['n_accounts']} accounts in {self.seconds:.1f}s"]
        tel = self.rows.get("raw.raw_telemetry", 0)
        if self.telemetry_seconds > 0:
            out.append(f"telemetry: {tel:,} rows in {self.telemetry_seconds:.1f}s "
                       f"({tel / self.telemetry_seconds:,.0f} rows/s)")  # fmt: skip
        out.append("rows per table:")
        out += [f"  {k:34s} {v:>14,}" for k, v in self.rows.items()]
        out.append("archetypes: " + ", ".join(f"{k} {v}" for k, v in p["cohorts"].items()))
        out.append(f"accounts reaching 30+ DPD inside the window: {p['accounts_dpd30_in_window']}")
        rz = {k: (v if v is not None else float("nan")) for k, v in p["realism"].items()}
        out.append(
            f"realism: first 30+ DPD {rz['first_dpd30_rate_per_year']:.1%} of open loans a year, "
            f"{rz['cure_share']:.0%} of 1-29 DPD spells cure, PAR30 {rz['par30_at_end']:.1%} at the end date"
        )
        out.append("dirty telemetry: " + ", ".join(f"{k} {v}" for k, v in p["dirty"].items()))
        out.append(f"device swaps {p['device_swaps']} (re-assigned devices {p['device_reassignments']})")
        out.append("seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in self.phases.items()))
        if "oracle" in p:
            o = p["oracle"]
            out.append(
                f"oracle: {o['account_days']:,} account-days x {o['draws']} draws in {o['seconds']:.0f} s"
            )
        for population, aucs in self.oracle_auc.items():
            out.append(f"oracle AUC, {population} account-days: "
                       + ", ".join(f"{h}d {v:.3f}" for h, v in aucs.items()))  # fmt: skip
        return out


def simulate(cfg: SimConfig, target, progress: bool | None = None, oracle: bool = True) -> Summary:
    """Replace raw.* and truth.* in the target with a simulated portfolio (and its oracle)."""
    from predelq.db import connection

    t0 = time.perf_counter()
    phases: dict[str, float] = {}

    def lap(name: str, since: float) -> float:
        now = time.perf_counter()
        phases[name] = round(now - since, 3)
        return now

    world = build_world(cfg, sample_oracle=oracle)
    clock = LocalClock(cfg.timezone)
    master = tables.master_tables(world, clock)
    daily_risk = tables.daily_risk_table(world)
    t = lap("portfolio and loan book", t0)

    if target.engine == "postgres":
        target.ensure_database()
    with connection(target) as con:
        writer = Writer(target, con)
        writer.reset()
        t = lap("reset tables", t)
        gen = TelemetryGenerator(cfg, world.pf, world.fleet, world.stress, world.holidays, clock)
        device_dict = pa.array(gen.all_device_names)
        days = range(world.window_start, world.end + 1)
        # one writer thread: master data and truth first, then telemetry batches as they come
        with BackgroundWriter(writer) as sink:
            for name, tab in master.items():
                sink.put("raw", name, tab)
            sink.put("truth", "account_daily_risk", daily_risk)
            pending: list[pa.Table] = []
            pending_rows = 0
            for day in _progress(days, progress):
                for cols in gen.day(day):
                    pending.append(tables.telemetry_table(cols, device_dict))
                    pending_rows += pending[-1].num_rows
                    if pending_rows >= BATCH_ROWS:
                        sink.put("raw", "raw_telemetry", pa.concat_tables(pending))
                        pending, pending_rows = [], 0
            if pending:
                sink.put("raw", "raw_telemetry", pa.concat_tables(pending))
        telemetry_seconds = time.perf_counter() - t
        t = lap("telemetry (generate and write)", t)

        params = _parameters(world, gen.total_dirty)
        params["telemetry_cells"] = {**gen.cells, "signal_gaps": gen.cells["online"] - gen.cells["reported"]}
        if oracle:
            from predelq.simulate.oracle import estimate

            res = estimate(
                world.history.snapshots,
                world.process_schedule(),
                world.calendar,
                cfg.oracle_horizons,
                cfg.oracle_draws,
                cfg.seed,
                progress,
            )
            writer.write("truth", "oracle", tables.oracle_table(world, res))
            params["oracle"] = {
                "account_days": len(res.as_of),
                "draws": res.draws,
                "every_days": cfg.oracle_every,
                "horizons": list(res.horizons),
                "seconds": round(res.seconds, 1),
                "lanes_peak_mb": round(res.peak_bytes / 1e6, 1),
            }
            t = lap("oracle (re-simulation)", t)
        for name, tab in tables.truth_tables(world, gen.total_dirty, params).items():
            writer.write("truth", name, tab)
        writer.commit()
        writer.close()
        rows = {f"raw.{t}": writer.rows.get(f"raw.{t}", 0) for t in master}
        rows["raw.raw_telemetry"] = writer.rows.get("raw.raw_telemetry", 0)
        rows.update({k: v for k, v in sorted(writer.rows.items()) if k.startswith("truth.")})
        summary = Summary(rows, 0.0, telemetry_seconds, params, phases=phases)
        t = lap("truth", t)
        if oracle:
            from predelq.simulate.truth import oracle_auc

            summary.oracle_auc = {
                population: {h: oracle_auc(con, h, population) for h in (90, 180)}
                for population in ("current", "active")
            }
            lap("oracle AUC", t)
    summary.seconds = time.perf_counter() - t0
    return summary


class BackgroundWriter:
    """Writes tables in a second thread while the next telemetry batches are generated.

    Only this thread uses the connection until the `with` block ends; an error
    in the writer is raised in the main thread.
    """

    def __init__(self, writer: Writer, depth: int = 2):
        import queue
        import threading

        self.writer = writer
        self.queue: queue.Queue = queue.Queue(maxsize=depth)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._loop, name="telemetry-writer", daemon=True)

    def _loop(self) -> None:
        while True:
            item = self.queue.get()
            if item is None:
                return
            if self.error is None:
                try:
                    self.writer.write(*item)
                    self.writer.commit()
                except BaseException as exc:  # noqa: BLE001 - re-raised in the main thread
                    self.error = exc

    def put(self, schema: str, table: str, tab: pa.Table) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put((schema, table, tab))

    def __enter__(self) -> BackgroundWriter:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.queue.put(None)
        self.thread.join()
        if self.error is not None and exc[0] is None:
            raise self.error


def _progress(days, progress):
    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover - tqdm is pinned
        return days
    disable = (not sys.stderr.isatty()) if progress is None else not progress
    return tqdm(days, desc="telemetry days", unit="day", file=sys.stderr, disable=disable)


def _parameters(world, dirty: dict[str, int]) -> dict:
    from collections import Counter

    dq = world.dq
    cohorts = Counter(COHORTS[c] for c in world.profiles.archetype)
    in_window = {
        int(a)
        for a, t, d in zip(dq.account, dq.event_type, dq.triggered, strict=True)
        if t == "dpd_30" and world.window_start <= d <= world.end
    }
    from predelq.simulate.realism import figures

    return {
        "generator": "predelq.simulate v2 (day-by-day hazard process)",
        "config": world.cfg.as_json_dict(),
        "n_assets": world.pf.n_assets,
        "n_accounts": world.pf.n_accounts,
        "n_customers": len(world.pf.customer_ids),
        "window_start": world.cfg.window_start.isoformat(),
        "cohorts": {c: cohorts.get(c, 0) for c in COHORTS},
        "accounts_dpd30_in_window": len(in_window),
        "delinquency_events": dict(Counter(dq.event_type)),
        "account_status": dict(Counter(world.st.account_status)),
        "asset_status": dict(Counter(world.fleet.asset_status)),
        "device_swaps": world.fleet.n_swaps,
        "device_reassignments": world.fleet.n_reassigned,
        "unknown_devices": "devices named in raw_telemetry but in no entity_identifiers row",
        "dirty": dict(dirty),
        "late_arriving_max_delay_hours": 48,
        "raw_payload": "NULL for simulated rows",
        "realism": figures(world),
    }
