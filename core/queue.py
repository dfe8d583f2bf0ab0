"""Job dispatch: Celery on Redis when REDIS_URL is set, otherwise an in-process thread pool.

Jobs are named functions registered with `@job("name")` (in `workers/jobs.py`). Services never
send a job directly: they call `enqueue_after_commit(session, ...)` so a message is only sent once
the rows it refers to are committed (a rollback drops it).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import event
from sqlalchemy.orm import Session

from core.settings import Settings, get_settings

log = logging.getLogger(__name__)

QUEUE_DEFAULT = "default"
QUEUE_RUNS = "runs"
QUEUE_GPU = "gpu"
QUEUE_ANALYSIS = "analysis"

_REGISTRY: dict[str, Callable[..., Any]] = {}


def register_job(name: str, fn: Callable[..., Any]) -> None:
    """Make `fn` runnable by name in the in-process queue (Celery registers it separately)."""
    _REGISTRY[name] = fn


def registered_jobs() -> dict[str, Callable[..., Any]]:
    return dict(_REGISTRY)


@dataclass(frozen=True)
class JobMessage:
    name: str
    args: tuple[Any, ...]
    queue: str


class JobQueue(Protocol):
    def send(self, message: JobMessage) -> None: ...


def celery_config(settings: Settings) -> dict[str, Any]:
    """Celery settings shared by the API's client and the workers."""
    return {
        "broker_url": settings.redis_url,
        "task_acks_late": True,
        # A worker that dies mid-job leaves its message unacknowledged: redeliver it.
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "broker_transport_options": {
            "visibility_timeout": settings.visibility_timeout_s,
            "unacked_restore_interval": settings.unacked_restore_interval_s,
            # Sweep on every interval rather than every 10th (kombu's default throttle).
            "unacked_restore_throttle": 1,
        },
        "broker_connection_retry_on_startup": True,
        "task_default_queue": QUEUE_DEFAULT,
        "task_ignore_result": True,
        "task_serializer": "json",
        "accept_content": ["json"],
        "enable_utc": True,
    }


class CeleryQueue:
    """Sends jobs by name to Celery over Redis; the API never imports worker code."""

    def __init__(self, settings: Settings) -> None:
        from celery import Celery

        self.app = Celery("horizon-client")
        self.app.conf.update(celery_config(settings))

    def send(self, message: JobMessage) -> None:
        self.app.send_task(message.name, args=list(message.args), queue=message.queue)


class InProcessQueue:
    """Runs jobs on a small thread pool in this process (embedded mode).

    Analysis jobs get a pool of their own: a long bootstrap must never hold the slots runs wait for.
    """

    def __init__(self, workers: int, analysis_workers: int = 1) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="horizon-job")
        self._analysis_pool = ThreadPoolExecutor(
            max_workers=max(1, analysis_workers), thread_name_prefix="horizon-analysis"
        )
        self._pending = 0
        self._lock = threading.Condition()

    def send(self, message: JobMessage) -> None:
        fn = _REGISTRY.get(message.name)
        if fn is None:
            log.warning("no job named %s is registered in this process; dropped", message.name)
            return
        with self._lock:
            self._pending += 1
        pool = self._analysis_pool if message.queue == QUEUE_ANALYSIS else self._pool
        pool.submit(self._run, fn, message)

    def _run(self, fn: Callable[..., Any], message: JobMessage) -> None:
        try:
            fn(*message.args)
        except Exception:  # a failing job must not kill the pool; the row state tells the story
            log.exception("job %s%r failed", message.name, message.args)
        finally:
            with self._lock:
                self._pending -= 1
                self._lock.notify_all()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until no job is pending (tests and the CLI use it)."""
        with self._lock:
            return self._lock.wait_for(lambda: self._pending == 0, timeout=timeout)


_queues: dict[str, JobQueue] = {}
_queues_lock = threading.Lock()


def get_queue(settings: Settings | None = None) -> JobQueue:
    settings = settings or get_settings()
    key = settings.redis_url or "embedded"
    with _queues_lock:
        if key not in _queues:
            _queues[key] = (
                InProcessQueue(settings.embedded_workers, settings.embedded_analysis_workers)
                if settings.embedded_queue
                else CeleryQueue(settings)
            )
        return _queues[key]


def enqueue_after_commit(session: Session, name: str, *args: Any, queue: str = QUEUE_DEFAULT) -> None:
    """Send job `name(*args)` once the session's transaction commits."""
    session.info.setdefault("horizon_jobs", []).append(JobMessage(name, args, queue))


@event.listens_for(Session, "after_commit")
def _send_pending_jobs(session: Session) -> None:
    messages: list[JobMessage] = session.info.pop("horizon_jobs", [])
    if not messages:
        return
    settings = session.info.get("settings") or get_settings()
    queue = get_queue(settings)
    for sent, message in enumerate(messages):
        try:
            queue.send(message)
        except Exception:
            # The rows are committed and stay the truth; failing the request now would only invite
            # a duplicate. `runs.requeue_lost` re-sends messages for queued runs later.
            log.exception(
                "the broker refused job %s; %d of %d messages after the commit were not sent",
                message.name,
                len(messages) - sent,
                len(messages),
            )
            return


@event.listens_for(Session, "after_rollback")
def _drop_pending_jobs(session: Session) -> None:
    session.info.pop("horizon_jobs", None)
