"""A Sandbox that runs commands as real subprocesses in a temporary directory.

It implements all of `workers.sandbox.base.Sandbox` without isolation, for testing scaffolds on
machines or in tests where Docker is beside the point (the Docker backend has its own tests).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

from workers.sandbox.base import ExecResult

MAX_OUTPUT_BYTES = 100_000


class LocalSandbox:
    """Commands run with `sh -c` in a private temporary work directory."""

    def __init__(self, workdir: str | Path | None = None) -> None:
        self._owned = workdir is None
        self._workdir = Path(workdir) if workdir else Path(tempfile.mkdtemp(prefix="horizon-sandbox-"))
        self._workdir.mkdir(parents=True, exist_ok=True)
        self.commands: list[str] = []
        # Process groups of commands that may have left something running (`kill_user_processes`).
        self._groups: set[int] = set()

    @property
    def workdir(self) -> str:
        return str(self._workdir)

    def exec(self, command: str, timeout_s: float, user: str | None = None) -> ExecResult:
        """Run `command` in the work directory; kill its process group after `timeout_s`."""
        self.commands.append(command)
        started = time.monotonic()
        proc = subprocess.Popen(
            ["sh", "-c", command],
            cwd=self._workdir,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        timed_out = False
        try:
            out, err = proc.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            timed_out = True
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
        if _group_alive(proc.pid):
            self._groups.add(proc.pid)
        return ExecResult(
            exit_code=124 if timed_out else proc.returncode,
            stdout=out[:MAX_OUTPUT_BYTES].decode(errors="replace"),
            stderr=err[:MAX_OUTPUT_BYTES].decode(errors="replace"),
            timed_out=timed_out,
            duration_s=time.monotonic() - started,
            stdout_bytes=len(out),
            stderr_bytes=len(err),
        )

    def put_files(self, files: Mapping[str, str | bytes], dest_dir: str) -> None:
        """Write files (text as UTF-8) under `dest_dir` (relative to the work directory unless absolute)."""
        base = Path(dest_dir) if os.path.isabs(dest_dir) else self._workdir / dest_dir
        for rel, content in files.items():
            path = base / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content.encode() if isinstance(content, str) else content)

    def read_bytes(self, path: str, max_bytes: int = 1_000_000) -> bytes:
        """A file's first `max_bytes` bytes; FileNotFoundError if it is not a file."""
        if max_bytes < 0:
            raise ValueError(f"max_bytes must be 0 or more, not {max_bytes}")
        full = Path(path) if os.path.isabs(path) else self._workdir / path
        if not full.is_file():
            raise FileNotFoundError(path)
        with full.open("rb") as f:
            return f.read(max_bytes)

    def read_file(self, path: str, max_bytes: int = 1_000_000) -> str:
        """A file's text, truncated to `max_bytes`."""
        return self.read_bytes(path, max_bytes).decode(errors="replace")

    def kill_user_processes(self) -> None:
        """SIGKILL what the commands left running (their process groups)."""
        for group in sorted(self._groups):
            try:
                os.killpg(group, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self._groups.clear()

    def close(self) -> None:
        """Remove the work directory if this sandbox created it."""
        if self._owned:
            shutil.rmtree(self._workdir, ignore_errors=True)


def _group_alive(pgid: int) -> bool:
    """Whether the process group still has members this user may signal."""
    try:
        os.killpg(pgid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True
