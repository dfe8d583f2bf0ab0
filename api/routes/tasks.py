"""Tasks, versions and human baselines."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Response

from api.deps import Caller, SessionDep, reader, submitter
from api.params import Offset, RowId
from core.models import Task
from core.schemas import (
    BaselineCreate,
    BaselineOut,
    HumanTime,
    Page,
    TaskCreate,
    TaskOut,
    TaskSummary,
    TaskUpdate,
    TaskVersionOut,
)
from core.services import tasks as svc

router = APIRouter(prefix="/api/tasks", tags=["tasks"])


def summary(task: Task) -> TaskSummary:
    return TaskSummary(
        id=task.id,
        family=task.family_id,
        title=task.title,
        tags=task.tags or [],
        current_version=task.current_version,
        human_time=HumanTime(
            minutes=task.human_minutes,
            source=task.human_minutes_source,  # type: ignore[arg-type]
            n_successful_baselines=task.n_successful_baselines,
        ),
        created_at=task.created_at,
        updated_at=task.updated_at,
    )


def full(task: Task) -> TaskOut:
    return TaskOut(
        **summary(task).model_dump(),
        version=TaskVersionOut.model_validate(svc.current_version(task)),
        baselines=[BaselineOut.model_validate(b) for b in task.baselines],
    )


@router.get("", response_model=Page[TaskSummary])
def list_tasks(
    session: SessionDep,
    q: str | None = Query(None, max_length=200, description="Search in id and title."),
    tag: str | None = Query(None, max_length=100),
    family: str | None = Query(None, max_length=200),
    limit: int = Query(50, ge=1, le=1000),
    offset: Offset = 0,
    _: Caller = Depends(reader),
) -> Page[TaskSummary]:
    rows, total = svc.list_tasks(session, q=q, tag=tag, family=family, limit=limit, offset=offset)
    return Page(items=[summary(t) for t in rows], total=total, limit=limit, offset=offset)


@router.post("", response_model=TaskOut, status_code=201)
def create_task(data: TaskCreate, session: SessionDep, _: Caller = Depends(submitter)) -> TaskOut:
    return full(svc.create_task(session, data))


# Task ids may contain "/", so the suffixed routes are declared before the bare one.
@router.get("/{task_id:path}/versions", response_model=list[TaskVersionOut])
def list_versions(task_id: str, session: SessionDep, _: Caller = Depends(reader)) -> list[TaskVersionOut]:
    return [TaskVersionOut.model_validate(v) for v in svc.get_task(session, task_id).versions]


@router.get("/{task_id:path}/versions/{version}", response_model=TaskVersionOut)
def get_version(
    task_id: str, version: RowId, session: SessionDep, _: Caller = Depends(reader)
) -> TaskVersionOut:
    return TaskVersionOut.model_validate(svc.get_version(svc.get_task(session, task_id), version))


@router.get("/{task_id:path}/baselines", response_model=list[BaselineOut])
def list_baselines(task_id: str, session: SessionDep, _: Caller = Depends(reader)) -> list[BaselineOut]:
    return [BaselineOut.model_validate(b) for b in svc.get_task(session, task_id).baselines]


@router.post("/{task_id:path}/baselines", response_model=BaselineOut, status_code=201)
def add_baseline(
    task_id: str, data: BaselineCreate, session: SessionDep, _: Caller = Depends(submitter)
) -> BaselineOut:
    return BaselineOut.model_validate(svc.add_baseline(session, task_id, data))


@router.delete("/{task_id:path}/baselines/{baseline_id}", status_code=204)
def delete_baseline(
    task_id: str, baseline_id: RowId, session: SessionDep, _: Caller = Depends(submitter)
) -> Response:
    svc.delete_baseline(session, task_id, baseline_id)
    return Response(status_code=204)


@router.get("/{task_id:path}", response_model=TaskOut)
def get_task(task_id: str, session: SessionDep, _: Caller = Depends(reader)) -> TaskOut:
    return full(svc.get_task(session, task_id))


@router.patch("/{task_id:path}", response_model=TaskOut)
def update_task(
    task_id: str, data: TaskUpdate, response: Response, session: SessionDep, _: Caller = Depends(submitter)
) -> TaskOut:
    task, created = svc.update_task(session, task_id, data)
    response.headers["X-Horizon-New-Version"] = "true" if created else "false"
    return full(task)
