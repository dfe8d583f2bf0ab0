"""A task's human time, derived from its baselines (docs/method.md section 5).

The formula is `analysis.human_time`'s; this module picks which stored rows feed it and caches the
result on the task row.
"""

from __future__ import annotations

from collections.abc import Iterable

from analysis.human_time import HumanTime, human_time
from core.models import HumanBaseline, Task
from core.states import BaselineSource

# Both are a person's real attempt: timed in Horizon by the server, or recorded by hand (the way
# METR's baselines were recorded). Each row names who recorded it, so a forged one is visible.
ATTEMPT_SOURCES = (BaselineSource.TIMED, BaselineSource.BASELINE)


def live_baselines(baselines: Iterable[HumanBaseline]) -> list[HumanBaseline]:
    """The rows that count and are listed by default: deleted ones are kept only for audit."""
    return [b for b in baselines if b.deleted_at is None]


def derive_human_time(baselines: Iterable[HumanBaseline]) -> HumanTime | None:
    """Geometric mean of the successful real baselines; else the latest estimate; else unknown.

    Real baselines are timed ones and those recorded by hand (`ATTEMPT_SOURCES`), equally: one
    attempt is one attempt however its time was taken. Deleted rows never count. Failed baselines
    carry no time information for the task (the person may have stopped early), so they are kept
    but not used, as in METR's method. The result's source is `baseline` for both kinds; None
    when there is neither a successful baseline nor an estimate.
    """
    rows = live_baselines(baselines)
    successes = [b.minutes for b in rows if b.source in ATTEMPT_SOURCES and b.succeeded]
    estimates = [] if successes else [b for b in rows if b.source == BaselineSource.ESTIMATE]
    latest = max(estimates, key=lambda b: (b.recorded_at, b.id or 0)) if estimates else None
    return human_time(successes, latest.minutes if latest is not None else None)


def refresh_task_human_time(task: Task) -> HumanTime | None:
    """Recompute and store the cached human time on the task row (the caller flushes)."""
    derived = derive_human_time(task.baselines)
    task.human_minutes = derived.minutes if derived else None
    task.human_minutes_source = derived.source if derived else None
    task.n_successful_baselines = derived.n_successful_baselines if derived else 0
    return derived
