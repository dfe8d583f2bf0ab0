"""Batches and runs."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query

from api.deps import Caller, SessionDep, reader, submitter
from core.auth import role_allows
from core.schemas import MAX_ROW_ID, BatchCreate, BatchOut, Page, RunOut
from core.services import batches as batch_svc
from core.services import runs as run_svc
from core.services import transcripts as transcript_svc
from core.states import Role, RunStatus
from web.params import AttemptNumber, Offset, RowId, id_or_name

router = APIRouter(prefix="/api", tags=["batches and runs"])


@router.post("/batches", response_model=BatchOut, status_code=201)
def create_batch(data: BatchCreate, session: SessionDep, caller: Caller = Depends(submitter)) -> BatchOut:
    """Create agents x tasks x repeats queued runs; they are enqueued once this commits."""
    batch = batch_svc.create_batch(session, data, created_by=caller.name, owner_token_id=caller.token_id)
    return batch_svc.batch_out(session, batch)


@router.get("/batches", response_model=Page[BatchOut])
def list_batches(
    session: SessionDep,
    limit: int = Query(50, ge=1, le=1000),
    offset: Offset = 0,
    _: Caller = Depends(reader),
) -> Page[BatchOut]:
    """List batches, newest first, with how many of their runs are in each status."""
    rows, total = batch_svc.list_batches(session, limit, offset)
    spend = batch_svc.batch_spend(session, [b.id for b in rows])
    return Page(
        items=[batch_svc.batch_out(session, b, spend[b.id]) for b in rows],
        total=total,
        limit=limit,
        offset=offset,
    )


@router.get("/batches/{batch_id}", response_model=BatchOut)
def get_batch(batch_id: RowId, session: SessionDep, _: Caller = Depends(reader)) -> BatchOut:
    """One batch, with how many of its runs are in each status."""
    return batch_svc.batch_out(session, batch_svc.get_batch(session, batch_id))


@router.post("/batches/{batch_id}/cancel", response_model=BatchOut)
def cancel_batch(batch_id: RowId, session: SessionDep, caller: Caller = Depends(submitter)) -> BatchOut:
    """Cancel the batch's unfinished runs (its owner or an admin)."""
    batch = batch_svc.cancel_batch(session, batch_id, actor=caller)
    return batch_svc.batch_out(session, batch)


@router.get("/runs", response_model=Page[RunOut])
def list_runs(
    session: SessionDep,
    batch_id: int | None = Query(None, ge=1, le=MAX_ROW_ID),
    agent: str | None = Query(None, max_length=200, description="Agent id or name."),
    task_id: str | None = Query(None, max_length=200),
    status: RunStatus | None = None,
    limit: int = Query(50, ge=1, le=1000),
    offset: Offset = 0,
    caller: Caller = Depends(reader),
) -> Page[RunOut]:
    """List runs, newest first, filtered by batch, agent, task or status. Only admins see an error with its
    traceback and scorer output."""
    agent_ref = id_or_name(agent)
    rows, total = run_svc.list_runs(
        session,
        batch_id=batch_id,
        agent=agent_ref,
        task_id=task_id,
        status=status,
        limit=limit,
        offset=offset,
    )
    full = role_allows(caller.role, Role.ADMIN)
    items = [run_svc.run_out(r, full_error=full) for r in rows]
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get("/runs/{run_id}", response_model=RunOut)
def get_run(run_id: RowId, session: SessionDep, caller: Caller = Depends(reader)) -> RunOut:
    """One run, with every attempt it made (status, worker, times, tokens, cost) and `spend_usd`, the
    cost of them all. Only admins see errors with the traceback and scorer output."""
    # Only admins read a stored error whole (older rows may hold tracebacks with host paths).
    full = role_allows(caller.role, Role.ADMIN)
    return run_svc.run_out(run_svc.get_run(session, run_id), full_error=full, with_attempts=True)


@router.post("/runs/{run_id}/cancel", response_model=RunOut)
def cancel_run(run_id: RowId, session: SessionDep, caller: Caller = Depends(submitter)) -> RunOut:
    """Cancel one run (the owner of its batch, or an admin)."""
    return run_svc.run_out(run_svc.cancel_run(session, run_id, actor=caller))


@router.get("/runs/{run_id}/transcript")
def get_transcript(
    run_id: RowId,
    session: SessionDep,
    attempt: AttemptNumber = None,
    offset: Offset = 0,
    limit: int = Query(
        transcript_svc.DEFAULT_PAGE_EVENTS, ge=1, le=transcript_svc.MAX_PAGE_EVENTS, description="Events."
    ),
    caller: Caller = Depends(reader),
) -> dict[str, Any]:
    """One page of one attempt's transcript (`attempt`, default: the running attempt, else the
    latest that has events): `total` events in all, `next_offset` (null at the end) starts the
    next page; a page stops early when its events are large. `attempts` lists the attempts that
    have events; `live` is true while this attempt runs, its events appended as they happen, so a
    client polls again with `offset` = the events it has. An attempt without events is an empty
    page; `removed` is true (and the page empty) when the retention policy removed it. An archived
    transcript reads exactly as it did from the database. Unless the caller owns the task or is an
    admin, the scorer's command and output, and in `oracle` runs the reference solution's command
    and output, read "[hidden: ...]"."""
    page = transcript_svc.transcript_page(session, run_id, offset, limit, reader=caller, attempt=attempt)
    return page.as_json()
