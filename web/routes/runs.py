"""Runs and batches: filtered run lists, the transcript viewer, batch progress and scheduling."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from starlette.datastructures import FormData

from core.errors import HorizonError, NotFound, QuotaExceeded
from core.models import Batch
from core.schemas import BatchCreate
from core.services import batches as batch_svc
from core.services import runs as run_svc
from core.services import transcripts as transcript_svc
from core.services.catalog import list_agents
from core.settings import get_settings
from core.states import FINAL_RUN_STATUSES, Role, RunStatus
from web import format as fmt
from web.deps import Csrf, DbDep, Submitter, Viewer
from web.params import AttemptNumber, Offset, PageNumber, RowId, id_or_name
from web.queries import batch_run_states, batch_status_counts, pickable_tasks
from web.rendering import WebRoute, redirect, render, render_fragment
from web.transcript import event_view, summarize

router = APIRouter(route_class=WebRoute, include_in_schema=False)
PAGE_SIZE = 50
TRANSCRIPT_PAGE_EVENTS = 200
BATCH_PAGE_RUNS = 500


async def form_data(request: Request) -> FormData:
    """The parsed form (Starlette caches it, so the CSRF check and this share one parse)."""
    return await request.form()


FormDep = Depends(form_data)


def _int_or_none(text: str) -> int | None:
    ref = id_or_name(text.strip())
    return ref if isinstance(ref, int) else None


@router.get("/runs")
def runs_page(
    request: Request,
    db: DbDep,
    user: Viewer,
    batch: str = "",
    agent: str = "",
    task: str = "",
    status: str = "",
    sort: str = "-id",
    page: PageNumber = 1,
) -> Response:
    """Runs, filtered by batch, agent, task and status, newest first or sorted by a column, a page
    at a time."""
    filters = {"batch": batch.strip(), "agent": agent.strip(), "task": task.strip(), "status": status.strip()}
    order: run_svc.RunSort = next((s for s in run_svc.RUN_SORTS if s == sort), "-id")
    rows, total = run_svc.list_runs(
        db,
        batch_id=_int_or_none(batch),
        agent=filters["agent"] or None,
        task_id=filters["task"] or None,
        status=filters["status"] if filters["status"] in tuple(RunStatus) else None,
        limit=PAGE_SIZE,
        offset=(page - 1) * PAGE_SIZE,
        sort=order,  # by default the runs a researcher just scheduled, not the first of thousands
    )
    return render(
        request,
        "runs.html",
        {
            "runs": rows,
            "total": total,
            "filters": filters,
            "statuses": tuple(RunStatus),
            "agents": [a.name for a in list_agents(db)],
            "sort": order,
            "query": urlencode({k: v for k, v in filters.items() if v}),
            "page": page,
            "pages": max(1, -(-total // PAGE_SIZE)),
        },
    )


@router.get("/runs/{run_id}")
def run_page(
    request: Request,
    run_id: RowId,
    db: DbDep,
    user: Viewer,
    offset: Offset = 0,
    attempt: AttemptNumber = None,
) -> Response:
    """One run with a page of one attempt's transcript (live while the attempt runs: the page
    polls `/runs/{id}/transcript/events`) and links to every attempt's."""
    run = run_svc.get_run(db, run_id)
    # One page of events: a transcript of 200,000 events took 9 s to render whole.
    page = transcript_svc.transcript_page(
        db, run_id, offset, TRANSCRIPT_PAGE_EVENTS, reader=user, attempt=attempt
    )
    whole = transcript_svc.summary_events(db, run_id, page.attempt, page.total)
    size = TRANSCRIPT_PAGE_EVENTS
    return render(
        request,
        "run.html",
        {
            "run": run,
            "error": run.error if user.can(Role.ADMIN) else run_svc.public_error(run.error),
            "page": page,
            "attempts": _attempt_links(page),
            "attempt_rows": run_svc.attempts_out(db, run_id, full_error=user.can(Role.ADMIN)),
            "events": [event_view(e) for e in page.events],
            "summary": summarize(whole) if whole is not None else None,
            "previous_offset": max(0, offset - size) if offset > 0 else None,
            "last_offset": max(0, page.total - 1) // size * size,
        },
    )


def _attempt_links(page: transcript_svc.TranscriptPage) -> list[int]:
    """The attempts the page links to: those with events, and the one shown (a running attempt
    may have none yet)."""
    shown = [page.attempt] if page.attempt is not None else []
    return sorted(set(page.attempts) | set(shown))


@router.get("/runs/{run_id}/transcript/events")
def transcript_events(
    request: Request,
    run_id: RowId,
    db: DbDep,
    user: Viewer,
    offset: Offset = 0,
    attempt: AttemptNumber = None,
) -> JSONResponse:
    """Polled by the run page while an attempt runs: the page of the API's transcript endpoint,
    each event as the page's HTML (escaped by the template, like the page itself)."""
    page = transcript_svc.transcript_page(
        db, run_id, offset, TRANSCRIPT_PAGE_EVENTS, reader=user, attempt=attempt
    )
    data = page.as_json()
    data["events"] = [render_fragment("transcript_event.html", {"e": event_view(e)}) for e in page.events]
    return JSONResponse(data, headers={"Cache-Control": "no-store"})


@router.get("/batches")
def batches_page(request: Request, db: DbDep, user: Viewer, page: PageNumber = 1) -> Response:
    """Batches with the counts of their runs by status, a page at a time."""
    rows, total = batch_svc.list_batches(db, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    counts = batch_status_counts(db, [b.id for b in rows])
    return render(
        request,
        "batches.html",
        {
            "batches": rows,
            "counts": counts,
            "total": total,
            "page": page,
            "pages": max(1, -(-total // PAGE_SIZE)),
            "final": FINAL_RUN_STATUSES,
        },
    )


def progress(db: Any, batch: Batch) -> dict[str, Any]:
    """Counts by status and the state of the batch's first runs (the page updates from this)."""
    out = batch_svc.batch_out(db, batch)
    finished = sum(out.counts.get(s, 0) for s in FINAL_RUN_STATUSES)
    return {
        "id": batch.id,
        "total": out.total,
        "counts": out.counts,
        "finished": finished,
        "done": out.done,
        "cancelled": batch.cancelled_at is not None,
        # Every attempt's, failed ones included (core/services/attempts.py).
        "spend": out.spend.model_dump(),
        "spend_text": fmt.dollars(out.spend.spend_usd),
        "runs": batch_run_states(db, batch.id, BATCH_PAGE_RUNS),
    }


@router.get("/batches/{batch_id}/progress")
def batch_progress(request: Request, batch_id: RowId, db: DbDep, user: Viewer) -> JSONResponse:
    """Polled by the batch page every couple of seconds."""
    data = progress(db, batch_svc.get_batch(db, batch_id))
    return JSONResponse(data, headers={"Cache-Control": "no-store"})


@router.get("/batches/{batch_id}")
def batch_page(request: Request, batch_id: RowId, db: DbDep, user: Viewer) -> Response:
    """One batch: its progress and its runs."""
    batch = batch_svc.get_batch(db, batch_id)
    runs, total = run_svc.list_runs(db, batch_id=batch.id, limit=BATCH_PAGE_RUNS)
    return render(
        request,
        "batch.html",
        {
            "batch": batch,
            "progress": progress(db, batch),
            "runs": runs,
            "total": total,
            "statuses": tuple(RunStatus),
            "shown": len(runs),
        },
    )


@router.post("/batches/{batch_id}/cancel", dependencies=[Csrf])
def cancel_batch(request: Request, batch_id: RowId, db: DbDep, user: Submitter) -> Response:
    """Cancel the batch's unfinished runs."""
    batch_svc.cancel_batch(db, batch_id, actor=user)
    return redirect(f"/batches/{batch_id}")


def _schedule_page(
    request: Request, db: Any, values: dict[str, Any], errors: dict[str, list[str]], status_code: int = 200
) -> Response:
    settings = get_settings()
    agents = [(agent, batch_svc.agent_run_problem(agent, settings)) for agent in list_agents(db)]
    tasks = pickable_tasks(db)
    # Per tag, the tasks it adds to a batch (those that can run here): the page counts runs.
    by_tag: dict[str, list[str]] = {}
    for task in tasks:
        for tag in task.tags:
            by_tag.setdefault(tag, [])
            if task.runs_here:
                by_tag[tag].append(task.id)
    return render(
        request,
        "schedule.html",
        {
            "agents": [a for a in agents if a[1] is None],
            "unrunnable_agents": [a for a in agents if a[1] is not None],
            "tags": sorted(by_tag.items()),
            "tasks": [t for t in tasks if t.runs_here],
            "unrunnable_tasks": [t for t in tasks if not t.runs_here],
            "values": values,
            "errors": errors,
        },
        status_code=status_code,
    )


@router.get("/schedule")
def schedule_form(request: Request, db: DbDep, user: Submitter) -> Response:
    """The form to schedule a batch."""
    return _schedule_page(request, db, {"repeats": "1", "agents": [], "tags": [], "tasks": []}, {})


@router.post("/schedule", dependencies=[Csrf])
def schedule(request: Request, db: DbDep, user: Submitter, data: FormData = FormDep) -> Response:
    """Create a batch from the form, or show the form again with what is wrong."""
    values: dict[str, Any] = {
        "name": str(data.get("name") or "").strip(),
        "agents": [v for v in data.getlist("agents") if isinstance(v, str) and v],
        "tags": [v for v in data.getlist("tags") if isinstance(v, str) and v],
        "tasks": [v for v in data.getlist("tasks") if isinstance(v, str) and v],
        "repeats": str(data.get("repeats") or "1").strip(),
    }
    errors: dict[str, list[str]] = {}
    payload: dict[str, Any] = {
        "name": values["name"],
        "agents": [id_or_name(a) for a in values["agents"]],
        "tasks": values["tasks"] or None,
        "tags": values["tags"] or None,
        "repeats": values["repeats"] or "1",
    }
    batch = None
    status = 422
    try:
        batch = batch_svc.create_batch(
            db, BatchCreate.model_validate(payload), created_by=user.name, owner_token_id=user.token_id
        )
    except ValidationError as exc:
        for err in exc.errors():
            field = str(err["loc"][0]) if err.get("loc") else "form"
            message = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
            if err.get("type") == "too_short" and field == "agents":
                message = "pick at least one agent"
            errors.setdefault(field, []).append(message)
    except NotFound as exc:
        errors.setdefault("form", []).append(exc.message)
    except QuotaExceeded as exc:
        errors.setdefault("form", []).append(exc.message)
        status = 429
    except HorizonError as exc:
        errors.setdefault("form", []).append(exc.message)
    if batch is None:
        db.rollback()
        return _schedule_page(request, db, values, errors, status_code=status)
    return redirect(f"/batches/{batch.id}")
