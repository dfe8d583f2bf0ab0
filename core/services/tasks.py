"""Tasks, their versions and human baselines."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any, Literal, get_args

from pydantic import ValidationError
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from core.errors import Conflict, InvalidInput, NotFound
from core.live_sandbox import NO_SANDBOX_TAGS
from core.models import HumanBaseline, Task, TaskFamily, TaskVersion, utcnow
from core.ownership import Actor, check_owner, may_change
from core.queue import enqueue_after_commit
from core.schemas import BaselineCreate, TaskContent, TaskCreate, TaskUpdate
from core.services.human_time import live_baselines, refresh_task_human_time
from core.settings import get_settings
from core.states import BaselineSource, JobName
from core.taskspec import MAX_HUMAN_MINUTES, MIN_HUMAN_MINUTES, content_hash, over_maxima


def version_hash(content: TaskContent) -> str:
    """Everything that changes what a run of the task means: content, limits and time limit."""
    base = content_hash(content.instructions, content.environment, content.scorer, content.solution)
    extra = json.dumps(
        {"limits": content.limits.model_dump(mode="json"), "time_limit_s": content.time_limit_s},
        sort_keys=True,
    )
    return hashlib.sha256((base + extra).encode()).hexdigest()


def check_maxima(session: Session, content: TaskContent) -> None:
    """Refuse limits above the operator's maxima (HORIZON_TASK_MAX_*), for everyone: admins
    change the settings, not the rule. Every edge stores a version through here."""
    settings = session.info.get("settings") or get_settings()
    found = over_maxima(content.limits, content.time_limit_s, settings.task_maxima())
    if found:
        fields = "; ".join(
            f"{key if key == 'time_limit_s' else 'limits.' + key} {message}" for key, message in found
        )
        raise InvalidInput(f"the task asks for more than this server allows: {fields}")


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
    """The task family with this id, created when it is new."""
    family = session.get(TaskFamily, family_id)
    if family is None:
        family = TaskFamily(id=family_id)
        session.add(family)
        session.flush()
    return family


def get_task(session: Session, task_id: str) -> Task:
    """The task with its versions and baselines, or NotFound."""
    task = session.get(Task, task_id, options=[selectinload(Task.versions), selectinload(Task.baselines)])
    if task is None:
        raise NotFound(f"no task with id {task_id!r}")
    return task


def current_version(task: Task) -> TaskVersion:
    """The task's current version."""
    for version in task.versions:
        if version.version == task.current_version:
            return version
    raise NotFound(f"task {task.id!r} has no version {task.current_version}")


def may_see_private(task: Task, actor: Actor) -> bool:
    """The scorer and the reference solution hold the answers: only those who may change the
    task (its owner, admins) read them; every other view shows instructions and environment."""
    return may_change(task.owner_token_id, actor.role, actor.token_id)


def get_version(task: Task, number: int) -> TaskVersion:
    """The task's version with this number, or NotFound."""
    for version in task.versions:
        if version.version == number:
            return version
    raise NotFound(f"task {task.id!r} has no version {number}")


def create_task(session: Session, data: TaskCreate, *, owner_token_id: int | None = None) -> Task:
    """A new task owned by `owner_token_id` (None: task folders and imports, admins only)."""
    if session.get(Task, data.id) is not None:
        raise Conflict(f"a task with id {data.id!r} already exists; update it with PATCH instead")
    check_maxima(session, data)
    ensure_family(session, data.family)
    task = Task(
        id=data.id,
        family_id=data.family,
        title=data.title,
        tags=sorted(set(data.tags)),
        owner_token_id=owner_token_id,
    )
    session.add(task)
    _new_version(task, 1, data)
    for baseline in data.baselines:
        task.baselines.append(_baseline_row(task.id, baseline, recorded_by=owner_token_id))
    refresh_task_human_time(task)
    session.flush()
    return task


def content_of(version: TaskVersion) -> TaskContent:
    """A stored version's content, validated as the API takes it."""
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


def update_task(session: Session, task_id: str, data: TaskUpdate, *, actor: Actor) -> tuple[Task, bool]:
    """Apply changes (its owner or an admin); returns (task, whether a new version was created)."""
    task = get_task(session, task_id)
    check_owner(task.owner_token_id, actor, "task")
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
        check_maxima(session, merged)
        number = max(v.version for v in task.versions) + 1
        _new_version(task, number, merged)
        task.current_version = number
        created = True
    task.updated_at = utcnow()
    session.flush()
    return task, created


# How a task list may be ordered: key -> (columns, descending). Ties fall back to the id.
TaskSort = Literal["id", "family", "human_time", "-human_time", "updated", "-updated"]
TASK_SORTS: dict[TaskSort, tuple[tuple[Any, ...], bool]] = {
    "id": ((Task.id,), False),
    "family": ((Task.family_id, Task.id), False),
    "human_time": ((Task.human_minutes, Task.id), False),
    "-human_time": ((Task.human_minutes, Task.id), True),
    "updated": ((Task.updated_at, Task.id), False),
    "-updated": ((Task.updated_at, Task.id), True),
}
assert set(TASK_SORTS) == set(get_args(TaskSort))


def list_tasks(
    session: Session,
    *,
    q: str | None = None,
    tag: str | None = None,
    family: str | None = None,
    min_minutes: float | None = None,
    max_minutes: float | None = None,
    sort: TaskSort = "id",
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Task], int]:
    """A page of tasks matching the search, tag, family and human-time range [min, max), in the
    order `sort` names (TASK_SORTS; tasks without a human time last), and their total count."""
    stmt = select(Task)
    if q:
        pattern = f"%{q.lower()}%"
        stmt = stmt.where(or_(func.lower(Task.id).like(pattern), func.lower(Task.title).like(pattern)))
    if family:
        stmt = stmt.where(Task.family_id == family)
    if min_minutes is not None:
        stmt = stmt.where(Task.human_minutes >= min_minutes)
    if max_minutes is not None:
        stmt = stmt.where(Task.human_minutes < max_minutes)
    columns, descending = TASK_SORTS[sort]
    order = [Task.human_minutes.is_(None)] + [c.desc() if descending else c for c in columns]
    rows = list(session.scalars(stmt.order_by(*order)))
    if tag:
        # Tags are a JSON list; filtering in Python keeps one code path for SQLite and Postgres.
        rows = [t for t in rows if tag in (t.tags or [])]
    return rows[offset : offset + limit], len(rows)


def task_families(session: Session) -> list[str]:
    """The families that have tasks, by name."""
    return list(session.scalars(select(Task.family_id).distinct().order_by(Task.family_id)))


def runs_here(task: Task) -> bool:
    """False for a task with no environment here: imported with another system's runs (it is run
    and checked there) or marked no-sandbox by its author."""
    return not set(task.tags or ()) & set(NO_SANDBOX_TAGS)


def checkable_task_ids(session: Session) -> list[str]:
    """Ids of the tasks a health check can run here (runs_here)."""
    return [t.id for t in session.scalars(select(Task).order_by(Task.id)) if runs_here(t)]


def tasks_with_tags(session: Session, tags: list[str]) -> list[Task]:
    """Tasks having any of these tags, by id."""
    wanted = set(tags)
    return [t for t in session.scalars(select(Task).order_by(Task.id)) if wanted & set(t.tags or [])]


def _baseline_row(task_id: str, data: BaselineCreate, *, recorded_by: int | None) -> HumanBaseline:
    return HumanBaseline(
        task_id=task_id,
        task_version=data.task_version,
        baseliner=data.baseliner,
        minutes=data.minutes,
        succeeded=data.succeeded,
        source=data.source,
        notes=data.notes,
        recorded_at=data.recorded_at or utcnow(),
        recorded_by_token_id=recorded_by,
    )


def _store_baseline(session: Session, task_id: str, row: HumanBaseline) -> HumanBaseline:
    task = get_task(session, task_id)
    if row.task_version is not None:
        get_version(task, row.task_version)
    task.baselines.append(row)
    refresh_task_human_time(task)
    session.flush()
    enqueue_after_commit(session, JobName.RECOMPUTE_HUMAN_TIME, task.id)
    return row


def add_baseline(
    session: Session, task_id: str, data: BaselineCreate, *, recorded_by: int | None
) -> HumanBaseline:
    """A baseline or estimate recorded by hand by token `recorded_by` (None: the bootstrap admin).
    `data.baseliner` names the person baselined; the recorder is kept apart and always shown."""
    return _store_baseline(session, task_id, _baseline_row(task_id, data, recorded_by=recorded_by))


def add_timed_baseline(
    session: Session,
    task_id: str,
    *,
    attempt_id: int,
    token_id: int | None,
    baseliner: str,
    minutes: float,
    succeeded: bool,
    notes: str,
    recorded_at: dt.datetime | None,
    task_version: int,
) -> HumanBaseline:
    """The baseline of a scored baselining attempt (source `timed`); only the server calls this,
    once per attempt (`human_baselines.attempt_id` is unique). Raises InvalidInput for minutes
    outside the bounds every baseline keeps."""
    if not MIN_HUMAN_MINUTES <= minutes <= MAX_HUMAN_MINUTES:
        raise InvalidInput(
            f"{minutes:g} minutes of active time is outside the bounds of a human time "
            f"({MIN_HUMAN_MINUTES:.4g} to {MAX_HUMAN_MINUTES:,} minutes)"
        )
    row = HumanBaseline(
        task_id=task_id,
        task_version=task_version,
        baseliner=baseliner,
        minutes=minutes,
        succeeded=succeeded,
        source=BaselineSource.TIMED,
        notes=notes,
        recorded_at=recorded_at or utcnow(),
        recorded_by_token_id=token_id,
        attempt_id=attempt_id,
    )
    return _store_baseline(session, task_id, row)


def list_baselines(session: Session, task_id: str, *, include_deleted: bool = False) -> list[HumanBaseline]:
    """The task's baselines, oldest first; deleted ones (kept for audit) only when asked."""
    rows = get_task(session, task_id).baselines
    return list(rows) if include_deleted else live_baselines(rows)


def baseline_owner(row: HumanBaseline) -> int | None:
    """Whose baseline it is for deleting and restoring (core/ownership.py): its recorder's for one
    recorded by hand; nobody's (admins only) for a timed one, which is the server's measurement."""
    return None if row.source == BaselineSource.TIMED else row.recorded_by_token_id


def may_delete_baseline(row: HumanBaseline, actor: Actor) -> bool:
    """Whether `actor` may delete (and restore) this baseline: delete_baseline's rule."""
    return may_change(baseline_owner(row), actor.role, actor.token_id)


def delete_baseline(session: Session, task_id: str, baseline_id: int, *, actor: Actor) -> None:
    """Soft-delete: the row is kept (with who deleted it and when) and stops counting.

    Its recorder or an admin may delete a baseline recorded by hand; a timed baseline is the
    server's measurement, not its recorder's, so only an admin may withdraw it (a person could
    otherwise drop a slow success and time the task again knowing the answer).
    """
    task = get_task(session, task_id)
    row = next((b for b in live_baselines(task.baselines) if b.id == baseline_id), None)
    if row is None:
        raise NotFound(f"task {task_id!r} has no baseline {baseline_id}")
    check_owner(baseline_owner(row), actor, "baseline")
    now = utcnow()
    # Guarded: of two concurrent deletions one wins, the other finds nothing (404).
    result = session.execute(
        update(HumanBaseline)
        .where(HumanBaseline.id == row.id, HumanBaseline.deleted_at.is_(None))
        .values(deleted_at=now, deleted_by_token_id=actor.token_id)
        .execution_options(synchronize_session=False)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        raise NotFound(f"task {task_id!r} has no baseline {baseline_id}")
    set_committed_value(row, "deleted_at", now)
    set_committed_value(row, "deleted_by_token_id", actor.token_id)
    refresh_task_human_time(task)
    session.flush()
    enqueue_after_commit(session, JobName.RECOMPUTE_HUMAN_TIME, task.id)


def restore_baseline(session: Session, task_id: str, baseline_id: int, *, actor: Actor) -> None:
    """Undo a deletion: the baseline counts again. Who may delete it may restore it."""
    task = get_task(session, task_id)
    row = next((b for b in task.baselines if b.id == baseline_id and b.deleted_at is not None), None)
    if row is None:
        raise NotFound(f"task {task_id!r} has no deleted baseline {baseline_id}")
    check_owner(baseline_owner(row), actor, "baseline")
    # Guarded like the deletion: of two concurrent restores one wins, the other finds nothing.
    result = session.execute(
        update(HumanBaseline)
        .where(HumanBaseline.id == row.id, HumanBaseline.deleted_at.is_not(None))
        .values(deleted_at=None, deleted_by_token_id=None)
        .execution_options(synchronize_session=False)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        raise NotFound(f"task {task_id!r} has no deleted baseline {baseline_id}")
    set_committed_value(row, "deleted_at", None)
    set_committed_value(row, "deleted_by_token_id", None)
    refresh_task_human_time(task)
    session.flush()
    enqueue_after_commit(session, JobName.RECOMPUTE_HUMAN_TIME, task.id)


def recompute_human_time(session: Session, task_id: str) -> None:
    """Idempotent: derive the task's human time from its baselines and store it."""
    task = session.get(Task, task_id, options=[selectinload(Task.baselines)])
    if task is None:
        return  # deleted since the job was sent; nothing to do
    refresh_task_human_time(task)
    session.flush()
