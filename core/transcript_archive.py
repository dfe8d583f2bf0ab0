"""The transcript archive: one compressed blob per ended attempt, out of the main database.

A blob is the attempt's events as JSON Lines (event seq i on line i), gzip'd. Blobs are named
by `blob_key` from the run id and attempt alone, so no caller's text ever reaches a path. The
archive is a small protocol (`BlobStore`); `FilesystemStore` keeps blobs under one folder (the
embedded default: `transcripts` in the data folder), written crash-safely (a temporary file,
fsync, rename), so a blob is either whole or absent. An S3-compatible store is not implemented
(docs/operations.md, "Transcript storage").
"""

from __future__ import annotations

import gzip
import json
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

# Keys this code writes: `runs/<run id // 1000>/<run id>-<attempt>.jsonl.gz`.
_KEY = re.compile(r"^runs/[0-9]{1,16}/[0-9]{1,19}-[0-9]{1,9}\.jsonl\.gz$")
# Level 3: 2.8x on agent-like text at ~7 MB/s on a loaded core; level 6 gains 7% at a fifth the speed.
_COMPRESSLEVEL = 3


class ArchiveError(Exception):
    """A blob that cannot be stored or read (a hostile key, a missing or damaged blob)."""


class BlobStore(Protocol):
    """Where transcript blobs live."""

    def put(self, key: str, data: bytes) -> None:
        """Store `data` under `key`, whole or not at all (replacing a blob of that key)."""

    def get(self, key: str) -> bytes:
        """The blob under `key`; ArchiveError when it is missing."""

    def delete(self, key: str) -> None:
        """Remove the blob under `key` (nothing when it is absent)."""

    def keys(self) -> Iterator[str]:
        """Every blob key in the store."""


def blob_key(run_id: int, attempt: int) -> str:
    """The key of one attempt's blob; ValueError for anything but positive integers."""
    for value in (run_id, attempt):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"run id and attempt must be positive integers, not {value!r}")
    return f"runs/{run_id // 1000}/{run_id}-{attempt}.jsonl.gz"


def check_key(key: str) -> str:
    """`key` if it is one this code writes; ArchiveError otherwise (`..`, absolute, other names)."""
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise ArchiveError(f"not a transcript archive key: {key!r:.80}")
    return key


def encode_events(events: list[Any]) -> bytes:
    """The events as one gzip'd JSON Lines blob."""
    lines = "".join(json.dumps(e, ensure_ascii=False, separators=(",", ":")) + "\n" for e in events)
    return gzip.compress(lines.encode(), compresslevel=_COMPRESSLEVEL, mtime=0)


def decode_events(blob: bytes) -> list[Any]:
    """The events of a blob written by `encode_events`; ArchiveError when it is damaged."""
    try:
        text = gzip.decompress(blob)
        return [json.loads(line) for line in text.splitlines() if line]
    except (OSError, EOFError, ValueError) as exc:
        raise ArchiveError(f"damaged transcript blob: {exc}") from None


class FilesystemStore:
    """Blobs as files under `root`."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, key: str) -> Path:
        """The file of `key`, which must lie under the root; ArchiveError otherwise."""
        path = self.root / check_key(key)
        root = self.root.resolve()
        if not path.resolve().is_relative_to(root):  # a symlinked folder pointing out
            raise ArchiveError(f"transcript archive key {key!r} leaves the archive folder")
        return path

    def put(self, key: str, data: bytes) -> None:
        """Write to a temporary file beside the blob, fsync it, then rename it into place."""
        path = self.path_of(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, partial = tempfile.mkstemp(dir=path.parent, prefix=".partial-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(partial, path)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
        _fsync_dir(path.parent)

    def get(self, key: str) -> bytes:
        """The blob's bytes; ArchiveError when it is missing."""
        try:
            return self.path_of(key).read_bytes()
        except FileNotFoundError:
            raise ArchiveError(f"transcript blob {key} is missing from {self.root}") from None

    def delete(self, key: str) -> None:
        """Remove the blob's file if it is there."""
        self.path_of(key).unlink(missing_ok=True)

    def keys(self) -> Iterator[str]:
        """Every blob's key (partial files left by a crash are not blobs)."""
        if not self.root.is_dir():
            return
        for path in sorted(self.root.glob("runs/*/*.jsonl.gz")):
            key = path.relative_to(self.root).as_posix()
            if _KEY.fullmatch(key):
                yield key


def _fsync_dir(folder: Path) -> None:
    """Make a rename in `folder` durable (where the platform allows opening a folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
