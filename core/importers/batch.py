"""Import many Harbor tasks or METR families at once, each all or nothing.

`import_sources` takes task folders or folders of them (`SRC...`), imports each source into a
staging folder inside `dest` (same file system), checks every folder it wrote with the task
folder rules, and only then renames them into place. A source that fails leaves nothing behind,
and the outcome of every task is reported: imported, imported with changes, or refused with the
reason. This is what `horizon tasks import` prints.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from core.importers.common import ImportedTask, ImportProblem
from core.importers.harbor import harbor_task
from core.importers.metr import metr_family
from core.taskfolder import TaskFolderError, format_problems, validate_task_folder

Format = Literal["harbor", "metr"]
# A folder of many sources is read one level deep; more is most likely the wrong folder.
MAX_SOURCES = 2000


@dataclass
class Outcome:
    """One task's result: `path` is set when it was imported (its `changes` listed), `reason`
    when it was refused."""

    source: str
    path: Path | None = None
    changes: list[str] = field(default_factory=list)
    reason: str | None = None

    @property
    def status(self) -> str:
        """imported, imported with changes, or refused."""
        if self.path is None:
            return "refused"
        return "imported with changes" if self.changes else "imported"


def is_source(kind: Format, folder: Path) -> bool:
    """Whether `folder` is itself a source: a Harbor task (task.toml) or METR family (<name>.py)."""
    if kind == "harbor":
        return (folder / "task.toml").is_file()
    return (folder / f"{folder.name}.py").is_file()


def discover_sources(kind: Format, sources: Iterable[Path]) -> list[Path]:
    """Each SRC that is a task (Harbor: has task.toml; METR: has <name>.py), or else its
    subfolders that are; raises ImportProblem when a SRC holds none."""
    found: list[Path] = []
    for src in sources:
        if not src.is_dir():
            raise ImportProblem(f"{src} is not a folder")
        if is_source(kind, src):
            found.append(src)
        else:
            inner = [p for p in sorted(src.iterdir()) if p.is_dir() and is_source(kind, p)]
            if not inner:
                what = "task.toml" if kind == "harbor" else "<name>/<name>.py"
                raise ImportProblem(f"{src} holds no {kind} task (no folder with {what})")
            found += inner
        if len(found) > MAX_SOURCES:
            raise ImportProblem(f"more than {MAX_SOURCES} sources; import them in parts")
    return found


def _import_one(kind: Format, src: Path, staging: Path, options: dict[str, Any]) -> list[Outcome]:
    if kind == "harbor":
        done: list[ImportedTask] = [harbor_task(src, staging, **options)]
        refused: list[Outcome] = []
    else:
        family = metr_family(src, staging, **options)
        done = family.created
        refused = [Outcome(r.name, reason=r.reason) for r in family.refused]
    outcomes = []
    for task in done:
        problems = validate_task_folder(task.path, staging)
        if problems:
            raise ImportProblem("the imported folder is not valid:\n" + format_problems(problems))
        outcomes.append(
            Outcome(f"{src.name}" if kind == "harbor" else task.path.name, task.path, task.changes)
        )
    return outcomes + refused


def import_sources(
    kind: Format,
    sources: Iterable[Path],
    dest: Path,
    *,
    on_outcome: Callable[[Outcome], None] | None = None,
    **options: Any,
) -> list[Outcome]:
    """Import every source (see the module docstring); `options` go to `harbor_task` or
    `metr_family`. Returns one Outcome per task, in order."""
    dest.mkdir(parents=True, exist_ok=True)
    outcomes: list[Outcome] = []
    for src in discover_sources(kind, sources):
        staging = Path(tempfile.mkdtemp(prefix=".horizon-import-", dir=dest))
        try:
            try:
                found = _import_one(kind, src, staging, options)
                # Nothing is moved unless every target is free: a family is all or nothing.
                for outcome in found:
                    if outcome.path is not None:
                        target = dest / outcome.path.relative_to(staging)
                        if target.exists():
                            raise ImportProblem(
                                f"{target} already exists; remove it or choose another --dest"
                            )
                for outcome in found:
                    if outcome.path is not None:
                        target = dest / outcome.path.relative_to(staging)
                        target.parent.mkdir(parents=True, exist_ok=True)
                        outcome.path.rename(target)
                        outcome.path = target
            except (ImportProblem, TaskFolderError, FileExistsError, OSError, ValueError) as exc:
                found = [Outcome(src.name, reason=str(exc))]
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        for outcome in found:
            outcomes.append(outcome)
            if on_outcome is not None:
                on_outcome(outcome)
    return outcomes
