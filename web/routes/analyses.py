"""Analyses on the web: the history of every analysis, publishing one (admins), and a refit over
another release-date window so the dashboard's trend there gets its CI (submitters)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import select
from starlette.datastructures import FormData

from analysis.trend import DateWindow
from core.errors import InvalidInput, QuotaExceeded
from core.models import ApiToken
from core.schemas import MAX_ROW_ID
from core.services import analyses as svc
from web.analysis_summary import params_summary
from web.deps import Admin, Csrf, DbDep, Submitter, Viewer, settings_of
from web.params import PageNumber, RowId
from web.rendering import WebRoute, error_page, redirect, render
from web.routes.runs import form_data

router = APIRouter(route_class=WebRoute, include_in_schema=False)
PAGE_SIZE = 25
FormDep = Depends(form_data)


@router.get("/analyses")
def analyses_page(request: Request, db: DbDep, user: Viewer, page: PageNumber = 1) -> Response:
    """Every analysis, newest first, a page at a time, each with a link to its pinned dashboard."""
    rows, total = svc.list_analyses(db, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    changes = svc.input_changes(db)
    # Token names only for signed-in readers (the API shows owners to any token holder).
    ids = {r.created_by_token_id for r in rows if r.created_by_token_id is not None}
    names = {i: n for i, n in db.execute(select(ApiToken.id, ApiToken.name).where(ApiToken.id.in_(ids)))}
    items = [
        {
            "row": r,
            "summary": params_summary(r.params or {}),
            "asked_by": _asked_by(r.created_by_token_id, names, user.signed_in),
            "stale": svc.stale_since(changes, r.created_at) if r.status == "done" else None,
            "fingerprint": (r.inputs_fingerprint or "")[:12],
        }
        for r in rows
    ]
    return render(
        request,
        "analyses.html",
        {"items": items, "total": total, "page": page, "pages": max(1, -(-total // PAGE_SIZE))},
    )


def _asked_by(token_id: int | None, names: dict[int, str], may_see: bool) -> str:
    if token_id is None:
        return "system"
    if not may_see:
        return "a user"
    return names.get(token_id, "a revoked or deleted token")


def _publish(db: DbDep, analysis_id: int, user: Admin, published: bool) -> Response:
    svc.set_published(db, analysis_id, published, user.role, user.token_id)
    return redirect(f"/?analysis={analysis_id}")


@router.post("/analyses/{analysis_id}/publish", dependencies=[Csrf])
def publish(analysis_id: RowId, db: DbDep, user: Admin) -> Response:
    """Publish a finished analysis: the dashboard's default view shows the newest published one."""
    return _publish(db, analysis_id, user, True)


@router.post("/analyses/{analysis_id}/unpublish", dependencies=[Csrf])
def unpublish(analysis_id: RowId, db: DbDep, user: Admin) -> Response:
    """Withdraw an analysis from publication (its pinned links keep working)."""
    return _publish(db, analysis_id, user, False)


def _form_day(data: FormData, name: str) -> dt.date | None:
    value = data.get(name)
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        return None
    if len(text) > 10:
        raise InvalidInput(f"{name}: a date looks like 2024-06-30")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{name}: a date looks like 2024-06-30") from None


def _form_id(data: FormData) -> int:
    value = data.get("analysis")
    text = value.strip() if isinstance(value, str) else ""
    if not (text.isascii() and text.isdigit() and len(text) <= 10 and 1 <= int(text) <= MAX_ROW_ID):
        raise InvalidInput("analysis: an analysis id (1 to 2^31-1)")
    return int(text)


@router.post("/analyses/ci", dependencies=[Csrf])
def compute_ci(request: Request, db: DbDep, user: Submitter, data: FormData = FormDep) -> Response:
    """Queue an analysis with a stored one's parameters over the dashboard's window, then show it
    pinned (the page reloads until it is done). 429 past the token's queued-analysis quota."""
    base = svc.get_analysis(db, _form_id(data))
    window = DateWindow(_form_day(data, "after"), _form_day(data, "before"))
    try:
        row = svc.request_window_analysis(db, base, window, user.role, user.token_id, settings_of(request))
    except QuotaExceeded as exc:
        db.rollback()
        return error_page(request, 429, "Too many analyses", exc.message)
    return redirect(f"/?analysis={row.id}")
