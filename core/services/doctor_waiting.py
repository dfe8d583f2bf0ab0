"""`horizon doctor`'s report-only checks: work waiting on a message that may be lost, and a stale
analysis. Other machinery repairs these (each check's note names it), so the doctor only counts
them: re-sending a message from the command line would run jobs in the wrong process."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.models import AnalysisResult, Run, utcnow
from core.schemas import AnalysisRequest
from core.services import analyses as analysis_svc
from core.services.baselining import scoring_overdue, waiting_for_scoring_job
from core.services.doctor_report import EXAMPLES, Check, CheckOut, DriftExample
from core.services.runs import message_overdue
from core.settings import Settings
from core.states import AnalysisStatus, AttemptStatus, RunStatus


def _count_and_examples(session: Session, ids_query: Any, where: Sequence[Any]) -> tuple[int, list[Any]]:
    total = session.scalar(select(func.count()).select_from(ids_query.where(*where).subquery())) or 0
    examples = list(session.scalars(ids_query.where(*where).limit(EXAMPLES)))
    return total, examples


def _waiting(
    kind: str, description: str, checked: int, ids: list[Any], total: int, what: str, note: str
) -> CheckOut:
    return CheckOut(
        kind=kind,
        description=description,
        checked=checked,
        drifted=total,
        repairable=False,
        examples=[DriftExample(id=str(i), stored={"status": what}, derived={}) for i in ids],
        note=note,
    )


def check_overdue_queued_runs(session: Session, settings: Settings, repair: bool) -> CheckOut:
    """Queued runs whose last queue message is older than HORIZON_REQUEUE_AFTER_S."""
    queued = select(Run.id).where(Run.status == RunStatus.QUEUED).order_by(Run.id)
    checked = session.scalar(select(func.count()).select_from(queued.subquery())) or 0
    total, ids = _count_and_examples(session, queued, [message_overdue(settings, utcnow())])
    return _waiting(
        "queued_run_message_overdue",
        "queued runs whose last queue message may be lost",
        checked,
        ids,
        total,
        RunStatus.QUEUED,
        "beat's runs.requeue_lost (workers/requeue.py; `horizon serve` runs it in embedded mode) "
        "sends them again: check that beat runs",
    )


def check_silent_running_runs(session: Session, settings: Settings, repair: bool) -> CheckOut:
    """Running runs whose heartbeat is older than HORIZON_STALE_AFTER_S (their worker stopped)."""
    running = select(Run.id).where(Run.status == RunStatus.RUNNING).order_by(Run.id)
    checked = session.scalar(select(func.count()).select_from(running.subquery())) or 0
    cutoff = utcnow() - dt.timedelta(seconds=settings.stale_after_s)
    total, ids = _count_and_examples(session, running, [Run.heartbeat_at < cutoff])
    return _waiting(
        "running_run_silent",
        "running runs whose worker stopped sending heartbeats",
        checked,
        ids,
        total,
        RunStatus.RUNNING,
        "beat's runs.reap_stale (core/services/runs.py, reap_stale_runs) re-queues them or ends "
        "them as infra_error: check that beat runs",
    )


def check_waiting_scorings(session: Session, settings: Settings, repair: bool) -> CheckOut:
    """Submitted baselining attempts whose last scoring message is older than
    HORIZON_REQUEUE_AFTER_S (live attempts are scored by the web server, not by a job)."""
    scoring = waiting_for_scoring_job()
    checked = session.scalar(select(func.count()).select_from(scoring.subquery())) or 0
    total, ids = _count_and_examples(session, scoring, [scoring_overdue(settings, utcnow())])
    return _waiting(
        "scoring_waiting",
        "baselining attempts whose scoring message may be lost",
        checked,
        ids,
        total,
        AttemptStatus.SCORING,
        "beat's runs.requeue_lost (workers/requeue.py; in embedded mode `horizon serve` itself) "
        "sends them again: check that beat runs and a worker consumes the default queue",
    )


def check_waiting_analyses(session: Session, settings: Settings, repair: bool) -> CheckOut:
    """Queued analyses older than HORIZON_REQUEUE_AFTER_S."""
    queued = (
        select(AnalysisResult.id)
        .where(AnalysisResult.status == AnalysisStatus.QUEUED)
        .order_by(AnalysisResult.id)
    )
    checked = session.scalar(select(func.count()).select_from(queued.subquery())) or 0
    cutoff = utcnow() - dt.timedelta(seconds=settings.requeue_after_s)
    total, ids = _count_and_examples(session, queued, [AnalysisResult.created_at < cutoff])
    return _waiting(
        "analysis_waiting",
        "queued analyses no worker has started",
        checked,
        ids,
        total,
        AnalysisStatus.QUEUED,
        "sent again only when runs.requeue_lost finds the broker lost its data; check that "
        "`horizon worker --queues analysis` runs",
    )


def check_latest_analysis(session: Session, settings: Settings, repair: bool) -> CheckOut:
    """The newest finished analysis of real runs: its inputs fingerprint against the one today's
    runs, human times and release dates give for the same request."""
    row = session.scalar(
        select(AnalysisResult)
        .where(AnalysisResult.status == AnalysisStatus.DONE, AnalysisResult.simulated.is_(False))
        .order_by(AnalysisResult.id.desc())
        .limit(1)
    )
    out = CheckOut(
        kind="latest_analysis_stale",
        description="the newest finished analysis no longer matches the database",
        checked=0 if row is None else 1,
        drifted=0,
        repairable=False,
        note="request a new one (`horizon fit`, or POST /api/analyses); the old result is kept",
    )
    if row is None:
        return out
    try:
        request = AnalysisRequest.model_validate(
            {k: v for k, v in (row.params or {}).items() if k in AnalysisRequest.model_fields}
        )
    except ValidationError:
        out.note = "its stored request no longer validates; " + out.note
        return out
    fingerprint = analysis_svc.gather_inputs(session, request).fingerprint
    if fingerprint != row.inputs_fingerprint:
        reason = analysis_svc.stale_reason(session, row) or "its inputs changed"
        out.drifted = 1
        out.examples = [
            DriftExample(
                id=str(row.id),
                stored={"inputs_fingerprint": (row.inputs_fingerprint or "")[:16]},
                derived={"inputs_fingerprint": fingerprint[:16], "why": reason},
            )
        ]
    return out


WAITING_CHECKS: tuple[Check, ...] = (
    check_overdue_queued_runs,
    check_silent_running_runs,
    check_waiting_scorings,
    check_waiting_analyses,
    check_latest_analysis,
)
