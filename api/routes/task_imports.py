"""Task suites in, as an uploaded archive (admins): `POST /api/imports/tasks`,
`GET /api/imports/tasks/{id}`.

Harbor / Terminal-Bench tasks are imported in the request, as `horizon tasks import harbor` does
(`core.importers.batch`), into a temporary task tree; each imported folder is then stored as
`horizon tasks sync` stores it (`core.services.suite_imports`): a new task, a new version of a
changed one, or unchanged. Every task is answered (imported, imported with changes, or refused
with the reason); the database is written in the request's one transaction, so a failure stores
nothing. The archive is unpacked by `core.archives` within SUITE_ARCHIVE (no links, devices or
paths outside the folder).

METR families are imported by a worker instead: listing a family's tasks runs its Python, which
must never run on the API's host (docs/security.md). The request checks the archive (unpacked to
a temporary folder and thrown away, at least one `<name>/<name>.py`), stores it as a
`task_import_jobs` row and answers 202; the `imports.tasks` job runs each family's listing in a
sandbox and stores the tasks and the answers, read with `GET /api/imports/tasks/{id}`.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Query, Response, UploadFile

from api.deps import Caller, SessionDep, admin, get_settings_dep
from core.archives import ARCHIVE_SUFFIXES, ArchiveError
from core.errors import InvalidInput
from core.importers.batch import import_sources
from core.importers.common import ImportProblem
from core.services import import_jobs
from core.services.suite_imports import scrub, source_folders, store_outcomes, unpack_suite
from core.settings import Settings
from core.taskspec import FOLDER_ID_PATTERN, MAX_HUMAN_MINUTES, MIN_HUMAN_MINUTES
from web.params import RowId

router = APIRouter(prefix="/api", tags=["imports and exports"])

HARBOR_ONLY = ("family", "rebase", "reward_key")


def _import_url(job_id: int) -> str:
    return f"/api/imports/tasks/{job_id}"


@router.post(
    "/imports/tasks",
    responses={202: {"description": "format=metr: the archive is stored and a worker imports it."}},
)
def import_tasks(
    session: SessionDep,
    response: Response,
    archive: UploadFile = File(
        ..., description="A .tar.gz, .tgz, .tar or .zip of Harbor task folders or METR families."
    ),
    format: Literal["harbor", "metr"] = Query(..., description="The tasks' format."),
    family: Annotated[str | None, Query(pattern=FOLDER_ID_PATTERN, description="Harbor only.")] = None,
    minutes: float | None = Query(
        None,
        ge=MIN_HUMAN_MINUTES,
        le=MAX_HUMAN_MINUTES,
        description="Human minutes for tasks whose task.toml (or METR manifest) has none "
        "(else they get no human time).",
    ),
    threshold: float | None = Query(
        None, gt=0, le=1, description="METR only: the score that counts as solved (default 1)."
    ),
    rebase: bool = Query(
        False, description="Harbor only: rebuild tasks on horizon-base when their base is not allowed."
    ),
    reward_key: str = Query("reward", pattern=r"^[A-Za-z0-9_.-]{1,64}$", description="Harbor only."),
    settings: Settings = Depends(get_settings_dep),
    caller: Caller = Depends(admin),
) -> dict[str, Any]:
    """Import an archive of tasks and store them as task folders sync (admins). A bad archive is
    a 422 and stores nothing; the body may be at most HORIZON_MAX_UPLOAD_BYTES (413).

    Harbor: answers per task in the request: imported, imported with changes (listed) or refused
    (why), and for each imported one whether it was created, got a new version or was unchanged.
    METR: 202 with the id of an import job a worker carries out (each family's Python runs only
    in a sandbox there); `GET /api/imports/tasks/{id}` gives its status and then the same answers.
    """
    name = (archive.filename or "").rsplit("/", 1)[-1]
    if not name.lower().endswith(ARCHIVE_SUFFIXES):
        raise InvalidInput(f"{name or 'the upload'}: upload a .tar.gz, .tgz, .tar or .zip archive")
    if format == "metr" and (family is not None or rebase or reward_key != "reward"):
        raise InvalidInput(f"{', '.join(HARBOR_ONLY)} apply to Harbor tasks only, not to METR families")
    if format == "harbor" and threshold is not None:
        raise InvalidInput("threshold applies to METR families only (a Harbor task's scorer sets its own)")
    data = archive.file.read(settings.max_upload_bytes + 1)
    if len(data) > settings.max_upload_bytes:
        raise InvalidInput(f"the archive is larger than {settings.max_upload_bytes:,} bytes")
    with tempfile.TemporaryDirectory(prefix="horizon-suite-") as tmp:
        try:
            unpacked = unpack_suite(name, data, Path(tmp))
            sources = source_folders(format, unpacked)
            if format == "metr":
                # Only checked here: the family's code is never run on this host.
                job = import_jobs.queue_import_job(
                    session,
                    kind=format,
                    archive_name=name,
                    data=data,
                    options={"minutes": minutes, "threshold": threshold if threshold is not None else 1.0},
                    token_id=caller.token_id,
                )
                response.status_code = 202
                return {
                    "id": job.id,
                    "status": job.status,
                    "url": _import_url(job.id),
                    "families": len(sources),
                }
            options: dict[str, Any] = {
                "family": family,
                "minutes": minutes,
                "rebase": rebase,
                "reward_key": reward_key,
                "allowed_images": settings.allowed_base_images(),
            }
            outcomes = import_sources(format, sources, Path(tmp) / "tasks", **options)
        except (ArchiveError, ImportProblem) as exc:
            raise InvalidInput(f"nothing imported: {scrub(str(exc), tmp)}") from None
        return store_outcomes(session, format, outcomes, tmp)


@router.get("/imports/tasks/{job_id}")
def get_import(job_id: RowId, session: SessionDep, _: Caller = Depends(admin)) -> dict[str, Any]:
    """A METR import job (admins): queued, running, done (with the answer per task and the
    counts, as a Harbor import answers) or failed (with the reason; nothing was stored)."""
    return import_jobs.import_job_out(import_jobs.get_import_job(session, job_id))
