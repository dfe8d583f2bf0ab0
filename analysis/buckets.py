"""Weighted average score and weighted empirical success per human-time bucket (docs/method.md section 2).

- `weighted_average(y, w) = sum(w * y) / sum(w)`: with weights summing to 1 per agent this is
  METR's `average`; it does not depend on the regularization. No rows (or zero total weight): NaN.
- `bucket_success_rates`: the same weighted mean restricted to runs whose human minutes lie in
  `[lo, hi)`, for consecutive edges (default 1, 4, 16, 64, 256, 960, 2880 minutes). An empty
  bucket has rate NaN (reported as null) and weight 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

DEFAULT_BUCKET_EDGES: tuple[float, ...] = (1, 4, 16, 64, 256, 960, 2880)


@dataclass(frozen=True)
class BucketRate:
    """Weighted success rate of the runs with `lo <= human_minutes < hi`."""

    lo: float
    hi: float
    rate: float
    weight: float
    n_runs: int

    @property
    def label(self) -> str:
        """METR's column name, e.g. `1-4 min`."""
        return f"{_number(self.lo)}-{_number(self.hi)} min"


def weighted_average(y: FloatArray, w: FloatArray) -> float:
    """sum(w * y) / sum(w); NaN when there are no rows or the weights sum to 0."""
    total = float(np.sum(w))
    if len(y) == 0 or total == 0:
        return float("nan")
    return float(np.sum(w * y) / total)


def bucket_success_rates(
    minutes: FloatArray, y: FloatArray, w: FloatArray, edges: Sequence[float] = DEFAULT_BUCKET_EDGES
) -> list[BucketRate]:
    """Weighted success rate in each bucket `[edges[i], edges[i+1])` of human minutes."""
    if len(edges) < 2 or any(hi <= lo for lo, hi in zip(edges[:-1], edges[1:], strict=False)):
        raise ValueError("bucket edges must be at least two increasing numbers")
    # METR compares exp2(log2(minutes)) with the edges; the round trip can move a task sitting
    # exactly on an edge (e.g. 960) by one ulp, so do the same to land in the same bucket.
    minutes = np.exp2(np.log2(minutes))
    rates = []
    for lo, hi in zip(edges[:-1], edges[1:], strict=False):
        inside = (minutes >= lo) & (minutes < hi)
        rates.append(
            BucketRate(
                lo=float(lo),
                hi=float(hi),
                rate=weighted_average(y[inside], w[inside]),
                weight=float(np.sum(w[inside])),
                n_runs=int(inside.sum()),
            )
        )
    return rates


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
