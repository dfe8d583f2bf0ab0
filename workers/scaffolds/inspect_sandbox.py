"""Horizon's sandbox as an Inspect `SandboxEnvironment`, so that `sandbox()` in an Inspect agent's
tools is the attempt's sandbox (docs/agents.md, "Inspect agents").

Everything runs as the sandbox's unprivileged agent user, exactly where a built-in scaffold's
commands could: `exec` is one `sh -c` script (environment, working directory and standard input
set up in it, then `exec` of the argument vector); `write_file` stages the bytes in a fresh folder
and copies them into place with a command of the agent's; `read_file` reads through such commands
too, in base64 chunks that fit any backend's output bound. Other users (`user="root"`) are
refused, since the built-in scaffolds never run the agent's commands as anyone else.

Bounds: a command's timeout is at most the agent's `command_timeout_s` and the working time left
(`TimeoutError` past it, as Inspect expects); its output is what the sandbox keeps (the Docker
backend keeps the head and tail of 256 kB a stream); standard input and written files are at most
`WRITE_MAX_BYTES`, read files at most `READ_MAX_BYTES` (`OutputLimitExceededError` beyond).
"""

from __future__ import annotations

import base64
import binascii
import errno
import functools
import re
import shlex
import time
import uuid
from typing import Any, Literal, overload

import anyio
from inspect_ai.util import (
    ExecResult,
    OutputLimitExceededError,
    SandboxEnvironment,
    SandboxEnvironmentConfigType,
    SandboxUserUnsupportedError,
    sandboxenv,
)

from workers.sandbox.base import ExecResult as HorizonExecResult
from workers.scaffolds.inspect_attempt import InspectAttempt
from workers.scaffolds.terminal import FILE_TIMEOUT_S, WRITE_MAX_BYTES

# Bytes one read command returns: their base64 (64,000 characters) fits any backend's output bound.
READ_CHUNK_BYTES = 48_000
READ_MAX_BYTES = 1024 * 1024
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,127}")
# Exit codes of the file scripts.
_NOT_FOUND, _IS_DIR, _NO_ACCESS = 44, 45, 46
_READ_SCRIPT = (
    f'if [ -d "$1" ]; then exit {_IS_DIR}; fi; if [ ! -e "$1" ]; then exit {_NOT_FOUND}; fi; '
    f'if [ ! -r "$1" ]; then exit {_NO_ACCESS}; fi; '
    'stat -L -c %s -- "$1" && tail -c +"$(($2 + 1))" -- "$1" | head -c "$3" | base64 -w0'
)
_WRITE_SCRIPT = (
    f'if [ -d "$2" ]; then rm -rf -- "$3"; exit {_IS_DIR}; fi; '
    'mkdir -p -- "$(dirname -- "$2")" && cat -- "$1" > "$2"; s=$?; rm -rf -- "$3"; exit $s'
)


@sandboxenv(name="horizon")
class HorizonSandboxEnvironment(SandboxEnvironment):
    """The attempt's Horizon sandbox behind Inspect's sandbox interface (module docstring)."""

    def __init__(self, attempt: InspectAttempt) -> None:
        super().__init__()
        self._attempt = attempt

    async def exec(
        self,
        cmd: list[str],
        input: str | bytes | None = None,
        cwd: str | None = None,
        env: dict[str, str] | None = None,
        user: str | None = None,
        timeout: int | None = None,
        timeout_retry: bool = True,
        concurrency: bool = True,
    ) -> ExecResult[str]:
        """Run `cmd` as the agent user; TimeoutError when it outlives its timeout."""
        if user is not None:
            raise SandboxUserUnsupportedError(
                f"commands run as the sandbox's agent user only, not {user[:40]!r}"
            )
        script = command_script(cmd, cwd, env or {})
        data = input.encode() if isinstance(input, str) else input
        if data is not None and len(data) > WRITE_MAX_BYTES:
            raise ValueError(f"standard input of {len(data)} bytes; at most {WRITE_MAX_BYTES} are taken")
        result, limit = await anyio.to_thread.run_sync(self._run, script, data, timeout)
        if result.timed_out:
            raise TimeoutError(f"the command timed out after {limit:g} s and was killed")
        return ExecResult(
            success=result.exit_code == 0,
            returncode=result.exit_code,
            stdout=result.stdout,
            stderr=result.stderr,
        )

    def _run(self, script: str, data: bytes | None, timeout: int | None) -> tuple[HorizonExecResult, float]:
        def work() -> tuple[HorizonExecResult, float]:
            ctx = self._attempt.ctx
            limit = ctx.limits.command_timeout_s
            if timeout is not None:
                limit = min(limit, float(max(1, timeout)))
            left = ctx.clock.time_left_s(ctx.limits)
            if left is not None:
                # A command may not outlive the attempt's working time (nor its wall-clock cap).
                limit = max(1.0, min(limit, left))
            full = script
            if data is not None:
                folder, staged = _staged(ctx.sandbox, data)
                full = f"exec <{staged}; rm -rf -- {folder}\n{script}"
            started = time.monotonic()
            result = ctx.sandbox.exec(full, timeout_s=limit)
            ctx.transcript.add(
                "command",
                command=script,
                exit_code=result.exit_code,
                timed_out=result.timed_out,
                duration_s=round(time.monotonic() - started, 3),
                stdout_bytes=result.stdout_bytes,
                stderr_bytes=result.stderr_bytes,
                stdin_bytes=len(data) if data is not None else 0,
            )
            return result, limit

        return self._attempt.guarded(work)

    async def write_file(self, file: str, contents: str | bytes) -> None:
        """Write `contents` to `file` (relative to the work directory) as the agent user."""
        data = contents.encode() if isinstance(contents, str) else contents
        if len(data) > WRITE_MAX_BYTES:
            raise OutputLimitExceededError(f"{WRITE_MAX_BYTES} bytes", None)
        _check_path(file)
        await anyio.to_thread.run_sync(self._write, file, data)

    def _write(self, file: str, data: bytes) -> None:
        def work() -> None:
            sandbox = self._attempt.ctx.sandbox
            folder, staged = _staged(sandbox, data)
            command = f"sh -c {shlex.quote(_WRITE_SCRIPT)} write_file {staged} {shlex.quote(file)} {folder}"
            result = sandbox.exec(command, timeout_s=FILE_TIMEOUT_S)
            self._attempt.ctx.transcript.add(
                "file_write", path=file, bytes=len(data), exit_code=result.exit_code
            )
            _raise_for(result, file)

        self._attempt.guarded(work)

    @overload
    async def read_file(self, file: str, text: Literal[True] = True) -> str: ...

    @overload
    async def read_file(self, file: str, text: Literal[False]) -> bytes: ...

    async def read_file(self, file: str, text: bool = True) -> str | bytes:
        """Read `file` (relative to the work directory) as the agent user; text is strict UTF-8."""
        _check_path(file)
        data = await anyio.to_thread.run_sync(self._read, file)
        return data.decode("utf-8") if text else data

    def _read(self, file: str) -> bytes:
        def chunk(offset: int) -> tuple[int, bytes]:
            sandbox = self._attempt.ctx.sandbox
            command = (
                f"sh -c {shlex.quote(_READ_SCRIPT)} read_file {shlex.quote(file)} {offset} {READ_CHUNK_BYTES}"
            )
            result = sandbox.exec(command, timeout_s=FILE_TIMEOUT_S)
            _raise_for(result, file)
            size_line, _, encoded = result.stdout.partition("\n")
            try:
                return int(size_line), base64.b64decode(encoded.strip(), validate=True)
            except (ValueError, binascii.Error):
                raise OSError(errno.EIO, f"reading {file} gave no readable answer", file) from None

        size, data = self._attempt.guarded(functools.partial(chunk, 0))
        if size > READ_MAX_BYTES:
            raise OutputLimitExceededError(f"{READ_MAX_BYTES} bytes", None)
        parts = [data]
        read = len(data)
        while data and read < size:
            _, data = self._attempt.guarded(functools.partial(chunk, read))
            parts.append(data)
            read += len(data)
        self._attempt.ctx.transcript.add("file_read", path=file, bytes=read)
        return b"".join(parts)[:READ_MAX_BYTES]

    @classmethod
    async def sample_init(
        cls, task_name: str, config: SandboxEnvironmentConfigType | None, metadata: dict[str, str]
    ) -> dict[str, SandboxEnvironment]:
        """Refused: these environments exist only inside a Horizon attempt, which makes them."""
        raise RuntimeError("the horizon sandbox exists only inside a Horizon attempt, not in eval()")

    @classmethod
    async def sample_cleanup(
        cls,
        task_name: str,
        config: SandboxEnvironmentConfigType | None,
        environments: dict[str, SandboxEnvironment],
        interrupted: bool,
    ) -> None:
        """Nothing to do: the worker removes the sandbox when the attempt ends."""


def command_script(cmd: list[str], cwd: str | None, env: dict[str, str]) -> str:
    """The `sh -c` script that runs the argument vector `cmd` in `cwd` (relative to the work
    directory) with `env` added; ValueError for what no command can hold."""
    if not cmd or not all(isinstance(a, str) for a in cmd):
        raise ValueError("a command is a non-empty list of strings")
    lines = []
    for name, value in env.items():
        if not _ENV_NAME.fullmatch(name):
            raise ValueError(f"environment name {name[:80]!r} is not a valid variable name")
        lines.append(f"export {name}={shlex.quote(value)}")
    if cwd:
        lines.append(f"cd -- {shlex.quote(cwd)} || exit 126")
    lines.append(f"exec {shlex.join(cmd)}")
    script = "\n".join(lines)
    if "\0" in script:
        raise ValueError("embedded null byte: no command can hold one")
    return script


def _check_path(file: Any) -> None:
    if not isinstance(file, str) or not file or "\0" in file:
        raise ValueError("a file path is a non-empty string without NUL bytes")


def _staged(sandbox: Any, data: bytes) -> tuple[str, str]:
    """Put `data` in a fresh folder of its own in /tmp (no name the agent could have prepared);
    return the folder and the file, shell-quoted. The command that uses it removes the folder."""
    folder = f"/tmp/horizon-inspect-{uuid.uuid4().hex}"
    sandbox.put_files({"data": data}, folder)
    return shlex.quote(folder), shlex.quote(f"{folder}/data")


def _raise_for(result: HorizonExecResult, file: str) -> None:
    """The exception Inspect expects for a failed file script, if it failed."""
    if result.exit_code == 0 and not result.timed_out:
        return
    if result.timed_out:
        raise TimeoutError(f"reading or writing {file} took longer than {FILE_TIMEOUT_S:g} s")
    if result.exit_code == _NOT_FOUND:
        raise FileNotFoundError(errno.ENOENT, "No such file", file)
    if result.exit_code == _IS_DIR:
        raise IsADirectoryError(errno.EISDIR, "Is a directory", file)
    message = result.stderr.strip()[-500:]
    if result.exit_code == _NO_ACCESS or "Permission denied" in message:
        raise PermissionError(errno.EACCES, "Permission denied", file)
    if "Read-only file system" in message:
        raise PermissionError(errno.EROFS, "Read-only file system", file)
    raise OSError(errno.EIO, message or f"exit status {result.exit_code}", file)
