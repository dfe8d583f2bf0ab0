"""What the web pages need of a baselining attempt's live sandbox, as protocols.

A person baselining a task works in the task's own sandbox: a terminal (a pty shell as the
sandbox's `agent` user in the work directory) and a file editor for the work directory. The web
layer may not import the workers (where sandboxes live), so it talks to them through
`LiveSandboxes`, implemented by `workers.live_baselining.DockerLiveSandboxes` and handed to the app
by the CLI when it builds it (`api.app.create_app(live_sandboxes=...)`). An app built without one
times answers only (written to `submission.txt` and scored by a worker in a fresh sandbox).

The rules every implementation and caller share live here too: which paths the editor accepts
(`clean_path`), how large a file it reads or writes (`MAX_FILE_BYTES`) and why a task cannot be
baselined in a sandbox here (`cannot_run_reason`).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from core.errors import HorizonError, InvalidInput

if TYPE_CHECKING:
    from core.models import TaskVersion

# The editor opens, saves and uploads text files up to this size (the terminal has no such bound);
# read as base64, it stays within what one sandbox command may print (256 kB).
MAX_FILE_BYTES = 128_000
# A listing stops after this many entries (the page says so).
MAX_LIST_ENTRIES = 1_000
MAX_PATH_CHARS = 400
# Tags that say a task has no environment to run here: an imported placeholder (its environment
# lives in the system it came from) or a task its author marked as not runnable in a sandbox.
NO_SANDBOX_TAGS = ("imported", "no-sandbox")
# WebSocket close codes the terminal uses (4000-4999 are the application's own).
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
CLOSE_LOCKED = 4409
CLOSE_UNAVAILABLE = 4503

_BAD_CHARS = re.compile(r"[\x00-\x1f\x7f\\]")


class SandboxGone(HorizonError):
    """The attempt's sandbox cannot be reached (no Docker daemon, or it was removed): HTTP 503
    for the editor, a close with CLOSE_UNAVAILABLE for the terminal."""


class NotText(InvalidInput):
    """The file is not UTF-8 text (the editor shows text only)."""


class TooLarge(InvalidInput):
    """The file is over MAX_FILE_BYTES (HTTP 413)."""


def clean_path(path: str) -> str:
    """A path relative to the work directory, normalised, or InvalidInput: no absolute paths, no
    `..`, no control characters or backslashes, at most MAX_PATH_CHARS. The sandbox checks again
    that it resolves inside the work directory (symbolic links)."""
    if not path or len(path) > MAX_PATH_CHARS or _BAD_CHARS.search(path):
        raise InvalidInput("a file path is 1-400 printable characters, relative to the work directory")
    if path.startswith("/"):
        raise InvalidInput("a file path is relative to the work directory, not absolute")
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if not parts or ".." in parts:
        raise InvalidInput("a file path stays inside the work directory (no '..')")
    return posixpath.join(*parts)


def text_of(data: bytes) -> str:
    """The bytes as text, or NotText (NUL bytes or invalid UTF-8: a binary file)."""
    if b"\x00" in data:
        raise NotText("this is a binary file; the editor opens text files only (use the terminal)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise NotText("this file is not UTF-8 text; the editor opens text files only") from None


def cannot_run_reason(tags: Iterable[str], version: TaskVersion | None, *, live: bool) -> str | None:
    """Why this task cannot be baselined here, in plain words, or None when it can. `live`: the
    server has sandboxes for baselining (it was started with them)."""
    found = set(tags or ())
    if "imported" in found:
        return (
            "This task was imported with another system's runs: it has no environment here, so it "
            "cannot be baselined in Horizon."
        )
    if "no-sandbox" in found:
        return (
            "This task is marked as not runnable in a sandbox (tag no-sandbox), so it cannot be "
            "baselined here."
        )
    if version is None:
        return "This task has no version to work on."
    resources = version.limits or {}
    if live and int(resources.get("gpus") or 0) > 0:
        return "This task needs GPUs; baselining sandboxes run without GPUs, so it cannot be baselined here."
    return None


@dataclass(frozen=True)
class FileEntry:
    """One entry of the work directory: its path (relative), whether it is a folder, its size."""

    path: str
    is_dir: bool
    size: int


class Shell(Protocol):
    """An interactive pty shell in the sandbox (blocking calls; the web runs them in threads)."""

    def send(self, data: bytes) -> None:
        """Type these bytes into the shell."""
        ...

    def recv(self, timeout_s: float) -> bytes | None:
        """Output, waiting up to `timeout_s`: None when there is none yet, b"" once the shell ended."""
        ...

    def resize(self, rows: int, cols: int) -> None:
        """Tell the pty its new size."""
        ...

    def close(self) -> None:
        """End the shell and its connection. Safe to call twice."""
        ...


class LiveSandboxes(Protocol):
    """The live sandboxes of baselining attempts, one per attempt, on the server's Docker daemon."""

    def open(self, attempt_id: int, version: TaskVersion) -> None:
        """Start the attempt's sandbox from the task version's environment (image, limits, no
        network, files, services), as an agent's run would get it. SandboxGone when it cannot."""
        ...

    def shell(self, attempt_id: int, rows: int, cols: int) -> Shell:
        """A new pty shell as the `agent` user in the work directory."""
        ...

    def lock(self, attempt_id: int) -> None:
        """Close the attempt's open shells (the attempt was paused or ended)."""
        ...

    def list_files(self, attempt_id: int) -> tuple[list[FileEntry], bool]:
        """The work directory's entries (paths from `clean_path`'s point of view) and whether the
        listing was cut at MAX_LIST_ENTRIES."""
        ...

    def read_file(self, attempt_id: int, path: str) -> bytes:
        """A file of the work directory (a cleaned path), as the `agent` user; NotFound when it is
        not a regular file inside it, TooLarge past MAX_FILE_BYTES."""
        ...

    def write_file(self, attempt_id: int, path: str, data: bytes) -> None:
        """Write a file of the work directory (a cleaned path) as the `agent` user, making its
        folders; InvalidInput when it would land outside the work directory."""
        ...

    def score(self, attempt_id: int) -> None:
        """Score the submitted attempt in its sandbox, in the background: the person's processes
        are killed, the scorer's files copied in, the scorer run as root; the result is stored
        (`core.services.baselining.record_score`) and the sandbox removed."""
        ...

    def close(self, attempt_id: int) -> None:
        """Remove the attempt's sandbox (abandoned). Safe when there is none."""
        ...
