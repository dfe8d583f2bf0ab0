"""Tasks, their versions and human baselines."""

from __future__ import annotations

import hashlib
import json

from pydantic import ValidationError
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from core.errors import Conflict, InvalidInput, NotFound
from core.models import HumanBaseline, Task, TaskFamily, TaskVersion, utcnow
from core.queue import enqueue_after_commit
from core.schemas import BaselineCreate, TaskContent, TaskCreate, TaskUpdate
from core.services.human_time import refresh_task_human_time
from core.taskspec import content_hash

JOB_RECOMPUTE_HUMAN_TIME = "human_time.recompute"


def version_hash(content: TaskContent) -> str:
    """Everything that changes what a run of the task means: content, limits and time limit."""
    base = content_hash(content.instructions, content.environment, content.scorer, content.solution)
    extra = json.dumps(
        {"limits": content.limits.model_dump(mode="json"), "time_limit_s": content.time_limit_s},
        sort_keys=True,
    )
    return hashlib.sha256((base + extra).encode()).hexdigest()


def _new_version(task: Task, number: int, content: TaskContent) -> TaskVersion:
    version = TaskVersion(
        version=number,
        content_hash=version_hash(content),
        instructions=content.instructions,
        environment=content.environment.model_dump(mode="json"),
        scorer=content.scorer.model_dump(mode="json"),
        solution=content.solution.model_dump(mode="json") if content.solution else None,
        limits=content.limits.model_dump(mode="json"),
        time_limit_s=content.time_limit_s,
    )
    task.versions.append(version)
    return version


def ensure_family(session: Session, family_id: str) -> TaskFamily:
    family = session.get(TaskFamily, family_id)
    if family is None:
        family = TaskFamily(id=family_id)
        session.add(family)
        session.flush()
    return family


def get_task(session: Session, task_id: str) -> Task:
    task = session.get(Task, task_id, options=[selectinload(Task.versions), selectinload(Task.baselines)])
    if task is None:
        raise NotFound(f"no task with id {task_id!r}")
    return task


def current_version(task: Task) -> TaskVersion:
    for version in task.versions:
        if version.version == task.current_version:
            return version
    raise NotFound(f"task {task.id!r} has no version {task.current_version}")


def get_version(task: Task, number: int) -> TaskVersion:
    for version in task.versions:
        if version.version == number:
            return version
    raise NotFound(f"task {task.id!r} has no version {number}")


def create_task(session: Session, data: TaskCreate) -> Task:
    if session.get(Task, data.id) is not None:
        raise Conflict(f"a task with id {data.id!r} already exists; update it with PATCH instead")
    ensure_family(session, data.family)
    task = Task(id=data.id, family_id=data.family, title=data.title, tags=sorted(set(data.tags)))
    session.add(task)
    _new_version(task, 1, data)
    for baseline in data.baselines:
        task.baselines.append(_baseline_row(task.id, baseline))
    refresh_task_human_time(task)
    session.flush()
    return task


def content_of(version: TaskVersion) -> TaskContent:
    return TaskContent.model_validate(
        {
            "instructions": version.instructions,
            "environment": version.environment,
            "scorer": version.scorer,
            "solution": version.solution,
            "limits": version.limits,
            "time_limit_s": version.time_limit_s,
        }
    )


def update_task(session: Session, task_id: str, data: TaskUpdate) -> tuple[Task, bool]:
    """Apply changes; returns (task, whether a new version was created)."""
    task = get_task(session, task_id)
    if data.title is not None:
        task.title = data.title
    if data.tags is not None:
        task.tags = sorted(set(data.tags))
    latest = current_version(task)
    changes = {
        k: v
        for k, v in data.model_dump(mode="json", exclude_unset=True).items()
        if k in TaskContent.model_fields
    }
    try:
        merged = TaskContent.model_validate({**content_of(latest).model_dump(mode="json"), **changes})
    except ValidationError as exc:
        # Each part was valid alone; together they break a whole-task limit (size, file count).
        reasons = "; ".join(str(e["msg"]).removeprefix("Value error, ") for e in exc.errors()[:5])
        raise InvalidInput(f"the changed task is not valid: {reasons}") from None
    created = False
    if version_hash(merged) != latest.content_hash:
        number = max(v.version for v in task.versions) + 1
        _new_version(task, number, merged)
        task.current_version = number
        created = True
    task.updated_at = utcnow()
    session.flush()
    return task, created


def list_tasks(
    session: Session,
    *,
    q: str | None = None,
    tag: str | None = None,
    family: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Task], int]:
    stmt = select(Task)
    if q:
        pattern = f"%{q.lower()}%"
        stmt = stmt.where(or_(func.lower(Task.id).like(pattern), func.lower(Task.title).like(pattern)))
    if family:
        stmt = stmt.where(Task.family_id == family)
    rows = list(session.scalars(stmt.order_by(Task.id)))
    if tag:
        # Tags are a JSON list; filtering in Python keeps one code path for SQLite and Postgres.
        rows = [t for t in rows if tag in (t.tags or [])]
    return rows[offset : offset + limit], len(rows)


def tasks_with_tags(session: Session, tags: list[str]) -> list[Task]:
    wanted = set(tags)
    return [t for t in session.scalars(select(Task).order_by(Task.id)) if wanted & set(t.tags or [])]


def _baseline_row(task_id: str, data: BaselineCreate) -> HumanBaseline:
    return HumanBaseline(
        task_id=task_id,
        task_version=data.task_version,
        baseliner=data.baseliner,
        minutes=data.minutes,
        succeeded=data.succeeded,
        source=data.source,
        notes=data.notes,
        recorded_at=data.recorded_at or utcnow(),
    )


def add_baseline(session: Session, task_id: str, data: BaselineCreate) -> HumanBaseline:
    task = get_task(session, task_id)
    if data.task_version is not None:
        get_version(task, data.task_version)
    row = _baseline_row(task.id, data)
    task.baselines.append(row)
    refresh_task_human_time(task)
    session.flush()
    enqueue_after_commit(session, JOB_RECOMPUTE_HUMAN_TIME, task.id)
    return row


def delete_baseline(session: Session, task_id: str, baseline_id: int) -> None:
    task = get_task(session, task_id)
    row = next((b for b in task.baselines if b.id == baseline_id), None)
    if row is None:
        raise NotFound(f"task {task_id!r} has no baseline {baseline_id}")
    task.baselines.remove(row)
    session.delete(row)
    refresh_task_human_time(task)
    session.flush()
    enqueue_after_commit(session, JOB_RECOMPUTE_HUMAN_TIME, task.id)


def recompute_human_time(session: Session, task_id: str) -> None:
    """Idempotent: derive the task's human time from its baselines and store it."""
    task = session.get(Task, task_id, options=[selectinload(Task.baselines)])
    if task is None:
        return  # deleted since the job was sent; nothing to do
    refresh_task_human_time(task)
    session.flush()
