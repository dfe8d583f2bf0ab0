"""Task health checks over the database's task versions, recorded per version.

`oracle` must score 1 and `null` 0 on every task version; the oracle is repeated to find flaky
tasks. Each outcome is stored as a `task_health_checks` row; fits leave out versions whose latest
check failed (shown, not hidden: the task pages say so).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable

from sqlalchemy import select

from core.db import session_scope
from core.models import Task, TaskHealthCheck, TaskVersion
from core.settings import get_settings
from workers.run_executor import bundle_of
from workers.sandbox import get_backend
from workers.task_health import TaskHealth, check_task

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
        health = check_task(bundle, backend, oracle_repeats, run_id=next(_check_ids))
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
