"""The `analysis.fit` job body: gather inputs, fit with progress, store the result.

The progress callback, called between bootstrap chunks, also checks whether the analysis was
cancelled (POST /api/analyses/{id}/cancel) and then stops the fit by raising AnalysisCancelled.
"""

from __future__ import annotations

import logging
import time

from sqlalchemy import select

from analysis.errors import AnalysisInputError
from analysis.report import full_report
from core.db import session_scope
from core.models import AnalysisResult
from core.schemas import AnalysisRequest
from core.services import analyses as svc
from core.services import analysis_samples
from core.settings import get_settings
from core.states import ACTIVE_ANALYSIS_STATUSES, AnalysisStatus

log = logging.getLogger(__name__)


def run_fit(analysis_id: int) -> str:
    """Fit the analysis (or reuse an earlier result for the same inputs) and store it; returns its final
    status."""
    settings = get_settings()
    with session_scope(settings) as session:
        row = session.get(AnalysisResult, analysis_id)
        if row is None or row.status not in ACTIVE_ANALYSIS_STATUSES:
            return row.status if row else "missing"
        request = AnalysisRequest.model_validate(
            {k: v for k, v in row.params.items() if k in AnalysisRequest.model_fields}
        )
        inputs = svc.gather_inputs(session, request)
        if not svc.mark_running(session, row, inputs, total=request.bootstrap):
            return AnalysisStatus.CANCELLED
        earlier = session.scalar(
            select(AnalysisResult)
            .where(
                AnalysisResult.inputs_fingerprint == inputs.fingerprint,
                AnalysisResult.status == AnalysisStatus.DONE,
                AnalysisResult.id != analysis_id,
            )
            .order_by(AnalysisResult.id.desc())
            .limit(1)
        )
        if earlier is not None and earlier.result is not None:
            svc.finish(session, row, {**earlier.result, "reused_from": earlier.id}, None)
            analysis_samples.copy_samples(session, earlier.id, analysis_id)
            return AnalysisStatus.DONE

    last_write = [0.0]

    def progress(done: int, total: int) -> None:
        # Progress is written (and cancellation checked) at most twice a second: enough for a live
        # bar and a prompt stop, light on the database.
        now = time.monotonic()
        if now - last_write[0] < 0.5 and done < total:
            return
        last_write[0] = now
        with session_scope(settings) as s:
            target = s.get(AnalysisResult, analysis_id)
            if target is None or target.status == AnalysisStatus.CANCELLED:
                raise svc.AnalysisCancelled(analysis_id)
            target.progress_done = done
            target.progress_total = total

    error = None
    result = None
    samples = None
    try:
        if inputs.frame.empty:
            raise AnalysisInputError("no completed runs on tasks with a human time to analyse yet")
        report = full_report(inputs.frame, inputs.release_dates, svc.analysis_params(request), progress)
        result = report.to_json()
        # Replicates go to their own table, not into the result every dashboard view parses.
        samples = analysis_samples.report_samples(report)
        if samples is None and request.bootstrap > 0:
            log.info(
                "analysis %s keeps no bootstrap samples: %s",
                analysis_id,
                analysis_samples.missing_note(request.bootstrap, len(report.agents)),
            )
        result["n_unhealthy_excluded"] = inputs.n_unhealthy_excluded
        result["n_infra_excluded"] = inputs.n_infra_excluded
    except AnalysisInputError as exc:
        error = str(exc)
        log.warning("analysis %s cannot be fitted: %s", analysis_id, error)
    except svc.AnalysisCancelled:
        log.info("analysis %s was cancelled; its fit stopped", analysis_id)
        return AnalysisStatus.CANCELLED
    with session_scope(settings) as session:
        # Locked (on PostgreSQL), so a cancel arriving now waits and then finds it finished.
        row = session.get(AnalysisResult, analysis_id, with_for_update=True)
        if row is None or row.status == AnalysisStatus.CANCELLED:
            return AnalysisStatus.CANCELLED
        svc.finish(session, row, result, error)
        if samples:
            analysis_samples.store_samples(session, analysis_id, samples)
    return AnalysisStatus.DONE if error is None else AnalysisStatus.FAILED
