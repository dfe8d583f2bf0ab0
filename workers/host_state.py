"""State that every Horizon process on one host shares: a folder, file locks, atomic JSON files,
and telling whether a recorded process is still the one that was recorded.

The folder is HORIZON_HOST_STATE_DIR, by default `horizon-host` in the system temp folder. It holds
things that belong to the machine rather than to one worker process: which GPUs are held by whom
(workers/gpu_host.py) and the inference servers shared by the workers of a deployment
(workers/inference_server.py). Locks are `fcntl.flock` locks, which the kernel drops when their
holder dies, even by SIGKILL, so a crashed process never leaves a lock held.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from core.settings import Settings, get_settings

DEFAULT_DIR_NAME = "horizon-host"


class HostStateError(RuntimeError):
    """The shared state folder is unusable (not a folder, a link, or writable by other users)."""


def host_state_dir(settings: Settings | None = None) -> Path:
    """The host's shared state folder, made (owner-only) if missing and checked if present.

    It sits in a folder every user can write to by default, so another user could have made it
    first to feed us false records: it must be a real folder (no link), owned by this user or
    root, and not writable by others."""
    settings = settings or get_settings()
    path = settings.host_state_dir or Path(tempfile.gettempdir()) / DEFAULT_DIR_NAME
    with contextlib.suppress(FileExistsError):
        path.mkdir(mode=0o700, parents=True)
    check_private_dir(path, "HORIZON_HOST_STATE_DIR")
    return path


def check_private_dir(path: Path, what: str) -> None:
    """Raise HostStateError unless `path` is a real folder no other (non-root) user controls."""
    try:
        info = path.lstat()
    except OSError as exc:
        raise HostStateError(f"{what} {path} cannot be read: {exc}") from None
    if not stat.S_ISDIR(info.st_mode):
        raise HostStateError(f"{what} {path} is not a folder (a link or a file is refused)")
    if info.st_uid not in (os.geteuid(), 0):
        raise HostStateError(f"{what} {path} belongs to another user (uid {info.st_uid})")
    if info.st_mode & stat.S_IWOTH:
        raise HostStateError(f"{what} {path} is writable by every user; make it 0700 or 0770")


def private_subdir(parent: Path, *names: str) -> Path:
    """A folder below the state folder (made owner-only when missing)."""
    path = parent.joinpath(*names)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


@contextlib.contextmanager
def file_lock(path: Path, *, shared: bool = False, blocking: bool = True) -> Iterator[bool]:
    """Hold flock on `path` (made if missing) for the block; yields False when `blocking` is off
    and another process holds a conflicting lock (the block then runs without the lock)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        mode = fcntl.LOCK_SH if shared else fcntl.LOCK_EX
        try:
            fcntl.flock(fd, mode if blocking else mode | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)  # closing drops the lock


def read_json(path: Path) -> dict[str, Any] | None:
    """A JSON object file, or None when it is missing or not a JSON object (a torn or foreign
    file counts as missing: writers replace files whole, so this only follows outside damage)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    """Write a JSON object so readers see the old file or the new one, never a part."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(data, out, sort_keys=True)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _proc_stat_fields(pid: int) -> list[str] | None:
    """/proc/<pid>/stat from the state field on (the name before it may hold spaces), or None."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    _, sep, rest = text.rpartition(")")
    return rest.split() if sep else None


def process_start_ticks(pid: int) -> int | None:
    """When the process started (clock ticks since boot), which tells a recycled pid from the
    process recorded under it; None when there is no such process or no /proc."""
    fields = _proc_stat_fields(pid)
    if fields is None or len(fields) < 20:
        return None
    try:
        return int(fields[19])  # field 22 of /proc/<pid>/stat, counting from 1 at the pid
    except ValueError:
        return None


def process_running(pid: int, start_ticks: int | None = None) -> bool:
    """Whether `pid` is a live process (not a zombie) and, when `start_ticks` is given, still the
    process that started then rather than a newer one that got the same pid."""
    if pid <= 0:
        return False
    fields = _proc_stat_fields(pid)
    if fields is None:
        if Path("/proc/self/stat").exists():
            return False  # /proc works, so the process is gone
        try:
            os.kill(pid, 0)  # no /proc (not Linux): existence is all that can be told
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    if fields[0] in ("Z", "X"):
        return False
    return start_ticks is None or process_start_ticks(pid) == start_ticks


def process_cmdline(pid: int) -> list[str] | None:
    """The process's argv as the kernel has it, or None when it cannot be read."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    if not raw:
        return None
    return [part.decode(errors="surrogateescape") for part in raw.rstrip(b"\0").split(b"\0")]
