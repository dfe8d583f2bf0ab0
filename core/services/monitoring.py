"""A snapshot of what the deployment is doing now, for people and for alerts: runs by status, the
backlog and its age, work waiting on other machinery (the rules of `horizon doctor`'s waiting
checks, `core.services.doctor_waiting`), and how many messages each broker queue holds.

Counts and ages only, never row contents, so any reader may see it (GET /api/system/status,
GET /api/system/metrics, `horizon status`; docs/operations.md, "Monitor"). A few aggregate
queries and one Redis round trip: cheap enough to poll every few seconds.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import AnalysisResult, Batch, Run, utcnow
from core.models_baselining import BaseliningAttempt
from core.queue import QUEUE_ANALYSIS, QUEUE_DEFAULT, QUEUE_GPU, QUEUE_RUNS, in_process_pending
from core.services.baselining import waiting_for_scoring_job
from core.services.runs import message_overdue
from core.settings import Settings
from core.states import ACTIVE_RUN_STATUSES, AnalysisStatus, RunStatus

# Every queue a Horizon process sends to (core/queue.py).
BROKER_QUEUES = (QUEUE_DEFAULT, QUEUE_RUNS, QUEUE_GPU, QUEUE_ANALYSIS)
# kombu's Redis transport keeps messages delivered to a worker but not yet acknowledged here.
UNACKED_KEY = "unacked"
BROKER_TIMEOUT_S = 2.0


class Backlog(BaseModel):
    """How many rows are in a state, and how long the oldest has been in it."""

    count: int = 0
    oldest_age_s: float | None = Field(None, description="seconds; null when count is 0")


class QueueDepth(BaseModel):
    """Messages waiting in one queue; null when the broker could not be asked."""

    name: str
    messages: int | None
    note: str = ""


class SystemStatus(BaseModel):
    """What the deployment is doing now (see the module's docstring)."""

    generated_at: dt.datetime
    mode: Literal["embedded", "distributed"]
    runs: dict[str, int] = Field(description="runs by status; every status is present")
    batches_running: int = Field(description="batches not cancelled with a queued or running run")
    queued_runs: Backlog = Field(description="queued runs; age since the oldest was created")
    overdue_queued_runs: int = Field(
        description="queued runs whose last message is older than requeue_after_s (or never sent)"
    )
    stale_running_runs: Backlog = Field(
        description="running runs whose heartbeat is older than stale_after_s; age of the oldest heartbeat"
    )
    scoring_waiting: Backlog = Field(
        description="submitted baselining attempts waiting for their scoring job; age since submitted"
    )
    analyses_queued: Backlog
    analyses_running: int
    broker: str = Field(description="ok, embedded, or the error that asking the broker gave")
    queues: list[QueueDepth]
    reserved_messages: int | None = Field(
        description="messages workers hold, not yet acknowledged (running or prefetched); null: unknown"
    )
    stale_after_s: float
    requeue_after_s: float


def _age_s(now: dt.datetime, then: dt.datetime | None) -> float | None:
    if then is None:
        return None
    if then.tzinfo is None:  # SQLite hands back naive datetimes; every stored time is UTC
        then = then.replace(tzinfo=dt.UTC)
    return max(0.0, (now - then).total_seconds())


def _backlog(session: Session, now: dt.datetime, since: Any, *where: Any) -> Backlog:
    count, oldest = session.execute(select(func.count(), func.min(since)).where(*where)).one()
    return Backlog(count=count or 0, oldest_age_s=_age_s(now, oldest))


def _run_counts(session: Session) -> dict[str, int]:
    counts = {status.value: 0 for status in RunStatus}
    for status, count in session.execute(select(Run.status, func.count()).group_by(Run.status)):
        counts[status] = count
    return counts


def _batches_running(session: Session) -> int:
    active = select(Run.batch_id).where(Run.status.in_(ACTIVE_RUN_STATUSES), Run.batch_id.is_not(None))
    query = select(func.count()).select_from(Batch).where(Batch.cancelled_at.is_(None), Batch.id.in_(active))
    return session.scalar(query) or 0


def _broker_queues(settings: Settings) -> tuple[str, list[QueueDepth], int | None]:
    """Each Celery queue's length (a Redis list per queue) and the unacknowledged messages, in
    one round trip; an unreachable broker is reported, never raised."""
    import redis

    client = redis.Redis.from_url(
        settings.redis_url or "", socket_timeout=BROKER_TIMEOUT_S, socket_connect_timeout=BROKER_TIMEOUT_S
    )
    try:
        pipe = client.pipeline(transaction=False)
        for name in BROKER_QUEUES:
            pipe.llen(name)
        pipe.hlen(UNACKED_KEY)
        *lengths, reserved = pipe.execute()
    except redis.RedisError as exc:
        unknown = [QueueDepth(name=name, messages=None) for name in BROKER_QUEUES]
        return f"error: {type(exc).__name__}", unknown, None
    finally:
        client.close()
    depths = [QueueDepth(name=name, messages=int(n)) for name, n in zip(BROKER_QUEUES, lengths, strict=True)]
    return "ok", depths, int(reserved)


def _in_process_queue(jobs_here: bool) -> tuple[str, list[QueueDepth], int | None]:
    pending = in_process_pending()
    if pending is None and jobs_here:
        pending = 0  # the queue is made when the first job is sent: none was yet
    note = (
        "jobs waiting or running in the server's process (runs, scorings and analyses together)"
        if pending is not None
        else "the in-process queue lives in the `horizon serve` process: ask its GET /api/system/status"
    )
    return "embedded", [QueueDepth(name="in-process", messages=pending, note=note)], None


def system_status(
    session: Session, settings: Settings, *, jobs_here: bool = False, now: dt.datetime | None = None
) -> SystemStatus:
    """The snapshot: aggregate queries only (each over one indexed status, or a small table), no
    row is loaded. `jobs_here`: this process runs the embedded mode's jobs (the server does; a
    command line process does not, and reports the in-process queue as unknown)."""
    now = now or utcnow()
    stale_cutoff = now - dt.timedelta(seconds=settings.stale_after_s)
    queued = Run.status == RunStatus.QUEUED
    broker, queues, reserved = (
        _in_process_queue(jobs_here) if settings.embedded_queue else _broker_queues(settings)
    )
    return SystemStatus(
        generated_at=now,
        mode="embedded" if settings.embedded_queue else "distributed",
        runs=_run_counts(session),
        batches_running=_batches_running(session),
        queued_runs=_backlog(session, now, Run.created_at, queued),
        overdue_queued_runs=session.scalar(select(func.count()).where(queued, message_overdue(settings, now)))
        or 0,
        stale_running_runs=_backlog(
            session, now, Run.heartbeat_at, Run.status == RunStatus.RUNNING, Run.heartbeat_at < stale_cutoff
        ),
        scoring_waiting=_backlog(
            session,
            now,
            BaseliningAttempt.submitted_at,
            BaseliningAttempt.id.in_(waiting_for_scoring_job().order_by(None)),
        ),
        analyses_queued=_backlog(
            session, now, AnalysisResult.created_at, AnalysisResult.status == AnalysisStatus.QUEUED
        ),
        analyses_running=session.scalar(
            select(func.count()).where(AnalysisResult.status == AnalysisStatus.RUNNING)
        )
        or 0,
        broker=broker,
        queues=queues,
        reserved_messages=reserved,
        stale_after_s=settings.stale_after_s,
        requeue_after_s=settings.requeue_after_s,
    )
