"""The `imports.tasks` job body: import an admin's stored METR archive (default queue).

The archive is unpacked again (`core.services.suite_imports`, the API's bounds), each family is
imported by `core.importers.metr` with its task listing run in a sandbox (`workers.metr_listing`),
and then every imported folder is stored together with the job's result in one transaction: if
anything fails, the job is failed with the reason and no task is stored. A job that is already
finished is left alone (a redelivered message does nothing).
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Any

from core.archives import ArchiveError
from core.db import session_scope
from core.importers.batch import Outcome, import_sources
from core.importers.common import ImportProblem
from core.services import import_jobs
from core.services.suite_imports import scrub, source_folders, store_outcomes, unpack_suite
from core.settings import Settings, get_settings
from core.states import ImportJobStatus
from workers.metr_listing import SandboxLister, listing_limits
from workers.sandbox import get_backend
from workers.sandbox.base import SandboxError

log = logging.getLogger(__name__)


def _metr_outcomes(job: import_jobs.ClaimedJob, tmp: Path, settings: Settings) -> list[Outcome]:
    unpacked = unpack_suite(job.archive_name, job.data, tmp)
    families = source_folders("metr", unpacked)
    backend = get_backend(settings.sandbox_backend, settings.docker_host, settings)
    try:
        # Negative, as health checks' are: these sandboxes are no run's (see SandboxLister).
        lister = SandboxLister(backend, backend.ensure_base_image(), listing_limits(settings), -job.id)
        options: dict[str, Any] = {
            "default_minutes": job.options.get("minutes"),
            "threshold": float(job.options.get("threshold") or 1.0),
            "lister": lister,
        }
        return import_sources("metr", families, tmp / "tasks", **options)
    finally:
        backend.close()


def _fail(job_id: int, reason: str, settings: Settings) -> str:
    with session_scope(settings) as session:
        row = import_jobs.locked_running_job(session, job_id)
        if row is None:
            return "finished elsewhere"
        import_jobs.finish_import_job(row, None, reason)
    log.warning("task import job %s failed: %s", job_id, reason)
    return ImportJobStatus.FAILED


def run_import_job(job_id: int) -> str:
    """Carry out import job `job_id`; returns its final status (or why nothing was done)."""
    settings = get_settings()
    with session_scope(settings) as session:
        job = import_jobs.claim_import_job(session, job_id)
    if job is None:
        return "not queued"
    if job.kind != "metr":
        return _fail(job_id, f"this worker does not import {job.kind!r} archives", settings)
    with tempfile.TemporaryDirectory(prefix="horizon-import-job-") as tmp:
        try:
            outcomes = _metr_outcomes(job, Path(tmp), settings)
        except (ArchiveError, ImportProblem) as exc:
            return _fail(job_id, f"nothing imported: {scrub(str(exc), tmp)}", settings)
        except SandboxError as exc:
            return _fail(job_id, f"nothing imported: the sandbox failed: {exc}", settings)
        except Exception as exc:  # never left running: the job says what went wrong
            log.exception("import job %s failed", job_id)
            return _fail(job_id, f"nothing imported: {type(exc).__name__}: {scrub(str(exc), tmp)}", settings)
        try:
            with session_scope(settings) as session:
                row = import_jobs.locked_running_job(session, job_id)
                if row is None:
                    return "finished elsewhere"
                result = store_outcomes(session, "metr", outcomes, tmp)
                import_jobs.finish_import_job(row, result, None)
        except Exception as exc:  # rolled back: nothing stored; the job says why
            log.exception("storing the tasks of import job %s failed", job_id)
            return _fail(
                job_id, f"nothing stored: {type(exc).__name__}: {scrub(str(exc), tmp)}"[:4000], settings
            )
    return ImportJobStatus.DONE
