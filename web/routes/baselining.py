"""Human baselining: pick a task, time an attempt (start, pause, resume), submit an answer.

Every button posts a transition; the server stamps it and computes the active time from the
stored events. The page's clock only displays the server's figure plus the seconds since the page
loaded while running; it never sends a duration back. While visible it posts a heartbeat every
minute; without one for HORIZON_BASELINE_IDLE_PAUSE_S the attempt counts as paused.
Attempts belong to the token that started them (its owner or an admin may open them).

When the app has live sandboxes (`core.live_sandbox.LiveSandboxes`, given by the CLI), starting
the clock opens the task's own sandbox for the attempt: the page gets a terminal (a WebSocket to a
pty shell as the sandbox's `agent` user) and an editor for the work directory, and Submit scores
the attempt in that sandbox. Only the attempt's owner or an admin reaches them, a WebSocket only
from this server's own pages (its Origin), and only while the clock runs: a paused or ended
attempt's terminal is closed with code 4409 and its file calls answer 409.
"""

from __future__ import annotations

import asyncio
import json
import posixpath
import threading
from typing import Any

from fastapi import APIRouter, Depends, Request, WebSocket
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from core import live_sandbox as live_rules
from core.db import session_scope
from core.errors import Conflict, HorizonError, InvalidInput, NotFound, PermissionDenied
from core.live_sandbox import LiveSandboxes, SandboxGone, Shell
from core.models import Task, TaskVersion
from core.models_baselining import BaseliningAttempt
from core.services import baselining as svc
from core.services import tasks as task_svc
from core.states import OPEN_ATTEMPT_STATUSES, AttemptStatus, Role
from web.auth import COOKIE_NAME, WebUser, read_session, user_for_session
from web.deps import Csrf, DbDep, Submitter, settings_of
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


def live_of(app: Any) -> LiveSandboxes | None:
    """The app's live sandboxes for baselining, if it was built with them."""
    live: LiveSandboxes | None = getattr(app.state, "live_sandboxes", None)
    return live


def why_not(app: Any, task: Task) -> str | None:
    """Why `task` cannot be baselined on this server (plain words), or None."""
    version = next((v for v in task.versions if v.version == task.current_version), None)
    return live_rules.cannot_run_reason(task.tags or [], version, live=live_of(app) is not None)


# The task list is searchable; a page lists at most this many tasks (a search narrows it).
BASELINING_LIST_LIMIT = 300


@router.get("/baselining")
def baselining_home(request: Request, db: DbDep, user: Submitter, q: str = "") -> Response:
    """Tasks to baseline (searchable) and the person's recent attempts."""
    stmt = select(Task).order_by(Task.id).limit(BASELINING_LIST_LIMIT + 1)
    if q.strip():
        stmt = stmt.where(Task.id.ilike(f"%{q.strip()}%") | Task.title.ilike(f"%{q.strip()}%"))
    tasks = list(db.scalars(stmt))
    more = len(tasks) > BASELINING_LIST_LIMIT
    blocked = {t.id: why_not(request.app, t) for t in tasks[:BASELINING_LIST_LIMIT]}
    return render(
        request,
        "baselining.html",
        {
            # Tasks a person can baseline here first; the others folded away with their reason.
            "tasks": [t for t in tasks[:BASELINING_LIST_LIMIT] if not blocked[t.id]],
            "unavailable": [t for t in tasks[:BASELINING_LIST_LIMIT] if blocked[t.id]],
            "more": more,
            "blocked": blocked,
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
            "blocked": why_not(request.app, task),
            "live": live_of(request.app) is not None,
            "attempts": svc.list_attempts(db, token_id=user.token_id, task_id=task.id, limit=20),
        },
    )


@router.post("/baselining/start", dependencies=[Csrf])
def start(request: Request, db: DbDep, user: Submitter, data: FormData = FormDep) -> Response:
    """Start a timed attempt at a task."""
    task_id = str(data.get("task_id") or "")
    reason = why_not(request.app, task_svc.get_task(db, task_id))
    if reason:
        raise Conflict(reason)
    live = live_of(request.app)
    if live is None:
        attempt = svc.start_attempt(db, task_id, user.name, token_id=user.token_id)
        return redirect(f"/baselining/attempts/{attempt.id}")
    opened: list[int] = []

    def open_sandbox(attempt: BaseliningAttempt, version: TaskVersion) -> None:
        opened.append(attempt.id)
        live.open(attempt.id, version)

    try:
        attempt = svc.start_attempt(db, task_id, user.name, token_id=user.token_id, open_sandbox=open_sandbox)
        db.commit()  # the clock runs from here; the sandbox belongs to a stored attempt
    except BaseException:
        db.rollback()  # nothing stored: the error page's answer must not commit a half-made attempt
        for attempt_id in opened:
            live.close(attempt_id)
        raise
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
            "live": svc.is_live(attempt),
            "workdir": (version.environment or {}).get("workdir") or "",
            "max_file_bytes": live_rules.MAX_FILE_BYTES,
        },
    )


@router.post("/baselining/attempts/{attempt_id}/{action}", dependencies=[Csrf])
def attempt_action(
    request: Request, attempt_id: RowId, action: str, db: DbDep, user: Submitter, data: FormData = FormDep
) -> Response:
    """Pause, resume, submit, abandon, rescore or keep alive an attempt."""
    if action not in ACTIONS:
        raise NotFound(f"unknown action {action!r}")
    live = live_of(request.app)
    if action == "pause":
        attempt = svc.pause_attempt(db, attempt_id, user)
        if live is not None:
            db.commit()
            live.lock(attempt_id)  # the terminal closes now; the page shows it locked
    elif action == "resume":
        attempt = svc.resume_attempt(db, attempt_id, user)
    elif action == "abandon":
        attempt = svc.abandon_attempt(db, attempt_id, user)
        if live is not None and svc.is_live(attempt):
            db.commit()
            live.close(attempt_id)
    elif action == "rescore":
        attempt = svc.rescore_attempt(db, attempt_id, user)
    elif action == "heartbeat":
        # Sent by the page every minute while it is visible (web/static/app.js).
        state = state_json(svc.heartbeat(db, attempt_id, user))
        return JSONResponse(state, headers={"Cache-Control": "no-store"})
    else:
        answer = data.get("answer")
        attempt = svc.submit_attempt(db, attempt_id, user, answer if isinstance(answer, str) else "")
        if svc.is_live(attempt):
            # Scored in its own sandbox, by this server, once the submit is stored.
            db.commit()
            if live is None:
                raise SandboxGone("this server has no sandboxes for baselining; the attempt cannot be scored")
            live.score(attempt_id)
    if wants_json(request):
        return JSONResponse(state_json(attempt))
    return redirect(f"/baselining/attempts/{attempt_id}")


# ---------------------------------------------------------------- live sandbox: editor and terminal


def _live_json(fn: Any) -> JSONResponse:
    """Run an editor call; domain errors answer as JSON with their status (413 too large, 415 not
    text, 503 no sandbox, 409 paused or ended)."""
    try:
        return JSONResponse(fn(), headers={"Cache-Control": "no-store"})
    except HorizonError as exc:
        status = 400
        for cls, code in (
            (live_rules.TooLarge, 413),
            (live_rules.NotText, 415),
            (SandboxGone, 503),
            (NotFound, 404),
            (Conflict, 409),
            (PermissionDenied, 403),
            (InvalidInput, 422),
        ):
            if isinstance(exc, cls):
                status = code
                break
        return JSONResponse(
            {"detail": exc.message}, status_code=status, headers={"Cache-Control": "no-store"}
        )


def _working(request: Request, db: Session, attempt_id: int, user: WebUser) -> LiveSandboxes:
    """The live sandboxes, once the attempt is the user's (or an admin's), has one, and its
    clock runs: a paused or ended attempt's work directory is locked (409)."""
    attempt = _owned(db, attempt_id, user)
    if not svc.is_live(attempt):
        raise NotFound(f"attempt {attempt_id} has no sandbox (it times a written answer)")
    state = svc.timer_state(attempt)
    if state.status != AttemptStatus.ACTIVE:
        raise Conflict(f"attempt {attempt_id} is {state.status}: its sandbox is locked until it is resumed")
    live = live_of(request.app)
    if live is None:
        raise SandboxGone("this server has no sandboxes for baselining")
    return live


@router.get("/baselining/attempts/{attempt_id}/workdir")
def workdir_list(request: Request, attempt_id: RowId, db: DbDep, user: Submitter) -> JSONResponse:
    """The work directory's files and folders, for the editor."""

    def run() -> dict[str, Any]:
        entries, cut = _working(request, db, attempt_id, user).list_files(attempt_id)
        return {"entries": [e.__dict__ for e in entries], "cut": cut}

    return _live_json(run)


@router.get("/baselining/attempts/{attempt_id}/workdir/file")
def workdir_read(
    request: Request, attempt_id: RowId, db: DbDep, user: Submitter, path: str = ""
) -> JSONResponse:
    """One text file of the work directory, for the editor."""

    def run() -> dict[str, Any]:
        live = _working(request, db, attempt_id, user)
        clean = live_rules.clean_path(path)
        return {"path": clean, "text": live_rules.text_of(live.read_file(attempt_id, clean))}

    return _live_json(run)


@router.post("/baselining/attempts/{attempt_id}/workdir/file", dependencies=[Csrf])
def workdir_save(
    request: Request, attempt_id: RowId, db: DbDep, user: Submitter, data: FormData = FormDep
) -> JSONResponse:
    """Save a text file of the work directory (form fields `path` and `text`) or upload one
    (`upload`, a file; saved under its name in the folder `path`, or the top when empty)."""

    def run() -> dict[str, Any]:
        live = _working(request, db, attempt_id, user)
        path = data.get("path")
        path = path if isinstance(path, str) else ""
        upload = data.get("upload")
        if isinstance(upload, UploadFile):
            content = upload.file.read(live_rules.MAX_FILE_BYTES + 1)
            name = posixpath.basename(upload.filename or "")
            target = live_rules.clean_path(posixpath.join(path, name) if path.strip() else name)
        else:
            text = data.get("text")
            if not isinstance(text, str):
                raise InvalidInput("the form needs `text` (the file's content) or `upload` (a file)")
            content = text.encode("utf-8")
            target = live_rules.clean_path(path)
        if len(content) > live_rules.MAX_FILE_BYTES:
            raise live_rules.TooLarge(f"the file is larger than {live_rules.MAX_FILE_BYTES:,} bytes")
        live_rules.text_of(content)  # text files only
        live.write_file(attempt_id, target, content)
        return {"path": target, "bytes": len(content)}

    return _live_json(run)


# The terminal's messages from the page: JSON {"t": "i", "d": text typed} or {"t": "r", "rows",
# "cols"}; bounded. The server sends the shell's output as binary frames.
MAX_TERMINAL_MESSAGE = 64 * 1024
MAX_ROWS, MAX_COLS = 200, 500
STATE_CHECK_S = 1.0


def _origin_ok(websocket: WebSocket) -> bool:
    """A browser sends its page's origin: it must be this server's own (the WebSocket's CSRF
    check: a page of another site cannot open the terminal with the person's cookie)."""
    origin = websocket.headers.get("origin")
    host = websocket.headers.get("host")
    return bool(origin and host) and origin in (f"http://{host}", f"https://{host}")


def _terminal_check(websocket: WebSocket, attempt_id: int) -> tuple[int, str] | None:
    """None when the cookie's user may type into this attempt's terminal now; else the close
    code and reason."""
    settings = settings_of(websocket)  # type: ignore[arg-type]
    session = read_session(websocket.cookies.get(COOKIE_NAME), settings)
    with session_scope(settings) as db:
        user = user_for_session(db, session.session_id)
        if not user.signed_in or not user.can(Role.SUBMITTER):
            return live_rules.CLOSE_FORBIDDEN, "sign in with a submitter's token"
        try:
            attempt = _owned(db, attempt_id, user)
        except NotFound:
            return live_rules.CLOSE_NOT_FOUND, "no such attempt"
        except PermissionDenied:
            return live_rules.CLOSE_FORBIDDEN, "not your attempt"
        if not svc.is_live(attempt):
            return live_rules.CLOSE_NOT_FOUND, "this attempt has no sandbox"
        status = svc.timer_state(attempt).status
        if status != AttemptStatus.ACTIVE:
            return live_rules.CLOSE_LOCKED, f"locked: the attempt is {status}"
    return None


async def _refuse(websocket: WebSocket, code: int, reason: str, accepted: bool) -> None:
    if not accepted:
        await websocket.accept()  # so the page reads the code and reason (not a failed handshake)
    await websocket.close(code=code, reason=reason[:120])


def _size(value: Any, default: int, top: int) -> int:
    try:
        return max(2, min(top, int(value)))
    except (TypeError, ValueError):
        return default


@router.websocket("/baselining/attempts/{attempt_id}/terminal")
async def terminal(websocket: WebSocket, attempt_id: int) -> None:
    """The attempt's terminal: a pty shell as `agent` in the work directory of its sandbox, while
    its clock runs. Closed with 4409 when the attempt is paused or ended, 4403 for anyone but its
    owner or an admin (or a page of another origin), 4503 when the sandbox cannot be reached."""
    if not _origin_ok(websocket):
        await websocket.close(code=live_rules.CLOSE_FORBIDDEN)
        return
    if not 0 < attempt_id < 2**63:
        await _refuse(websocket, live_rules.CLOSE_NOT_FOUND, "no such attempt", accepted=False)
        return
    refused = await asyncio.to_thread(_terminal_check, websocket, attempt_id)
    if refused is not None:
        await _refuse(websocket, *refused, accepted=False)
        return
    live = live_of(websocket.app)
    if live is None:
        await _refuse(websocket, live_rules.CLOSE_UNAVAILABLE, "no sandboxes on this server", accepted=False)
        return
    rows = _size(websocket.query_params.get("rows"), 24, MAX_ROWS)
    cols = _size(websocket.query_params.get("cols"), 80, MAX_COLS)
    try:
        shell = await asyncio.to_thread(live.shell, attempt_id, rows, cols)
    except SandboxGone as exc:
        await _refuse(websocket, live_rules.CLOSE_UNAVAILABLE, exc.message, accepted=False)
        return
    await websocket.accept()
    try:
        await _pump(websocket, shell, attempt_id)
    finally:
        shell.close()


async def _pump(websocket: WebSocket, shell: Shell, attempt_id: int) -> None:
    loop = asyncio.get_running_loop()
    output: asyncio.Queue[bytes] = asyncio.Queue()
    done = threading.Event()

    def read() -> None:  # a thread: Docker's exec socket blocks
        while not done.is_set():
            data = shell.recv(0.5)
            if data is None:
                continue
            loop.call_soon_threadsafe(output.put_nowait, data)
            if not data:
                return

    reader = threading.Thread(target=read, name=f"terminal-{attempt_id}", daemon=True)
    reader.start()

    async def send_output() -> tuple[int, str]:
        while True:
            data = await output.get()
            if not data:
                refused = await asyncio.to_thread(_terminal_check, websocket, attempt_id)
                return refused or (1000, "the shell ended")
            await websocket.send_bytes(data)

    async def take_input() -> tuple[int, str]:
        while True:
            received = await websocket.receive()
            if received["type"] == "websocket.disconnect":
                return 1000, "closed"
            message = received.get("text")
            if not isinstance(message, str):
                return 1003, "messages are JSON text"
            if len(message) > MAX_TERMINAL_MESSAGE:
                return 1009, "message too large"
            try:
                parsed = json.loads(message)
            except ValueError:
                return 1003, "messages are JSON"
            if not isinstance(parsed, dict):
                return 1003, "messages are JSON objects"
            if parsed.get("t") == "i" and isinstance(parsed.get("d"), str):
                await asyncio.to_thread(shell.send, parsed["d"].encode("utf-8", "replace"))
            elif parsed.get("t") == "r":
                rows = _size(parsed.get("rows"), 24, MAX_ROWS)
                cols = _size(parsed.get("cols"), 80, MAX_COLS)
                await asyncio.to_thread(shell.resize, rows, cols)

    async def watch() -> tuple[int, str]:
        # Paused (by the button, in another tab, or idle), submitted or abandoned: locked.
        while True:
            await asyncio.sleep(STATE_CHECK_S)
            refused = await asyncio.to_thread(_terminal_check, websocket, attempt_id)
            if refused is not None:
                return refused

    tasks = [asyncio.ensure_future(t()) for t in (send_output, take_input, watch)]
    try:
        finished, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        code, reason = next(iter(finished)).result()
    finally:
        done.set()
        for task in tasks:
            task.cancel()
        shell.close()
    try:
        await websocket.close(code=code, reason=reason[:120])
    except RuntimeError:
        pass  # the page already closed it
