"""Run attempts: one `run_attempts` row per attempt a worker started, and the spend they add up to.

Every attempt is counted, however it ends (docs/agents.md, "Cost and time"): the row is written
when a worker claims the run and closed when the attempt completes, fails for infrastructure
reasons, or is abandoned (cancelled, or its worker presumed dead). A run's `spend_usd` is the sum
of its attempts' cost, rewritten whenever one of them is closed; a batch's or agent's spend is
summed from the attempts in one grouped query.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from core.models import Run, RunAttempt, utcnow
from core.schemas import AttemptUsage, SpendOut
from core.states import RunAttemptStatus


def open_attempt(session: Session, run_id: int, attempt: int, worker: str, started_at: dt.datetime) -> None:
    """The row of an attempt a worker has just claimed."""
    session.add(
        RunAttempt(
            run_id=run_id,
            attempt=attempt,
            status=RunAttemptStatus.RUNNING,
            worker=worker,
            started_at=started_at,
        )
    )
    session.flush()


def close_attempt(
    session: Session,
    run_id: int,
    attempt: int,
    status: RunAttemptStatus,
    *,
    usage: AttemptUsage | None = None,
    stop_reason: str | None = None,
    error: str | None = None,
) -> None:
    """End an attempt's row with what it used, and bring the run's spend up to date.

    The status changes only while the row is `running`: an attempt that was already abandoned
    (its run cancelled, or taken over after a presumed death) keeps that status, but what it spent
    is still recorded when its worker reports it. A run claimed before attempts had rows gets one.
    """
    row = session.scalar(
        select(RunAttempt)
        .where(RunAttempt.run_id == run_id, RunAttempt.attempt == attempt)
        .execution_options(populate_existing=True)
    )
    if row is None:
        row = RunAttempt(run_id=run_id, attempt=attempt, status=status, started_at=utcnow())
        session.add(row)
    elif row.status == RunAttemptStatus.RUNNING:
        row.status = status
    row.finished_at = row.finished_at or utcnow()
    if stop_reason is not None:
        row.stop_reason = stop_reason
    if error is not None:
        row.error = error[:10_000]
    if usage is not None:
        _store_usage(row, usage)
    session.flush()
    refresh_spend(session, [run_id])


def _store_usage(row: RunAttempt, usage: AttemptUsage) -> None:
    row.tokens_in = usage.tokens_in
    row.tokens_out = usage.tokens_out
    row.cache_read_tokens = usage.cache_read_tokens
    row.cache_write_tokens = usage.cache_write_tokens
    row.reasoning_tokens = usage.reasoning_tokens
    row.model_calls = usage.model_calls
    row.cost_usd = usage.cost_usd
    row.working_s = usage.working_s
    row.wall_s = usage.wall_s
    row.provider_wait_s = usage.provider_wait_s
    row.served_model = usage.served_model[:200] if usage.served_model else None


def abandon_running(session: Session, run_ids: Iterable[int], error: str | None = None) -> None:
    """Mark the running attempts of these runs abandoned (cancelled, or their worker presumed dead).

    Their cost stays what was recorded; a worker that is still alive reports its spend later
    (`close_attempt` keeps the abandoned status)."""
    ids = list(run_ids)
    if not ids:
        return
    values: dict[str, Any] = {"status": RunAttemptStatus.ABANDONED, "finished_at": utcnow()}
    if error is not None:
        values["error"] = error[:10_000]
    session.execute(
        update(RunAttempt)
        .where(RunAttempt.run_id.in_(ids), RunAttempt.status == RunAttemptStatus.RUNNING)
        .values(**values)
    )


def refresh_spend(session: Session, run_ids: list[int]) -> None:
    """Set each run's `spend_usd` to the sum of its attempts' cost."""
    total = (
        select(func.coalesce(func.sum(RunAttempt.cost_usd), 0.0))
        .where(RunAttempt.run_id == Run.id)
        .scalar_subquery()
    )
    session.execute(update(Run).where(Run.id.in_(run_ids)).values(spend_usd=total))


def attempts_of(session: Session, run_id: int) -> list[RunAttempt]:
    """The run's attempts, first to last."""
    return list(
        session.scalars(select(RunAttempt).where(RunAttempt.run_id == run_id).order_by(RunAttempt.attempt))
    )


def spend_by(session: Session, key: InstrumentedAttribute[Any], ids: Iterable[int]) -> dict[int, SpendOut]:
    """Every attempt's spend summed per value of `key` (`Run.batch_id` or `Run.agent_id`) among
    `ids`, in one grouped query; an id without attempts gets zeros."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    rows = session.execute(
        select(
            key,
            func.coalesce(func.sum(RunAttempt.cost_usd), 0.0),
            func.count(),
            func.coalesce(func.sum(RunAttempt.model_calls), 0),
            func.coalesce(func.sum(RunAttempt.tokens_in), 0),
            func.coalesce(func.sum(RunAttempt.tokens_out), 0),
            func.coalesce(func.sum(RunAttempt.cache_read_tokens), 0),
            func.coalesce(func.sum(RunAttempt.cache_write_tokens), 0),
            func.coalesce(func.sum(RunAttempt.reasoning_tokens), 0),
        )
        .join(Run, Run.id == RunAttempt.run_id)
        .where(key.in_(wanted))
        .group_by(key)
    )
    found = {
        row[0]: SpendOut(
            spend_usd=float(row[1]),
            attempts=row[2],
            model_calls=row[3],
            tokens_in=row[4],
            tokens_out=row[5],
            cache_read_tokens=row[6],
            cache_write_tokens=row[7],
            reasoning_tokens=row[8],
        )
        for row in rows
    }
    return {i: found.get(i, SpendOut()) for i in wanted}
