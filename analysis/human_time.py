"""A task's human time: where it sits on the time axis (docs/method.md section 5).

The one formula, used by task folders (`core.taskfolder`) and by the database's cached value
(`core.services.human_time`): the geometric mean of the minutes of the successful human
baselines; without any, an estimate; without that, unknown. Failed baselines carry no time
information (the person may have stopped early), so callers pass only successful ones.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

HumanTimeSource = Literal["baseline", "estimate"]


@dataclass(frozen=True)
class HumanTime:
    """The task's human time in minutes, where it comes from, and how many baselines it averages."""

    minutes: float
    source: HumanTimeSource
    n_successful_baselines: int


def geometric_mean(values: Sequence[float]) -> float:
    """exp(mean(log v)): times spread over orders of magnitude, so their typical value is a
    geometric, not an arithmetic, mean (one 10-hour outlier does not swamp three 10-minute runs)."""
    if not values:
        raise ValueError("the geometric mean of nothing is undefined")
    if any(v <= 0 for v in values):
        raise ValueError("human times must be positive")
    return math.exp(sum(math.log(v) for v in values) / len(values))


def human_time(successful_minutes: Sequence[float], estimate_minutes: float | None) -> HumanTime | None:
    """Geometric mean of the successful baselines' minutes (source `baseline`); without any, the
    estimate (source `estimate`); None when there is neither."""
    if successful_minutes:
        return HumanTime(geometric_mean(successful_minutes), "baseline", len(successful_minutes))
    if estimate_minutes is not None:
        return HumanTime(estimate_minutes, "estimate", 0)
    return None
