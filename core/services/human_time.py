"""A task's human time, derived from its baselines (design/method.md)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from core.models import SOURCE_BASELINE, SOURCE_ESTIMATE, SOURCE_TIMED, HumanBaseline, Task

# Both are a person's real attempt: timed in Horizon by the server, or recorded by hand (the way
# METR's baselines were recorded). Each row names who recorded it, so a forged one is visible.
ATTEMPT_SOURCES = (SOURCE_TIMED, SOURCE_BASELINE)


@dataclass(frozen=True)
class DerivedHumanTime:
    minutes: float | None
    source: str | None
    n_successful_baselines: int


def live_baselines(baselines: Iterable[HumanBaseline]) -> list[HumanBaseline]:
    """The rows that count and are listed by default: deleted ones are kept only for audit."""
    return [b for b in baselines if b.deleted_at is None]


def derive_human_time(baselines: Iterable[HumanBaseline]) -> DerivedHumanTime:
    """Geometric mean of the successful real baselines; else the latest estimate; else unknown.

    Real baselines are timed ones and those recorded by hand (`ATTEMPT_SOURCES`), equally: one
    attempt is one attempt however its time was taken. Deleted rows never count. Failed baselines
    carry no time information for the task (the person may have stopped early), so they are kept
    but not used, as in METR's method. The result's source is `baseline` for both kinds.
    """
    rows = live_baselines(baselines)
    successes = [b.minutes for b in rows if b.source in ATTEMPT_SOURCES and b.succeeded]
    if successes:
        mean_log = sum(math.log(m) for m in successes) / len(successes)
        return DerivedHumanTime(math.exp(mean_log), SOURCE_BASELINE, len(successes))
    estimates = [b for b in rows if b.source == SOURCE_ESTIMATE]
    if estimates:
        latest = max(estimates, key=lambda b: (b.recorded_at, b.id or 0))
        return DerivedHumanTime(latest.minutes, SOURCE_ESTIMATE, 0)
    return DerivedHumanTime(None, None, 0)


def refresh_task_human_time(task: Task) -> DerivedHumanTime:
    """Recompute and store the cached human time on the task row (the caller flushes)."""
    derived = derive_human_time(task.baselines)
    task.human_minutes = derived.minutes
    task.human_minutes_source = derived.source
    task.n_successful_baselines = derived.n_successful_baselines
    return derived
