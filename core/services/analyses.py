"""Horizon analyses over the database's runs: inputs, fingerprints and stored results.

The fitting itself is `analysis.report.run_analysis` (pure). This module turns completed runs into
its input table, records each analysis as an `analysis_results` row with its parameters and a
fingerprint of its inputs, and answers which result is the latest.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

import pandas as pd
from pydantic import ValidationError
from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session, defer

from analysis.report import AnalysisParams
from analysis.trend import DateWindow
from core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from core.models import Agent, AnalysisResult, Model, Run, Task, TaskHealthCheck, utcnow
from core.ownership import require_owner
from core.queue import QUEUE_ANALYSIS, enqueue_after_commit
from core.quotas import check_analysis_quota
from core.schemas import AnalysisRequest
from core.services.health_requests import OUTCOMES
from core.services.rows import get_or_not_found, page_of
from core.settings import Settings
from core.states import ACTIVE_ANALYSIS_STATUSES, AnalysisStatus, JobName, Role, RunStatus


class AnalysisCancelled(Exception):
    """Raised from the fit's progress callback when the analysis was cancelled meanwhile."""


@dataclass(frozen=True)
class AnalysisInputs:
    """The runs an analysis fits, what was left out and why, and a fingerprint of them."""

    frame: pd.DataFrame
    release_dates: dict[str, dt.date]
    n_infra_excluded: int
    n_unhealthy_excluded: int
    fingerprint: str


def unhealthy_version_ids(session: Session) -> set[int]:
    """Task versions whose latest health check failed (excluded from fits by default); requested
    checks still pending are no outcome (core/services/health_requests.py)."""
    latest = (
        select(TaskHealthCheck.task_version_id, func.max(TaskHealthCheck.id).label("last_id"))
        .where(OUTCOMES)
        .group_by(TaskHealthCheck.task_version_id)
        .subquery()
    )
    rows = session.execute(
        select(TaskHealthCheck.task_version_id)
        .join(latest, TaskHealthCheck.id == latest.c.last_id)
        .where(TaskHealthCheck.healthy.is_(False))
    )
    return set(rows.scalars())


def fit_runs_query() -> Select[*tuple[Any, ...]]:
    """The runs a fit may use, with what it needs of them: completed and scored, on a task with a
    human time (one without cannot be placed on the time axis). Health is checked apart
    (`unhealthy_version_ids`), as it depends on the request."""
    return (
        select(
            Run.id,
            Agent.name,
            Run.task_id,
            Task.family_id,
            Task.human_minutes,
            Task.human_minutes_source,
            Run.score_cont,
            Run.score_binarized,
            Run.task_version_id,
        )
        .join(Agent, Agent.id == Run.agent_id)
        .join(Task, Task.id == Run.task_id)
        .where(Run.status == RunStatus.COMPLETED, Run.score_binarized.is_not(None))
        .where(Task.human_minutes.is_not(None))
    )


def continuous_score(score_cont: float | None, score_binarized: int) -> float:
    """A run's continuous score; runs without one (some imports) count their binary score."""
    return float(score_cont if score_cont is not None else score_binarized)


def runs_frame(rows: list[Any]) -> pd.DataFrame:
    """Rows of `fit_runs_query` as the analysis's runs table (METR's columns). `human_source` is the
    task's `human_minutes_source` (baseline or estimate; blank when unknown, which the analysis
    counts as an estimate), so fits of the database tell estimated times from baselined ones."""
    return pd.DataFrame(
        {
            "run_id": [r.id for r in rows],
            "agent": [r.name for r in rows],
            "task_id": [r.task_id for r in rows],
            "task_family": [r.family_id for r in rows],
            "human_minutes": [float(r.human_minutes) for r in rows],
            "human_source": [r.human_minutes_source or "" for r in rows],
            "score_cont": [continuous_score(r.score_cont, r.score_binarized) for r in rows],
            "score_binarized": [int(r.score_binarized) for r in rows],
        }
    )


def gather_inputs(session: Session, request: AnalysisRequest) -> AnalysisInputs:
    """Completed runs with their task's human time and family, and agents' release dates.

    Infrastructure failures are never model failures: they are left out and counted. Tasks without
    a human time cannot be placed on the time axis and are left out too.
    """
    rows = list(session.execute(fit_runs_query().order_by(Run.id)))
    unhealthy = set() if request.include_unhealthy_tasks else unhealthy_version_ids(session)
    kept = [r for r in rows if r.task_version_id not in unhealthy]
    frame = runs_frame(kept)
    release_dates: dict[str, dt.date] = {}
    for name, own, model_date in session.execute(
        select(Agent.name, Agent.release_date, Model.release_date).outerjoin(
            Model, Model.id == Agent.model_id
        )
    ):
        when = own or model_date
        if when is not None:
            release_dates[name] = when
    n_infra = (
        session.scalar(select(func.count()).select_from(Run).where(Run.status == RunStatus.INFRA_ERROR)) or 0
    )
    digest = hashlib.sha256()
    digest.update(json.dumps(request.model_dump(mode="json"), sort_keys=True).encode())
    digest.update(pd.util.hash_pandas_object(frame, index=False).values.tobytes())
    digest.update(json.dumps(sorted((k, v.isoformat()) for k, v in release_dates.items())).encode())
    return AnalysisInputs(frame, release_dates, n_infra, len(rows) - len(kept), digest.hexdigest())


def analysis_params(request: AnalysisRequest) -> AnalysisParams:
    """The pure fit's parameters for a stored request."""
    return AnalysisParams(
        regularization=request.regularization,
        weighting=request.weighting,  # type: ignore[arg-type]
        n_bootstrap=request.bootstrap,
        seed=request.seed,
        solver=request.solver,  # type: ignore[arg-type]
        window=DateWindow(request.window_after, request.window_before),
        partial_scoring=request.partial_scoring,
        missing_release_dates="exclude",
        bootstrap_levels=request.bootstrap_levels,  # type: ignore[arg-type]
        degenerate_replicates=request.degenerate_replicates,  # type: ignore[arg-type]
        doubling_ci=request.doubling_ci,  # type: ignore[arg-type]
        trend_shape=request.trend_shape,
        family_horizons=request.family_horizons,
        family_agents=request.family_agents,  # type: ignore[arg-type]
        estimate_refit=request.estimate_refit,  # type: ignore[arg-type]
    )


def check_bootstrap_allowed(request: AnalysisRequest, role: str, settings: Settings) -> None:
    """Submitters get a capped bootstrap (a fit's cost grows with it); admins up to the schema's."""
    cap = settings.analysis_max_bootstrap_submitter
    if role != Role.ADMIN and request.bootstrap > cap:
        raise InvalidInput(
            f"bootstrap: at most {cap} replicates for your role (asked for {request.bootstrap}); "
            "an admin may ask for more (HORIZON_ANALYSIS_MAX_BOOTSTRAP_SUBMITTER sets the cap)"
        )


def request_analysis(
    session: Session,
    request: AnalysisRequest,
    reason: str = "requested",
    created_by_token_id: int | None = None,
) -> AnalysisResult:
    """Store a queued analysis and send the fit job once this commits (429 past the token's
    HORIZON_QUOTA_ANALYSES)."""
    check_analysis_quota(session, created_by_token_id)
    row = AnalysisResult(
        status=AnalysisStatus.QUEUED,
        params={**request.model_dump(mode="json"), "reason": reason},
        created_by_token_id=created_by_token_id,
    )
    session.add(row)
    session.flush()
    enqueue_after_commit(session, JobName.FIT_ANALYSIS, row.id, queue=QUEUE_ANALYSIS)
    return row


def resend_analyses(session: Session, statuses: tuple[str, ...]) -> list[int]:
    """Send another fit message, once this commits, for every analysis in one of `statuses` (their
    messages were lost: a broker that forgot its data, an in-process queue that stopped). The job
    is idempotent, so a duplicate is harmless. Returns the ids."""
    ids = list(
        session.scalars(
            select(AnalysisResult.id).where(AnalysisResult.status.in_(statuses)).order_by(AnalysisResult.id)
        )
    )
    for analysis_id in ids:
        enqueue_after_commit(session, JobName.FIT_ANALYSIS, analysis_id, queue=QUEUE_ANALYSIS)
    return ids


def get_analysis(session: Session, analysis_id: int) -> AnalysisResult:
    """The analysis with this id, or NotFound."""
    return get_or_not_found(session, AnalysisResult, analysis_id, "analysis")


def cancel_analysis(session: Session, analysis_id: int, token_id: int | None, role: str) -> AnalysisResult:
    """Cancel a queued or running analysis (its requester or an admin); cancelling twice is a no-op.

    A guarded update, so a job finishing at the same moment and this cannot both win; the running
    job sees the status at its next progress check (between bootstrap chunks) and stops.
    """
    row = get_analysis(session, analysis_id)
    require_owner(row.created_by_token_id, role, token_id, "analysis")
    if row.status == AnalysisStatus.CANCELLED:
        return row
    if row.status not in ACTIVE_ANALYSIS_STATUSES:
        raise Conflict(
            f"analysis {analysis_id} is already {row.status}; only a queued or running one can be cancelled"
        )
    done = session.execute(
        update(AnalysisResult)
        .where(AnalysisResult.id == analysis_id, AnalysisResult.status.in_(ACTIVE_ANALYSIS_STATUSES))
        .values(status=AnalysisStatus.CANCELLED, finished_at=utcnow())
    )
    session.refresh(row)
    if getattr(done, "rowcount", 1) == 0 and row.status != AnalysisStatus.CANCELLED:
        raise Conflict(f"analysis {analysis_id} finished meanwhile ({row.status})")
    return row


def set_published(
    session: Session, analysis_id: int, published: bool, role: str, token_id: int | None
) -> AnalysisResult:
    """Publish or unpublish a finished analysis (admins only): the dashboard's default view shows
    the newest published one, so a refit queued by a batch never changes a published view."""
    if role != Role.ADMIN:
        raise PermissionDenied("only an admin may publish or unpublish an analysis")
    row = get_analysis(session, analysis_id)
    if published and row.status != AnalysisStatus.DONE:
        raise Conflict(f"analysis {analysis_id} is {row.status}; only a finished analysis can be published")
    row.published_at = (row.published_at or utcnow()) if published else None
    row.published_by_token_id = (row.published_by_token_id or token_id) if published else None
    session.flush()
    return row


def request_window_analysis(
    session: Session,
    base: AnalysisResult,
    window: DateWindow,
    role: str,
    token_id: int | None,
    settings: Settings,
) -> AnalysisResult:
    """Queue an analysis with `base`'s parameters over another release-date window, so the trend
    over that window gets its bootstrap CI (same bootstrap cap and per-token quota as any request)."""
    known = {k: v for k, v in (base.params or {}).items() if k in AnalysisRequest.model_fields}
    known.update(
        window_after=window.after or AnalysisRequest.model_fields["window_after"].default,
        window_before=window.before or AnalysisRequest.model_fields["window_before"].default,
    )
    try:
        request = AnalysisRequest.model_validate(known)
    except ValidationError as exc:
        raise InvalidInput(
            f"cannot refit analysis {base.id} over this window: {exc.errors()[0]['msg']}"
        ) from None
    check_bootstrap_allowed(request, role, settings)
    return request_analysis(
        session,
        request,
        reason=f"CI for analysis {base.id} over another window",
        created_by_token_id=token_id,
    )


def latest_analysis(session: Session, *, simulated: bool = False) -> AnalysisResult:
    """The newest finished analysis (of real runs, or of simulated ones), or NotFound."""
    row = session.scalar(
        select(AnalysisResult)
        .where(AnalysisResult.status == AnalysisStatus.DONE, AnalysisResult.simulated.is_(simulated))
        .order_by(AnalysisResult.id.desc())
        .limit(1)
    )
    if row is None:
        raise NotFound("no finished analysis yet: POST /api/analyses to run one")
    return row


def list_analyses(session: Session, limit: int = 50, offset: int = 0) -> tuple[list[AnalysisResult], int]:
    """A page of analyses, newest first, and their total count."""
    # The result JSON can be large and a list never shows it: loaded only if touched.
    return page_of(
        session,
        AnalysisResult,
        order_by=AnalysisResult.id.desc(),
        limit=limit,
        offset=offset,
        options=[defer(AnalysisResult.result)],
    )


def mark_running(session: Session, row: AnalysisResult, inputs: AnalysisInputs, total: int) -> bool:
    """Start the fit; False when the analysis was cancelled meanwhile (a guarded update, so a
    cancel arriving now is never overwritten)."""
    started = session.execute(
        update(AnalysisResult)
        .where(AnalysisResult.id == row.id, AnalysisResult.status.in_(ACTIVE_ANALYSIS_STATUSES))
        .values(status=AnalysisStatus.RUNNING)
    )
    if getattr(started, "rowcount", 1) == 0:
        return False
    row.inputs_fingerprint = inputs.fingerprint
    row.n_runs = len(inputs.frame)
    row.n_infra_excluded = inputs.n_infra_excluded
    row.progress_total = total
    row.progress_done = 0
    session.flush()
    return True


def finish(session: Session, row: AnalysisResult, result: dict[str, Any] | None, error: str | None) -> None:
    """Store an analysis's result, or its error, and mark it done or failed."""
    row.status = AnalysisStatus.DONE if error is None else AnalysisStatus.FAILED
    row.result = result
    row.error = error
    row.finished_at = utcnow()
    if error is None:
        row.progress_done = row.progress_total
    session.flush()


@dataclass(frozen=True)
class InputChanges:
    """When the fits' inputs last changed: the newest completed run and the newest task edit."""

    runs_at: dt.datetime | None
    tasks_at: dt.datetime | None


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def input_changes(session: Session) -> InputChanges:
    """Two small queries, shared when many analyses are checked at once (the history page)."""
    return InputChanges(
        session.scalar(select(func.max(Run.finished_at)).where(Run.status == RunStatus.COMPLETED)),
        session.scalar(select(func.max(Task.updated_at))),
    )


def stale_since(changes: InputChanges, created_at: dt.datetime | None) -> str | None:
    """Why an analysis computed at `created_at` no longer matches the inputs, or None."""
    if created_at is None:
        return None
    created = _aware(created_at)
    if changes.runs_at is not None and _aware(changes.runs_at) > created:
        return "runs completed after this analysis was computed"
    if changes.tasks_at is not None and _aware(changes.tasks_at) > created:
        return "tasks or their human times changed after this analysis was computed"
    return None


def stale_reason(session: Session, row: AnalysisResult) -> str | None:
    """Why a stored result no longer matches the database, or None when it still does."""
    return stale_since(input_changes(session), row.created_at)
