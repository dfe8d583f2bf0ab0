"""Job dispatch: Celery on Redis when REDIS_URL is set, otherwise an in-process thread pool.

Jobs are named functions registered with `@job("name")` (in `workers/jobs.py`). Services never
send a job directly: they call `enqueue_after_commit(session, ...)` so a message is only sent once
the rows it refers to are committed (a rollback drops it). Queues and processes:
docs/architecture.md; deploying them: docs/operations.md.
"""

from __future__ import annotations

import logging
import threading
import time
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
    """Every job this process can run, by name."""
    return dict(_REGISTRY)


@dataclass(frozen=True)
class JobMessage:
    """One job to run: its name, its arguments and the queue that routes it."""

    name: str
    args: tuple[Any, ...]
    queue: str
    # Seconds to hold the message before any worker may take it (a retry's backoff).
    delay_s: float = 0.0


class JobQueue(Protocol):
    """Where jobs are sent: Celery on Redis or the in-process pool."""

    def send(self, message: JobMessage) -> None:
        """Send one job. Messages only nudge: the job reads the state of its rows when it runs."""
        ...

    def discard(self, name: str, args: set[tuple[Any, ...]], queues: tuple[str, ...]) -> int:
        """Drop waiting messages of job `name` with these args; returns how many were dropped."""
        ...


# Rewrites a queue's Redis list without the messages to drop, atomically (a worker's pop or a new
# message never interleaves). kombu's Redis transport keeps each queue as a list of JSON envelopes,
# pushed on the left and popped on the right; Celery puts the job's name and the repr of its
# arguments in the headers. O(length of the queue), which the per-token quota bounds.
_DISCARD_LUA = """
local drop = {}
for i = 2, #ARGV do drop[ARGV[i]] = true end
local items = redis.call('LRANGE', KEYS[1], 0, -1)
local keep = {}
for _, raw in ipairs(items) do
  local ok, msg = pcall(cjson.decode, raw)
  local h = ok and type(msg) == 'table' and msg.headers
  if not (type(h) == 'table' and h.task == ARGV[1] and drop[h.argsrepr]) then
    keep[#keep + 1] = raw
  end
end
local removed = #items - #keep
if removed > 0 then
  redis.call('DEL', KEYS[1])
  for i = 1, #keep, 1000 do
    redis.call('RPUSH', KEYS[1], unpack(keep, i, math.min(i + 999, #keep)))
  end
end
return removed
"""


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
        """Hand the job to Celery on its queue."""
        countdown = message.delay_s if message.delay_s > 0 else None
        self.app.send_task(message.name, args=list(message.args), queue=message.queue, countdown=countdown)

    def discard(self, name: str, args: set[tuple[Any, ...]], queues: tuple[str, ...]) -> int:
        """Remove the matching messages still waiting in the queues' Redis lists."""
        # Celery writes argsrepr as the repr of the list of arguments it was given (see send).
        reprs = [repr(list(a)) for a in args]
        removed = 0
        with self.app.connection_for_write() as conn:
            client = conn.default_channel.client
            script = client.register_script(_DISCARD_LUA)
            for queue in queues:
                removed += int(script(keys=[queue], args=[name, *reprs]))
        return removed


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
        # Messages to skip when their turn comes (cancelled runs): a set lookup instead of a job.
        self._discarded: set[tuple[str, tuple[Any, ...]]] = set()

    def send(self, message: JobMessage) -> None:
        """Run the job on this process's pool (analyses on a pool of their own)."""
        fn = _REGISTRY.get(message.name)
        if fn is None:
            log.warning("no job named %s is registered in this process; dropped", message.name)
            return
        with self._lock:
            self._pending += 1
        pool = self._analysis_pool if message.queue == QUEUE_ANALYSIS else self._pool
        if message.delay_s > 0:
            # Counted as pending from now, so wait_idle also waits for held messages.
            timer = threading.Timer(message.delay_s, pool.submit, args=(self._run, fn, message))
            timer.daemon = True
            timer.start()
            return
        pool.submit(self._run, fn, message)

    def discard(self, name: str, args: set[tuple[Any, ...]], queues: tuple[str, ...]) -> int:
        """Mark the matching pending jobs so that they are skipped when their turn comes."""
        with self._lock:
            if self._pending:
                self._discarded.update((name, a) for a in args)
            return len(args) if self._pending else 0

    def _run(self, fn: Callable[..., Any], message: JobMessage) -> None:
        try:
            with self._lock:
                skip = bool(self._discarded) and (message.name, message.args) in self._discarded
                self._discarded.discard((message.name, message.args))
            if not skip:
                fn(*message.args)
        except Exception:  # a failing job must not kill the pool; the row state tells the story
            log.exception("job %s%r failed", message.name, message.args)
        finally:
            with self._lock:
                self._pending -= 1
                if self._pending == 0:
                    self._discarded.clear()  # entries for messages that had already run
                self._lock.notify_all()

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until no job is pending (tests and the CLI use it)."""
        with self._lock:
            return self._lock.wait_for(lambda: self._pending == 0, timeout=timeout)

    @property
    def pending(self) -> int:
        """Jobs sent and not yet finished: waiting, held for a delay, or running."""
        with self._lock:
            return self._pending


_queues: dict[str, JobQueue] = {}
_queues_lock = threading.Lock()


def get_queue(settings: Settings | None = None) -> JobQueue:
    """The queue for these settings: Celery when REDIS_URL is set, otherwise in-process."""
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


def in_process_pending() -> int | None:
    """The unfinished jobs of this process's in-process queue; None when it has none (a command
    line process, or distributed mode): asking never creates one."""
    with _queues_lock:
        queue = _queues.get("embedded")
    return queue.pending if isinstance(queue, InProcessQueue) else None


def enqueue_after_commit(
    session: Session, name: str, *args: Any, queue: str = QUEUE_DEFAULT, delay_s: float = 0.0
) -> None:
    """Send job `name(*args)` once the session's transaction commits (held `delay_s` first)."""
    session.info.setdefault("horizon_jobs", []).append(JobMessage(name, args, queue, delay_s))


def forget_pending_jobs(session: Session) -> None:
    """Send none of the jobs this transaction has enqueued so far: the caller does the work itself,
    in this process (`horizon fit`, `horizon run`), and no worker must pick it up as well."""
    session.info.pop("horizon_jobs", None)


def discard_after_commit(
    session: Session,
    name: str,
    args: list[tuple[Any, ...]],
    queues: tuple[str, ...] = (QUEUE_RUNS, QUEUE_GPU),
) -> None:
    """Once the transaction commits, drop waiting messages of job `name` with these args (the
    jobs of cancelled runs), so later work does not wait behind them. Best effort: a message that
    remains is still harmless, the job sees its row's state and does nothing."""
    if args:
        session.info.setdefault("horizon_discards", []).append((name, set(args), queues))


def _discard_pending(session: Session, queue: JobQueue) -> None:
    for name, args, queues in session.info.pop("horizon_discards", []):
        started = time.monotonic()
        try:
            removed = queue.discard(name, args, queues)
        except Exception:
            log.exception("dropping %d messages of job %s failed; workers will skip them", len(args), name)
        else:
            log.info("dropped %d waiting %s messages in %.2f s", removed, name, time.monotonic() - started)


@event.listens_for(Session, "after_commit")
def _send_pending_jobs(session: Session) -> None:
    messages: list[JobMessage] = session.info.pop("horizon_jobs", [])
    if not messages and "horizon_discards" not in session.info:
        return
    settings = session.info.get("settings") or get_settings()
    queue = get_queue(settings)
    _discard_pending(session, queue)
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
    session.info.pop("horizon_discards", None)
