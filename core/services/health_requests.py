"""Health checks asked for from the task page or the API, carried out by a worker.

A request is a *marker* row in `task_health_checks` (no table of its own): `details` holds
`{"pending": "queued" | "running", "requested_by": token id, "requested_at", "expires_at"}` and
`healthy` is false. Marker rows are never a check's outcome: every reader of outcomes leaves them
out (`OUTCOMES`: the fits' exclusion of unhealthy versions, the task page's latest check). The job
`tasks.health_check` (workers/task_checks.py, `run_requested_check`) runs the same check as
`horizon tasks check`, which stores the outcome row, and then deletes the marker.

Rules: the task's owner or an admin may ask (403 otherwise); a task that cannot run here
(`runs_here`: imported placeholders, `no-sandbox`) and a task with a check still queued or running
get 409; a submitter's token may hold at most HORIZON_QUOTA_HEALTH_CHECKS of them (429). A marker
whose message was lost (a broker that forgot its data, a stopped in-process queue) or whose worker
died stops counting at its `expires_at`: a new request then replaces it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from core.errors import Conflict
from core.models import Task, TaskHealthCheck, TaskVersion, utcnow
from core.ownership import Actor, check_owner
from core.queue import enqueue_after_commit
from core.quotas import check_health_check_quota
from core.services.routing import run_queue, stored_limits
from core.services.tasks import current_version, get_task, runs_here
from core.states import JobName

PENDING = "pending"
QUEUED = "queued"
RUNNING = "running"
ORACLE_REPEATS = 3
# How long a request may wait for a worker before it no longer blocks a new one.
QUEUE_WAIT = dt.timedelta(hours=2)
# Image builds and sandbox starts on top of the runs' own time limits.
SETUP_ALLOWANCE = dt.timedelta(minutes=30)

# Rows that are outcomes of checks (not pending requests): use it wherever outcomes are read.
OUTCOMES: ColumnElement[bool] = TaskHealthCheck.details[PENDING].as_string().is_(None)


@dataclass(frozen=True)
class PendingCheck:
    """A requested check not yet carried out: its marker row, state and the version it was for."""

    id: int
    task_id: str
    version: int
    state: str
    requested_at: dt.datetime


def _check_time(time_limit_s: int) -> dt.timedelta:
    """The longest a check of a version with this time limit takes: every run one after another."""
    return (ORACLE_REPEATS + 1) * dt.timedelta(seconds=time_limit_s) + SETUP_ALLOWANCE


def _expired(details: dict[str, Any], now: dt.datetime) -> bool:
    try:
        expires = dt.datetime.fromisoformat(str(details.get("expires_at")))
    except ValueError:
        return True
    return expires.replace(tzinfo=expires.tzinfo or dt.UTC) <= now


def _markers(session: Session, *conditions: ColumnElement[bool]) -> list[tuple[TaskHealthCheck, TaskVersion]]:
    rows = session.execute(
        select(TaskHealthCheck, TaskVersion)
        .join(TaskVersion, TaskVersion.id == TaskHealthCheck.task_version_id)
        .where(~OUTCOMES, *conditions)
        .order_by(TaskHealthCheck.id)
    )
    return [(row[0], row[1]) for row in rows]


def pending_check(session: Session, task_id: str) -> PendingCheck | None:
    """The task's requested check that is still queued or running (expired markers left out)."""
    now = utcnow()
    for marker, version in reversed(_markers(session, TaskVersion.task_id == task_id)):
        if not _expired(marker.details, now):
            return PendingCheck(
                marker.id, task_id, version.version, str(marker.details[PENDING]), marker.checked_at
            )
    return None


def _active_of_token(session: Session, token_id: int) -> int:
    now = utcnow()
    markers = _markers(session, TaskHealthCheck.details["requested_by"].as_integer() == token_id)
    return sum(1 for marker, _ in markers if not _expired(marker.details, now))


def request_check(session: Session, task_id: str, actor: Actor) -> PendingCheck:
    """Store a queued request for a health check of the task's current version and send the job
    once this commits; see the module docstring for who may, and the 409s and 429."""
    task = get_task(session, task_id)
    check_owner(task.owner_token_id, actor, "task")
    if not runs_here(task):
        raise Conflict(
            f"task {task.id!r} cannot be checked here: it is a placeholder of another system's task "
            "or marked no-sandbox"
        )
    # One request per task at a time: the task's row is locked while looking (PostgreSQL).
    session.get(Task, task.id, with_for_update=True)
    now = utcnow()
    for marker, _ in _markers(session, TaskVersion.task_id == task.id):
        if not _expired(marker.details, now):
            raise Conflict(
                f"a health check of task {task.id!r} is already {marker.details[PENDING]}; "
                "wait for it to finish"
            )
        session.delete(marker)  # abandoned: its message was lost or its worker died
    token_id = actor.token_id
    check_health_check_quota(session, token_id, lambda: _active_of_token(session, token_id or 0))
    version = current_version(task)
    marker = TaskHealthCheck(
        task_version_id=version.id,
        healthy=False,
        flaky=False,
        checked_at=now,
        details={
            PENDING: QUEUED,
            "requested_by": actor.token_id,
            "requested_at": now.isoformat(timespec="seconds"),
            "expires_at": (now + QUEUE_WAIT + _check_time(version.time_limit_s)).isoformat(
                timespec="seconds"
            ),
        },
    )
    session.add(marker)
    session.flush()
    queue = run_queue(False, stored_limits(version.limits))
    enqueue_after_commit(session, JobName.CHECK_TASK_HEALTH, marker.id, queue=queue)
    return PendingCheck(marker.id, task.id, version.version, QUEUED, now)


def start_request(session: Session, request_id: int) -> str | None:
    """Mark a request running (again, for a redelivered message) and return its task's id; None
    when the request is gone (carried out, or replaced after it expired): nothing to do."""
    marker = session.get(TaskHealthCheck, request_id, with_for_update=True)
    if marker is None or PENDING not in (marker.details or {}):
        return None
    version = session.get(TaskVersion, marker.task_version_id)
    if version is None:
        return None
    now = utcnow()
    marker.details = {
        **marker.details,
        PENDING: RUNNING,
        "started_at": now.isoformat(timespec="seconds"),
        "expires_at": (now + _check_time(version.time_limit_s)).isoformat(timespec="seconds"),
    }
    return version.task_id


def finish_request(session: Session, request_id: int) -> None:
    """Remove the request's marker once its check has stored its outcome (or failed)."""
    marker = session.get(TaskHealthCheck, request_id)
    if marker is not None and PENDING in (marker.details or {}):
        session.delete(marker)
