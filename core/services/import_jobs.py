"""Task import jobs: an admin's uploaded archive kept as a `task_import_jobs` row until a worker
has imported it (`workers/import_jobs.py`, job `imports.tasks`).

A job goes queued -> running -> done (every task answered, the tasks stored) or failed (nothing
stored, `error` says why). The archive bytes are cleared when it finishes. The job may run again
while it is queued or running (a redelivered message after a worker died); the result is written
under the row's lock, so only one run's tasks and answers are stored, and a finished job is never
touched again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.models import TaskImportJob, utcnow
from core.queue import QUEUE_DEFAULT, enqueue_after_commit
from core.services.rows import get_or_not_found
from core.states import ACTIVE_IMPORT_JOB_STATUSES, ImportJobStatus, JobName


def queue_import_job(
    session: Session,
    *,
    kind: str,
    archive_name: str,
    data: bytes,
    options: dict[str, Any],
    token_id: int | None,
) -> TaskImportJob:
    """Store the archive as a queued job and send the job once this commits."""
    row = TaskImportJob(
        format=kind, archive_name=archive_name, archive=data, options=options, created_by_token_id=token_id
    )
    session.add(row)
    session.flush()
    enqueue_after_commit(session, JobName.IMPORT_TASKS, row.id, queue=QUEUE_DEFAULT)
    return row


def get_import_job(session: Session, job_id: int) -> TaskImportJob:
    """The job with this id, or NotFound."""
    return get_or_not_found(session, TaskImportJob, job_id, "task import job")


def import_job_out(row: TaskImportJob) -> dict[str, Any]:
    """A job as the API answers it; a done job also carries the import's answer (counts and one
    entry per task, as the Harbor import answers in the request)."""
    out: dict[str, Any] = {
        "id": row.id,
        "status": row.status,
        "format": row.format,
        "archive_name": row.archive_name,
        "options": row.options,
        "error": row.error,
        "created_by_token_id": row.created_by_token_id,
        "created_at": row.created_at.isoformat() if row.created_at else None,
        "started_at": row.started_at.isoformat() if row.started_at else None,
        "finished_at": row.finished_at.isoformat() if row.finished_at else None,
    }
    if row.status == ImportJobStatus.DONE and row.result is not None:
        out.update({k: row.result[k] for k in ("imported", "refused", "tasks")})
    return out


@dataclass(frozen=True)
class ClaimedJob:
    """What a worker needs to import a job's archive."""

    id: int
    kind: str
    archive_name: str
    data: bytes
    options: dict[str, Any]


def _locked(session: Session, job_id: int) -> TaskImportJob | None:
    # FOR UPDATE on PostgreSQL (SQLite's one writer serialises anyway): two runs of one job
    # cannot both decide it is still theirs.
    return session.scalar(select(TaskImportJob).where(TaskImportJob.id == job_id).with_for_update())


def claim_import_job(session: Session, job_id: int) -> ClaimedJob | None:
    """Mark the job running and return its archive; None when it is finished or gone."""
    row = _locked(session, job_id)
    if row is None or row.status not in ACTIVE_IMPORT_JOB_STATUSES or row.archive is None:
        return None
    row.status = ImportJobStatus.RUNNING
    row.started_at = utcnow()
    session.flush()
    return ClaimedJob(row.id, row.format, row.archive_name, bytes(row.archive), dict(row.options))


def locked_running_job(session: Session, job_id: int) -> TaskImportJob | None:
    """The job, locked for this transaction, if it is still running (not finished by another run
    of the same message meanwhile)."""
    row = _locked(session, job_id)
    return row if row is not None and row.status == ImportJobStatus.RUNNING else None


def finish_import_job(row: TaskImportJob, result: dict[str, Any] | None, error: str | None) -> None:
    """Record the outcome (done with `result`, or failed with `error`) and drop the archive."""
    row.status = ImportJobStatus.DONE if error is None else ImportJobStatus.FAILED
    row.result = result
    row.error = error
    row.archive = None
    row.finished_at = utcnow()


def resend_import_jobs(session: Session) -> list[int]:
    """Send the job again, once this commits, for every queued or running import (their
    messages were lost with an in-process queue that stopped). Returns the ids."""
    ids = list(
        session.scalars(
            select(TaskImportJob.id)
            .where(TaskImportJob.status.in_(ACTIVE_IMPORT_JOB_STATUSES))
            .order_by(TaskImportJob.id)
        )
    )
    for job_id in ids:
        enqueue_after_commit(session, JobName.IMPORT_TASKS, job_id, queue=QUEUE_DEFAULT)
    return ids
