"""Live sandboxes of baselining attempts: a person works in the task's own sandbox from the browser.

Implements `core.live_sandbox.LiveSandboxes` for the web server, which holds the terminal's
WebSocket and so must reach the sandbox's Docker daemon: the sandboxes run on the server's own
daemon (`HORIZON_DOCKER_HOST`), the CLI hands this object to the app it builds
(`cli.common.serve`), and the web pages only see the protocol (the import layers of
`pyproject.toml`).

The sandbox is the one an agent's run gets, made by the same code (`workers.execution`,
`workers.sandbox`): the task's image, its limits, no network, the work directory with the task's
files, its services started; commands, the terminal and every file the editor reads or writes run
as the unprivileged `agent` user, confined to the work directory. Scoring is the run's too
(`workers.execution.run_scorer`): the person's processes are killed, the scorer's files and the
answer are copied in, and the scorer runs as root; then the sandbox is removed.

Containers carry the deployment's instance with `-baselining-live` appended (`INSTANCE_SUFFIX`),
the attempt id as their run id and attempt 1: neither the run reaper nor the scoring job's reaper
(other instance labels) touches them, and `reap` here removes those whose attempt ended, was
removed, or stayed paused past HORIZON_BASELINE_SANDBOX_PAUSED_S (the attempt is then ended as
abandoned with a message). After a restart of the server, sandboxes are found again by label.
"""

from __future__ import annotations

import base64
import logging
import select
import socket
import threading
import time
from typing import Any

import docker.errors
from sqlalchemy import select as select_rows
from sqlalchemy.orm import selectinload

from core.db import session_scope
from core.errors import Conflict, InvalidInput, NotFound
from core.live_sandbox import (
    MAX_FILE_BYTES,
    MAX_LIST_ENTRIES,
    FileEntry,
    SandboxGone,
    TooLarge,
)
from core.models import TaskVersion
from core.models_baselining import BaseliningAttempt
from core.services import baselining as svc
from core.services.deployment import sandbox_instance
from core.services.tasks import get_task, get_version
from core.settings import Settings
from core.states import OPEN_ATTEMPT_STATUSES, AttemptStatus
from workers.execution import InfraError, check_maxima, fill_sandbox, run_scorer, start_task_services
from workers.run_executor import bundle_of
from workers.sandbox.base import SandboxError
from workers.sandbox.docker.backend import DockerBackend
from workers.sandbox.docker.client import force_remove
from workers.sandbox.docker.images import AGENT_USER
from workers.sandbox.docker.reaping import LABEL_RUN_ID
from workers.sandbox.docker.sandbox import DockerSandbox
from workers.transcript import Transcript

log = logging.getLogger(__name__)

INSTANCE_SUFFIX = "-baselining-live"
ATTEMPT_LABEL = 1
REAP_INTERVAL_S = 60.0
# A container whose attempt row is not visible yet is being opened (its transaction is not
# committed): left alone for this long after this process made it.
OPENING_GRACE_S = 600.0
SUBMISSION_NAME = "submission.txt"
# bash when the image has it, else sh; interactive, in the work directory.
SHELL_ARGV = ["sh", "-c", "if command -v bash >/dev/null 2>&1; then exec bash -i; fi; exec sh -i"]

# Exit codes of the editor's scripts.
_MISSING, _OUTSIDE, _TOO_LARGE, _IS_DIR = 44, 45, 46, 48
# The path's real location must lie inside the work directory ($W); run as the agent user.
_CONFINE = (
    'W=$(realpath -e -- "$1") || exit 45; T=$(realpath -m -- "$W/$2") || exit 45; '
    'case "$T" in "$W"/*) ;; *) exit 45;; esac; '
)
_READ = _CONFINE + (
    '[ -e "$T" ] || exit 44; [ -f "$T" ] || exit 48; '
    '[ "$(stat -c %s -- "$T")" -le "$3" ] || exit 46; base64 -w0 -- "$T"'
)
_WRITE = _CONFINE + (
    '[ -d "$T" ] && exit 48; mkdir -p -- "$(dirname -- "$T")" || exit 47; '
    'cat > "$T.hz-part" && mv -f -- "$T.hz-part" "$T"'
)
# Entries (type, size, path) under the work directory, hidden folders' contents left out.
_LIST = (
    'cd "$1" || exit 44; find . -mindepth 1 -maxdepth 8 -name ".*" -prune -o '
    "\\( -type d -printf 'd %s %P\\n' \\) -o \\( -type f -printf 'f %s %P\\n' \\) 2>/dev/null "
    '| head -n "$2" | base64 -w0'
)


class DockerShell:
    """A pty shell in a container over Docker's exec socket (implements `core.live_sandbox.Shell`)."""

    def __init__(self, api: Any, exec_id: str, response: Any) -> None:
        self._api = api
        self._exec_id = exec_id
        self._response = response
        self._sock: socket.socket = getattr(response, "_sock", response)
        self._closed = threading.Event()

    def send(self, data: bytes) -> None:
        """Type bytes into the shell (nothing once it is closed)."""
        if not self._closed.is_set() and data:
            try:
                self._sock.sendall(data)
            except OSError:
                self.close()

    def recv(self, timeout_s: float) -> bytes | None:
        """Output within `timeout_s` (None: none yet; b"": the shell ended or was closed)."""
        if self._closed.is_set():
            return b""
        try:
            # poll, not select: a server with many connections has descriptors above 1024.
            poller = select.poll()
            poller.register(self._sock, select.POLLIN)
            if not poller.poll(int(max(0.0, timeout_s) * 1000)):
                return None
            data = self._sock.recv(65536)
        except (OSError, ValueError):
            data = b""
        if not data:
            self.close()
        return data

    def resize(self, rows: int, cols: int) -> None:
        """Give the pty its size (ignored once the shell ended)."""
        try:
            self._api.exec_resize(self._exec_id, height=rows, width=cols)
        except docker.errors.DockerException:
            pass

    def close(self) -> None:
        """Close the socket: the pty closes and the shell gets SIGHUP."""
        if self._closed.is_set():
            return
        self._closed.set()
        for closable in (self._sock, self._response):
            try:
                if closable is self._sock:
                    self._sock.shutdown(socket.SHUT_RDWR)
                closable.close()
            except OSError:
                pass


class DockerLiveSandboxes:
    """The live sandboxes of baselining attempts on the server's Docker daemon."""

    def __init__(self, settings: Settings, backend: DockerBackend | None = None) -> None:
        self._settings = settings
        self._backend = backend
        self._lock = threading.Lock()
        self._sandboxes: dict[int, DockerSandbox] = {}
        self._shells: dict[int, list[DockerShell]] = {}
        self._opened_at: dict[int, float] = {}
        self._scoring: set[int] = set()
        self._stop = threading.Event()
        self._reaper: threading.Thread | None = None

    @property
    def backend(self) -> DockerBackend:
        """The Docker backend, labelling its containers `<instance>-baselining-live`."""
        with self._lock:
            if self._backend is None:
                instance = sandbox_instance(self._settings) + INSTANCE_SUFFIX
                self._backend = DockerBackend(
                    self._settings.docker_host, instance=instance, settings=self._settings
                )
            return self._backend

    # --- opening and finding --------------------------------------------------------------------

    def open(self, attempt_id: int, version: TaskVersion) -> None:
        """Start the attempt's sandbox as an agent's run would get it; SandboxGone when it cannot."""
        bundle = bundle_of(version)
        env = bundle.environment
        try:
            check_maxima(bundle.limits, bundle.time_limit_s, self._settings)
        except InfraError as exc:
            raise SandboxGone(exc.message) from exc
        backend = self.backend
        try:
            backend.check_available()
            image = backend.ensure_image(env)
            sandbox = backend.create(
                image, limits=bundle.limits, workdir=env.workdir, run_id=attempt_id, attempt=ATTEMPT_LABEL
            )
        except SandboxError as exc:
            log.warning("baselining attempt %s: no sandbox: %s", attempt_id, exc)
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise SandboxGone(f"the task's sandbox could not be started here: {first[:300]}") from exc
        with self._lock:
            self._sandboxes[attempt_id] = sandbox
            self._opened_at[attempt_id] = time.monotonic()
        try:
            fill_sandbox(sandbox, env)
            if env.services:
                start_task_services(sandbox, env, Transcript(), lambda: None)
        except (SandboxError, InfraError) as exc:
            log.warning("baselining attempt %s: the sandbox could not be prepared: %s", attempt_id, exc)
            self.close(attempt_id)
            raise SandboxGone("the task's sandbox could not be prepared (files or services)") from exc

    def _sandbox(self, attempt_id: int) -> DockerSandbox:
        with self._lock:
            found = self._sandboxes.get(attempt_id)
        if found is not None and not found.closed:
            return found
        # Made by an earlier process of this server (a restart): found by its labels.
        backend = self.backend
        try:
            containers = [c for c in backend.managed_containers(attempt_id) if c.status == "running"]
        except SandboxError as exc:
            raise SandboxGone(f"the sandbox cannot be reached: {exc}") from exc
        if not containers:
            raise SandboxGone("the attempt's sandbox is gone (removed, or the Docker daemon restarted)")
        container = containers[0]
        workdir = str((container.attrs.get("Config") or {}).get("WorkingDir") or "/")
        sandbox = DockerSandbox(
            backend.client, str(container.id), str(container.name), workdir, backend.max_output_bytes
        )
        with self._lock:
            self._sandboxes[attempt_id] = sandbox
        return sandbox

    # --- the terminal -----------------------------------------------------------------------------

    def shell(self, attempt_id: int, rows: int, cols: int) -> DockerShell:
        """A new interactive pty shell as the agent user in the work directory."""
        sandbox = self._sandbox(attempt_id)
        api = self.backend.client.api
        try:
            exec_id = api.exec_create(
                sandbox.container_id,
                SHELL_ARGV,
                stdin=True,
                tty=True,
                user=AGENT_USER,
                workdir=sandbox.workdir,
                environment={"HOME": f"/home/{AGENT_USER}", "TERM": "xterm-256color", "LANG": "C.UTF-8"},
            )["Id"]
            response = api.exec_start(exec_id, socket=True, tty=True)
        except docker.errors.DockerException as exc:
            raise SandboxGone(f"the terminal could not start: {type(exc).__name__}") from exc
        shell = DockerShell(api, exec_id, response)
        shell.resize(rows, cols)
        with self._lock:
            self._shells.setdefault(attempt_id, []).append(shell)
        return shell

    def lock(self, attempt_id: int) -> None:
        """Close the attempt's open shells (paused, submitted or abandoned)."""
        with self._lock:
            shells = self._shells.pop(attempt_id, [])
        for shell in shells:
            shell.close()

    # --- the editor -------------------------------------------------------------------------------

    def _agent(self, attempt_id: int, script: str, *args: str, stdin: bytes | None = None) -> tuple[int, str]:
        sandbox = self._sandbox(attempt_id)
        try:
            result = sandbox.exec_argv(
                ["sh", "-c", script, "sh", sandbox.workdir, *args], 60.0, user=AGENT_USER, stdin=stdin
            )
        except SandboxError as exc:
            raise SandboxGone(f"the sandbox did not answer: {exc}") from exc
        return result.exit_code, result.stdout

    def list_files(self, attempt_id: int) -> tuple[list[FileEntry], bool]:
        """The work directory's files and folders (hidden ones' contents left out), by path."""
        code, out = self._agent(attempt_id, _LIST, str(MAX_LIST_ENTRIES + 1))
        if code != 0:
            raise SandboxGone("the work directory could not be listed")
        entries = []
        for line in base64.b64decode(out.strip() or b"").decode("utf-8", "replace").splitlines():
            kind, _, rest = line.partition(" ")
            size, _, path = rest.partition(" ")
            if kind in ("d", "f") and size.isdigit() and path:
                entries.append(FileEntry(path=path, is_dir=kind == "d", size=int(size)))
        cut = len(entries) > MAX_LIST_ENTRIES
        return sorted(entries[:MAX_LIST_ENTRIES], key=lambda e: e.path), cut

    def read_file(self, attempt_id: int, path: str) -> bytes:
        """A file of the work directory, read as the agent user."""
        code, out = self._agent(attempt_id, _READ, path, str(MAX_FILE_BYTES))
        if code == _TOO_LARGE:
            raise TooLarge(f"{path} is larger than {MAX_FILE_BYTES:,} bytes; use the terminal for it")
        if code in (_MISSING, _IS_DIR):
            raise NotFound(f"the work directory has no file {path}")
        if code == _OUTSIDE:
            raise InvalidInput(f"{path} leads outside the work directory")
        if code != 0:
            raise SandboxGone(f"{path} could not be read")
        return base64.b64decode(out.strip())

    def write_file(self, attempt_id: int, path: str, data: bytes) -> None:
        """Write a file of the work directory as the agent user (its folders made as needed)."""
        if len(data) > MAX_FILE_BYTES:
            raise TooLarge(f"the file is larger than {MAX_FILE_BYTES:,} bytes")
        code, _ = self._agent(attempt_id, _WRITE, path, stdin=data)
        if code == _OUTSIDE:
            raise InvalidInput(f"{path} leads outside the work directory")
        if code == _IS_DIR:
            raise Conflict(f"{path} is a folder")
        if code != 0:
            raise Conflict(f"{path} could not be written (a read-only folder, or the disk is full)")

    # --- scoring and removal --------------------------------------------------------------------

    def score(self, attempt_id: int) -> None:
        """Score the submitted attempt in its sandbox, in a background thread."""
        with self._lock:
            if attempt_id in self._scoring:
                return
            self._scoring.add(attempt_id)
        threading.Thread(
            target=self._score_now, args=(attempt_id,), name=f"score-attempt-{attempt_id}", daemon=True
        ).start()

    def _score_now(self, attempt_id: int) -> None:
        try:
            self.lock(attempt_id)
            self.score_attempt(attempt_id)
        except Exception:
            log.exception("scoring baselining attempt %s in its sandbox failed", attempt_id)
        finally:
            try:
                self.close(attempt_id)
            finally:
                with self._lock:
                    self._scoring.discard(attempt_id)

    def score_attempt(self, attempt_id: int) -> str:
        """Score the attempt (if it awaits scoring) in its sandbox now; returns its status."""
        with session_scope(self._settings) as session:
            attempt = svc.get_attempt(session, attempt_id)
            if attempt.status != AttemptStatus.SCORING:
                return attempt.status
            bundle = bundle_of(get_version(get_task(session, attempt.task_id), attempt.task_version))
            answer = attempt.answer or ""
        try:
            sandbox = self._sandbox(attempt_id)
        except SandboxGone as exc:
            return self._unscored(attempt_id, f"the answer could not be scored: {exc.message}")
        transcript = Transcript()
        try:
            if answer:
                # As a written answer always was: also in the work directory, owned by the agent.
                sandbox.kill_user_processes()
                sandbox.put_files({SUBMISSION_NAME: answer}, sandbox.workdir)
            score = run_scorer(sandbox, bundle.scorer, answer, transcript)
        except (InfraError, SandboxError) as exc:
            # The details may quote the scorer: this log only.
            log.warning("scoring baselining attempt %s failed: %s", attempt_id, exc)
            reason = exc.reason if isinstance(exc, InfraError) else "sandbox"
            return self._unscored(attempt_id, svc.unscorable_message(reason))
        with session_scope(self._settings) as session:
            svc.record_score(session, attempt_id, score, bundle.scorer.threshold)
            return svc.get_attempt(session, attempt_id).status

    def _unscored(self, attempt_id: int, message: str) -> str:
        with session_scope(self._settings) as session:
            svc.record_unscored(session, attempt_id, AttemptStatus.ERROR, message)
            return svc.get_attempt(session, attempt_id).status

    def close(self, attempt_id: int) -> None:
        """Remove the attempt's sandbox (and close its shells)."""
        self.lock(attempt_id)
        with self._lock:
            sandbox = self._sandboxes.pop(attempt_id, None)
            self._opened_at.pop(attempt_id, None)
        try:
            if sandbox is not None:
                sandbox.close()
            self.backend.remove_run_containers(attempt_id)
        except SandboxError as exc:
            log.warning("removing the sandbox of baselining attempt %s failed: %s", attempt_id, exc)

    # --- the reaper -------------------------------------------------------------------------------

    def reap(self) -> list[int]:
        """Remove the sandboxes no open attempt needs; returns their attempt ids.

        An attempt paused longer than HORIZON_BASELINE_SANDBOX_PAUSED_S is ended (abandoned, with
        a message) and its sandbox removed; a submitted one whose scoring was interrupted (a
        restart) is scored; one whose sandbox is gone is ended or marked as not scorable.
        """
        removed: list[int] = []
        seen: set[int] = set()
        for container in self.backend.managed_containers():
            try:
                attempt_id = int((container.labels or {})[LABEL_RUN_ID])
            except (KeyError, ValueError):
                attempt_id = -1
            seen.add(attempt_id)
            if attempt_id < 0:  # unreadable labels: nothing can claim it
                force_remove(self.backend.client, str(container.id))
            elif not self._keep(attempt_id):
                self.close(attempt_id)
                removed.append(attempt_id)
        self._settle_orphaned_attempts(seen)
        return removed

    def _keep(self, attempt_id: int) -> bool:
        with session_scope(self._settings) as session:
            row = session.get(BaseliningAttempt, attempt_id) if attempt_id >= 0 else None
            if row is None:
                with self._lock:
                    opened = self._opened_at.get(attempt_id)
                return opened is not None and time.monotonic() - opened < OPENING_GRACE_S
            attempt = svc.get_attempt(session, attempt_id)
            svc.settle(session, attempt)
            status = attempt.status
            if status == AttemptStatus.SCORING:
                self.score(attempt_id)  # interrupted by a restart: score it now (once)
                return True
            if status == AttemptStatus.ACTIVE:
                return True
            if status != AttemptStatus.PAUSED:
                return False
            paused = svc.paused_for(attempt) or 0.0
            if paused <= self._settings.baseline_sandbox_paused_s:
                return True
        hours = self._settings.baseline_sandbox_paused_s / 3600
        with session_scope(self._settings) as session:
            svc.expire_attempt(
                session,
                attempt_id,
                f"Ended: paused for more than {hours:g} hours, so its sandbox was removed; "
                "nothing was stored. Start a new attempt to baseline the task.",
            )
        return False

    def _settle_orphaned_attempts(self, with_sandbox: set[int]) -> None:
        """Live attempts still open or scoring whose sandbox is gone: say so, finally."""
        with session_scope(self._settings) as session:
            waiting = session.scalars(
                select_rows(BaseliningAttempt)
                .where(BaseliningAttempt.status.in_((*OPEN_ATTEMPT_STATUSES, AttemptStatus.SCORING)))
                .options(selectinload(BaseliningAttempt.events))
            )
            ids = [(a.id, a.status) for a in waiting if a.id not in with_sandbox and svc.is_live(a)]
        now = time.monotonic()
        for attempt_id, status in ids:
            with self._lock:
                opened = self._opened_at.get(attempt_id)
                if attempt_id in self._scoring or (opened is not None and now - opened < OPENING_GRACE_S):
                    continue
            if status == AttemptStatus.SCORING:
                self.score(attempt_id)  # ends as `error`: the sandbox is gone
            else:
                with session_scope(self._settings) as session:
                    svc.expire_attempt(
                        session,
                        attempt_id,
                        "Ended: its sandbox is gone (the Docker daemon restarted or it was removed); "
                        "nothing was stored. Start a new attempt to baseline the task.",
                    )

    def start(self, interval_s: float = REAP_INTERVAL_S) -> None:
        """Reap every `interval_s` in a background thread (and once now)."""

        def loop() -> None:
            while True:
                try:
                    self.reap()
                except Exception as exc:  # noqa: BLE001 - the next round tries again
                    log.info("could not reap baselining sandboxes: %s", exc)
                if self._stop.wait(interval_s):
                    return

        self._reaper = threading.Thread(target=loop, name="baselining-sandbox-reaper", daemon=True)
        self._reaper.start()

    def stop(self) -> None:
        """Stop reaping and close the shells; the sandboxes stay (found again after a restart)."""
        self._stop.set()
        with self._lock:
            attempt_ids = list(self._shells)
        for attempt_id in attempt_ids:
            self.lock(attempt_id)
