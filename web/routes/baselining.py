"""Human baselining: pick a task, time an attempt (start, pause, resume), submit an answer.

Every button posts a transition; the server stamps it and computes the active time from the
stored events. The page's clock only displays the server's figure plus the seconds since the page
loaded while running; it never sends a duration back. While visible it posts a heartbeat every
minute; without one for HORIZON_BASELINE_IDLE_PAUSE_S the attempt counts as paused.
Attempts belong to the token that started them (its owner or an admin may open them).
"""

from __future__ import annotations

import posixpath
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from sqlalchemy import select
from starlette.datastructures import FormData

from core.errors import NotFound
from core.models import Task
from core.models_baselining import BaseliningAttempt
from core.services import baselining as svc
from core.services import tasks as task_svc
from core.states import OPEN_ATTEMPT_STATUSES, AttemptStatus
from web.auth import WebUser
from web.deps import Csrf, DbDep, Submitter
from web.params import RowId
from web.rendering import WebRoute, attachment, redirect, render, wants_json

router = APIRouter(route_class=WebRoute, include_in_schema=False)
ACTIONS = ("pause", "resume", "submit", "abandon", "rescore", "heartbeat")


async def form_data(request: Request) -> FormData:
    """The parsed form (Starlette caches it, so the CSRF check and this share one parse)."""
    return await request.form()


FormDep = Depends(form_data)


def state_json(attempt: BaseliningAttempt) -> dict[str, Any]:
    """An attempt's timer as the attempt page's script polls it."""
    state = svc.timer_state(attempt)
    return {
        "id": attempt.id,
        "status": state.status,
        "running": state.running,
        "active_seconds": round(state.active_seconds, 3),
        "score": state.score,
        "succeeded": state.succeeded,
        "minutes": state.minutes,
        "message": state.message,
        "baseline_id": attempt.baseline_id,
        "final": state.status not in (*OPEN_ATTEMPT_STATUSES, AttemptStatus.SCORING),
        "at_limit": state.at_limit,
    }


def _owned(db: Any, attempt_id: int, user: WebUser) -> BaseliningAttempt:
    # By token, never by name; the refusal names nobody.
    attempt = svc.get_attempt(db, attempt_id)
    svc.check_attempt_owner(attempt, user)
    return attempt


@router.get("/baselining")
def baselining_home(request: Request, db: DbDep, user: Submitter, q: str = "") -> Response:
    """Tasks to baseline (searchable) and the person's recent attempts."""
    stmt = select(Task).order_by(Task.id).limit(200)
    if q.strip():
        stmt = stmt.where(Task.id.ilike(f"%{q.strip()}%") | Task.title.ilike(f"%{q.strip()}%"))
    return render(
        request,
        "baselining.html",
        {
            "tasks": list(db.scalars(stmt)),
            "attempts": svc.list_attempts(db, token_id=user.token_id, limit=50),
            "q": q,
        },
    )


@router.get("/baselining/tasks/{task_id:path}")
def baselining_task(request: Request, task_id: str, db: DbDep, user: Submitter) -> Response:
    """Start page of a task's attempt, with the person's earlier attempts at it."""
    task = task_svc.get_task(db, task_id)
    return render(
        request,
        "baselining_start.html",
        {
            "task": task,
            "attempts": svc.list_attempts(db, token_id=user.token_id, task_id=task.id, limit=20),
        },
    )


@router.post("/baselining/start", dependencies=[Csrf])
def start(request: Request, db: DbDep, user: Submitter, data: FormData = FormDep) -> Response:
    """Start a timed attempt at a task."""
    task_id = str(data.get("task_id") or "")
    attempt = svc.start_attempt(db, task_id, user.name, token_id=user.token_id)
    return redirect(f"/baselining/attempts/{attempt.id}")


@router.get("/baselining/attempts/{attempt_id}/state")
def attempt_state(request: Request, attempt_id: RowId, db: DbDep, user: Submitter) -> JSONResponse:
    """The attempt's timer, polled by the attempt page."""
    return JSONResponse(state_json(_owned(db, attempt_id, user)), headers={"Cache-Control": "no-store"})


@router.get("/baselining/attempts/{attempt_id}/files/{path:path}")
def attempt_file(request: Request, attempt_id: RowId, path: str, db: DbDep, user: Submitter) -> Response:
    """An environment file of the task version being timed, to work on locally."""
    attempt = _owned(db, attempt_id, user)
    version = task_svc.get_version(task_svc.get_task(db, attempt.task_id), attempt.task_version)
    files = (version.environment or {}).get("files") or {}
    if path not in files:
        raise NotFound(f"the task has no environment file {path!r}")
    name = posixpath.basename(path) or "file.txt"
    return PlainTextResponse(files[path], headers={"Content-Disposition": attachment(name)})


@router.get("/baselining/attempts/{attempt_id}")
def attempt_page(request: Request, attempt_id: RowId, db: DbDep, user: Submitter) -> Response:
    """The attempt: the task's instructions, the timer and the answer form."""
    attempt = _owned(db, attempt_id, user)
    version = task_svc.get_version(task_svc.get_task(db, attempt.task_id), attempt.task_version)
    task = db.get(Task, attempt.task_id)
    return render(
        request,
        "attempt.html",
        {
            "attempt": attempt,
            "task": task,
            "version": version,
            "state": svc.timer_state(attempt),
            "idle_minutes": svc.idle_pause_s(db) / 60,
            "env_files": sorted(((version.environment or {}).get("files") or {}).keys()),
            "dockerfile": (version.environment or {}).get("dockerfile"),
        },
    )


@router.post("/baselining/attempts/{attempt_id}/{action}", dependencies=[Csrf])
def attempt_action(
    request: Request, attempt_id: RowId, action: str, db: DbDep, user: Submitter, data: FormData = FormDep
) -> Response:
    """Pause, resume, submit, abandon, rescore or keep alive an attempt."""
    if action not in ACTIONS:
        raise NotFound(f"unknown action {action!r}")
    if action == "pause":
        attempt = svc.pause_attempt(db, attempt_id, user)
    elif action == "resume":
        attempt = svc.resume_attempt(db, attempt_id, user)
    elif action == "abandon":
        attempt = svc.abandon_attempt(db, attempt_id, user)
    elif action == "rescore":
        attempt = svc.rescore_attempt(db, attempt_id, user)
    elif action == "heartbeat":
        # Sent by the page every minute while it is visible (web/static/app.js).
        state = state_json(svc.heartbeat(db, attempt_id, user))
        return JSONResponse(state, headers={"Cache-Control": "no-store"})
    else:
        answer = data.get("answer")
        attempt = svc.submit_attempt(db, attempt_id, user, answer if isinstance(answer, str) else "")
    if wants_json(request):
        return JSONResponse(state_json(attempt))
    return redirect(f"/baselining/attempts/{attempt_id}")
