"""The Monte-Carlo oracle: P(first 30+ DPD within h days | the simulator's full state).

For each sampled account-day (as-of day d, every `oracle_every`-th day, every
account open on the eve of d) the main run kept a copy of the account's whole
state at the end of d - 1: latent noise, bad week, episode, going dark, habit,
arrears, DPD, and its city's and the portfolio's shocks. Here each copy is
repeated `oracle_draws` times and every repeat is stepped through d, d + 1, ...,
d + H - 1 (H = the longest horizon) by the SAME `process.step` the main run uses,
with fresh random draws: future shocks, episodes and payments are all re-drawn.
The estimate for horizon h is the share of repeats in which a `dpd_30` milestone
(a DPD episode reaching 30) falls on a day in [d, d + h - 1] -- the label window
of the warehouse's `label_dpd30_<h>d`. Its Monte-Carlo standard error is
sqrt(p (1 - p) / N).

Repeats run in chunks of whole account-days, each chunk with its own random
stream, so the result does not depend on memory or on how many chunks there are.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, fields

import numpy as np

from predelq.simulate import process

CHUNK_LANES = 131_072  # repeats stepped together (a multiple of the draws is used)
ORACLE_STREAM = 40


@dataclass
class OracleResult:
    account: np.ndarray  # account index, one per sampled account-day
    as_of: np.ndarray  # day
    dpd_on_eve: np.ndarray  # DPD at the end of as_of - 1
    ever_dpd30: np.ndarray  # some DPD episode of the loan reached 30 before as_of
    horizons: tuple[int, ...]
    draws: int
    estimate: np.ndarray  # (account-days, horizons)
    seconds: float = 0.0
    peak_bytes: int = 0


def _concat(snapshots) -> tuple[process.Lanes, process.Shocks, process.Shocks, np.ndarray]:
    lanes = process.Lanes(
        **{
            f.name: np.concatenate([getattr(s.lanes, f.name) for s in snapshots])
            for f in fields(process.Lanes)
        }
    )
    city = process.Shocks(
        np.concatenate([s.city.left for s in snapshots]), np.concatenate([s.city.height for s in snapshots])
    )
    glob = process.Shocks(
        np.concatenate([s.glob.left for s in snapshots]), np.concatenate([s.glob.height for s in snapshots])
    )
    as_of = np.concatenate([np.full(len(s.lanes), s.as_of, dtype=np.int64) for s in snapshots])
    return lanes, city, glob, as_of


def _repeat(lanes: process.Lanes, shocks: process.Shocks, idx: np.ndarray, draws: int):
    rep = np.repeat(idx, draws)
    many = lanes.take(rep)
    n = len(rep)
    # each repeat lives in its own world: its own copy of its city's and the portfolio's shocks
    many.city = np.arange(n, dtype=np.int64)
    many.glob = np.arange(n, dtype=np.int64)
    return many, rep


def estimate(
    snapshots,
    schedule: process.Schedule,
    cal: process.Calendar,
    horizons,
    draws: int,
    seed: int,
    progress=None,
) -> OracleResult:
    """Re-simulate every snapshot `draws` times up to the longest horizon."""
    t0 = time.perf_counter()
    horizons = tuple(sorted(int(h) for h in horizons))
    snapshots = [s for s in snapshots if len(s.lanes)]
    if not snapshots:
        empty = np.zeros(0, dtype=np.int64)
        return OracleResult(
            empty, empty, empty, empty.astype(bool), horizons, draws, np.zeros((0, len(horizons)))
        )
    lanes, city, glob, as_of = _concat(snapshots)
    m = len(lanes)
    h_max = horizons[-1]
    first_hit = np.full(m * draws, -1, dtype=np.int64)
    per_chunk = max(1, CHUNK_LANES // draws)
    peak = 0
    chunks = range(0, m, per_chunk)
    for c, i0 in enumerate(_progress(chunks, progress)):
        idx = np.arange(i0, min(m, i0 + per_chunk))
        many, rep = _repeat(lanes, city, idx, draws)
        many_city = city.take(rep)
        many_glob = glob.take(rep)
        start = as_of[rep]
        hit = np.full(len(rep), -1, dtype=np.int64)
        rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, ORACLE_STREAM, c])))
        active = np.arange(len(rep))
        for t in range(h_max):
            out = process.step(many, many_city, many_glob, start + t, schedule, cal, rng)
            new = out.hit30
            hit[active[new]] = t
            # drop repeats that are settled (hit, written off or closed): their answer is known
            done = new | many.gone
            if done.mean() > 0.25:
                keep = np.flatnonzero(~done)
                many = many.take(keep)
                many.city = np.arange(len(keep), dtype=np.int64)
                many.glob = np.arange(len(keep), dtype=np.int64)
                many_city, many_glob = many_city.take(keep), many_glob.take(keep)
                start, active = start[keep], active[keep]
                if not len(keep):
                    break
            peak = max(peak, _nbytes(many))
        first_hit[i0 * draws : (i0 + len(idx)) * draws] = hit
    hits = first_hit.reshape(m, draws)
    est = np.stack([((hits >= 0) & (hits < h)).mean(axis=1) for h in horizons], axis=1)
    return OracleResult(
        account=lanes.account,
        as_of=as_of,
        dpd_on_eve=lanes.dpd,
        ever_dpd30=lanes.ever30,
        horizons=horizons,
        draws=draws,
        estimate=est,
        seconds=time.perf_counter() - t0,
        peak_bytes=peak,
    )


def _nbytes(lanes: process.Lanes) -> int:
    return sum(getattr(lanes, f.name).nbytes for f in fields(lanes))


def _progress(chunks, progress):
    import sys

    try:
        from tqdm import tqdm
    except ImportError:  # pragma: no cover - tqdm is pinned
        return chunks
    disable = (not sys.stderr.isatty()) if progress is None else not progress
    return tqdm(chunks, desc="oracle", unit="chunk", file=sys.stderr, disable=disable)
