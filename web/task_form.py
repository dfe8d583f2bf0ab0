"""The task submission form: multipart fields and uploads -> `TaskCreate` / `TaskUpdate` payloads.

Form field names are the dotted paths of the schema (`scorer.command`, `limits.cpus`,
`baselines.0.minutes`), so a pydantic error location maps straight back to the field it belongs
to. Validation is the schema's (`core.schemas`) and the task service's; this module only gathers
the input. A task can also come as one archive (.zip, .tar.gz, .tgz) holding a task folder in the
repository's format (`core.taskfolder`), which is validated by `load_task_folder`.
"""

from __future__ import annotations

import gzip
import io
import math
import posixpath
import re
import shutil
import stat
import struct
import tarfile
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

import yaml
from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile

from analysis.bounded_yaml import load_yaml
from core.models import Task, TaskVersion
from core.taskfolder import TaskFolderError, discover_task_folders, load_task_folder
from core.taskspec import (
    MAX_FILE_BYTES,
    MAX_FILES,
    MAX_TASK_BYTES,
    TAG_RULE,
    TASK_ID_RULE,
    check_file_path,
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
# Archives are checked against these before anything is parsed or unpacked: the upload itself,
# the unpacked tar stream (written to disk, never held in memory), the member count (files,
# folders and pax/GNU header records), the size of one pax/GNU header record, and for zip the
# declared unpacked size against the upload's size.
MAX_ARCHIVE_BYTES = 4 * MAX_TASK_BYTES
MAX_ARCHIVE_ENTRIES = 4 * MAX_FILES
MAX_ARCHIVE_HEADER_BYTES = 16 * 1024
MAX_COMPRESSION_RATIO = 200
ARCHIVE_SUFFIXES = (".zip", ".tar.gz", ".tgz", ".tar")
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


class ArchiveError(ValueError):
    """The archive cannot be used; `messages` says why (each a line for the person)."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


BAD_MEMBER = "paths must stay inside the task folder, normalised (no . or ..) and without control characters"


def _safe_member(name: str) -> str | None:
    """A file's relative path inside the archive, or None for names that would escape the folder
    or are not a task file path (`t/.`, `a//b`, control characters: `check_file_path`)."""
    name = name.replace("\\", "/")
    while name.startswith("./"):  # `tar -czf task.tgz .` names every member ./...
        name = name[2:]
    try:
        return check_file_path(name)
    except ValueError:
        return None


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


def _copy_bounded(src: _Readable, dst: IO[bytes], limit: int, what: str) -> int:
    """Copy at most `limit` bytes in small chunks; ArchiveError past it. Returns bytes copied."""
    copied = 0
    while chunk := src.read(64 * 1024):
        copied += len(chunk)
        if copied > limit:
            raise ArchiveError([f"{what} is larger than {limit:,} bytes"])
        dst.write(chunk)
    return copied


def _write_member(dest: Path, rel: str, src: _Readable, size_limit: int) -> None:
    target = dest / rel
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("wb") as out:
            _copy_bounded(src, out, size_limit, rel)
    except (FileExistsError, NotADirectoryError, IsADirectoryError):
        # `t/x` and `t/x/y`, or a file where a folder entry stands: one name cannot be both.
        raise ArchiveError([f"{rel}: the archive holds a file and a folder of the same name"]) from None


def _tar_number(field: bytes) -> int:
    # Octal, NUL/space padded. Base-256 (a set high bit) only serves sizes no task has.
    if field[:1] and field[0] & 0x80:
        raise ValueError("base-256 number")
    text = field.split(b"\0", 1)[0].strip()
    return int(text, 8) if text else 0


_SIGNED_BYTES = struct.Struct("148b8x356b")


def _scan_tar(stream: IO[bytes], name: str) -> None:
    """Walk the raw 512-byte headers before tarfile parses anything: valid checksums, at most
    MAX_ARCHIVE_ENTRIES records, pax/GNU long-name records of at most MAX_ARCHIVE_HEADER_BYTES,
    only files and folders, and every size within what the stream holds."""
    stream.seek(0, io.SEEK_END)
    length = stream.tell()
    stream.seek(0)
    records = 0
    while True:
        block = stream.read(512)
        if len(block) < 512 or block == bytes(512):
            return  # end of archive (tarfile also accepts a missing end marker)
        try:
            stored = _tar_number(block[148:156])
            size = _tar_number(block[124:136])
        except ValueError:
            raise ArchiveError([f"{name} is not a valid tar archive (a header cannot be read)"]) from None
        unsigned = sum(block[:148]) + 8 * 0x20 + sum(block[156:])
        signed = sum(_SIGNED_BYTES.unpack(block)) + 8 * 0x20  # what some old tar programs wrote
        if stored not in (unsigned, signed):
            raise ArchiveError([f"{name} is not a valid tar archive (a header checksum is wrong)"])
        records += 1
        if records > MAX_ARCHIVE_ENTRIES:
            raise ArchiveError([f"{name} holds more than {MAX_ARCHIVE_ENTRIES:,} entries"])
        kind = block[156:157]
        member = block[:100].split(b"\0", 1)[0].decode("utf-8", "replace")
        if kind in (b"x", b"g", b"L", b"K"):
            if size > MAX_ARCHIVE_HEADER_BYTES:
                raise ArchiveError(
                    [
                        f"{name} has a {size:,}-byte extended header; headers may have at most "
                        f"{MAX_ARCHIVE_HEADER_BYTES:,} bytes"
                    ]
                )
        elif kind in (b"0", b"\0", b"7"):
            if size > MAX_FILE_BYTES:
                raise ArchiveError([f"{member} is larger than {MAX_FILE_BYTES:,} bytes"])
        elif kind == b"5":
            if size:
                raise ArchiveError([f"{name} is not a valid tar archive (a folder has data)"])
        else:
            raise ArchiveError([f"{member}: only plain files are allowed (no links or devices)"])
        data = -(-size // 512) * 512
        if stream.tell() + data > length:
            raise ArchiveError([f"{name} is truncated"])
        stream.seek(data, io.SEEK_CUR)


def _unpack_tar(name: str, data: bytes, dest: Path, spool: Path) -> None:
    # Decompress through a bounded reader onto disk, so neither a bomb nor a huge header ever
    # reaches memory; only then let tarfile read it, without any decompression of its own.
    try:
        with spool.open("w+b") as raw:
            if data[:2] == b"\x1f\x8b":
                with gzip.GzipFile(fileobj=io.BytesIO(data)) as unzipped:
                    _copy_bounded(unzipped, raw, MAX_ARCHIVE_BYTES, f"{name} unpacked")
            else:
                raw.write(data)
            _scan_tar(raw, name)
    except (OSError, EOFError, zlib.error) as exc:
        raise ArchiveError([f"{name} is not a valid tar.gz archive ({exc})"]) from exc
    total = 0
    try:
        with tarfile.open(spool, mode="r:") as tar:
            for member in tar:
                if member.isdir():
                    continue
                rel = _safe_member(member.name)
                if rel is None:
                    raise ArchiveError([f"{member.name}: {BAD_MEMBER}"])
                if not member.isfile():
                    raise ArchiveError([f"{rel}: only plain files are allowed (no links or devices)"])
                # A pax header may restate the size: check the size tarfile will read, too.
                total += member.size
                if member.size > MAX_FILE_BYTES or total > MAX_TASK_BYTES:
                    raise ArchiveError([f"{name} unpacks to more than {MAX_TASK_BYTES:,} bytes"])
                handle = tar.extractfile(member)
                _write_member(dest, rel, handle or io.BytesIO(), MAX_FILE_BYTES)
    except tarfile.TarError as exc:
        raise ArchiveError([f"{name} is not a valid tar archive ({exc})"]) from exc


_ZIP_END = struct.Struct("<4s4H2LH")
_ZIP_ENTRY = struct.Struct("<4s4B4HL2L5H2L")


def _scan_zip(name: str, data: bytes) -> None:
    """Read the central directory from the raw bytes before zipfile does: at most
    MAX_ARCHIVE_ENTRIES entries, each file within MAX_FILE_BYTES, all within MAX_TASK_BYTES and a
    compression ratio text reaches; no zip64, multi-disk or inconsistent directories."""
    # Found as zipfile finds it: a record at the very end, else the last one in the comment range.
    end = len(data) - _ZIP_END.size
    if end < 0 or data[end : end + 4] != b"PK\x05\x06" or data[-2:] != b"\0\0":
        end = data.rfind(b"PK\x05\x06", max(0, len(data) - _ZIP_END.size - 65535))
    if end < 0 or end + _ZIP_END.size > len(data):
        raise ArchiveError([f"{name} is not a valid zip archive (no end of central directory)"])
    _, disk, cd_disk, _, entries, cd_size, _, _ = _ZIP_END.unpack_from(data, end)
    if entries > MAX_ARCHIVE_ENTRIES:
        raise ArchiveError([f"{name} holds more than {MAX_ARCHIVE_ENTRIES:,} entries"])
    if disk or cd_disk or data.rfind(b"PK\x06\x07", max(0, end - 20), end) >= 0 or cd_size > end:
        raise ArchiveError([f"{name}: zip64 and multi-part zip archives are not supported"])
    pos, count, total = end - cd_size, 0, 0
    while pos < end:
        if data[pos : pos + 4] != b"PK\x01\x02" or pos + _ZIP_ENTRY.size > end:
            raise ArchiveError([f"{name} is not a valid zip archive (damaged central directory)"])
        fields = _ZIP_ENTRY.unpack_from(data, pos)
        packed, size, name_len, extra_len, comment_len = fields[10:15]
        member = data[pos + 46 : pos + 46 + name_len].decode("utf-8", "replace")
        count += 1
        if count > MAX_ARCHIVE_ENTRIES:
            raise ArchiveError([f"{name} holds more than {MAX_ARCHIVE_ENTRIES:,} entries"])
        if size > MAX_FILE_BYTES:
            raise ArchiveError([f"{member} is larger than {MAX_FILE_BYTES:,} bytes"])
        total += size
        if total > MAX_TASK_BYTES:
            raise ArchiveError([f"{name} unpacks to more than {MAX_TASK_BYTES:,} bytes"])
        pos += _ZIP_ENTRY.size + name_len + extra_len + comment_len
    if count != entries:
        raise ArchiveError([f"{name} is not a valid zip archive (damaged central directory)"])
    if total > MAX_FILE_BYTES and total > MAX_COMPRESSION_RATIO * len(data):
        raise ArchiveError(
            [f"{name} unpacks to {total // max(1, len(data))} times its size; this looks like a zip bomb"]
        )


def _unpack_zip(name: str, data: bytes, dest: Path) -> None:
    _scan_zip(name, data)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                if info.is_dir():
                    continue
                rel = _safe_member(info.filename)
                if rel is None:
                    raise ArchiveError([f"{info.filename}: {BAD_MEMBER}"])
                if stat.S_ISLNK(info.external_attr >> 16):
                    raise ArchiveError([f"{rel}: symbolic links are not allowed; include the file itself"])
                # zipfile stops at the declared size and checks the CRC: a lying entry fails here.
                with archive.open(info) as member:
                    _write_member(dest, rel, member, MAX_FILE_BYTES)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError) as exc:
        raise ArchiveError([f"{name} is not a valid zip archive ({exc})"]) from exc
    except zlib.error as exc:
        raise ArchiveError([f"{name} is not a valid zip archive ({exc})"]) from exc


def _extract(name: str, data: bytes, dest: Path, spool: Path) -> None:
    """Unpack regular files only (no links, devices or paths outside `dest`), within size limits
    checked before anything is parsed (`spool` is scratch space for the unpacked tar stream)."""
    if name.lower().endswith(".zip"):
        _unpack_zip(name, data, dest)
    else:
        _unpack_tar(name, data, dest, spool)


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
        _extract(name, data, unpacked, Path(tmp) / "archive.tar")
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
