"""Celery jobs. Each has an explicit name, takes ids, and is idempotent.

The same functions run in the in-process queue in embedded mode (see core/queue.py).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.exc import OperationalError

from core.db import session_scope
from core.queue import QUEUE_ANALYSIS, QUEUE_DEFAULT, QUEUE_RUNS, register_job
from core.services import baselining as baselining_svc
from core.services import runs as run_svc
from core.services import tasks as task_svc
from core.settings import Settings, get_settings
from core.states import JobName
from workers.celery_app import app
from workers.sandbox.base import SandboxUnavailable

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])


# A job that finds the database unreachable is sent again later instead of being dropped (a failed
# job's message is acknowledged): backoff 2, 4, ... 60 s with jitter, about 25 minutes in all.
# Without it, workers would drain the whole queue during a database restart, each message failing
# at once, and the queued runs would wait for runs.requeue_lost.
RETRY_WHEN_DATABASE_DOWN: dict[str, Any] = {
    "autoretry_for": (OperationalError,),
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 30,
}


def job(
    name: str,
    queue: str = QUEUE_DEFAULT,
    *,
    periodic: bool = False,
    retry_also_for: tuple[type[Exception], ...] = (),
) -> Callable[[F], F]:
    """Register `fn` as Celery task `name` and as an in-process job of the same name.

    Periodic jobs are not retried when the database is down: beat sends them again anyway.
    `retry_also_for` names more exceptions that send the job again later (with the same backoff).
    """

    def decorate(fn: F) -> F:
        register_job(name, fn)
        retry: dict[str, Any] = {}
        if not periodic:
            retry = {
                **RETRY_WHEN_DATABASE_DOWN,
                "autoretry_for": (*RETRY_WHEN_DATABASE_DOWN["autoretry_for"], *retry_also_for),
            }
        app.task(name=name, queue=queue, acks_late=True, reject_on_worker_lost=True, **retry)(fn)
        return fn

    return decorate


@job(JobName.RECOMPUTE_HUMAN_TIME)
def recompute_human_time(task_id: str) -> None:
    """Derive a task's human time from its baselines and store it."""
    with session_scope() as session:
        task_svc.recompute_human_time(session, task_id)


@job(JobName.REAP_STALE_RUNS, periodic=True)
def reap_stale_runs() -> list[int]:
    """Re-queue (or end as infra_error) runs whose worker stopped sending heartbeats."""
    settings = get_settings()
    with session_scope(settings) as session:
        handled = run_svc.reap_stale_runs(session, settings)
    if handled:
        log.warning("re-queued or ended %d stale runs: %s", len(handled), handled[:20])
    reap_orphan_sandboxes()
    return handled


@job(JobName.REQUEUE_LOST_RUNS, periodic=True)
def requeue_lost_runs() -> list[int]:
    """Re-send messages for queued runs whose message may be lost (e.g. Redis restarted empty)."""
    from workers.requeue import requeue_lost

    return requeue_lost(get_settings())


def reap_orphan_sandboxes() -> list[str]:
    """Remove sandbox containers whose run attempt is no longer running (e.g. a killed worker's)."""
    from workers.run_executor import run_is_alive
    from workers.sandbox import SandboxUnavailable, get_backend

    settings = get_settings()
    try:
        removed = get_backend(settings.sandbox_backend, settings.docker_host, settings).reap_orphans(
            lambda run_id, attempt: run_is_alive(run_id, attempt, settings)
        )
    except SandboxUnavailable as exc:
        log.info("no sandbox backend to reap: %s", exc)
        return []
    if removed:
        log.warning("removed %d orphaned sandbox containers", len(removed))
    return removed


@job(JobName.EXECUTE_RUN, queue=QUEUE_RUNS, retry_also_for=(SandboxUnavailable,))
def execute_run(run_id: int) -> None:
    """Claim run `run_id` and execute one attempt of it in a sandbox.

    On Celery, a sandbox backend that does not answer leaves the run queued and its message comes
    back later (with backoff) instead of spending the run's attempts within a second: a Docker
    daemon restart is nobody's failure.
    """
    from workers.run_executor import execute_claimed_run

    settings = get_settings()
    if not settings.embedded_queue:
        _require_sandbox_backend(settings)
    execute_claimed_run(run_id)


def _require_sandbox_backend(settings: Settings) -> None:
    """Raise SandboxUnavailable when the sandbox backend does not answer (before any claim)."""
    from workers.sandbox import get_backend

    backend = get_backend(settings.sandbox_backend, settings.docker_host, settings)
    try:
        backend.check_available()
    finally:
        backend.close()


@job(JobName.SCORE_ATTEMPT)
def score_baselining_attempt(attempt_id: int) -> str:
    """Score a person's submitted answer in a sandbox and store it as a human baseline."""
    from workers.baseline_scoring import score_attempt

    return score_attempt(attempt_id)


@job(JobName.PAUSE_IDLE_ATTEMPTS, periodic=True)
def pause_idle_attempts() -> list[int]:
    """Store the pauses running baselining attempts are due (idle page, time limit). Reads show
    them at once anyway; this keeps the stored status true for lists."""
    with session_scope() as session:
        return baselining_svc.pause_idle_attempts(session)


@job(JobName.MAINTAIN_TRANSCRIPTS, periodic=True)
def maintain_transcripts() -> dict[str, int]:
    """Archive ended attempts still in rows (when archiving is on) and apply the retention policy
    (when one is set); each a bounded pass. core/services/transcript_storage.py."""
    from core.services.transcript_storage import archive_pending, prune_transcripts

    settings = get_settings()
    archived = archive_pending(settings) if settings.transcript_archive else 0
    pruned = prune_transcripts(settings)
    if archived or pruned.attempts:
        log.info("transcripts: %d archived, %d removed by retention", archived, pruned.attempts)
    return {"archived": archived, "removed": pruned.attempts}


@job(JobName.IMPORT_TASKS, retry_also_for=(SandboxUnavailable,))
def import_tasks(job_id: int) -> str:
    """Import an admin's uploaded METR archive; each family's task listing runs in a sandbox.

    Idempotent: a finished job is left alone. On Celery, a sandbox backend that does not answer
    sends the message back later (as for runs) instead of failing the import at once.
    """
    from workers.import_jobs import run_import_job

    settings = get_settings()
    if not settings.embedded_queue:
        _require_sandbox_backend(settings)
    return run_import_job(job_id)


@job(JobName.CHECK_TASK_HEALTH, queue=QUEUE_RUNS, retry_also_for=(SandboxUnavailable,))
def check_task_health(request_id: int) -> str:
    """Run a requested health check of a task's current version in sandboxes and store it as
    `horizon tasks check` does (on the `gpu` queue for a GPU task: the sender routes it).

    Idempotent: a request already carried out is gone and nothing runs. On Celery, a sandbox
    backend that does not answer sends the message back later, the request staying queued.
    """
    from workers.task_checks import run_requested_check

    settings = get_settings()
    if not settings.embedded_queue:
        _require_sandbox_backend(settings)
    return run_requested_check(request_id)


@job(JobName.FIT_ANALYSIS, queue=QUEUE_ANALYSIS)
def fit_analysis(analysis_id: int) -> None:
    """Fit horizons and the trend over the database's completed runs; store the result row.

    Idempotent: a finished analysis is left alone; an identical earlier result (same inputs
    fingerprint) is reused instead of refitting.
    """
    from workers.analysis_job import run_fit

    run_fit(analysis_id)
