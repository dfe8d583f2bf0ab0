"""Which queue a run's messages go to: the one rule, used by every place that sends `execute_run`.

A run goes to the `gpu` queue when its agent's model is managed (its inference server needs a GPU
worker) or its task version asks for GPUs (`resources.gpus`); otherwise to `runs`. Only workers
started with `horizon worker --gpu` consume `gpu` (docs/operations.md, "GPU tasks").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import Agent, Model, Run, TaskVersion
from core.queue import QUEUE_GPU, QUEUE_RUNS
from core.taskspec import ResourceLimits, Resources

# Ids per IN (...) list: well under SQLite's and PostgreSQL's bound-parameter limits.
CHUNK = 1000


def run_queue(managed_model: bool, limits: Resources) -> str:
    """The queue of a run whose model is (or is not) managed and whose task has these limits."""
    return QUEUE_GPU if managed_model or limits.gpus > 0 else QUEUE_RUNS


def stored_limits(limits: Mapping[str, Any] | None) -> ResourceLimits:
    """A task version's stored `limits` JSON as limits (rows older than a field get its default)."""
    return ResourceLimits.model_validate(dict(limits or {}))


def queue_of_run(session: Session, run_id: int) -> str:
    """The queue run `run_id` is sent to (see `run_queue`)."""
    return queues_of_runs(session, [run_id]).get(run_id, QUEUE_RUNS)


def queues_of_runs(session: Session, run_ids: Iterable[int]) -> dict[int, str]:
    """The queue of each run; limits are read once per task version, ids CHUNK at a time."""
    ids = list(run_ids)
    rows: list[tuple[int, int, bool | None]] = []
    for start in range(0, len(ids), CHUNK):
        for run_id, version_id, managed in session.execute(
            select(Run.id, Run.task_version_id, Model.managed)
            .join(Agent, Agent.id == Run.agent_id)
            .outerjoin(Model, Model.id == Agent.model_id)
            .where(Run.id.in_(ids[start : start + CHUNK]))
        ):
            rows.append((run_id, version_id, managed))
    version_ids = sorted({version_id for _, version_id, _ in rows})
    limits: dict[int, ResourceLimits] = {}
    for start in range(0, len(version_ids), CHUNK):
        chunk = version_ids[start : start + CHUNK]
        for version_id, raw in session.execute(
            select(TaskVersion.id, TaskVersion.limits).where(TaskVersion.id.in_(chunk))
        ):
            limits[version_id] = stored_limits(raw)
    return {
        run_id: run_queue(bool(managed), limits.get(version_id, ResourceLimits()))
        for run_id, version_id, managed in rows
    }
