"""Classification metrics for delinquency probabilities (pooled over account-days).

"Top 10%" is taken per as-of day: each day the 10% of accounts with the highest
score are flagged (what a collector would call that day); precision, recall and
lift are pooled over the days.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score, roc_curve

TOP_SHARE = 0.10


def top_share_flags(scores: np.ndarray, days: np.ndarray, share: float = TOP_SHARE) -> np.ndarray:
    """True for the top `share` of rows by score within each day (at least one row per day)."""
    frame = pd.DataFrame({"s": scores, "d": days, "i": np.arange(len(scores))})
    # rank by score, ties broken by position, so the count flagged per day is exact
    frame = frame.sort_values(["d", "s", "i"], ascending=[True, False, True])
    frame["rank"] = frame.groupby("d").cumcount()
    frame["n"] = frame.groupby("d")["s"].transform("size")
    flagged = frame["rank"] < np.maximum(1, np.ceil(frame["n"] * share))
    out = np.zeros(len(scores), dtype=bool)
    out[frame["i"].to_numpy()] = flagged.to_numpy()
    return out


def binary_metrics(y: np.ndarray, scores: np.ndarray, days: np.ndarray) -> dict:
    """AUC, PR-AUC, Brier, KS and precision/recall/lift in the daily top 10%.

    Metrics that need both classes are None when the sample has only one.
    Brier is only meaningful for probabilities (not for ranks or rule scores).
    """
    y = np.asarray(y, dtype=int)
    scores = np.asarray(scores, dtype=float)
    n, pos = len(y), int(y.sum())
    out: dict = {"rows": n, "positives": pos, "base_rate": (pos / n) if n else None}
    both = 0 < pos < n
    out["auc"] = float(roc_auc_score(y, scores)) if both else None
    out["pr_auc"] = float(average_precision_score(y, scores)) if both else None
    out["brier"] = float(brier_score_loss(y, np.clip(scores, 0, 1))) if n else None
    if both:
        fpr, tpr, _ = roc_curve(y, scores)
        out["ks"] = float(np.max(tpr - fpr))
    else:
        out["ks"] = None
    flags = top_share_flags(scores, np.asarray(days))
    flagged = int(flags.sum())
    hits = int((flags & (y == 1)).sum())
    out["precision_top10"] = hits / flagged if flagged else None
    out["recall_top10"] = hits / pos if pos else None
    base = out["base_rate"]
    out["lift_top10"] = (
        (out["precision_top10"] / base) if base and out["precision_top10"] is not None else None
    )
    return out
