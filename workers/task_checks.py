"""Task health checks over the database's task versions, recorded per version.

`oracle` must score 1 and `null` 0 on every task version; the oracle is repeated to find flaky
tasks. Each outcome is stored as a `task_health_checks` row; fits leave out versions whose latest
check failed (shown, not hidden: the task pages say so). A GPU task is checked with GPUs of this
host; where it has too few, the check is refused (returned with `refused`, not stored).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterable

from sqlalchemy import select

from core.db import session_scope
from core.models import Task, TaskHealthCheck, TaskVersion
from core.settings import get_settings
from workers.execution import REASON_GPU, InfraError
from workers.run_executor import bundle_of
from workers.sandbox import get_backend
from workers.task_gpus import attempt_owner, held_gpus
from workers.task_health import TaskHealth, check_task, refused_check

# Health-check sandboxes carry negative run ids so the orphan reaper never mistakes them for runs.
_check_ids = itertools.count(-1, -1)


def check_tasks(
    task_ids: Iterable[str],
    oracle_repeats: int = 3,
    on_result: Callable[[TaskHealth], None] | None = None,
) -> list[TaskHealth]:
    """Check each task's current version in Docker and record the outcome."""
    settings = get_settings()
    backend = get_backend(settings.sandbox_backend, settings.docker_host, settings)
    results = []
    for task_id in task_ids:
        with session_scope(settings) as session:
            task = session.get(Task, task_id)
            if task is None:
                continue
            version = session.scalar(
                select(TaskVersion).where(
                    TaskVersion.task_id == task_id, TaskVersion.version == task.current_version
                )
            )
            assert version is not None
            bundle, version_id = bundle_of(version), version.id
        check_id = next(_check_ids)
        try:
            # A GPU task's sandboxes get this host's GPUs, held for the whole check (the pid keeps
            # the holder's name unique among check processes on the host).
            owner = attempt_owner("check", check_id, os.getpid(), settings)
            with held_gpus(bundle.limits, owner, settings) as gpus:
                health = check_task(bundle, backend, oracle_repeats, run_id=check_id, gpu_devices=gpus)
        except InfraError as exc:
            if exc.reason != REASON_GPU:
                raise
            # Nothing ran: a stored check would call a task unhealthy (and keep it out of fits)
            # for what this host lacks. Say so to the caller instead.
            health = refused_check(bundle, f"{exc.message}; run the check on a host with its GPUs")
            results.append(health)
            if on_result is not None:
                on_result(health)
            continue
        with session_scope(settings) as session:
            session.add(
                TaskHealthCheck(
                    task_version_id=version_id,
                    healthy=health.healthy,
                    flaky=health.flaky,
                    details=health.as_dict(),
                )
            )
        results.append(health)
        if on_result is not None:
            on_result(health)
    return results


def run_requested_check(request_id: int, oracle_repeats: int = 3) -> str:
    """Carry out a check asked for from the task page or the API (core/services/health_requests.py):
    `check_tasks` on the task's current version, exactly as `horizon tasks check` does, then the
    request's marker is removed, whatever happened. Returns what was done."""
    from core.services import health_requests

    settings = get_settings()
    with session_scope(settings) as session:
        task_id = health_requests.start_request(session, request_id)
    if task_id is None:
        return "gone"
    try:
        results = check_tasks([task_id], oracle_repeats)
    finally:
        with session_scope(settings) as session:
            health_requests.finish_request(session, request_id)
    if not results:
        return "gone"
    return "refused" if results[0].refused else "healthy" if results[0].healthy else "unhealthy"
