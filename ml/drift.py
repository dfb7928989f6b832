"""Population stability index (PSI) between a reference sample and a current one.

Bins are the reference's deciles (unique edges, so a feature with few values gets
fewer bins) plus one bin for missing values, because a jump in missing telemetry is
drift too. PSI = sum((cur - ref) * ln(cur / ref)) over bins, shares floored at 1e-4.
Rule of thumb: < 0.1 stable, 0.1-0.25 moderate, above 0.25 drifted; the cut that raises a
warning is `psi_drift_cut` of the seed risk_settings.
"""

from __future__ import annotations

import numpy as np

FLOOR = 1e-4
N_BINS = 10


def reference_bins(values: np.ndarray, n_bins: int = N_BINS) -> dict:
    """Bin edges and shares of a reference sample (stored in the model artifact)."""
    values = np.asarray(values, dtype=float)
    finite = values[~np.isnan(values)]
    if len(finite):
        qs = np.quantile(finite, np.linspace(0, 1, n_bins + 1)[1:-1])
        edges = np.unique(qs)
    else:
        edges = np.array([], dtype=float)
    return {"edges": edges.tolist(), "shares": _shares(values, edges).tolist()}


def _shares(values: np.ndarray, edges: np.ndarray) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    nan = np.isnan(values)
    counts = np.zeros(len(edges) + 2)  # value bins + missing bin
    if (~nan).any():
        idx = np.searchsorted(np.asarray(edges, dtype=float), values[~nan], side="right")
        counts[: len(edges) + 1] = np.bincount(idx, minlength=len(edges) + 1)
    counts[-1] = nan.sum()
    total = counts.sum()
    return counts / total if total else counts


def psi(reference: dict, current: np.ndarray) -> float | None:
    """PSI of `current` against a `reference_bins` result; None for an empty sample."""
    current = np.asarray(current, dtype=float)
    if len(current) == 0:
        return None
    ref = np.maximum(np.asarray(reference["shares"], dtype=float), FLOOR)
    cur = np.maximum(_shares(current, np.asarray(reference["edges"], dtype=float)), FLOOR)
    return float(np.sum((cur - ref) * np.log(cur / ref)))
