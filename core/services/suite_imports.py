"""An uploaded archive of Harbor tasks or METR families: unpacked, its sources found, and the
imported task folders stored as a sync stores them.

The API imports Harbor suites in the request (`api/routes/task_imports.py`); METR families are
imported by a worker job (`workers/import_jobs.py`), because listing a family's tasks runs its
Python. Both unpack the same way (`core.archives`, within SUITE_ARCHIVE), find sources the same
way, and answer every task the same way: imported, imported with changes or refused (why), and
for each stored one whether it was created, got a new version or was unchanged.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from core.archives import ArchiveLimits, unpack_archive
from core.importers.batch import Format, Outcome, is_source
from core.importers.common import ImportProblem
from core.services.task_sync import SyncReport, sync_folder
from core.taskfolder import load_task_folder
from core.taskspec import MAX_FILE_BYTES

# A suite holds many tasks, each within the task format's limits (core.taskspec); the whole is
# bounded too. The upload itself is at most HORIZON_MAX_UPLOAD_BYTES (413, api/http_security.py).
SUITE_ARCHIVE = ArchiveLimits(
    stream_bytes=160 * 1024 * 1024, entries=20_000, file_bytes=MAX_FILE_BYTES, total_bytes=128 * 1024 * 1024
)


def unpack_suite(name: str, data: bytes, tmp: Path) -> Path:
    """Unpack the archive into `tmp/unpacked` (returned); ArchiveError when it is refused."""
    unpacked = tmp / "unpacked"
    unpacked.mkdir()
    unpack_archive(name, data, unpacked, tmp / "archive.tar", SUITE_ARCHIVE)
    return unpacked


def source_folders(kind: Format, unpacked: Path) -> list[Path]:
    """Every folder of the archive holding a Harbor task (a task.toml) or a METR family
    (`<name>/<name>.py`), at any depth, but none inside another (a task's own files are not
    tasks). ImportProblem when there is none."""
    pattern = "task.toml" if kind == "harbor" else "*.py"
    candidates = {p.parent for p in unpacked.rglob(pattern) if is_source(kind, p.parent)}
    found: list[Path] = []
    for folder in sorted(candidates, key=lambda p: (len(p.parts), p.as_posix())):
        if not any(t == folder or t in folder.parents for t in found):
            found.append(folder)
    if not found:
        what = (
            "no Harbor task (no folder with task.toml)"
            if kind == "harbor"
            else "no METR family (no <name>/<name>.py)"
        )
        raise ImportProblem(f"the archive holds {what}")
    return found


def scrub(text: str | None, tmp: str | Path) -> str | None:
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


def store_outcomes(
    session: Session, kind: Format, outcomes: list[Outcome], tmp: str | Path
) -> dict[str, Any]:
    """Store every imported folder in the caller's transaction (a failure stores nothing) and
    answer each task. A second task with an id already seen in this archive is refused: it would
    be stored as a version of the first."""
    answers: list[dict[str, Any]] = []
    report = SyncReport()
    seen: dict[str, str] = {}
    for outcome in outcomes:
        outcome.reason = scrub(outcome.reason, tmp)
        if outcome.path is None:
            answers.append(_answer(outcome, None))
            continue
        task_id = outcome.path.name
        if task_id in seen:
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
    return {"format": kind, "imported": len(answers) - refused, "refused": refused, "tasks": answers}
