"""Helpers shared by the importers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

from analysis.bounded_yaml import short_repr
from core.taskfolder import IGNORED_NAMES
from core.taskspec import (
    FOLDER_ID_MAX_CHARS,
    MAX_FILE_BYTES,
    MAX_FILES,
    MAX_HUMAN_MINUTES,
    MIN_HUMAN_MINUTES,
    HumanMinutes,
    check_file_path,
    check_workdir,
)

_HUMAN_MINUTES: TypeAdapter[float] = TypeAdapter(HumanMinutes)


class ImportProblem(ValueError):
    """The source cannot be imported; the message says why and what to change."""


@dataclass
class ImportedTask:
    """A task folder an importer wrote, and each way it differs from its source (empty: imported
    as it was)."""

    path: Path
    changes: list[str] = field(default_factory=list)


@dataclass
class RefusedTask:
    """A task of the source that was not imported, and why."""

    name: str
    reason: str


NO_HUMAN_TIME = (
    "the source gives no time estimate and none was passed (--minutes): the task has no human "
    "time, so fits leave it out until a baseline or an estimate is added"
)


def slug(text: str, fallback: str = "task") -> str:
    """A lower-case id usable as a task or family folder name (core.taskspec.FolderId)."""
    value = re.sub(r"[^a-z0-9_-]+", "-", text.strip().lower()).strip("-_")
    return (value or fallback)[:FOLDER_ID_MAX_CHARS]


def read_text_tree(folder: Path, *, skip: frozenset[str] = frozenset()) -> dict[str, str]:
    """Every file below `folder` as UTF-8 text keyed by its relative POSIX path.

    Raises ImportProblem for binary or oversized files, names the task format refuses, and more
    than MAX_FILES files: the task format carries text only, within core.taskspec's limits.
    """
    files: dict[str, str] = {}
    if not folder.is_dir():
        return files
    for path in sorted(folder.rglob("*")):
        if len(files) >= MAX_FILES:
            raise ImportProblem(f"{folder} holds more than {MAX_FILES:,} files; a task may have at most that")
        rel_parts = path.relative_to(folder).parts
        if any(part in IGNORED_NAMES for part in rel_parts) or path.suffix == ".pyc":
            continue
        rel = path.relative_to(folder).as_posix()
        if rel in skip or not path.is_file():
            continue
        if path.is_symlink():
            raise ImportProblem(f"{path} is a symbolic link; copy the file instead")
        try:
            check_file_path(rel)
        except ValueError as exc:
            raise ImportProblem(f"{path}: {exc}") from None
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ImportProblem(
                f"{path} is larger than {MAX_FILE_BYTES:,} bytes; generate it in the Dockerfile instead"
            )
        try:
            files[rel] = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise ImportProblem(
                f"{path} is not UTF-8 text; binary files are not supported (generate them in the "
                "Dockerfile, or store them as text)"
            ) from None
    return files


def human_minutes(value: float, what: str) -> float:
    """`value` checked with the task format's rule for human time (core.taskspec.HumanMinutes)."""
    try:
        return _HUMAN_MINUTES.validate_python(value)
    except ValidationError:
        raise ImportProblem(
            f"{what} is {short_repr(value)} minutes; human time must be between {MIN_HUMAN_MINUTES * 60:g} "
            f"second and {MAX_HUMAN_MINUTES:,} minutes (30 days)"
        ) from None


def workdir(value: str, what: str) -> str:
    """`value` checked with the task format's rule for work directories."""
    try:
        return check_workdir(value)
    except ValueError as exc:
        raise ImportProblem(f"{what}: the work directory {exc}") from None


def minutes_to_time_limit_s(minutes: float, *, factor: float = 4.0, floor_s: int = 600) -> int:
    """A default agent time limit: `factor` times the human time, at least `floor_s`, at most a day."""
    return int(min(24 * 3600, max(floor_s, minutes * 60 * factor)))
