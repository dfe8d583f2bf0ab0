"""Horizon analyses: request one, read the latest or a given one, cancel one."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import PlainTextResponse, Response, StreamingResponse

from api.deps import Caller, SessionDep, get_settings_dep, reader, submitter
from core.models import AnalysisResult
from core.schemas import AnalysisRequest, CompareRequest
from core.services import analyses as svc
from core.services.comparisons import compare
from core.settings import Settings
from core.states import AnalysisStatus
from web.exports import export_csv, export_json, finished_result
from web.params import Offset, RowId
from web.sample_exports import samples_csv, samples_json

router = APIRouter(prefix="/api/analyses", tags=["analyses"])


def analysis_out(row: AnalysisResult, stale: str | None = None, full: bool = True) -> dict[str, Any]:
    """An analysis as the API returns it; lists leave out the (large) result."""
    out: dict[str, Any] = {
        "id": row.id,
        "status": row.status,
        "params": row.params,
        "inputs_fingerprint": row.inputs_fingerprint,
        "n_runs": row.n_runs,
        "n_infra_excluded": row.n_infra_excluded,
        "simulated": row.simulated,
        "progress": {"done": row.progress_done, "total": row.progress_total},
        "error": row.error,
        "created_by_token_id": row.created_by_token_id,
        "created_at": row.created_at.isoformat() if row.created_at else None,
        "finished_at": row.finished_at.isoformat() if row.finished_at else None,
        # Set while an admin has it published: the dashboard's default view (web /analyses).
        "published_at": row.published_at.isoformat() if row.published_at else None,
        "stale": stale,
    }
    if full:
        out["result"] = row.result
    return out


@router.post("", status_code=202)
def request_analysis(
    session: SessionDep,
    data: AnalysisRequest | None = None,
    caller: Caller = Depends(submitter),
    settings: Settings = Depends(get_settings_dep),
) -> dict[str, Any]:
    """Queue a fit over all completed runs (infrastructure failures excluded and counted).

    Submitters may ask for at most HORIZON_ANALYSIS_MAX_BOOTSTRAP_SUBMITTER bootstrap replicates."""
    request = data or AnalysisRequest()
    svc.check_bootstrap_allowed(request, caller.role, settings)
    row = svc.request_analysis(session, request, created_by_token_id=caller.token_id)
    return analysis_out(row)


@router.get("")
def list_analyses(
    session: SessionDep,
    limit: int = Query(20, ge=1, le=200),
    offset: Offset = 0,
    _: Caller = Depends(reader),
) -> dict[str, Any]:
    """List analyses, newest first, without their results."""
    rows, total = svc.list_analyses(session, limit, offset)
    return {
        "items": [analysis_out(r, full=False) for r in rows],
        "total": total,
        "limit": limit,
        "offset": offset,
    }


@router.get("/latest")
def latest(session: SessionDep, _: Caller = Depends(reader)) -> dict[str, Any]:
    """The newest finished analysis, with `stale` saying why it no longer matches the runs, if it does not."""
    row = svc.latest_analysis(session)
    return analysis_out(row, svc.stale_reason(session, row))


@router.get("/compare")
def compare_agents(
    session: SessionDep, request: Annotated[CompareRequest, Query()], _: Caller = Depends(reader)
) -> dict[str, Any]:
    """Paired comparison of agent `a` against `b` on the tasks both ran: the p50 and p80 ratios
    (A / B) within joint bootstrap replicates, their CI and P(A > B) (docs/method.md section 6).

    Computed now, not stored; `bootstrap` is at most COMPARE_MAX_BOOTSTRAP for every role. 404 for
    an unknown agent, 422 when the two cannot be compared (no shared task, no usable runs)."""
    return compare(session, request)


@router.get("/{analysis_id}")
def get_analysis(analysis_id: RowId, session: SessionDep, _: Caller = Depends(reader)) -> dict[str, Any]:
    """One analysis with its result; `stale` says why a finished one no longer matches the runs, if it does
    not. The result is `analysis.report`'s JSON, with the trend-shape test, per-family horizons and
    human-time sources (`trend_shape`, `families`, `human_time`; docs/method.md sections 10-12)."""
    row = svc.get_analysis(session, analysis_id)
    return analysis_out(row, svc.stale_reason(session, row) if row.status == AnalysisStatus.DONE else None)


@router.get("/{analysis_id}/export.json")
def export_analysis_json(
    analysis_id: RowId, session: SessionDep, _: Caller = Depends(reader)
) -> dict[str, Any]:
    """The analysis's numbers for publication (as the dashboard's download): per agent, release
    date, p50 and p80 with CIs, weighted success and fit status; the trend's doubling time with its
    CI. 409 while it has no result. At most 5,000 agents (`agents_left_out` says how many more).
    `bootstrap_samples` holds each agent's replicate p50s and p80s (`{"p50": {agent: [...]},
    "p80": {...}}`; null: no fit, "inf": unbounded) or, when none are stored, a note saying why."""
    result = finished_result(session, analysis_id)
    return export_json(result, samples_json(session, result))


@router.get("/{analysis_id}/export.csv", response_class=PlainTextResponse)
def export_analysis_csv(analysis_id: RowId, session: SessionDep, _: Caller = Depends(reader)) -> Response:
    """The same numbers as CSV, one row per agent, the trend's doubling time on every row."""
    return Response(export_csv(finished_result(session, analysis_id)), media_type="text/csv; charset=utf-8")


@router.get("/{analysis_id}/export-samples.csv", response_class=StreamingResponse)
def export_analysis_samples_csv(
    analysis_id: RowId, session: SessionDep, _: Caller = Depends(reader)
) -> StreamingResponse:
    """Each agent's bootstrap replicate p50s and p80s as CSV, one row per replicate (`agent`,
    `metric`, `replicate` from 0, `value` in minutes; empty: no fit, `inf`: unbounded). Stored only
    for analyses of at most 200,000 replicates x agents: 404 with the reason when there are none,
    409 while the analysis has no result."""
    result = finished_result(session, analysis_id)
    return StreamingResponse(samples_csv(session, result), media_type="text/csv; charset=utf-8")


@router.post("/{analysis_id}/cancel")
def cancel_analysis(
    analysis_id: RowId, session: SessionDep, caller: Caller = Depends(submitter)
) -> dict[str, Any]:
    """Cancel a queued or running analysis (the token that requested it, or an admin); a running
    fit stops at its next progress check, within about a second."""
    row = svc.cancel_analysis(session, analysis_id, caller.token_id, caller.role)
    return analysis_out(row, full=False)
