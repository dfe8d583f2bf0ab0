"""The task submission form: multipart fields and uploads -> `TaskCreate` / `TaskUpdate` payloads.

Form field names are the dotted paths of the schema (`scorer.command`, `limits.cpus`,
`baselines.0.minutes`), so a pydantic error location maps straight back to the field it belongs
to. Validation is the schema's (`core.schemas`) and the task service's; this module only gathers
the input. A task can also come as one archive (.zip, .tar.gz, .tgz) holding a task folder in the
repository's format (`core.taskfolder`), which is validated by `load_task_folder`.
"""

from __future__ import annotations

import math
import posixpath
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile

from analysis.bounded_yaml import load_yaml
from core.archives import ARCHIVE_SUFFIXES, TASK_ARCHIVE, ArchiveError, unpack_archive
from core.models import Task, TaskVersion
from core.taskfolder import TaskFolderError, discover_task_folders, load_task_folder
from core.taskspec import (
    MAX_FILE_BYTES,
    TAG_RULE,
    TASK_ID_RULE,
)

FILE_SECTIONS = ("environment", "scorer", "solution")
TEXT_FIELDS = (
    "id",
    "family",
    "title",
    "tags",
    "instructions",
    "environment.dockerfile",
    "environment.workdir",
    "scorer.command",
    "scorer.threshold",
    "scorer.timeout_s",
    "solution.command",
    "limits.cpus",
    "limits.memory_mb",
    "limits.pids",
    "limits.disk_mb",
    "limits.gpus",
    "limits.gpu_memory_mb",
    "time_limit_s",
)
BASELINE_FIELDS = ("baseliner", "minutes", "succeeded", "source", "notes")
MAX_BASELINE_ROWS = 200
# The largest archive upload: one task folder's (core/archives.py checks the rest).
MAX_ARCHIVE_BYTES = TASK_ARCHIVE.stream_bytes
GENERAL = "form"


@dataclass
class TaskForm:
    """What the person submitted, kept to re-fill the form when something is wrong."""

    values: dict[str, str] = field(default_factory=dict)
    baselines: list[dict[str, str]] = field(default_factory=list)
    files: dict[str, dict[str, str]] = field(default_factory=dict)
    remove: dict[str, set[str]] = field(default_factory=dict)
    archive: tuple[str, bytes] | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    uploaded_names: list[str] = field(default_factory=list)

    def error(self, name: str, message: str) -> None:
        """Note a problem with a field, to show beside it."""
        self.errors.setdefault(name, []).append(message)


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _read_upload(upload: UploadFile, limit: int) -> bytes:
    # Starlette spools uploads to a temporary file; read at most one byte past the limit.
    upload.file.seek(0)
    return upload.file.read(limit + 1)


def read_task_form(form: FormData) -> TaskForm:
    """Gather text fields, baseline rows, uploaded files and an optional archive."""
    result = TaskForm()
    for name in TEXT_FIELDS:
        result.values[name] = _text(form, name).replace("\r\n", "\n")
    for i in range(MAX_BASELINE_ROWS):
        row = {key: _text(form, f"baselines.{i}.{key}").strip() for key in BASELINE_FIELDS}
        if not any(form.get(f"baselines.{i}.{key}") is not None for key in BASELINE_FIELDS):
            break
        result.baselines.append(row)

    uploads: list[tuple[str, UploadFile]] = [
        (key, value) for key, value in form.multi_items() if isinstance(value, UploadFile) and value.filename
    ]
    for key, upload in uploads:
        data = _read_upload(upload, MAX_ARCHIVE_BYTES if key == "archive" else MAX_FILE_BYTES)
        name = posixpath.basename((upload.filename or "").replace("\\", "/"))
        result.uploaded_names.append(name)
        if key == "archive":
            if len(data) > MAX_ARCHIVE_BYTES:
                result.error("archive", f"the archive is larger than {MAX_ARCHIVE_BYTES:,} bytes")
            else:
                result.archive = (name, data)
            continue
        if len(data) > MAX_FILE_BYTES:
            result.error(key, f"{name} is larger than {MAX_FILE_BYTES:,} bytes")
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            result.error(key, f"{name} is not UTF-8 text; binary files are not supported")
            continue
        if key == "instructions_file":
            result.values["instructions"] = text
        elif key == "environment.dockerfile_file":
            result.values["environment.dockerfile"] = text
        elif key.endswith(".files") and key.split(".")[0] in FILE_SECTIONS:
            result.files.setdefault(key.split(".")[0], {})[name] = text
        else:
            result.error(GENERAL, f"unexpected upload field {key!r}")
    for section in FILE_SECTIONS:
        removed = {v for v in form.getlist(f"{section}.remove") if isinstance(v, str)}
        if removed:
            result.remove[section] = removed
    return result


def form_number(value: str) -> int | float | str | None:
    """A number typed into the form, as int or float: the schemas take numbers strictly, so the
    form converts its own text. Text that is no finite number stays text, which the schema then
    refuses by field ("must be a valid number"); an empty field is None (the default)."""
    value = value.strip()
    if not value:
        return None
    try:
        if re.fullmatch(r"[+-]?\d{1,30}", value):
            return int(value)
        number = float(value)
    except ValueError:
        return value
    return number if math.isfinite(number) else value


def _tags(text: str) -> list[str]:
    return [t for t in (part.strip() for part in text.replace(",", " ").split()) if t]


def _without_none(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None}


def _content(form: TaskForm, existing: TaskVersion | None) -> dict[str, Any]:
    """instructions, environment, scorer, solution, limits and time limit from the form, files
    merged with the existing version's (edit) minus those marked for removal."""
    v = form.values

    def files(section: str) -> dict[str, str]:
        old: dict[str, str] = {}
        if existing is not None:
            spec = getattr(existing, section) or {}
            old = dict(spec.get("files") or {})
        for name in form.remove.get(section, set()):
            old.pop(name, None)
        return {**old, **form.files.get(section, {})}

    solution_files = files("solution")
    solution: dict[str, Any] | None = None
    if v["solution.command"].strip() or solution_files:
        solution = {"command": v["solution.command"].strip(), "files": solution_files}
    return {
        "instructions": v["instructions"],
        "environment": _without_none(
            {
                "dockerfile": v["environment.dockerfile"] if v["environment.dockerfile"].strip() else None,
                "files": files("environment"),
                "workdir": v["environment.workdir"].strip() or None,
                # The form has no fields for services (task.yaml's `services:`): an edit keeps them.
                "services": (existing.environment or {}).get("services") if existing is not None else None,
            }
        ),
        "scorer": _without_none(
            {
                "command": v["scorer.command"].strip(),
                "files": files("scorer"),
                "threshold": form_number(v["scorer.threshold"]),
                "timeout_s": form_number(v["scorer.timeout_s"]),
            }
        ),
        "solution": solution,
        "limits": _without_none(
            {
                "cpus": form_number(v["limits.cpus"]),
                "memory_mb": form_number(v["limits.memory_mb"]),
                "pids": form_number(v["limits.pids"]),
                "disk_mb": form_number(v["limits.disk_mb"]),
                "gpus": form_number(v["limits.gpus"]),
                "gpu_memory_mb": form_number(v["limits.gpu_memory_mb"]),
            }
        ),
        "time_limit_s": form_number(v["time_limit_s"]),
    }


def baseline_payloads(form: TaskForm) -> list[dict[str, Any]]:
    """Non-empty baseline rows as `BaselineCreate` input (index kept aligned with the form)."""
    out = []
    for row in form.baselines:
        if not any(row[k] for k in ("baseliner", "minutes", "notes")):
            continue
        out.append(
            _without_none(
                {
                    "baseliner": row["baseliner"],
                    "minutes": form_number(row["minutes"]),
                    "succeeded": row["succeeded"] or "yes",
                    "source": row["source"] or "baseline",
                    "notes": row["notes"],
                }
            )
        )
    return out


def baseline_rows_index(form: TaskForm) -> list[int]:
    """Form row number of each payload from `baseline_payloads` (empty rows are skipped)."""
    return [
        i for i, row in enumerate(form.baselines) if any(row[k] for k in ("baseliner", "minutes", "notes"))
    ]


def create_payload(form: TaskForm) -> dict[str, Any]:
    """Input for `TaskCreate` from the form fields."""
    v = form.values
    return _without_none(
        {
            "id": v["id"].strip(),
            "family": v["family"].strip(),
            "title": v["title"].strip(),
            "tags": _tags(v["tags"]),
            **_content(form, None),
            "baselines": baseline_payloads(form),
        }
    )


def update_payload(form: TaskForm, existing: TaskVersion) -> dict[str, Any]:
    """Input for `TaskUpdate` (every field given; unchanged content makes no new version)."""
    v = form.values
    content = _content(form, existing)
    return _without_none({"title": v["title"].strip(), "tags": _tags(v["tags"]), **content})


def field_name(loc: tuple[Any, ...], baseline_rows: list[int] | None = None) -> str:
    """The form field for a pydantic error location (`("baselines", 0, "minutes")` ->
    `baselines.<form row>.minutes`); a model-level error belongs to the whole form."""
    parts = [str(p) for p in loc if p not in ("body",)]
    if len(parts) >= 2 and parts[0] == "baselines" and parts[1].isdigit() and baseline_rows is not None:
        index = int(parts[1])
        if index < len(baseline_rows):
            parts[1] = str(baseline_rows[index])
    if (
        parts[:2] == ["solution", "files"]
        or parts[:2] == ["scorer", "files"]
        or parts[:2] == ["environment", "files"]
    ):
        parts = parts[:2]
    return ".".join(parts) or GENERAL


def plain_message(err: Any) -> str:
    """A pydantic error in the words the form shows."""
    message = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
    message = message.replace("Input should be", "must be")
    kind = err.get("type")
    loc = tuple(err.get("loc", ()))
    if kind == "missing":
        return "this field is required"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        # Bounds such as one second in minutes read better rounded (0.01667, not 0.016666...).
        words = {"greater_than": "greater than", "greater_than_equal": "at least"}
        words |= {"less_than": "less than", "less_than_equal": "at most"}
        (limit,) = err.get("ctx", {"": "the limit"}).values()
        return f"must be {words[kind]} {limit:.4g}" if isinstance(limit, int | float) else message
    if kind == "string_pattern_mismatch" and loc[:1] in (("id",), ("family",)):
        return TASK_ID_RULE
    if kind == "string_pattern_mismatch" and loc[:1] == ("tags",):
        return f"tag {err.get('input')!r}: {TAG_RULE}"
    return message


def add_validation_errors(
    form: TaskForm,
    exc: ValidationError,
    baseline_rows: list[int] | None = None,
    prefix: tuple[Any, ...] = (),
) -> None:
    """Put each error of `exc` next to its form field (locations are taken under `prefix`)."""
    for err in exc.errors():
        form.error(field_name(prefix + tuple(err.get("loc", ())), baseline_rows), plain_message(err))


def values_from_task(task: Task, version: TaskVersion) -> dict[str, str]:
    """The edit form's initial values."""

    def s(value: Any) -> str:
        return "" if value is None else str(value)

    env, scorer, limits = version.environment or {}, version.scorer or {}, version.limits or {}
    solution = version.solution or {}
    return {
        "id": task.id,
        "family": task.family_id,
        "title": task.title,
        "tags": ", ".join(task.tags or []),
        "instructions": version.instructions,
        "environment.dockerfile": s(env.get("dockerfile")),
        "environment.workdir": s(env.get("workdir")),
        "scorer.command": s(scorer.get("command")),
        "scorer.threshold": s(scorer.get("threshold")),
        "scorer.timeout_s": s(scorer.get("timeout_s")),
        "solution.command": s(solution.get("command")),
        "limits.cpus": s(limits.get("cpus")),
        "limits.memory_mb": s(limits.get("memory_mb")),
        "limits.pids": s(limits.get("pids")),
        "limits.disk_mb": s(limits.get("disk_mb")),
        "limits.gpus": s(limits.get("gpus")),
        "limits.gpu_memory_mb": s(limits.get("gpu_memory_mb")),
        "time_limit_s": s(version.time_limit_s),
    }


# ---------------------------------------------------------------- archives


def _peek(spec_path: Path, key: str) -> str:
    try:
        raw = load_yaml(spec_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return "_"
    value = raw.get(key) if isinstance(raw, dict) else None
    return (
        value if isinstance(value, str) and value and "/" not in value and value not in (".", "..") else "_"
    )


def archive_payload(name: str, data: bytes) -> dict[str, Any]:
    """`TaskCreate` input from an archive holding one task folder; raises ArchiveError."""
    if not name.lower().endswith(ARCHIVE_SUFFIXES):
        raise ArchiveError([f"{name}: upload a .zip, .tar.gz or .tgz archive"])
    with tempfile.TemporaryDirectory(prefix="horizon-upload-") as tmp:
        unpacked = Path(tmp) / "unpacked"
        unpacked.mkdir()
        unpack_archive(name, data, unpacked, Path(tmp) / "archive.tar", TASK_ARCHIVE)
        folders = discover_task_folders(unpacked)
        if not folders:
            raise ArchiveError([f"{name} holds no task folder (no task.yaml found)"])
        if len(folders) > 1:
            shown = ", ".join(p.relative_to(unpacked).as_posix() or "." for p in folders[:5])
            raise ArchiveError(
                [f"{name} holds {len(folders)} task folders ({shown}); upload one task at a time"]
            )
        # The format wants <family>/<id>/; the archive's own folder names do not matter here.
        source = folders[0]
        staged = (
            Path(tmp) / "staged" / _peek(source / "task.yaml", "family") / _peek(source / "task.yaml", "id")
        )
        shutil.copytree(source, staged)
        try:
            folder = load_task_folder(staged)
        except TaskFolderError as exc:
            raise ArchiveError([str(p) for p in exc.problems]) from exc
    baselines: list[dict[str, Any]] = [
        {"baseliner": b.baseliner, "minutes": b.minutes, "succeeded": b.succeeded, "notes": b.notes}
        for b in folder.baselines
    ]
    if folder.estimate is not None:
        baselines.append(
            {
                "baseliner": folder.estimate.source,
                "minutes": folder.estimate.minutes,
                "succeeded": True,
                "source": "estimate",
                "notes": folder.estimate.rationale,
            }
        )
    return {
        "id": folder.spec.id,
        "family": folder.spec.family,
        "title": folder.spec.title,
        "tags": list(folder.spec.tags),
        "instructions": folder.instructions,
        "environment": folder.environment.model_dump(mode="json"),
        "scorer": folder.scorer.model_dump(mode="json"),
        "solution": folder.solution.model_dump(mode="json") if folder.solution else None,
        "limits": folder.limits.model_dump(mode="json"),
        "time_limit_s": folder.spec.time_limit_s,
        "baselines": baselines,
    }
