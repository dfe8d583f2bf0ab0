"""Tasks: searchable list, task page, the create/edit form (fields or one archive), baselines."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from core.archives import ArchiveError
from core.errors import Conflict, HorizonError, InvalidInput
from core.ownership import check_owner
from core.schemas import BaselineCreate, TaskCreate, TaskUpdate
from core.services import baselining as baselining_svc
from core.services import health_requests
from core.services import tasks as task_svc
from core.services.human_time import live_baselines
from core.states import Role
from web.auth import ANONYMOUS, WebUser
from web.deps import Csrf, DbDep, Submitter, Viewer, require
from web.params import PageNumber
from web.queries import all_tags, latest_health_check, task_success_by_agent
from web.rendering import WebRoute, redirect, render
from web.task_form import (
    GENERAL,
    TaskForm,
    add_validation_errors,
    archive_payload,
    baseline_payloads,
    baseline_rows_index,
    create_payload,
    form_number,
    read_task_form,
    update_payload,
    values_from_task,
)
from web.version_diff import MAX_DIFF_LINES, diff_versions

router = APIRouter(route_class=WebRoute, include_in_schema=False)
PAGE_SIZE = 50
EMPTY_BASELINE_ROWS = 2


async def form_data(request: Request) -> FormData:
    """The parsed form (Starlette caches it, so the CSRF check and this share one parse)."""
    return await request.form()


FormDep = Depends(form_data)
# The role is checked before the CSRF check parses the form: an upload from someone who may not
# submit tasks is refused before its body is read (and spooled to disk).
SUBMITTER_THEN_CSRF = [Depends(require(Role.SUBMITTER)), Csrf]


def task_owner(task_id: str, db: DbDep, user: Submitter) -> None:
    """Only the task's owner or an admin may edit it; checked before the form is read."""
    check_owner(task_svc.get_task(db, task_id).owner_token_id, user, "task")


OWNER_THEN_CSRF = [Depends(require(Role.SUBMITTER)), Depends(task_owner), Csrf]


def task_url(task_id: str) -> str:
    """The task page's URL (task ids may hold slashes)."""
    return "/tasks/" + quote(task_id, safe="/:+")


# The tasks page's human-time ranges (METR's buckets, in minutes): key -> (label, min, max).
HUMAN_TIME_RANGES: dict[str, tuple[str, float | None, float | None]] = {
    "lt1": ("under 1 min", None, 1),
    "1-4": ("1-4 min", 1, 4),
    "4-16": ("4-16 min", 4, 16),
    "16-64": ("16-64 min", 16, 64),
    "64-256": ("1-4 h", 64, 256),
    "256-960": ("4-16 h", 256, 960),
    "ge960": ("16 h or more", 960, None),
}


def sort_links(current: task_svc.TaskSort) -> dict[str, str]:
    """Where each sortable column's header leads: human time shortest first, then longest first;
    updated newest first, then oldest first; id and family one way."""
    return {
        "id": "id",
        "family": "family",
        "human_time": "-human_time" if current == "human_time" else "human_time",
        "updated": "updated" if current == "-updated" else "-updated",
    }


@router.get("/tasks")
def tasks_page(
    request: Request,
    db: DbDep,
    user: Viewer,
    q: str = "",
    tag: str = "",
    family: str = "",
    time: str = "",
    sort: str = "id",
    page: PageNumber = 1,
) -> Response:
    """Tasks, searchable by id, title, tag, family and human time, sortable, a page at a time."""
    order: task_svc.TaskSort = sort if sort in task_svc.TASK_SORTS else "id"
    _, low, high = HUMAN_TIME_RANGES.get(time, ("", None, None))
    rows, total = task_svc.list_tasks(
        db,
        q=q.strip() or None,
        tag=tag.strip() or None,
        family=family.strip() or None,
        min_minutes=low,
        max_minutes=high,
        sort=order,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
    )
    filters = {"q": q, "tag": tag, "family": family, "time": time if time in HUMAN_TIME_RANGES else ""}
    return render(
        request,
        "tasks.html",
        {
            "tasks": rows,
            "total": total,
            **filters,
            "filtered": any(filters.values()),
            "query": urlencode(filters),
            "sort": order,
            "sort_links": sort_links(order),
            "tags": all_tags(db),
            "families": task_svc.task_families(db),
            "ranges": {key: label for key, (label, _, _) in HUMAN_TIME_RANGES.items()},
            "page": page,
            "pages": max(1, -(-total // PAGE_SIZE)),
        },
    )


def _form_page(
    request: Request,
    form: TaskForm,
    *,
    mode: str,
    task: Any = None,
    version: Any = None,
    status_code: int = 200,
) -> Response:
    baselines = list(form.baselines)
    while baselines and not any(baselines[-1].get(k) for k in ("baseliner", "minutes", "notes")):
        baselines.pop()  # trailing empty rows; the blank ones are added back below
    empty = {"baseliner": "", "minutes": "", "succeeded": "yes", "source": "baseline", "notes": ""}
    baselines += [dict(empty) for _ in range(max(1, EMPTY_BASELINE_ROWS - len(baselines)))]
    existing_files = {}
    if version is not None:
        for section in ("environment", "scorer", "solution"):
            spec = getattr(version, section) or {}
            existing_files[section] = sorted((spec.get("files") or {}).keys())
    return render(
        request,
        "task_form.html",
        {
            "form": form,
            "v": form.values,
            "errors": form.errors,
            "baselines": baselines,
            "mode": mode,
            "task": task,
            "existing_files": existing_files,
        },
        status_code=status_code,
    )


def _blank_form() -> TaskForm:
    form = TaskForm()
    form.values = {
        "environment.workdir": "/home/agent",
        "scorer.threshold": "1.0",
        "scorer.timeout_s": "120",
        "limits.cpus": "1",
        "limits.memory_mb": "1024",
        "limits.pids": "256",
        "limits.disk_mb": "1024",
        "time_limit_s": "3600",
    }
    return form


@router.get("/tasks/new")
def new_task_form(request: Request, user: Submitter) -> Response:
    """The form to create a task."""
    return _form_page(request, _blank_form(), mode="create")


def _uploads_lost(form: TaskForm) -> None:
    if form.uploaded_names and form.errors:
        names = ", ".join(form.uploaded_names[:10])
        form.error(GENERAL, f"choose the files again, browsers do not keep them: {names}")


def _read_archive(form: TaskForm, archive: tuple[str, bytes]) -> dict[str, Any] | None:
    """The uploaded archive (its name and bytes) as task input; None, with each problem under the
    upload, when it has any."""
    try:
        return archive_payload(*archive)
    except ArchiveError as exc:
        for message in exc.messages:
            form.error("archive", message)
        return None


@router.post("/tasks/new", dependencies=SUBMITTER_THEN_CSRF)
def create_task(request: Request, db: DbDep, user: Submitter, data: FormData = FormDep) -> Response:
    """Create a task from the form's fields or an archive, or show the form again with what is wrong."""
    form = read_task_form(data)
    payload: dict[str, Any] | None = None
    rows: list[int] | None = None
    if form.archive is not None and not form.errors:
        payload = _read_archive(form, form.archive)
    elif not form.errors:
        payload = create_payload(form)
        rows = baseline_rows_index(form)
    created = None
    if payload is not None and not form.errors:
        try:
            created = task_svc.create_task(
                db, TaskCreate.model_validate(payload), owner_token_id=user.token_id
            )
        except ValidationError as exc:
            if form.archive is not None:
                # The archive's content has no form fields: list the problems under the upload.
                found = TaskForm()
                add_validation_errors(found, exc)
                for name, messages in found.errors.items():
                    for message in messages:
                        form.error("archive", f"{name}: {message}")
            else:
                add_validation_errors(form, exc, rows)
        except Conflict as exc:
            form.error("id", exc.message)
        except HorizonError as exc:
            form.error(GENERAL, exc.message)
    if created is None:
        db.rollback()  # nothing is stored when anything is wrong
        _uploads_lost(form)
        if form.archive is not None:
            # The fields were left empty for the archive: show the usual defaults again.
            form.values = {**_blank_form().values, **{k: v for k, v in form.values.items() if v}}
        return _form_page(request, form, mode="create", status_code=422)
    return redirect(task_url(created.id) + "?created=1")


@router.get("/tasks/{task_id:path}/edit")
def edit_task_form(request: Request, task_id: str, db: DbDep, user: Submitter) -> Response:
    """The form to change a task (its owner or an admin), filled with the current version."""
    task = task_svc.get_task(db, task_id)
    # The form holds the scorer and the solution: only those who may change the task see it.
    check_owner(task.owner_token_id, user, "task")
    version = task_svc.current_version(task)
    form = TaskForm(values=values_from_task(task, version))
    return _form_page(request, form, mode="edit", task=task, version=version)


def _add_baselines(db: Session, task_id: str, form: TaskForm, recorded_by: int | None) -> None:
    for row_index, payload in zip(baseline_rows_index(form), baseline_payloads(form), strict=True):
        try:
            data = BaselineCreate.model_validate(payload)
            task_svc.add_baseline(db, task_id, data, recorded_by=recorded_by)
        except ValidationError as exc:
            add_validation_errors(form, exc, prefix=("baselines", str(row_index)))
        except InvalidInput as exc:
            form.error(f"baselines.{row_index}", exc.message)


@router.post("/tasks/{task_id:path}/edit", dependencies=OWNER_THEN_CSRF)
def edit_task(
    request: Request, task_id: str, db: DbDep, user: Submitter, data: FormData = FormDep
) -> Response:
    """Change a task from the form's fields or an archive, or show the form again with what is wrong."""
    task = task_svc.get_task(db, task_id)
    version = task_svc.current_version(task)
    form = read_task_form(data)
    form.values["id"], form.values["family"] = task.id, task.family_id
    update: dict[str, Any] | None = None
    if form.archive is not None and not form.errors:
        packed = _read_archive(form, form.archive)
        if packed is not None and packed["id"] != task.id:
            form.error("archive", f"the archive holds task {packed['id']!r}, not {task.id!r}")
        elif packed is not None:
            update = {k: v for k, v in packed.items() if k not in ("id", "family", "baselines")}
    elif not form.errors:
        update = update_payload(form, version)
    new_version = False
    if update is not None and not form.errors:
        try:
            _, new_version = task_svc.update_task(db, task.id, TaskUpdate.model_validate(update), actor=user)
        except ValidationError as exc:
            add_validation_errors(form, exc)
        except HorizonError as exc:
            form.error(GENERAL, exc.message)
    if not form.errors and form.archive is None:
        _add_baselines(db, task.id, form, user.token_id)
    if form.errors:
        db.rollback()
        _uploads_lost(form)
        return _form_page(request, form, mode="edit", task=task, version=version, status_code=422)
    return redirect(task_url(task.id) + ("?version=new" if new_version else "?saved=1"))


@router.post("/tasks/{task_id:path}/baselines", dependencies=SUBMITTER_THEN_CSRF)
def add_baseline(
    request: Request, task_id: str, db: DbDep, user: Submitter, data: FormData = FormDep
) -> Response:
    """Record a human baseline or estimate for the task."""
    values = {
        k: str(data.get(k) or "").strip() for k in ("baseliner", "minutes", "succeeded", "source", "notes")
    }
    found = TaskForm()
    payload = {
        "baseliner": values["baseliner"] or user.name,
        "minutes": form_number(values["minutes"]),
        "succeeded": values["succeeded"] or "yes",
        "source": values["source"] or "baseline",
        "notes": values["notes"],
    }
    try:
        # Recorded by the signed-in token, whoever "Who" names (the page shows both).
        task_svc.add_baseline(db, task_id, BaselineCreate.model_validate(payload), recorded_by=user.token_id)
    except ValidationError as exc:
        add_validation_errors(found, exc)
    except InvalidInput as exc:
        found.error(GENERAL, exc.message)
    if found.errors:
        db.rollback()
        return _task_page(
            request, db, task_id, baseline_errors=found.errors, baseline_values=values, status_code=422
        )
    return redirect(task_url(task_id) + "?baseline=added#baselines")


def _baseline_action(
    task_id: str, baseline_id: int, db: Session, user: WebUser, action: Callable[..., None], done: str
) -> Response:
    action(db, task_id, baseline_id, actor=user)
    return redirect(task_url(task_id) + f"?baseline={done}#baselines")


@router.post("/tasks/{task_id:path}/baselines/{baseline_id:int}/delete", dependencies=SUBMITTER_THEN_CSRF)
def delete_baseline(task_id: str, baseline_id: int, db: DbDep, user: Submitter) -> Response:
    """Soft-delete a baseline (kept, with who deleted it): its recorder or an admin; a timed
    baseline, only an admin (core.services.tasks.delete_baseline)."""
    return _baseline_action(task_id, baseline_id, db, user, task_svc.delete_baseline, "deleted")


@router.post("/tasks/{task_id:path}/baselines/{baseline_id:int}/restore", dependencies=SUBMITTER_THEN_CSRF)
def restore_baseline(task_id: str, baseline_id: int, db: DbDep, user: Submitter) -> Response:
    """Undo the deletion of a baseline; the same people may do it as may delete it."""
    return _baseline_action(task_id, baseline_id, db, user, task_svc.restore_baseline, "restored")


@router.post("/tasks/{task_id:path}/health-check", dependencies=OWNER_THEN_CSRF)
def request_health_check(task_id: str, db: DbDep, user: Submitter) -> Response:
    """Queue a health check of the task's current version (its owner or an admin); a worker runs
    it as `horizon tasks check` does and the page shows it pending until its outcome is stored."""
    health_requests.request_check(db, task_id, user)
    return redirect(task_url(task_id) + "?health=queued#health")


def _viewer(request: Request) -> WebUser:
    return getattr(request.state, "user", None) or ANONYMOUS


@router.get("/tasks/{task_id:path}/versions/{version:int}")
def version_page(request: Request, task_id: str, version: int, db: DbDep, user: Viewer) -> Response:
    """One version of the task as it was stored: instructions, files, limits, content hash."""
    task = task_svc.get_task(db, task_id)
    return render(
        request,
        "task_version.html",
        {
            "task": task,
            "version": task_svc.get_version(task, version),
            "private": task_svc.may_see_private(task, _viewer(request)),
            "versions": sorted((v.version for v in task.versions), reverse=True),
            "task_url": task_url(task.id),
        },
    )


@router.get("/tasks/{task_id:path}/versions/{version:int}/diff")
def diff_form(task_id: str, version: int, db: DbDep, user: Viewer, to: int | None = None) -> Response:
    """The version page's compare form: on to the diff of the chosen pair."""
    task = task_svc.get_task(db, task_id)
    other = task_svc.get_version(task, to if to is not None else task.current_version).version
    return redirect(
        f"{task_url(task.id)}/versions/{task_svc.get_version(task, version).version}/diff/{other}"
    )


@router.get("/tasks/{task_id:path}/versions/{version:int}/diff/{other:int}")
def diff_page(request: Request, task_id: str, version: int, other: int, db: DbDep, user: Viewer) -> Response:
    """A unified diff of two versions; the scorer and solution only for those who may see them."""
    task = task_svc.get_task(db, task_id)
    before, after = task_svc.get_version(task, version), task_svc.get_version(task, other)
    private = task_svc.may_see_private(task, _viewer(request))
    return render(
        request,
        "task_diff.html",
        {
            "task": task,
            "old": before,
            "new": after,
            "diff": diff_versions(before, after, private=private),
            "versions": sorted((v.version for v in task.versions), reverse=True),
            "task_url": task_url(task.id),
            "max_lines": MAX_DIFF_LINES,
        },
    )


def _task_page(
    request: Request,
    db: Session,
    task_id: str,
    *,
    baseline_errors: dict[str, list[str]] | None = None,
    baseline_values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    task = task_svc.get_task(db, task_id)
    version = task_svc.current_version(task)
    return render(
        request,
        "task.html",
        {
            "task": task,
            "version": version,
            # Scorer, solution and the oracle's scorer output (health details) hold the answers.
            "private": task_svc.may_see_private(task, _viewer(request)),
            "versions": sorted(task.versions, key=lambda v: v.version, reverse=True),
            "baselines": live_baselines(task.baselines),
            "deleted_baselines": [b for b in task.baselines if b.deleted_at is not None],
            # Which baselines this person may delete or restore (the service's own rule).
            "may_delete": {b.id for b in task.baselines if task_svc.may_delete_baseline(b, _viewer(request))},
            "health": latest_health_check(db, task.id),
            "pending_health": health_requests.pending_check(db, task.id),
            "runs_here": task_svc.runs_here(task),
            "by_agent": task_success_by_agent(db, task.id),
            "attempts": baselining_svc.list_attempts(db, task_id=task.id, limit=20),
            "baseline_errors": baseline_errors or {},
            "baseline_values": baseline_values or {"succeeded": "yes", "source": "baseline"},
            "flash": request.query_params,
        },
        status_code=status_code,
    )


@router.get("/tasks/{task_id:path}")
def task_page(request: Request, task_id: str, db: DbDep, user: Viewer) -> Response:
    """One task: its current version, human time, baselines and agents' results on it."""
    return _task_page(request, db, task_id)
