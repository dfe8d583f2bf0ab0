"""Analyses on the web: the history of every analysis, a new fit with chosen parameters and a refit
over another release-date window so the dashboard's trend there gets its CI (submitters), and
publishing one (admins)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy import select
from starlette.datastructures import FormData

from analysis.trend import DateWindow
from core.errors import InvalidInput, QuotaExceeded
from core.models import ApiToken
from core.schemas import MAX_ROW_ID, AnalysisRequest
from core.services import analyses as svc
from web.analysis_summary import params_summary
from web.deps import Admin, Csrf, DbDep, Submitter, Viewer, settings_of
from web.params import PageNumber, RowId
from web.rendering import WebRoute, error_page, redirect, render
from web.routes.runs import form_data

router = APIRouter(route_class=WebRoute, include_in_schema=False)
PAGE_SIZE = 25
FormDep = Depends(form_data)


# The new-analysis form's fields: each is one of AnalysisRequest's, validated by it (the API's rules).
FIT_FIELDS = ("bootstrap", "regularization", "weighting", "window_after", "window_before", "doubling_ci")
FIT_FLAGS = ("include_unhealthy_tasks", "partial_scoring")


def fit_defaults() -> dict[str, str]:
    """The form's starting values: the recommended (calibrated) preset's, as AnalysisRequest has them."""
    request = AnalysisRequest().model_dump(mode="json")
    return {name: str(request[name]) for name in FIT_FIELDS}


@router.get("/analyses")
def analyses_page(request: Request, db: DbDep, user: Viewer, page: PageNumber = 1) -> Response:
    """Every analysis, newest first, a page at a time, each with a link to its pinned dashboard;
    submitters also get a form to fit now with chosen parameters."""
    return _history(request, db, user.signed_in, page)


def _history(
    request: Request,
    db: DbDep,
    signed_in: bool,
    page: int = 1,
    values: dict[str, str] | None = None,
    errors: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    rows, total = svc.list_analyses(db, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    changes = svc.input_changes(db)
    # Token names only for signed-in readers (the API shows owners to any token holder).
    ids = {r.created_by_token_id for r in rows if r.created_by_token_id is not None}
    names = {i: n for i, n in db.execute(select(ApiToken.id, ApiToken.name).where(ApiToken.id.in_(ids)))}
    items = [
        {
            "row": r,
            "summary": params_summary(r.params or {}),
            "asked_by": _asked_by(r.created_by_token_id, names, signed_in),
            "stale": svc.stale_since(changes, r.created_at) if r.status == "done" else None,
            "fingerprint": (r.inputs_fingerprint or "")[:12],
        }
        for r in rows
    ]
    return render(
        request,
        "analyses.html",
        {
            "items": items,
            "total": total,
            "page": page,
            "pages": max(1, -(-total // PAGE_SIZE)),
            "fit": values or fit_defaults(),
            "fit_errors": errors or [],
            "max_bootstrap": settings_of(request).analysis_max_bootstrap_submitter,
        },
        status_code=status_code,
    )


@router.post("/analyses/new", dependencies=[Csrf])
def fit_now(request: Request, db: DbDep, user: Submitter, data: FormData = FormDep) -> Response:
    """Queue a fit over every completed run with the form's parameters (the same rules, bootstrap
    cap and per-token quota as `POST /api/analyses`), then show it pinned while it runs."""
    values = {name: str(data.get(name) or "").strip()[:40] for name in FIT_FIELDS}
    fields: dict[str, object] = {name: value for name, value in values.items() if value}
    fields.update({flag: data.get(flag) == "on" for flag in FIT_FLAGS})
    try:
        fit = AnalysisRequest.model_validate(fields)
        svc.check_bootstrap_allowed(fit, user.role, settings_of(request))
        row = svc.request_analysis(db, fit, reason="asked on the web", created_by_token_id=user.token_id)
    except ValidationError as exc:
        problems = [f"{'.'.join(str(p) for p in e['loc']) or 'form'}: {e['msg']}" for e in exc.errors()]
        return _history(request, db, True, values=values, errors=problems, status_code=422)
    except InvalidInput as exc:
        return _history(request, db, True, values=values, errors=[exc.message], status_code=422)
    except QuotaExceeded as exc:
        db.rollback()
        return _history(request, db, True, values=values, errors=[exc.message], status_code=429)
    return redirect(f"/?analysis={row.id}")


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
