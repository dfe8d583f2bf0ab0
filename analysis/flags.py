"""Flags on numbers that should not be read at face value (docs/method.md section 8).

A horizon far outside the tasks' range is an extrapolation of the logistic curve, not a
measurement; a point estimate outside its own interval says the bootstrap distribution is skewed
or truncated; a positive slope means success rises with task length; a solver that stopped at its
iteration limit did not find the optimum; replicates without a fit shift the interval. None of
these stops an analysis: each is reported as a flag code next to the number (JSON `flags`), with
its count over the report (`flags` at the top level), and the CLI and pages print them.

`FLAG_TEXT` is the one list of codes and their meaning; other modules use its keys.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from analysis.bootstrap import ALL_FAILURES, ALL_SUCCESSES, NO_ROWS, BootstrapFits, DegenerateReplicates
from analysis.logistic import LogisticFit
from analysis.trend import TrendResult

FLAG_TEXT: dict[str, str] = {
    "p50_below_task_range": "p50 lies below the shortest task the agent ran (an extrapolation)",
    "p50_above_task_range": "p50 lies beyond the longest task the agent ran (an extrapolation)",
    "p80_below_task_range": "p80 lies below the shortest task the agent ran (an extrapolation)",
    "p80_above_task_range": "p80 lies beyond the longest task the agent ran (an extrapolation)",
    "p50_outside_ci": "the p50 point estimate lies outside its own confidence interval",
    "p80_outside_ci": "the p80 point estimate lies outside its own confidence interval",
    "positive_slope": "success rises with task length (positive logistic slope): horizons are not meaningful",
    "not_converged": "the solver stopped at its iteration limit before reaching the optimum",
    "degenerate_replicates": "some bootstrap replicates held one class only (all failures or all successes)",
    "dropped_replicates": "some bootstrap replicates had no fit and were left out of the interval",
    "replicate_positive_slopes": "some bootstrap replicates fitted a positive slope",
    "replicate_not_converged": "some bootstrap replicate fits stopped at the iteration limit",
    "doubling_outside_ci": "the doubling time lies outside its own confidence interval",
    "doubling_ci_unbounded": "the slope's interval reaches zero: the doubling time's upper side is unbounded",
    "trend_dropped_replicates": "some bootstrap replicates gave no doubling time and were left out",
    "frontier_outside_task_range": "a frontier agent's p50 lies outside the task range and anchors the trend",
}
HORIZON_KEYS = {0.5: "p50", 0.8: "p80"}


@dataclass(frozen=True)
class ReplicateCounts:
    """One agent's bootstrap replicates by outcome."""

    all_failures: int = 0
    all_successes: int = 0
    no_rows: int = 0
    dropped: int = 0  # left out of the interval (NaN p50)
    positive_slope: int = 0
    not_converged: int = 0

    def to_json(self) -> dict[str, int]:
        """Counts as the JSON `bootstrap` object's `n_*` fields."""
        return {
            "n_all_failures": self.all_failures,
            "n_all_successes": self.all_successes,
            "n_no_rows": self.no_rows,
            "n_dropped": self.dropped,
            "n_positive_slope": self.positive_slope,
            "n_not_converged": self.not_converged,
        }


def replicate_counts(boot: BootstrapFits, index: int, degenerate: DegenerateReplicates) -> ReplicateCounts:
    """Counts for column `index` of `boot` when degenerate replicates are handled by `degenerate`."""
    status = boot.status[:, index] if boot.status is not None else None
    ok = np.isfinite(boot.intercept[:, index]) & np.isfinite(boot.coefficient[:, index])
    dropped = boot.horizons(0.5, degenerate)[:, index]
    return ReplicateCounts(
        all_failures=int(np.sum(status == ALL_FAILURES)) if status is not None else 0,
        all_successes=int(np.sum(status == ALL_SUCCESSES)) if status is not None else 0,
        no_rows=int(np.sum(status == NO_ROWS)) if status is not None else 0,
        dropped=int(np.sum(np.isnan(dropped))),
        positive_slope=int(np.sum(ok & (boot.coefficient[:, index] > 0))),
        not_converged=int(np.sum(ok & ~boot.converged[:, index])) if boot.converged is not None else 0,
    )


def agent_flags(
    fit: LogisticFit,
    horizons: Mapping[float, float],
    intervals: Mapping[float, tuple[float, float]],
    task_range: tuple[float, float],
    counts: ReplicateCounts | None,
) -> list[str]:
    """The flag codes of one agent (p50 and p80 only; see `FLAG_TEXT`)."""
    flags = []
    shortest, longest = task_range
    for q, key in HORIZON_KEYS.items():
        value = horizons.get(q, float("nan"))
        if value < shortest:
            flags.append(f"{key}_below_task_range")
        elif value > longest:
            flags.append(f"{key}_above_task_range")
        lo, hi = intervals.get(q, (float("nan"), float("nan")))
        if not (math.isnan(value) or math.isnan(lo) or math.isnan(hi)) and not lo <= value <= hi:
            flags.append(f"{key}_outside_ci")
    if fit.status == "ok" and fit.coefficient > 0:
        flags.append("positive_slope")
    if fit.status == "ok" and not fit.converged:
        flags.append("not_converged")
    if counts is not None:
        if counts.all_failures or counts.all_successes:
            flags.append("degenerate_replicates")
        if counts.dropped:
            flags.append("dropped_replicates")
        if counts.positive_slope:
            flags.append("replicate_positive_slopes")
        if counts.not_converged:
            flags.append("replicate_not_converged")
    return flags


def trend_flags(trend: TrendResult, outside_range: Iterable[str]) -> list[str]:
    """The trend's flag codes; `outside_range` lists agents whose p50 is outside the task range."""
    flags = []
    lo, hi = trend.doubling_days_ci
    point = trend.doubling_days
    if not (math.isnan(point) or math.isnan(lo) or math.isnan(hi)) and not lo <= point <= hi:
        flags.append("doubling_outside_ci")
    if trend.ci_unbounded:
        flags.append("doubling_ci_unbounded")
    if trend.n_dropped_replicates:
        flags.append("trend_dropped_replicates")
    if set(trend.agents) & set(outside_range):
        flags.append("frontier_outside_task_range")
    return flags


def flag_summary(flag_lists: Iterable[Iterable[str]]) -> dict[str, int]:
    """How many agents (or trends) carry each flag, in `FLAG_TEXT` order."""
    counts = Counter(code for flags in flag_lists for code in flags)
    return {code: counts[code] for code in FLAG_TEXT if counts[code]}
