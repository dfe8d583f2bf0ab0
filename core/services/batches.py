"""Batches: agents x tasks x repeats, created as queued run rows and enqueued after the commit."""

from __future__ import annotations

import os
from itertools import islice

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from core.errors import Conflict, InvalidInput
from core.model_keys import key_problem
from core.models import Agent, Batch, Run, Task, utcnow
from core.ownership import Actor, check_owner, owner_name
from core.queue import discard_after_commit, enqueue_after_commit
from core.quotas import check_batch_size, check_run_quota
from core.schemas import BatchCreate, BatchOut, SpendOut
from core.services.attempts import abandon_running, spend_by
from core.services.catalog import get_agent
from core.services.gpu_workers import GpuDemand, GpuWorker, gpu_demand_problem, gpu_workers
from core.services.routing import run_queue, stored_limits
from core.services.rows import get_or_not_found, page_of
from core.services.tasks import current_version, get_task, runs_here, tasks_with_tags
from core.settings import Settings, get_settings
from core.states import FINAL_RUN_STATUSES, JobName, RunStatus

INSERT_CHUNK = 2000


def create_batch(
    session: Session,
    data: BatchCreate,
    created_by: str | None = None,
    *,
    owner_token_id: int | None = None,
    runs_on: list[GpuWorker] | None = None,
) -> Batch:
    """Queue agents x tasks x repeats runs; the batch is `owner_token_id`'s to cancel. Anyone's
    agents and tasks may be used: reading is open, only changes are the owner's. Runs that need
    GPUs are refused unless a GPU worker can take them: those announced, or `runs_on` (the caller
    runs them itself: `horizon run`)."""
    settings = get_settings()
    agents = []
    for ref in dict.fromkeys(data.agents):  # de-duplicate, keep order
        agent = get_agent(session, ref)
        if problem := agent_run_problem(agent, settings):
            raise InvalidInput(problem)
        agents.append(agent)
    tasks: dict[str, Task] = {}
    for task_id in data.tasks or []:
        task = get_task(session, task_id)
        if not runs_here(task):
            raise InvalidInput(
                f"task {task.id!r} was imported with another system's runs (or is marked no-sandbox): "
                "it has no environment here, so it cannot run"
            )
        tasks[task_id] = task
    left_out = 0
    if data.tags:
        # Tasks picked by tag that cannot run here are left out, not refused one by one.
        for task in tasks_with_tags(session, data.tags):
            if runs_here(task):
                tasks.setdefault(task.id, task)
            else:
                left_out += 1
    if not tasks:
        tags = ", ".join(data.tags or [])
        if left_out:
            raise InvalidInput(
                f"the tasks with the tags {tags} were imported with another system's runs (or are "
                "marked no-sandbox): none can run here"
            )
        raise InvalidInput(f"no task has any of the tags {tags}")
    total = len(agents) * len(tasks) * data.repeats
    check_batch_size(session, total)
    check_gpu_workers(session, agents, list(tasks.values()), runs_on)
    check_run_quota(session, owner_token_id, total)
    batch = Batch(
        name=data.name,
        repeats=data.repeats,
        request=data.model_dump(mode="json"),
        created_by=created_by,
        owner_token_id=owner_token_id,
    )
    session.add(batch)
    session.flush()
    now = utcnow()
    limits = {task.id: stored_limits(current_version(task).limits) for task in tasks.values()}
    queues: dict[tuple[object, object], str] = {
        (agent.id, task_id): run_queue(_managed(agent), task_limits)
        for agent in agents
        for task_id, task_limits in limits.items()
    }
    rows = (
        {
            "batch_id": batch.id,
            "agent_id": agent.id,
            "task_version_id": version_id,
            "task_id": task_id,
            "repeat_index": repeat,
            "status": RunStatus.QUEUED,
            "attempt": 0,
            "created_at": now,
            "enqueued_at": now,
        }
        for agent in agents
        for task_id, version_id in [(t.id, current_version(t).id) for t in tasks.values()]
        for repeat in range(data.repeats)
    )
    # Multi-row inserts with RETURNING, INSERT_CHUNK rows at a time: fast, and a max-size batch
    # never holds all its rows in memory at once.
    while chunk := list(islice(rows, INSERT_CHUNK)):
        run_ids = session.scalars(insert(Run).returning(Run.id, sort_by_parameter_order=True), chunk)
        for row, run_id in zip(chunk, run_ids, strict=True):
            queue = queues[(row["agent_id"], row["task_id"])]
            enqueue_after_commit(session, JobName.EXECUTE_RUN, run_id, queue=queue)
    return batch


def agent_run_problem(agent: Agent, settings: Settings) -> str | None:
    """Why the agent's runs would fail before doing anything, in plain words, or None: an agent
    imported from elsewhere, or (when this process runs the jobs itself, so its environment is
    the workers') a model key variable that is not set. A model row the operator's key rules no
    longer allow is left to the worker, which refuses it and records why (workers/run_executor.py)."""
    if agent.scaffold == "external":
        return f"agent {agent.name!r} was imported from another system and cannot run here"
    model = agent.model
    if model is None or not model.api_key_env or not settings.embedded_queue:
        return None
    name = model.api_key_env
    rules_hold = not key_problem(
        api_key_env=name,
        base_url=model.base_url,
        provider=model.provider,
        managed=model.managed,
        settings=settings,
    )
    if rules_hold and not (os.environ.get(name) or os.environ.get(f"{name}_FILE")):
        return (
            f"agent {agent.name!r} cannot call its model {model.name!r}: its API key is not set "
            f"(set {name}, or {name}_FILE, where Horizon runs and start it again)"
        )
    return None


def _managed(agent: Agent) -> bool:
    return agent.model is not None and agent.model.managed


def _model_gpus(agent: Agent) -> int:
    # The GPUs a managed model's inference server takes on the run's host.
    return agent.model.gpus if agent.model is not None and agent.model.managed else 0


def check_gpu_workers(
    session: Session, agents: list[Agent], tasks: list[Task], runs_on: list[GpuWorker] | None = None
) -> None:
    """Refuse (409, nothing stored) runs that need GPUs no announced GPU worker (or none of
    `runs_on`) has: they would wait in the `gpu` queue for ever (core.services.gpu_workers)."""
    demands: dict[GpuDemand, str] = {}
    for task in tasks:
        limits = stored_limits(current_version(task).limits)
        for agent in agents:
            demand = GpuDemand(limits.gpus, limits.gpu_memory_mb, _model_gpus(agent))
            if demand.any and demand not in demands:
                by = f" run by agent {agent.name!r}" if demand.model_gpus else ""
                demands[demand] = f"task {task.id!r}{by}"
    if not demands:
        return
    settings = session.info.get("settings") or get_settings()
    try:
        workers = gpu_workers(settings) if runs_on is None else runs_on
    except Exception as exc:  # the broker is down: say so rather than guess
        raise Conflict(
            f"cannot queue this batch: its runs need GPUs and the GPU workers could not be read "
            f"({type(exc).__name__}); nothing was stored"
        ) from None
    for demand, what in demands.items():
        problem = gpu_demand_problem(demand, workers, what)
        if problem is not None:
            raise Conflict(f"cannot queue this batch: {problem}; nothing was stored")


def get_batch(session: Session, batch_id: int) -> Batch:
    """The batch with this id, or NotFound."""
    return get_or_not_found(session, Batch, batch_id, "batch")


def status_counts(session: Session, batch_id: int) -> dict[str, int]:
    """How many of the batch's runs are in each status."""
    rows = session.execute(
        select(Run.status, func.count()).where(Run.batch_id == batch_id).group_by(Run.status)
    )
    return {status: count for status, count in rows}


def batch_out(session: Session, batch: Batch, spend: SpendOut | None = None) -> BatchOut:
    """The batch as the API shows it, with its progress and what all its attempts spent (`spend`
    when the caller summed it for a page of batches at once)."""
    counts = status_counts(session, batch.id)
    if spend is None:
        spend = spend_by(session, Run.batch_id, [batch.id])[batch.id]
    total = sum(counts.values())
    finished = sum(counts.get(s, 0) for s in FINAL_RUN_STATUSES)
    return BatchOut(
        id=batch.id,
        name=batch.name,
        repeats=batch.repeats,
        created_at=batch.created_at,
        cancelled_at=batch.cancelled_at,
        created_by=batch.created_by,
        total=total,
        counts=counts,
        done=total > 0 and finished == total,
        spend=spend,
        owner=owner_name(session, batch.owner_token_id),
    )


def batch_spend(session: Session, batch_ids: list[int]) -> dict[int, SpendOut]:
    """What all attempts of each batch's runs spent, for a page of batches in one query."""
    return spend_by(session, Run.batch_id, batch_ids)


def list_batches(session: Session, limit: int = 50, offset: int = 0) -> tuple[list[Batch], int]:
    """A page of batches, newest first, and their total count."""
    return page_of(session, Batch, order_by=Batch.id.desc(), limit=limit, offset=offset)


def cancel_batch(session: Session, batch_id: int, *, actor: Actor) -> Batch:
    """Cancel every unfinished run (its owner or an admin); running workers notice at their next
    heartbeat."""
    batch = get_batch(session, batch_id)
    check_owner(batch.owner_token_id, actor, "batch")
    now = utcnow()
    cancelled = list(
        session.scalars(
            update(Run)
            .where(Run.batch_id == batch_id, Run.status.in_((RunStatus.QUEUED, RunStatus.RUNNING)))
            .values(status=RunStatus.CANCELLED, finished_at=now, stop_reason=None)
            .returning(Run.id)
        )
    )
    abandon_running(session, cancelled, "cancelled")
    # Their queue messages go too, so runs queued later do not wait behind them (core.queue).
    discard_after_commit(session, JobName.EXECUTE_RUN, [(run_id,) for run_id in cancelled])
    batch.cancelled_at = batch.cancelled_at or now
    session.flush()
    return batch


def request_analysis_if_finished(session: Session, batch_id: int | None) -> bool:
    """When the last run of a batch has finished, queue a horizon analysis (once per batch)."""
    if batch_id is None:
        return False
    from core.schemas import AnalysisRequest
    from core.services.analyses import request_analysis

    batch = session.get(Batch, batch_id, with_for_update=True)
    if batch is None or batch.request.get("analysis_requested"):
        return False
    counts = status_counts(session, batch_id)
    if sum(counts.get(s, 0) for s in (RunStatus.QUEUED, RunStatus.RUNNING)) > 0:
        return False
    # The request dict is replaced (not mutated) so the JSON column is seen as changed.
    batch.request = {**batch.request, "analysis_requested": True}
    request_analysis(session, AnalysisRequest(), reason=f"batch {batch_id} finished")
    return True
