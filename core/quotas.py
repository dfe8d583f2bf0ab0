"""Per-token quotas: how much unfinished work one submitter's token may hold at once.

Rows name their token (`batches.owner_token_id`, `analysis_results.created_by_token_id`); the
token's role is read from its row, so admins (and work without a token: the CLI, task folders,
the bootstrap admin token) have no quota. The token's row is locked while counting, so two
requests of one token cannot both pass on the same count.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.errors import InvalidInput, QuotaExceeded
from core.models import AnalysisResult, ApiToken, Batch, Run
from core.settings import Settings, get_settings
from core.states import ACTIVE_ANALYSIS_STATUSES, Role, RunStatus


def _settings(session: Session) -> Settings:
    return session.info.get("settings") or get_settings()


def _limited(session: Session, token_id: int | None) -> bool:
    """Whether this token's work counts against a quota (locks its row until the commit)."""
    if token_id is None:
        return False
    token = session.get(ApiToken, token_id, with_for_update=True)
    return token is not None and token.role != Role.ADMIN


def check_batch_size(session: Session, total: int) -> None:
    """One batch creates at most HORIZON_MAX_BATCH_RUNS runs (for everyone): checked before any
    row is built, so a huge request costs nothing."""
    most = _settings(session).max_batch_runs
    if total > most:
        raise InvalidInput(
            f"this batch would create {total:,} runs; at most {most:,} per batch "
            "(HORIZON_MAX_BATCH_RUNS): split it"
        )


def check_run_quota(session: Session, token_id: int | None, adding: int) -> None:
    """429 when a submitter's unfinished runs plus `adding` pass HORIZON_QUOTA_QUEUED_RUNS."""
    if not _limited(session, token_id):
        return
    quota = _settings(session).quota_queued_runs
    unfinished = (
        session.scalar(
            select(func.count())
            .select_from(Run)
            .join(Batch, Run.batch_id == Batch.id)
            .where(Batch.owner_token_id == token_id, Run.status.in_((RunStatus.QUEUED, RunStatus.RUNNING)))
        )
        or 0
    )
    if unfinished + adding > quota:
        raise QuotaExceeded(
            f"your token has {unfinished:,} queued or running runs and this batch adds {adding:,}; "
            f"the quota is {quota:,} (HORIZON_QUOTA_QUEUED_RUNS): wait for runs to finish or cancel some"
        )


def check_analysis_quota(session: Session, token_id: int | None) -> None:
    """429 when a submitter already has HORIZON_QUOTA_ANALYSES queued or running analyses."""

    if not _limited(session, token_id):
        return
    quota = _settings(session).quota_analyses
    active = (
        session.scalar(
            select(func.count())
            .select_from(AnalysisResult)
            .where(
                AnalysisResult.created_by_token_id == token_id,
                AnalysisResult.status.in_(ACTIVE_ANALYSIS_STATUSES),
            )
        )
        or 0
    )
    if active >= quota:
        raise QuotaExceeded(
            f"your token has {active} queued or running analyses; the quota is {quota} "
            "(HORIZON_QUOTA_ANALYSES): wait for one to finish or cancel it"
        )


def check_health_check_quota(session: Session, token_id: int | None, count_active: Callable[[], int]) -> None:
    """429 when a submitter already has HORIZON_QUOTA_HEALTH_CHECKS requested health checks
    queued or running; `count_active` counts them (core/services/health_requests.py)."""
    if not _limited(session, token_id):
        return
    quota = _settings(session).quota_health_checks
    active = count_active()
    if active >= quota:
        raise QuotaExceeded(
            f"your token has {active} queued or running health checks; the quota is {quota} "
            "(HORIZON_QUOTA_HEALTH_CHECKS): wait for one to finish"
        )
