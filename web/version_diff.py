"""Two versions of a task side by side: a unified diff of each part, bounded in size.

Each part of a version (instructions, Dockerfile, each environment file, environment settings,
limits and, for those who may see the answers, the scorer and solution with their files) becomes
one text; changed texts are compared with difflib. The whole diff is capped (`MAX_DIFF_LINES`
lines, each cut at `MAX_LINE_CHARS` characters) and says where it was cut.
"""

from __future__ import annotations

import difflib
import itertools
import json
from dataclasses import dataclass, field
from typing import Any, Literal

from core.models import TaskVersion

MAX_DIFF_LINES = 2000  # lines shown over the whole diff
MAX_LINE_CHARS = 400  # characters shown of one line
MAX_COMPARED_LINES = 20_000  # a text longer than this on either side is not compared line by line

LineKind = Literal["add", "del", "ctx", "hunk"]


@dataclass
class DiffLine:
    """One line of a unified diff: its kind (added, removed, context, hunk header) and text."""

    kind: LineKind
    text: str


@dataclass
class PartDiff:
    """How one part changed between the two versions."""

    name: str
    status: Literal["changed", "added", "removed"]
    lines: list[DiffLine] = field(default_factory=list)
    note: str = ""  # e.g. why no lines are shown
    truncated: bool = False


@dataclass
class VersionDiff:
    """Every changed part, the names of the unchanged ones, and whether the output was cut."""

    parts: list[PartDiff]
    unchanged: list[str]
    truncated: bool
    private_shown: bool


def _settings_text(values: dict[str, Any]) -> str:
    """Settings as `key: value` lines (values as JSON), one per key, sorted."""
    return "".join(f"{key}: {json.dumps(values[key], sort_keys=True)}\n" for key in sorted(values))


def version_parts(version: TaskVersion, *, private: bool) -> dict[str, str]:
    """A version's parts as named texts; the scorer and solution only when `private`."""
    environment = version.environment or {}
    parts: dict[str, str] = {"instructions": version.instructions}
    if environment.get("dockerfile") is not None:
        parts["environment/Dockerfile"] = environment["dockerfile"]
    for name, text in sorted((environment.get("files") or {}).items()):
        parts[f"environment/files/{name}"] = text
    settings = {k: v for k, v in environment.items() if k not in ("dockerfile", "files")}
    parts["environment settings"] = _settings_text(settings)
    parts["limits"] = _settings_text({**(version.limits or {}), "time_limit_s": version.time_limit_s})
    if private:
        for section in ("scorer", "solution"):
            spec = getattr(version, section)
            if spec is None:
                continue
            parts[f"{section} settings"] = _settings_text({k: v for k, v in spec.items() if k != "files"})
            for name, text in sorted((spec.get("files") or {}).items()):
                parts[f"{section}/files/{name}"] = text
    return parts


def _kind(line: str) -> LineKind:
    if line.startswith("@@"):
        return "hunk"
    if line.startswith("+"):
        return "add"
    if line.startswith("-"):
        return "del"
    return "ctx"


def _clip(line: str) -> str:
    line = line.rstrip("\n")
    return line if len(line) <= MAX_LINE_CHARS else line[:MAX_LINE_CHARS] + " … (line cut)"


def diff_versions(old: TaskVersion, new: TaskVersion, *, private: bool) -> VersionDiff:
    """The unified diff of `old` against `new`, part by part, at most MAX_DIFF_LINES lines."""
    before = version_parts(old, private=private)
    after = version_parts(new, private=private)
    names = list(before) + [name for name in after if name not in before]
    parts: list[PartDiff] = []
    unchanged: list[str] = []
    budget = MAX_DIFF_LINES
    truncated = False
    for name in names:
        a, b = before.get(name), after.get(name)
        if a == b:
            unchanged.append(name)
            continue
        status: Literal["changed", "added", "removed"] = (
            "added" if a is None else "removed" if b is None else "changed"
        )
        part = PartDiff(name, status)
        parts.append(part)
        a_lines, b_lines = (a or "").splitlines(), (b or "").splitlines()
        if max(len(a_lines), len(b_lines)) > MAX_COMPARED_LINES:
            part.note = f"too long to compare line by line ({len(a_lines):,} and {len(b_lines):,} lines)"
            continue
        if budget <= 0:
            part.truncated = truncated = True
            continue
        # The ---/+++ header lines name the versions, which the page shows already.
        for line in itertools.islice(difflib.unified_diff(a_lines, b_lines, lineterm="", n=3), 2, None):
            if budget <= 0:
                part.truncated = truncated = True
                break
            part.lines.append(DiffLine(_kind(line), _clip(line)))
            budget -= 1
    return VersionDiff(parts, unchanged, truncated, private)
