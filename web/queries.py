"""Read-only aggregate queries for the pages, each one statement (no per-row queries)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Float, case, cast, func, select
from sqlalchemy.orm import Session

from core.agent_kinds import REFERENCE_SCAFFOLDS
from core.models import Agent, Model, Run, Task, TaskHealthCheck, TaskVersion
from core.services.health_requests import OUTCOMES
from core.services.tasks import runs_here
from core.states import RunStatus
from web import format as fmt

_completed = Run.status == RunStatus.COMPLETED


def _mean_binarized() -> ColumnElement[float | None]:
    return func.avg(case((_completed, cast(Run.score_binarized, Float)), else_=None))


def _mean_continuous() -> ColumnElement[float | None]:
    return func.avg(case((_completed, Run.score_cont), else_=None))


def _count_where(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.count(case((condition, 1), else_=None))


def _run_stats() -> tuple[ColumnElement[Any], ...]:
    """A group of runs' n_runs, n_completed, n_infra, mean_score and mean_score_cont, in the order
    the row classes below list them."""
    return (
        func.count(),
        _count_where(_completed),
        _count_where(Run.status == RunStatus.INFRA_ERROR),
        _mean_binarized(),
        _mean_continuous(),
    )


@dataclass(frozen=True)
class AgentRow:
    """One line of the agents list: the agent, its model and counts of its runs."""

    id: int
    name: str
    kind: str
    scaffold: str
    version: str | None
    model: str | None
    release_date: dt.date | None
    n_runs: int
    n_completed: int
    n_infra: int
    mean_score: float | None


def agents_overview(session: Session) -> list[AgentRow]:
    """Every agent with its model, release date and run counts."""
    counts = (
        select(
            Run.agent_id.label("agent_id"),
            func.count().label("n_runs"),
            _count_where(_completed).label("n_completed"),
            _count_where(Run.status == RunStatus.INFRA_ERROR).label("n_infra"),
            _mean_binarized().label("mean_score"),
        )
        .group_by(Run.agent_id)
        .subquery()
    )
    rows = session.execute(
        select(
            Agent.id,
            Agent.name,
            Agent.kind,
            Agent.scaffold,
            Agent.version,
            Model.name.label("model"),
            func.coalesce(Agent.release_date, Model.release_date).label("release_date"),
            func.coalesce(counts.c.n_runs, 0),
            func.coalesce(counts.c.n_completed, 0),
            func.coalesce(counts.c.n_infra, 0),
            counts.c.mean_score,
        )
        .outerjoin(Model, Agent.model_id == Model.id)
        .outerjoin(counts, counts.c.agent_id == Agent.id)
        .order_by(Agent.name)
    )
    return [AgentRow(*row) for row in rows]


@dataclass(frozen=True)
class AgentTaskRow:
    """One line of an agent's per-task table: the task, its human time and the agent's runs on it."""

    task_id: str
    title: str
    human_minutes: float | None
    human_source: str | None
    n_runs: int
    n_completed: int
    n_infra: int
    mean_score: float | None
    mean_score_cont: float | None


def agent_task_table(session: Session, agent_id: int) -> list[AgentTaskRow]:
    """Per task: runs of this agent, completed and infra-failed counts, mean scores."""
    rows = session.execute(
        select(
            Run.task_id,
            Task.title,
            Task.human_minutes,
            Task.human_minutes_source,
            *_run_stats(),
        )
        .join(Task, Task.id == Run.task_id)
        .where(Run.agent_id == agent_id)
        .group_by(Run.task_id, Task.title, Task.human_minutes, Task.human_minutes_source)
        .order_by(Task.human_minutes.asc().nulls_last(), Run.task_id)
    )
    return [AgentTaskRow(*row) for row in rows]


@dataclass(frozen=True)
class TaskAgentRow:
    """One line of a task's per-agent table: the agent's runs on the task and its mean score."""

    agent_id: int
    agent: str
    n_runs: int
    n_completed: int
    n_infra: int
    mean_score: float | None
    mean_score_cont: float | None


def task_success_by_agent(session: Session, task_id: str) -> list[TaskAgentRow]:
    """Per agent: its runs on this task and mean scores (completed runs only)."""
    rows = session.execute(
        select(
            Agent.id,
            Agent.name,
            *_run_stats(),
        )
        .join(Agent, Agent.id == Run.agent_id)
        .where(Run.task_id == task_id)
        .group_by(Agent.id, Agent.name)
        .order_by(Agent.name)
    )
    return [TaskAgentRow(*row) for row in rows]


def latest_health_check(session: Session, task_id: str) -> tuple[TaskHealthCheck, int] | None:
    """The newest health check of any version of the task, with that version's number (a
    requested check still pending is none: core/services/health_requests.py)."""
    row = session.execute(
        select(TaskHealthCheck, TaskVersion.version)
        .join(TaskVersion, TaskVersion.id == TaskHealthCheck.task_version_id)
        .where(TaskVersion.task_id == task_id, OUTCOMES)
        .order_by(TaskHealthCheck.checked_at.desc(), TaskHealthCheck.id.desc())
        .limit(1)
    ).first()
    return (row[0], row[1]) if row else None


def all_tags(session: Session) -> list[str]:
    """Every tag used by some task, sorted (tags are a JSON list per task)."""
    tags: set[str] = set()
    for (values,) in session.execute(select(Task.tags)):
        tags.update(v for v in values or [] if isinstance(v, str))
    return sorted(tags)


@dataclass(frozen=True)
class PickableTask:
    """A task as the schedule page's picker shows it."""

    id: str
    title: str
    tags: tuple[str, ...]
    runs_here: bool


def pickable_tasks(session: Session) -> list[PickableTask]:
    """Every task by id, with its tags and whether it can run here (core.services.tasks.runs_here)."""
    return [
        PickableTask(t.id, t.title, tuple(v for v in t.tags or [] if isinstance(v, str)), runs_here(t))
        for t in session.scalars(select(Task).order_by(Task.id))
    ]


def batch_status_counts(session: Session, batch_ids: list[int]) -> dict[int, dict[str, int]]:
    """Run counts by status for several batches in one query."""
    counts: dict[int, dict[str, int]] = {i: {} for i in batch_ids}
    if not batch_ids:
        return counts
    rows = session.execute(
        select(Run.batch_id, Run.status, func.count())
        .where(Run.batch_id.in_(batch_ids))
        .group_by(Run.batch_id, Run.status)
    )
    for batch_id, status, count in rows:
        if batch_id is not None:
            counts.setdefault(batch_id, {})[status] = count
    return counts


def batch_run_states(session: Session, batch_id: int, limit: int) -> list[dict[str, Any]]:
    """The first `limit` runs of a batch as small dicts (what the progress poller updates)."""
    rows = session.execute(
        select(Run.id, Run.status, Run.score_cont, Run.score_binarized, Run.stop_reason, Run.attempt)
        .where(Run.batch_id == batch_id)
        .order_by(Run.id)
        .limit(limit)
    )
    return [
        {
            "id": r.id,
            "status": r.status,
            # A float column may hold NaN or infinity (a raw row), which JSON cannot carry.
            "score": r.score_cont if fmt.is_number(r.score_cont) else None,
            "binarized": r.score_binarized,
            "stop_reason": r.stop_reason,
            "attempt": r.attempt,
        }
        for r in rows
    ]


def reference_agent_names(session: Session) -> set[str]:
    """Names of the agents that measure the suite rather than a model (oracle, null scaffolds)."""
    return set(session.scalars(select(Agent.name).where(Agent.scaffold.in_(REFERENCE_SCAFFOLDS))))
