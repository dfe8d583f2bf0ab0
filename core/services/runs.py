"""Runs: listing, cancelling, and the lifecycle that must never lose or double-count work.

The row is the truth. A worker claims a run with one guarded update (queued -> running, attempt
+1); a redelivered message then finds nothing to claim. Results are written with a guard on the
attempt number, so a worker presumed dead that wakes up late cannot overwrite a newer attempt.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, Literal, get_args

from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload, object_session

from core.errors import Conflict
from core.models import Agent, Batch, Run, RunAttempt, utcnow
from core.ownership import Actor, check_owner
from core.queue import QUEUE_RUNS, enqueue_after_commit
from core.schemas import AttemptOut, AttemptUsage, RunOut, RunResult
from core.services import attempts as attempt_svc
from core.services.routing import queue_of_run, queues_of_runs
from core.services.rows import get_or_not_found, page_of
from core.services.transcript_append import append_events
from core.services.transcript_storage import attempt_events, stored_attempts
from core.settings import Settings
from core.states import JobName, RunAttemptStatus, RunStatus

# A line where a Python traceback starts: its header, or a frame line of one cut to its tail.
_TRACEBACK_LINE = re.compile(r'^(Traceback \(most recent call last\)|\s*File ".*", line \d+)', re.MULTILINE)
_PRESUMED_DEAD = "worker stopped sending heartbeats (presumed dead)"
# Where earlier versions began the scorer's output (the task's answers) in a scorer failure.
_SCORER_OUTPUT = "(the last stdout line must be a number):\n"


def public_error(error: str | None) -> str | None:
    """A stored run error as every reader may see it: without a Python traceback (code and host
    paths) nor the scorer's output, which rows written by earlier versions may hold. Workers store
    short errors and log the details; admins read stored errors whole."""
    if error is None:
        return None
    cut = error.find(_SCORER_OUTPUT)
    if cut >= 0:
        error = error[:cut] + "(the last stdout line must be a number); [scorer output removed]"
    found = _TRACEBACK_LINE.search(error)
    if found is None:
        return error
    return error[: found.start()].rstrip() + "\n[traceback removed; it is in the worker's log]"


def run_out(run: Run, *, full_error: bool = False, with_attempts: bool = False) -> RunOut:
    """The API's view of a run; `full_error` (admins only) keeps the stored error whole;
    `with_attempts` adds its attempts (one more query)."""
    session = object_session(run)
    attempts = attempts_out(session, run.id, full_error=full_error) if with_attempts and session else None
    return RunOut(
        id=run.id,
        batch_id=run.batch_id,
        agent_id=run.agent_id,
        agent=run.agent.name,
        task_id=run.task_id,
        task_version=run.task_version.version,
        repeat_index=run.repeat_index,
        attempt=run.attempt,
        status=run.status,
        stop_reason=run.stop_reason,
        score_cont=run.score_cont,
        score_binarized=run.score_binarized,
        tokens_in=run.tokens_in,
        tokens_out=run.tokens_out,
        cost_usd=run.cost_usd,
        spend_usd=run.spend_usd,
        worker=run.worker,
        error=run.error if full_error else public_error(run.error),
        imported_from=run.imported_from,
        import_details=run.import_details,
        created_at=run.created_at,
        started_at=run.started_at,
        finished_at=run.finished_at,
        heartbeat_at=run.heartbeat_at,
        attempts=attempts,
    )


def attempts_out(session: Session, run_id: int, *, full_error: bool = False) -> list[AttemptOut]:
    """Every attempt of the run, first to last, as the API shows them."""
    return [attempt_out(a, full_error=full_error) for a in attempt_svc.attempts_of(session, run_id)]


def attempt_out(attempt: RunAttempt, *, full_error: bool = False) -> AttemptOut:
    """One attempt as the API shows it; its error follows the run's rule (`public_error`)."""
    out = AttemptOut.model_validate(attempt)
    return out if full_error else out.model_copy(update={"error": public_error(attempt.error)})


def get_run(session: Session, run_id: int) -> Run:
    """The run with this id, its agent and task version loaded, or NotFound."""
    return get_or_not_found(
        session, Run, run_id, "run", options=[joinedload(Run.agent), joinedload(Run.task_version)]
    )


RunSort = Literal["-id", "id", "-score", "score", "-cost", "cost", "-finished", "finished"]
# The web list's orders: a column, descending with a leading '-'; rows without a value last, then
# newest first so a page boundary never moves between two requests.
RUN_SORT_COLUMNS: dict[str, Any] = {
    "id": Run.id,
    "score": Run.score_cont,
    "cost": Run.cost_usd,
    "finished": Run.finished_at,
}
RUN_SORTS: tuple[RunSort, ...] = get_args(RunSort)


def run_order(sort: RunSort) -> list[Any]:
    """The ORDER BY terms of a `RunSort`."""
    column = RUN_SORT_COLUMNS[sort.removeprefix("-")]
    return [column.is_(None), column.desc() if sort.startswith("-") else column, Run.id.desc()]


def list_runs(
    session: Session,
    *,
    batch_id: int | None = None,
    agent: int | str | None = None,
    task_id: str | None = None,
    status: str | None = None,
    limit: int = 50,
    offset: int = 0,
    newest_first: bool = False,
    sort: RunSort | None = None,
) -> tuple[list[Run], int]:
    """A page of runs matching the filters, in id order (the API's, stable for paging through a
    batch), newest first, or in a `RunSort` order (the web's list), and their total count."""
    conditions: list[Any] = []
    if batch_id is not None:
        conditions.append(Run.batch_id == batch_id)
    if isinstance(agent, int):
        conditions.append(Run.agent_id == agent)
    elif agent is not None:
        conditions.append(Run.agent_id.in_(select(Agent.id).where(Agent.name == agent)))
    if task_id is not None:
        conditions.append(Run.task_id == task_id)
    if status is not None:
        conditions.append(Run.status == status)
    return page_of(
        session,
        Run,
        where=conditions,
        options=[joinedload(Run.agent), joinedload(Run.task_version)],
        order_by=run_order(sort) if sort is not None else (Run.id.desc() if newest_first else Run.id),
        limit=limit,
        offset=offset,
    )


def cancel_run(session: Session, run_id: int, *, actor: Actor) -> Run:
    """Cancel one queued or running run: a run belongs to its batch's owner (no batch: admins)."""
    run = get_run(session, run_id)
    batch = session.get(Batch, run.batch_id) if run.batch_id is not None else None
    check_owner(batch.owner_token_id if batch is not None else None, actor, "run's batch")
    if run.status not in (RunStatus.QUEUED, RunStatus.RUNNING):
        raise Conflict(f"run {run_id} is already {run.status}; only queued or running runs can be cancelled")
    run.status = RunStatus.CANCELLED
    run.finished_at = utcnow()
    attempt_svc.abandon_running(session, [run.id], "cancelled")
    session.flush()
    return run


# ---------------------------------------------------------------- lifecycle used by workers


def claim_run(session: Session, run_id: int, worker: str) -> int | None:
    """Move a queued run to running; returns the new attempt number, or None if not claimable."""
    now = utcnow()
    attempt = session.scalar(
        update(Run)
        .where(Run.id == run_id, Run.status == RunStatus.QUEUED)
        .values(
            status=RunStatus.RUNNING,
            attempt=Run.attempt + 1,
            worker=worker,
            started_at=now,
            heartbeat_at=now,
        )
        .returning(Run.attempt)
    )
    if attempt is not None:
        attempt_svc.open_attempt(session, run_id, attempt, worker, now)
    session.flush()
    return attempt


def heartbeat(session: Session, run_id: int, attempt: int) -> bool:
    """Refresh the heartbeat; False means the run is no longer ours (cancelled or reaped)."""
    result = session.execute(
        update(Run)
        .where(Run.id == run_id, Run.attempt == attempt, Run.status == RunStatus.RUNNING)
        .values(heartbeat_at=utcnow())
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def finish_run(session: Session, run_id: int, attempt: int, result: RunResult) -> bool:
    """Store the outcome if this attempt still owns the run; False if it does not (discarded)."""
    updated = session.execute(
        update(Run)
        .where(Run.id == run_id, Run.attempt == attempt, Run.status == RunStatus.RUNNING)
        .values(
            status=RunStatus.COMPLETED,
            stop_reason=result.stop_reason,
            score_cont=result.score_cont,
            score_binarized=result.score_binarized,
            tokens_in=result.tokens_in,
            tokens_out=result.tokens_out,
            cost_usd=result.cost_usd,
            finished_at=utcnow(),
            error=None,
        )
    )
    usage = result.usage or AttemptUsage(
        tokens_in=result.tokens_in, tokens_out=result.tokens_out, cost_usd=result.cost_usd
    )
    if not updated.rowcount:  # type: ignore[attr-defined]
        # Discarded, but what the attempt spent is still counted.
        attempt_svc.close_attempt(session, run_id, attempt, RunAttemptStatus.ABANDONED, usage=usage)
        return False
    attempt_svc.close_attempt(
        session, run_id, attempt, RunAttemptStatus.COMPLETED, usage=usage, stop_reason=result.stop_reason
    )
    save_transcript(session, run_id, attempt, result.transcript)
    session.flush()
    return True


def save_transcript(session: Session, run_id: int, attempt: int, events: list[dict[str, Any]]) -> None:
    """Store the attempt's whole transcript (`events[i]` is event seq i). A worker appends the
    events live (`workers.transcript_store`); this final write adds only those not stored yet.
    Every attempt keeps its own transcript."""
    append_events(session, run_id, attempt, enumerate(events))


def record_infra_failure(
    session: Session,
    run_id: int,
    attempt: int,
    error: str,
    settings: Settings,
    transcript: list[dict[str, Any]] | None = None,
    *,
    usage: AttemptUsage | None = None,
) -> str | None:
    """An infrastructure failure is never a model failure: re-queue the run, or end it as
    infra_error once `max_attempts` is reached. Returns the new status, or None if the attempt no
    longer owns the run. What the attempt spent (`usage`) is recorded either way."""
    run = session.get(Run, run_id)
    if run is None or run.status != RunStatus.RUNNING or run.attempt != attempt:
        if run is not None:
            attempt_svc.close_attempt(session, run_id, attempt, RunAttemptStatus.ABANDONED, usage=usage)
        return None
    run.error = f"attempt {attempt}: {error}"[:10_000]
    attempt_svc.close_attempt(
        session, run_id, attempt, RunAttemptStatus.INFRA_ERROR, usage=usage, error=error
    )
    if transcript is not None:
        save_transcript(session, run_id, attempt, transcript)
    if attempt < settings.max_attempts:
        delay_s = settings.infra_retry_delay(attempt)
        run.status = RunStatus.QUEUED
        run.heartbeat_at = None
        # The message is held for `delay_s`: the lost-message sweep counts from when it is due.
        run.enqueued_at = utcnow() + dt.timedelta(seconds=delay_s)
        session.flush()
        enqueue_after_commit(
            session, JobName.EXECUTE_RUN, run_id, queue=queue_of_run(session, run_id), delay_s=delay_s
        )
        return RunStatus.QUEUED
    run.status = RunStatus.INFRA_ERROR
    run.finished_at = utcnow()
    session.flush()
    return RunStatus.INFRA_ERROR


def record_abandoned_attempt(session: Session, run_id: int, attempt: int, usage: AttemptUsage) -> None:
    """What an attempt spent after its run was cancelled or taken over (the run is not touched)."""
    attempt_svc.close_attempt(session, run_id, attempt, RunAttemptStatus.ABANDONED, usage=usage)


def reap_stale_runs(session: Session, settings: Settings, now: dt.datetime | None = None) -> list[int]:
    """Find running rows whose heartbeat is older than `stale_after_s` (their worker died) and
    re-queue them, or end them as infra_error past `max_attempts`. Returns the ids handled."""
    now = now or utcnow()
    cutoff = now - dt.timedelta(seconds=settings.stale_after_s)
    stale = list(
        session.execute(
            select(Run.id, Run.attempt).where(Run.status == RunStatus.RUNNING, Run.heartbeat_at < cutoff)
        )
    )
    handled = []
    for run_id, attempt in stale:
        retry = attempt < settings.max_attempts
        result = session.execute(
            update(Run)
            .where(
                Run.id == run_id,
                Run.attempt == attempt,
                Run.status == RunStatus.RUNNING,
                Run.heartbeat_at < cutoff,
            )
            .values(
                status=RunStatus.QUEUED if retry else RunStatus.INFRA_ERROR,
                error=f"attempt {attempt}: {_PRESUMED_DEAD}",
                finished_at=None if retry else now,
                heartbeat_at=None,
                enqueued_at=now if retry else None,
            )
        )
        if result.rowcount:  # type: ignore[attr-defined]
            handled.append(run_id)
            attempt_svc.abandon_running(session, [run_id], _PRESUMED_DEAD)
            if retry:
                queue = queue_of_run(session, run_id)
                enqueue_after_commit(session, JobName.EXECUTE_RUN, run_id, queue=queue)
    session.flush()
    return handled


def sent_overdue(sent_at: Any, settings: Settings, now: dt.datetime, *, broker_lost: bool = False) -> Any:
    """The condition on a column saying when a row's last queue message was sent, true where that
    message may be lost: never sent, or sent longer than `requeue_after_s` ago (with
    `broker_lost`, any sent before `now`). Runs and scoring attempts share this rule."""
    if broker_lost:
        return sent_at.is_(None) | (sent_at <= now)
    return sent_at.is_(None) | (sent_at < now - dt.timedelta(seconds=settings.requeue_after_s))


def message_overdue(settings: Settings, now: dt.datetime, *, broker_lost: bool = False) -> Any:
    """The condition on a queued run whose last message may be lost (`sent_overdue` of its
    `enqueued_at`). `horizon doctor` counts these runs with the same rule."""
    return sent_overdue(Run.enqueued_at, settings, now, broker_lost=broker_lost)


def requeue_lost_runs(
    session: Session,
    settings: Settings,
    *,
    broker_lost: bool = False,
    now: dt.datetime | None = None,
    chunk: int = 1000,
) -> list[int]:
    """Send another queue message for queued runs whose message may have been lost.

    With `broker_lost` (the broker restarted without its data) every queued run gets one;
    otherwise those whose last message is older than `requeue_after_s`. A duplicate message is
    harmless: the run is claimed by a guarded update. Returns the ids re-sent.
    """
    now = now or utcnow()
    stale = message_overdue(settings, now, broker_lost=broker_lost)
    run_ids = list(
        session.scalars(select(Run.id).where(Run.status == RunStatus.QUEUED, stale).order_by(Run.id))
    )
    for start in range(0, len(run_ids), chunk):
        ids = run_ids[start : start + chunk]
        session.execute(
            update(Run).where(Run.id.in_(ids), Run.status == RunStatus.QUEUED).values(enqueued_at=now)
        )
    queues = queues_of_runs(session, run_ids)
    for run_id in run_ids:
        enqueue_after_commit(session, JobName.EXECUTE_RUN, run_id, queue=queues.get(run_id, QUEUE_RUNS))
    session.flush()
    return run_ids


def transcript_of(session: Session, run_id: int, attempt: int | None = None) -> list[dict[str, Any]] | None:
    """The events of one attempt's transcript (default: the latest attempt that has any) in
    order, None before the run has one, NotFound for an unknown run."""
    get_run(session, run_id)
    if attempt is None:
        stored = stored_attempts(session, run_id)
        if not stored:
            return None
        attempt = stored[-1]
    # Rows, or the transcript archive once the attempt's events moved there.
    return attempt_events(session, run_id, attempt) or None
