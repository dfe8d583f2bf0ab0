"""Tasks, versions and human baselines."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import object_session

from api.deps import Caller, SessionDep, reader, submitter
from core.models import Task
from core.ownership import owner_name
from core.schemas import (
    BaselineCreate,
    BaselineOut,
    HumanTimeOut,
    Page,
    TaskCreate,
    TaskOut,
    TaskSummary,
    TaskUpdate,
    TaskVersionOut,
)
from core.services import health_requests
from core.services import tasks as svc
from core.services.human_time import live_baselines
from core.services.tasks import TaskSort
from web.params import Offset, RowId

router = APIRouter(prefix="/api/tasks", tags=["tasks"])


def summary(task: Task) -> TaskSummary:
    """A task as lists show it."""
    return TaskSummary(
        id=task.id,
        family=task.family_id,
        title=task.title,
        tags=task.tags or [],
        current_version=task.current_version,
        human_time=HumanTimeOut(
            minutes=task.human_minutes,
            source=task.human_minutes_source,  # type: ignore[arg-type]
            n_successful_baselines=task.n_successful_baselines,
        ),
        created_at=task.created_at,
        updated_at=task.updated_at,
        owner=owner_name(object_session(task), task.owner_token_id),
    )


def full(task: Task, caller: Caller) -> TaskOut:
    """A task with its current version (answers only for those who may change it) and live baselines."""
    return TaskOut(
        **summary(task).model_dump(),
        version=TaskVersionOut.of(svc.current_version(task), private=svc.may_see_private(task, caller)),
        baselines=[BaselineOut.model_validate(b) for b in live_baselines(task.baselines)],
    )


@router.get("", response_model=Page[TaskSummary])
def list_tasks(
    session: SessionDep,
    q: str | None = Query(None, max_length=200, description="Search in id and title."),
    tag: str | None = Query(None, max_length=100),
    family: str | None = Query(None, max_length=200),
    min_minutes: float | None = Query(None, ge=0, le=1e7, description="Human time at least this."),
    max_minutes: float | None = Query(None, gt=0, le=1e7, description="Human time below this."),
    sort: TaskSort = Query("id", description="Order: id, family, human_time, updated; '-' reverses."),
    limit: int = Query(50, ge=1, le=1000),
    offset: Offset = 0,
    _: Caller = Depends(reader),
) -> Page[TaskSummary]:
    """List tasks, filtered by a search in id and title, a tag, a family or a human-time range."""
    rows, total = svc.list_tasks(
        session,
        q=q,
        tag=tag,
        family=family,
        min_minutes=min_minutes,
        max_minutes=max_minutes,
        sort=sort,
        limit=limit,
        offset=offset,
    )
    return Page(items=[summary(t) for t in rows], total=total, limit=limit, offset=offset)


@router.post("", response_model=TaskOut, status_code=201)
def create_task(data: TaskCreate, session: SessionDep, caller: Caller = Depends(submitter)) -> TaskOut:
    """Create a task with its first version and any baselines; you own it."""
    return full(svc.create_task(session, data, owner_token_id=caller.token_id), caller)


# Task ids may contain "/", so the suffixed routes are declared before the bare one.
@router.get("/{task_id:path}/versions", response_model=list[TaskVersionOut])
def list_versions(
    task_id: str, session: SessionDep, caller: Caller = Depends(reader)
) -> list[TaskVersionOut]:
    """List the task's versions. The scorer and solution are shown only to those who may change the task."""
    task = svc.get_task(session, task_id)
    private = svc.may_see_private(task, caller)
    return [TaskVersionOut.of(v, private=private) for v in task.versions]


@router.get("/{task_id:path}/versions/{version}", response_model=TaskVersionOut)
def get_version(
    task_id: str, version: RowId, session: SessionDep, caller: Caller = Depends(reader)
) -> TaskVersionOut:
    """One version of the task. The scorer and solution are shown only to those who may change the task."""
    task = svc.get_task(session, task_id)
    return TaskVersionOut.of(svc.get_version(task, version), private=svc.may_see_private(task, caller))


@router.get("/{task_id:path}/baselines", response_model=list[BaselineOut])
def list_baselines(
    task_id: str,
    session: SessionDep,
    include_deleted: bool = Query(
        False, description="Also list deleted baselines (kept for audit, open to every reader)."
    ),
    _: Caller = Depends(reader),
) -> list[BaselineOut]:
    """List the task's human baselines and estimates."""
    rows = svc.list_baselines(session, task_id, include_deleted=include_deleted)
    return [BaselineOut.model_validate(b) for b in rows]


@router.post("/{task_id:path}/baselines", response_model=BaselineOut, status_code=201)
def add_baseline(
    task_id: str, data: BaselineCreate, session: SessionDep, caller: Caller = Depends(submitter)
) -> BaselineOut:
    """Record a baseline or an estimate by hand; the response names the caller as `recorded_by`.
    Timed baselines (source `timed`) are made only by the server, from a baselining attempt."""
    row = svc.add_baseline(session, task_id, data, recorded_by=caller.token_id)
    return BaselineOut.model_validate(row)


@router.delete("/{task_id:path}/baselines/{baseline_id}", status_code=204)
def delete_baseline(
    task_id: str, baseline_id: RowId, session: SessionDep, caller: Caller = Depends(submitter)
) -> Response:
    """Soft-delete (kept for audit): its recorder or an admin; a timed baseline, only an admin."""
    svc.delete_baseline(session, task_id, baseline_id, actor=caller)
    return Response(status_code=204)


class HealthCheckRequestOut(BaseModel):
    """A health check asked for and queued: a worker runs it and stores its outcome."""

    task_id: str
    version: int = Field(description="The task version to be checked (the current one).")
    status: str = Field(description="`queued`.")
    requested_at: dt.datetime


@router.post("/{task_id:path}/health-check", response_model=HealthCheckRequestOut, status_code=202)
def request_health_check(
    task_id: str, session: SessionDep, caller: Caller = Depends(submitter)
) -> HealthCheckRequestOut:
    """Queue a health check of the task's current version (its owner or an admin): the oracle must
    pass 3 times and doing nothing must fail, as `horizon tasks check` does; the task page shows the
    outcome. 409 for a task that cannot run here or with a check already queued or running; 429
    past the token's HORIZON_QUOTA_HEALTH_CHECKS."""
    pending = health_requests.request_check(session, task_id, caller)
    return HealthCheckRequestOut(
        task_id=pending.task_id,
        version=pending.version,
        status=pending.state,
        requested_at=pending.requested_at,
    )


@router.get("/{task_id:path}", response_model=TaskOut)
def get_task(task_id: str, session: SessionDep, caller: Caller = Depends(reader)) -> TaskOut:
    """The task with its current version and baselines. The scorer and solution are shown only to those who
    may change the task."""
    return full(svc.get_task(session, task_id), caller)


@router.patch("/{task_id:path}", response_model=TaskOut)
def update_task(
    task_id: str,
    data: TaskUpdate,
    response: Response,
    session: SessionDep,
    caller: Caller = Depends(submitter),
) -> TaskOut:
    """Change a task (its owner or an admin). A content change makes a new version; the X-Horizon-New-Version
    header says whether one was made."""
    task, created = svc.update_task(session, task_id, data, actor=caller)
    response.headers["X-Horizon-New-Version"] = "true" if created else "false"
    return full(task, caller)
