"""`horizon doctor`: every value Horizon derives and stores is derived again and compared.

Stored derivations (each rewritten by the services whenever its sources change):

- a task's human time (`human_minutes`, its source, `n_successful_baselines`) from its live
  baselines (`core.services.human_time`);
- a run's `spend_usd`, the sum of its attempts' cost (`core.services.attempts.refresh_spend`);
- a task's `current_version`, its newest version (`core.services.tasks.update_task`);
- an attempt row left `running` only while its run runs that attempt.

They drift only through writes outside the services (SQL by hand, a partial restore, a bug since
fixed). `repair=True` derives them again with the services' own code, one transaction per kind.
What other machinery repairs (queued runs whose message is overdue, runs whose worker stopped,
scorings and analyses waiting, a stale analysis) is counted and pointed to, never touched here
(`core.services.doctor_waiting`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from sqlalchemy import exists, func, select, update
from sqlalchemy.orm import Session, selectinload

from core.db import session_scope
from core.models import Run, RunAttempt, Task, TaskVersion, utcnow
from core.services.attempts import refresh_spend
from core.services.doctor_report import EXAMPLES, Check, CheckOut, DoctorOut, DriftExample, Value
from core.services.doctor_waiting import WAITING_CHECKS
from core.services.human_time import derive_human_time, refresh_task_human_time
from core.settings import Settings
from core.states import RunAttemptStatus, RunStatus

# Rows changed per statement in a repair: well under SQLite's limit on bound parameters.
CHUNK = 500


def _same(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def _chunks(ids: Sequence[Any]) -> list[Sequence[Any]]:
    return [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]


def _human_time(task: Task) -> dict[str, Value]:
    return {
        "human_minutes": task.human_minutes,
        "human_minutes_source": task.human_minutes_source,
        "n_successful_baselines": task.n_successful_baselines,
    }


def _derived_human_time(task: Task) -> dict[str, Value]:
    derived = derive_human_time(task.baselines)
    return {
        "human_minutes": derived.minutes if derived else None,
        "human_minutes_source": derived.source if derived else None,
        "n_successful_baselines": derived.n_successful_baselines if derived else 0,
    }


def _human_time_differs(stored: dict[str, Value], derived: dict[str, Value]) -> bool:
    minutes = (stored["human_minutes"], derived["human_minutes"])
    same_minutes = _same(*(float(m) if m is not None else None for m in minutes))
    return not same_minutes or any(stored[k] != derived[k] for k in stored if k != "human_minutes")


def check_task_human_times(session: Session, settings: Settings, repair: bool) -> CheckOut:
    """Each task's cached human time against the one its live baselines give."""
    tasks = list(session.scalars(select(Task).options(selectinload(Task.baselines)).order_by(Task.id)))
    drifted = [t for t in tasks if _human_time_differs(_human_time(t), _derived_human_time(t))]
    out = CheckOut(
        kind="task_human_time",
        description="tasks whose stored human time differs from their baselines'",
        checked=len(tasks),
        drifted=len(drifted),
        repairable=True,
        examples=[
            DriftExample(id=t.id, stored=_human_time(t), derived=_derived_human_time(t))
            for t in drifted[:EXAMPLES]
        ],
    )
    if repair and drifted:
        for ids in _chunks([t.id for t in drifted]):
            # Locked and read again, so a baseline written meanwhile is counted, not overwritten.
            locked = session.scalars(
                select(Task)
                .where(Task.id.in_(ids))
                .with_for_update()
                .options(selectinload(Task.baselines))
                .execution_options(populate_existing=True)
            )
            for task in locked:
                refresh_task_human_time(task)
                out.repaired += 1
        session.flush()
    return out


def check_run_spend(session: Session, settings: Settings, repair: bool) -> CheckOut:
    """Each run's `spend_usd` against the sum of its attempts' cost (runs with attempt rows:
    imported runs have none, and keep what their source said)."""
    totals = (
        select(RunAttempt.run_id, func.sum(RunAttempt.cost_usd).label("total"))
        .group_by(RunAttempt.run_id)
        .subquery()
    )
    rows = list(
        session.execute(
            select(Run.id, Run.spend_usd, totals.c.total)
            .join(totals, totals.c.run_id == Run.id)
            .order_by(Run.id)
        )
    )
    drifted = [r for r in rows if not _same(float(r.spend_usd), float(r.total or 0.0))]
    out = CheckOut(
        kind="run_spend",
        description="runs whose spend_usd differs from the sum of their attempts' cost",
        checked=len(rows),
        drifted=len(drifted),
        repairable=True,
        examples=[
            DriftExample(
                id=str(r.id), stored={"spend_usd": r.spend_usd}, derived={"spend_usd": float(r.total or 0.0)}
            )
            for r in drifted[:EXAMPLES]
        ],
    )
    if repair and drifted:
        for ids in _chunks([r.id for r in drifted]):
            refresh_spend(session, list(ids))
        out.repaired = len(drifted)
        session.flush()
    return out


def check_task_current_versions(session: Session, settings: Settings, repair: bool) -> CheckOut:
    """Each task's `current_version` against its newest stored version (a change always adds the
    next number and makes it current)."""
    newest = (
        select(TaskVersion.task_id, func.max(TaskVersion.version).label("newest"))
        .group_by(TaskVersion.task_id)
        .subquery()
    )
    rows = list(
        session.execute(
            select(Task.id, Task.current_version, newest.c.newest)
            .outerjoin(newest, newest.c.task_id == Task.id)
            .order_by(Task.id)
        )
    )
    drifted = [r for r in rows if r.current_version != r.newest]
    out = CheckOut(
        kind="task_current_version",
        description="tasks whose current version is not their newest stored version",
        checked=len(rows),
        drifted=len(drifted),
        repairable=True,
        examples=[
            DriftExample(
                id=r.id, stored={"current_version": r.current_version}, derived={"current_version": r.newest}
            )
            for r in drifted[:EXAMPLES]
        ],
        note="a task with no version at all cannot be repaired here: restore it from a backup",
    )
    if repair:
        for r in drifted:
            if r.newest is not None:
                # Guarded: a task changed meanwhile made its own new version current; left alone.
                done = session.execute(
                    update(Task)
                    .where(Task.id == r.id, Task.current_version == r.current_version)
                    .values(current_version=r.newest)
                )
                out.repaired += done.rowcount  # type: ignore[attr-defined]
        session.flush()
    return out


def _run_is_on_it() -> Any:
    """True for an attempt row whose run is running that attempt now."""
    return exists().where(
        Run.id == RunAttempt.run_id, Run.status == RunStatus.RUNNING, Run.attempt == RunAttempt.attempt
    )


def check_running_attempts(session: Session, settings: Settings, repair: bool) -> CheckOut:
    """Attempt rows marked `running` whose run is no longer running that attempt (the run and its
    attempt row are always written in one transaction, so these were left by hand)."""
    rows = list(
        session.execute(
            select(
                RunAttempt.id,
                RunAttempt.run_id,
                RunAttempt.attempt,
                Run.status,
                Run.attempt.label("run_attempt"),
            )
            .join(Run, Run.id == RunAttempt.run_id)
            .where(RunAttempt.status == RunAttemptStatus.RUNNING)
            .order_by(RunAttempt.id)
        )
    )
    drifted = [r for r in rows if not (r.status == RunStatus.RUNNING and r.run_attempt == r.attempt)]
    out = CheckOut(
        kind="running_attempt",
        description="attempt rows marked running whose run is not running that attempt",
        checked=len(rows),
        drifted=len(drifted),
        repairable=True,
        examples=[
            DriftExample(
                id=f"{r.run_id}/{r.attempt}",
                stored={"attempt_status": RunAttemptStatus.RUNNING.value},
                derived={
                    "attempt_status": RunAttemptStatus.ABANDONED.value,
                    "run_status": r.status,
                    "run_attempt": r.run_attempt,
                },
            )
            for r in drifted[:EXAMPLES]
        ],
    )
    if repair and drifted:
        for ids in _chunks([r.id for r in drifted]):
            done = session.execute(
                update(RunAttempt)
                .where(
                    RunAttempt.id.in_(ids), RunAttempt.status == RunAttemptStatus.RUNNING, ~_run_is_on_it()
                )
                .values(
                    status=RunAttemptStatus.ABANDONED,
                    finished_at=utcnow(),
                    error="closed by horizon doctor: its run was no longer running this attempt",
                )
                .execution_options(synchronize_session=False)
            )
            out.repaired += done.rowcount  # type: ignore[attr-defined]
        session.flush()
    return out


# Repairable kinds first: a repaired human time makes an analysis stale, which is checked last.
DERIVED_CHECKS: tuple[Check, ...] = (
    check_task_human_times,
    check_run_spend,
    check_task_current_versions,
    check_running_attempts,
)


def _all_checks() -> tuple[Check, ...]:
    return (*DERIVED_CHECKS, *WAITING_CHECKS)


def _summary(checks: list[CheckOut], repair: bool) -> DoctorOut:
    return DoctorOut(
        repair=repair,
        drifted=sum(c.drifted - c.repaired for c in checks if c.repairable),
        waiting=sum(c.drifted for c in checks if not c.repairable),
        checks=checks,
    )


def diagnose(session: Session, settings: Settings) -> DoctorOut:
    """Every check on one session, changing nothing (the API's report)."""
    return _summary([check(session, settings, False) for check in _all_checks()], repair=False)


def doctor(settings: Settings, *, repair: bool = False) -> DoctorOut:
    """Every check, each in its own transaction; with `repair`, each repairable kind is fixed in
    that transaction (all its rows, or none if it fails)."""
    checks = []
    for check in _all_checks():
        with session_scope(settings) as session:
            checks.append(check(session, settings, repair))
    return _summary(checks, repair=repair)
