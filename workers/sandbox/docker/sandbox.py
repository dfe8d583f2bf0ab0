"""One running container for one attempt, as a `workers.sandbox.base.Sandbox`.

Docker refuses `put_archive` on a read-only root filesystem and would bypass the tmpfs mounts
anyway, so files go in by streaming a tar archive to `tar -x` over an exec's standard input, and
come out through `head -c` on an exec's standard output. Commands run under `timeout -s KILL`, and
their output is read with our own deadline (`exec_stream`).
"""

from __future__ import annotations

import io
import logging
import shlex
import tarfile
import threading
import time
import uuid
from collections.abc import Mapping
from typing import NamedTuple

import docker
import docker.errors

from workers.sandbox.base import ExecResult, SandboxError
from workers.sandbox.docker.client import api_error, force_remove
from workers.sandbox.docker.exec_stream import ExecStream
from workers.sandbox.docker.images import AGENT_UID, AGENT_USER

log = logging.getLogger(__name__)

DEFAULT_MAX_OUTPUT_BYTES = 256_000
# Seconds past a command's timeout before we stop waiting for its output stream.
KILL_GRACE_S = 2.0
# Sweeps `kill_user_processes` tries when the full pid table keeps its shell from starting.
KILL_TRIES = 10
STREAM_DRAIN_S = 3.0
# `read_file` exits with this when the path is not a file.
_NOT_A_FILE = 44


class _Finished(NamedTuple):
    stream: ExecStream
    exit_code: int
    timed_out: bool
    duration_s: float


def tar_of(files: Mapping[str, str | bytes], uid: int, gid: int) -> bytes:
    """A tar archive of files (text is UTF-8) and their parent folders, owned by uid:gid."""
    buffer = io.BytesIO()
    folders: set[str] = set()
    for path in files:
        parts = path.split("/")[:-1]
        folders.update("/".join(parts[: i + 1]) for i in range(len(parts)))
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for folder in sorted(folders):
            info = tarfile.TarInfo(folder)
            info.type = tarfile.DIRTYPE
            info.mode, info.uid, info.gid, info.mtime = 0o755, uid, gid, int(time.time())
            tar.addfile(info)
        for path, content in sorted(files.items()):
            data = content.encode() if isinstance(content, str) else content
            info = tarfile.TarInfo(path)
            info.size = len(data)
            # Scripts keep working when called directly: a shebang makes the file executable.
            info.mode = 0o755 if data.startswith(b"#!") else 0o644
            info.uid, info.gid, info.mtime = uid, gid, int(time.time())
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


class DockerSandbox:
    """One running container for one attempt (implements `workers.sandbox.base.Sandbox`)."""

    def __init__(
        self,
        client: docker.DockerClient,
        container_id: str,
        name: str,
        workdir: str,
        max_output_bytes: int = DEFAULT_MAX_OUTPUT_BYTES,
    ) -> None:
        self._client = client
        self._id = container_id
        self._name = name
        self._workdir = workdir
        self._max_output_bytes = max_output_bytes
        self._closed = False
        self._close_lock = threading.Lock()

    @property
    def workdir(self) -> str:
        """The directory where the agent's commands start."""
        return self._workdir

    @property
    def container_id(self) -> str:
        """The container's id."""
        return self._id

    @property
    def name(self) -> str:
        """The container's name, which says the run and attempt it serves."""
        return self._name

    @property
    def closed(self) -> bool:
        """Whether the container has been removed."""
        return self._closed

    def __enter__(self) -> DockerSandbox:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- commands -------------------------------------------------------------------------------

    def exec(
        self,
        command: str,
        timeout_s: float,
        user: str | None = None,
        *,
        workdir: str | None = None,
        environment: dict[str, str] | None = None,
    ) -> ExecResult:
        """Run `command` with `sh -c` in the work directory as `user` (default: agent).

        The command and everything in its process group is SIGKILLed after `timeout_s`; if
        children escaped the group and keep the output open, they are killed too, and after a
        short grace the result is returned with `timed_out=True` regardless.
        """
        return self.exec_argv(
            ["sh", "-c", command],
            timeout_s,
            user=user,
            workdir=workdir,
            environment=environment,
        )

    def exec_argv(
        self,
        argv: list[str],
        timeout_s: float,
        user: str | None = None,
        *,
        workdir: str | None = None,
        environment: dict[str, str] | None = None,
        stdin: bytes | None = None,
    ) -> ExecResult:
        """Run an argument vector (no shell) with a timeout; optional bytes on standard input."""
        done = self._run(argv, timeout_s, user, workdir, environment, stdin, self._max_output_bytes)
        return ExecResult(
            exit_code=done.exit_code,
            stdout=done.stream.stdout.text(),
            stderr=done.stream.stderr.text(),
            timed_out=done.timed_out,
            duration_s=done.duration_s,
            stdout_bytes=done.stream.stdout.total,
            stderr_bytes=done.stream.stderr.total,
        )

    def _run(
        self,
        argv: list[str],
        timeout_s: float,
        user: str | None,
        workdir: str | None,
        environment: dict[str, str] | None,
        stdin: bytes | None,
        max_output_bytes: int,
    ) -> _Finished:
        if self._closed:
            raise SandboxError("sandbox is closed")
        user = user or AGENT_USER
        timeout_s = max(0.05, float(timeout_s))
        marker = uuid.uuid4().hex
        env = {"HORIZON_EXEC": marker, **(environment or {})}
        if user == AGENT_USER:
            env.setdefault("HOME", f"/home/{AGENT_USER}")
        elif user in ("root", "0"):
            env.setdefault("HOME", "/root")
        wrapped = ["timeout", "-s", "KILL", f"{timeout_s:.3f}", *argv]
        api = self._client.api
        started = time.monotonic()
        try:
            exec_id = api.exec_create(
                self._id,
                wrapped,
                user=user,
                workdir=workdir or self._workdir,
                environment=env,
                stdin=stdin is not None,
            )["Id"]
            stream = ExecStream(api.exec_start(exec_id, socket=True), max_output_bytes)
        except docker.errors.DockerException as exc:
            raise api_error("exec", exc) from exc
        timed_out = False
        try:
            if stdin is not None:
                stream.send_and_close_input(stdin, timeout_s)
            if not stream.read_until(started + timeout_s + KILL_GRACE_S):
                # The process group is dead but something escaped it and holds the output open.
                timed_out = True
                self._kill_marked(marker, user)
                stream.read_until(time.monotonic() + STREAM_DRAIN_S)
        except OSError as exc:
            if self._closed:
                raise SandboxError("sandbox was closed while a command ran") from exc
            raise SandboxError(f"exec stream failed: {exc}") from exc
        finally:
            stream.close()
        duration = time.monotonic() - started
        exit_code = self._exit_code(exec_id) if stream.eof else -1
        # `timeout -s KILL` kills its own group, itself included: the exec ends with 137.
        if exit_code in (124, 137) and duration >= timeout_s:
            timed_out = True
        return _Finished(stream, exit_code, timed_out, duration)

    def _exit_code(self, exec_id: str) -> int:
        # The stream can close a moment before the daemon records the exit code.
        deadline = time.monotonic() + 5.0
        while True:
            try:
                info = self._client.api.exec_inspect(exec_id)
            except docker.errors.DockerException as exc:
                if self._closed:
                    raise SandboxError("sandbox was closed while a command ran") from exc
                raise api_error("exec inspect", exc) from exc
            if not info.get("Running") or time.monotonic() > deadline:
                code = info.get("ExitCode")
                return int(code) if code is not None else -1
            time.sleep(0.005)

    def _kill_marked(self, marker: str, user: str) -> None:
        """Kill every process that inherited this exec's marker (those that left its group)."""
        script = (
            'for d in /proc/[0-9]*; do grep -qzx "HORIZON_EXEC=$1" "$d/environ" 2>/dev/null '
            '&& kill -9 "${d#/proc/}" 2>/dev/null; done; true'
        )
        try:
            self._client.api.exec_start(
                self._client.api.exec_create(self._id, ["sh", "-c", script, "sh", marker], user=user)["Id"]
            )
        except docker.errors.DockerException as exc:
            log.warning("killing leftover processes in %s failed: %s", self.name, exc)

    def kill_user_processes(self, user: str = AGENT_USER) -> None:
        """SIGKILL every process of `user` (used before scoring so nothing keeps changing files).

        Runs without the `timeout` wrapper and with the shell's built-in kill, so it needs no fork
        and works even when the agent has filled the process table. kill(-1) spares PID 1 (root's
        init) and the caller; it is repeated so a process forked during one sweep dies in the next.
        """
        if self._closed:
            raise SandboxError("sandbox is closed")
        script = "kill -9 -1 2>/dev/null; kill -9 -1 2>/dev/null; kill -9 -1 2>/dev/null; true"
        # With the pid table full the exec's own shell may not start (its exit code is then not 0):
        # try again, since each sweep that does run frees pids.
        for _ in range(KILL_TRIES):
            try:
                exec_id = self._client.api.exec_create(self._id, ["sh", "-c", script], user=user)["Id"]
                self._client.api.exec_start(exec_id)
                if self._client.api.exec_inspect(exec_id).get("ExitCode") == 0:
                    return
            except docker.errors.DockerException as exc:
                raise api_error("exec kill", exc) from exc
            time.sleep(0.1)

    # --- files ----------------------------------------------------------------------------------

    def put_files(self, files: Mapping[str, str | bytes], dest_dir: str, owner: str | None = None) -> None:
        """Write files (relative path -> text or bytes; text as UTF-8) under `dest_dir`.

        Owner: the agent for files in its work directory or /tmp, root elsewhere (/scorer,
        /solution), unless `owner` ("agent" or "root") says otherwise.
        """
        if not files:
            return
        if owner is None:
            agent_dirs = (self._workdir, "/tmp", f"/home/{AGENT_USER}")
            inside = any(dest_dir == d or dest_dir.startswith(d.rstrip("/") + "/") for d in agent_dirs)
            owner = AGENT_USER if inside else "root"
        uid = AGENT_UID if owner == AGENT_USER else 0
        dest = shlex.quote(dest_dir)
        script = (
            f"if [ ! -d {dest} ]; then mkdir -p {dest} && chown {uid}:{uid} {dest}; fi && "
            f"tar -x --no-overwrite-dir -f - -C {dest}"
        )
        result = self.exec_argv(["sh", "-c", script], 120.0, user="root", stdin=tar_of(files, uid, uid))
        if result.exit_code != 0:
            raise SandboxError(f"copying {len(files)} files to {dest_dir} failed: {result.stderr.strip()}")

    def read_bytes(self, path: str, max_bytes: int = 1_000_000) -> bytes:
        """Return a file's first `max_bytes` bytes exactly; FileNotFoundError if it is not a file."""
        if max_bytes < 0:
            # `head -c -N` would mean "all but the last N bytes": no bound at all.
            raise ValueError(f"max_bytes must be 0 or more, not {max_bytes}")
        script = f'if [ -f "$1" ]; then head -c "$2" -- "$1"; else exit {_NOT_A_FILE}; fi'
        argv = ["sh", "-c", script, "sh", path, str(max_bytes)]
        # A buffer as large as the bound keeps every byte `head -c` can print: nothing is cut.
        done = self._run(argv, 60.0, "root", None, None, None, max(max_bytes, self._max_output_bytes))
        if done.exit_code == _NOT_A_FILE:
            raise FileNotFoundError(path)
        if done.exit_code != 0 or done.stream.stdout.cut:
            raise SandboxError(f"reading {path} failed: {done.stream.stderr.text().strip()}")
        return done.stream.stdout.data()

    def read_file(self, path: str, max_bytes: int = 1_000_000) -> str:
        """Return a file's text (its first `max_bytes` bytes); FileNotFoundError if it is not a file."""
        return self.read_bytes(path, max_bytes).decode("utf-8", errors="replace")

    # --- teardown -------------------------------------------------------------------------------

    def close(self) -> None:
        """Force-remove the container (SIGKILL, then delete). Safe to call twice or concurrently."""
        with self._close_lock:
            if self._closed:
                return
            self._closed = True
        force_remove(self._client, self._id)
