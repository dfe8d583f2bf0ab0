"""Unpacking uploaded archives (.zip, .tar.gz, .tgz, .tar) without trusting them.

Every archive is checked before anything is parsed or unpacked, against `ArchiveLimits`: the
upload itself, the unpacked tar stream (written to disk, never held in memory), the member count
(files, folders and pax/GNU header records), the size of one pax/GNU header record, each file and
all of them together, and for zip the declared unpacked size against the upload's size. Only plain
files and folders are unpacked, at normalised relative paths inside the destination: links,
devices, `..` and absolute paths are refused (docs/security.md). The task form takes one task
folder (`TASK_ARCHIVE`); the admin's suite import many (`core.services.suite_imports`), in the API
and again on the worker that imports METR families. In core so that both web and workers use it.
"""

from __future__ import annotations

import gzip
import io
import stat
import struct
import tarfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

from core.taskspec import MAX_FILE_BYTES, MAX_FILES, MAX_TASK_BYTES, check_file_path

MAX_ARCHIVE_HEADER_BYTES = 16 * 1024
MAX_COMPRESSION_RATIO = 200
ARCHIVE_SUFFIXES = (".zip", ".tar.gz", ".tgz", ".tar")


@dataclass(frozen=True)
class ArchiveLimits:
    """What one archive may hold: `stream_bytes` of upload and of unpacked tar stream, `entries`
    members, `file_bytes` per file and `total_bytes` unpacked in all."""

    stream_bytes: int
    entries: int
    file_bytes: int
    total_bytes: int


# One task folder (the task form): the task format's own limits.
TASK_ARCHIVE = ArchiveLimits(
    stream_bytes=4 * MAX_TASK_BYTES,
    entries=4 * MAX_FILES,
    file_bytes=MAX_FILE_BYTES,
    total_bytes=MAX_TASK_BYTES,
)


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


def _scan_tar(stream: IO[bytes], name: str, limits: ArchiveLimits) -> None:
    """Walk the raw 512-byte headers before tarfile parses anything: valid checksums, at most
    `limits.entries` records, pax/GNU long-name records of at most MAX_ARCHIVE_HEADER_BYTES,
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
        if records > limits.entries:
            raise ArchiveError([f"{name} holds more than {limits.entries:,} entries"])
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
            if size > limits.file_bytes:
                raise ArchiveError([f"{member} is larger than {limits.file_bytes:,} bytes"])
        elif kind == b"5":
            if size:
                raise ArchiveError([f"{name} is not a valid tar archive (a folder has data)"])
        else:
            raise ArchiveError([f"{member}: only plain files are allowed (no links or devices)"])
        data = -(-size // 512) * 512
        if stream.tell() + data > length:
            raise ArchiveError([f"{name} is truncated"])
        stream.seek(data, io.SEEK_CUR)


def _unpack_tar(name: str, data: bytes, dest: Path, spool: Path, limits: ArchiveLimits) -> None:
    # Decompress through a bounded reader onto disk, so neither a bomb nor a huge header ever
    # reaches memory; only then let tarfile read it, without any decompression of its own.
    try:
        with spool.open("w+b") as raw:
            if data[:2] == b"\x1f\x8b":
                with gzip.GzipFile(fileobj=io.BytesIO(data)) as unzipped:
                    _copy_bounded(unzipped, raw, limits.stream_bytes, f"{name} unpacked")
            else:
                raw.write(data)
            _scan_tar(raw, name, limits)
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
                if member.size > limits.file_bytes or total > limits.total_bytes:
                    raise ArchiveError([f"{name} unpacks to more than {limits.total_bytes:,} bytes"])
                handle = tar.extractfile(member)
                _write_member(dest, rel, handle or io.BytesIO(), limits.file_bytes)
    except tarfile.TarError as exc:
        raise ArchiveError([f"{name} is not a valid tar archive ({exc})"]) from exc


_ZIP_END = struct.Struct("<4s4H2LH")
_ZIP_ENTRY = struct.Struct("<4s4B4HL2L5H2L")


def _scan_zip(name: str, data: bytes, limits: ArchiveLimits) -> None:
    """Read the central directory from the raw bytes before zipfile does: at most
    `limits.entries` entries, each file within `limits.file_bytes`, all within `limits.total_bytes` and a
    compression ratio text reaches; no zip64, multi-disk or inconsistent directories."""
    # Found as zipfile finds it: a record at the very end, else the last one in the comment range.
    end = len(data) - _ZIP_END.size
    if end < 0 or data[end : end + 4] != b"PK\x05\x06" or data[-2:] != b"\0\0":
        end = data.rfind(b"PK\x05\x06", max(0, len(data) - _ZIP_END.size - 65535))
    if end < 0 or end + _ZIP_END.size > len(data):
        raise ArchiveError([f"{name} is not a valid zip archive (no end of central directory)"])
    _, disk, cd_disk, _, entries, cd_size, _, _ = _ZIP_END.unpack_from(data, end)
    if entries > limits.entries:
        raise ArchiveError([f"{name} holds more than {limits.entries:,} entries"])
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
        if count > limits.entries:
            raise ArchiveError([f"{name} holds more than {limits.entries:,} entries"])
        if size > limits.file_bytes:
            raise ArchiveError([f"{member} is larger than {limits.file_bytes:,} bytes"])
        total += size
        if total > limits.total_bytes:
            raise ArchiveError([f"{name} unpacks to more than {limits.total_bytes:,} bytes"])
        pos += _ZIP_ENTRY.size + name_len + extra_len + comment_len
    if count != entries:
        raise ArchiveError([f"{name} is not a valid zip archive (damaged central directory)"])
    if total > limits.file_bytes and total > MAX_COMPRESSION_RATIO * len(data):
        raise ArchiveError(
            [f"{name} unpacks to {total // max(1, len(data))} times its size; this looks like a zip bomb"]
        )


def _unpack_zip(name: str, data: bytes, dest: Path, limits: ArchiveLimits) -> None:
    _scan_zip(name, data, limits)
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
                    _write_member(dest, rel, member, limits.file_bytes)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError) as exc:
        raise ArchiveError([f"{name} is not a valid zip archive ({exc})"]) from exc
    except zlib.error as exc:
        raise ArchiveError([f"{name} is not a valid zip archive ({exc})"]) from exc


def unpack_archive(name: str, data: bytes, dest: Path, spool: Path, limits: ArchiveLimits) -> None:
    """Unpack regular files only (no links, devices or paths outside `dest`), within `limits`
    checked before anything is parsed (`spool` is scratch space for the unpacked tar stream).
    Raises ArchiveError; what was unpacked before a refusal is left in `dest` for the caller's
    temporary folder to remove."""
    if name.lower().endswith(".zip"):
        _unpack_zip(name, data, dest, limits)
    else:
        _unpack_tar(name, data, dest, spool, limits)
