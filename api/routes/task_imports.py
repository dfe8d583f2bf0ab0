"""Harbor / Terminal-Bench suites in, as an uploaded archive (admins): `POST /api/imports/tasks`.

The same import as `horizon tasks import harbor` (`core.importers.batch`), into a temporary task
tree, then each imported folder is loaded and stored as `horizon tasks sync` stores it
(`core.services.task_sync`): a new task, a new version of a changed one, or unchanged. Every task
is answered (imported, imported with changes, or refused with the reason); the database is
written in the request's one transaction, so a failure stores nothing. The archive is unpacked by
`web.archives` within SUITE_ARCHIVE (no links, devices or paths outside the folder).

METR families are not taken here: listing a family's tasks runs its Python, which must never run
on the API's host from an upload (docs/security.md); the operator imports families they trust
with `horizon tasks import metr` and `horizon tasks sync`.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Query, UploadFile

from api.deps import Caller, SessionDep, admin, get_settings_dep
from core.errors import InvalidInput
from core.importers.batch import Outcome, import_sources
from core.importers.common import ImportProblem
from core.services.task_sync import SyncReport, sync_folder
from core.settings import Settings
from core.taskfolder import load_task_folder
from core.taskspec import FOLDER_ID_PATTERN, MAX_FILE_BYTES, MAX_HUMAN_MINUTES, MIN_HUMAN_MINUTES
from web.archives import ARCHIVE_SUFFIXES, ArchiveError, ArchiveLimits, unpack_archive

router = APIRouter(prefix="/api", tags=["imports and exports"])

# A suite holds many tasks, each within the task format's limits (core.taskspec); the whole is
# bounded too. The upload itself is at most HORIZON_MAX_UPLOAD_BYTES (413, api/http_security.py).
SUITE_ARCHIVE = ArchiveLimits(
    stream_bytes=160 * 1024 * 1024, entries=20_000, file_bytes=MAX_FILE_BYTES, total_bytes=128 * 1024 * 1024
)
METR_REFUSED = (
    "METR families cannot be imported through the API: listing a family's tasks runs its Python, "
    "which must not run on the server from an upload. Import families you trust with "
    "`horizon tasks import metr SRC --dest DIR`, then `horizon tasks sync DIR`"
)


def _task_folders(unpacked: Path) -> list[Path]:
    """Every folder of the archive holding a task.toml, at any depth (`suite/a/task/`), but none
    inside another (a task's own files are not tasks)."""
    found: list[Path] = []
    for spec in sorted(unpacked.rglob("task.toml"), key=lambda p: (len(p.parts), p.as_posix())):
        folder = spec.parent
        if not any(t == folder or t in folder.parents for t in found):
            found.append(folder)
    if not found:
        raise ImportProblem("the archive holds no Harbor task (no folder with task.toml)")
    return found


def _scrub(text: str | None, tmp: str) -> str | None:
    """A message without the server's temporary folder: paths are shown inside the archive."""
    return None if text is None else text.replace(f"{tmp}/unpacked/", "").replace(f"{tmp}/", "")


def _answer(outcome: Outcome, stored: str | None) -> dict[str, Any]:
    return {
        "source": outcome.source,
        "status": outcome.status,
        "task_id": outcome.path.name if outcome.path is not None else None,
        "family": outcome.path.parent.name if outcome.path is not None else None,
        "changes": outcome.changes,
        "reason": outcome.reason,
        "stored": stored,
    }


@router.post("/imports/tasks")
def import_tasks(
    session: SessionDep,
    archive: UploadFile = File(
        ..., description="A .tar.gz, .tgz, .tar or .zip of Harbor task folders (or of one)."
    ),
    format: Literal["harbor", "metr"] = Query(..., description="The tasks' format."),
    family: Annotated[str | None, Query(pattern=FOLDER_ID_PATTERN)] = None,
    minutes: float | None = Query(
        None,
        ge=MIN_HUMAN_MINUTES,
        le=MAX_HUMAN_MINUTES,
        description="Human minutes for tasks whose task.toml has none (else they get no human time).",
    ),
    rebase: bool = Query(False, description="Rebuild tasks on horizon-base when their base is not allowed."),
    reward_key: str = Query("reward", pattern=r"^[A-Za-z0-9_.-]{1,64}$"),
    settings: Settings = Depends(get_settings_dep),
    _: Caller = Depends(admin),
) -> dict[str, Any]:
    """Import an archive of Harbor / Terminal-Bench tasks and store them as task folders sync
    (admins). Answers per task: imported, imported with changes (listed) or refused (why), and
    for each imported one whether it was created, got a new version or was unchanged. A bad
    archive is a 422 and stores nothing; the body may be at most HORIZON_MAX_UPLOAD_BYTES (413)."""
    if format == "metr":
        raise InvalidInput(METR_REFUSED)
    name = (archive.filename or "").rsplit("/", 1)[-1]
    if not name.lower().endswith(ARCHIVE_SUFFIXES):
        raise InvalidInput(f"{name or 'the upload'}: upload a .tar.gz, .tgz, .tar or .zip archive")
    data = archive.file.read(settings.max_upload_bytes + 1)
    if len(data) > settings.max_upload_bytes:
        raise InvalidInput(f"the archive is larger than {settings.max_upload_bytes:,} bytes")
    options: dict[str, Any] = {
        "family": family,
        "minutes": minutes,
        "rebase": rebase,
        "reward_key": reward_key,
        "allowed_images": settings.allowed_base_images(),
    }
    answers: list[dict[str, Any]] = []
    report = SyncReport()
    with tempfile.TemporaryDirectory(prefix="horizon-suite-") as tmp:
        unpacked = Path(tmp) / "unpacked"
        unpacked.mkdir()
        try:
            unpack_archive(name, data, unpacked, Path(tmp) / "archive.tar", SUITE_ARCHIVE)
            outcomes = import_sources(format, _task_folders(unpacked), Path(tmp) / "tasks", **options)
        except (ArchiveError, ImportProblem) as exc:
            raise InvalidInput(f"nothing imported: {_scrub(str(exc), tmp)}") from None
        seen: dict[str, str] = {}
        for outcome in outcomes:
            outcome.reason = _scrub(outcome.reason, tmp)
            if outcome.path is None:
                answers.append(_answer(outcome, None))
                continue
            task_id = outcome.path.name
            if task_id in seen:
                # Two sources with one id would store one as a version of the other.
                outcome.reason = f"the task id {task_id!r} is also the id of {seen[task_id]} in this archive"
                outcome.path = None
                answers.append(_answer(outcome, None))
                continue
            seen[task_id] = outcome.source
            before = len(report.created), len(report.new_versions)
            sync_folder(session, load_task_folder(outcome.path), report)
            stored = (
                "created"
                if len(report.created) > before[0]
                else "new version"
                if len(report.new_versions) > before[1]
                else "unchanged"
            )
            answers.append(_answer(outcome, stored))
    refused = sum(1 for a in answers if a["status"] == "refused")
    return {"format": format, "imported": len(answers) - refused, "refused": refused, "tasks": answers}
