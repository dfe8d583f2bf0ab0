"""Inference servers that a worker starts itself for `managed` models (vLLM, llama.cpp, SGLang).

`InferenceServerManager.lease(cfg)` starts the model's server from the command template named
`cfg.server_template` on a free port (or reuses a running one with the same template and weights),
waits until `GET /v1/models`
answers, and yields the ModelConfig with `base_url` filled in. Servers stay up between runs and
are stopped once idle (no lease) for longer than `idle_timeout_s`: by `stop_idle()`, called from
a background reaper thread if `start_reaper()` was called, and by `stop_all()` at shutdown.

Templates are the operator's, configured on the worker (HORIZON_INFERENCE_TEMPLATES or
HORIZON_INFERENCE_TEMPLATES_FILE, name -> template); a model only names one, and a name the worker
does not have is refused before any process starts. No API caller supplies a command line. A
template may use `{weights}`, `{port}`, `{host}` and `{python}` (this interpreter), e.g.
`vllm serve {weights} --port {port}` or
`{python} -m llama_cpp.server --model {weights} --host {host} --port {port}`. It is split like a
shell command line first and the values are filled into the pieces, so a value is always part of
one argument (spaces in a weights path add none); nothing runs through a shell.

A server that fails to start raises `InferenceServerError`, a `ProviderOutage`: the run is an
infrastructure failure, never the agent's. Its message carries the tail of the server's log.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import os
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from workers.providers.base import ProviderOutage
from workers.providers.config import ModelConfig

IDLE_ENV = "HORIZON_INFERENCE_IDLE_S"
START_TIMEOUT_ENV = "HORIZON_INFERENCE_START_TIMEOUT_S"
LOG_TAIL_CHARS = 4000


class InferenceServerError(ProviderOutage):
    """A managed inference server could not be started or died."""


def _die_with_parent() -> None:
    """In the child before exec: ask Linux to SIGTERM it when the worker that started it dies, so
    a worker killed with SIGKILL leaves no inference server behind (a no-op elsewhere)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port that is free right now (the server binds it moments later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def render_command(template: str, *, weights: str, port: int, host: str, python: str) -> list[str]:
    """The argv for one server: the template split like a shell line, then each piece filled in.

    Splitting first keeps every value inside the argument its placeholder was in: a weights path
    with spaces or quotes cannot add arguments."""
    values = {"weights": weights, "port": port, "host": host, "python": python}
    try:
        return [piece.format(**values) for piece in shlex.split(template)]
    except (KeyError, IndexError, ValueError) as exc:
        raise InferenceServerError(
            f"the server template has an unknown placeholder or a bad brace ({exc}); "
            "use {weights}, {port}, {host}, {python}"
        ) from None


@dataclass
class ManagedServer:
    """One running server process."""

    key: tuple[str, str]
    argv: list[str]
    host: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    started_at: float
    last_used_at: float
    leases: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def root_url(self) -> str:
        """The server's address, without the API path."""
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """The OpenAI-style base URL (`.../v1`)."""
        return self.root_url + "/v1"

    def alive(self) -> bool:
        """Whether the server process is still running."""
        return self.process.poll() is None

    def log_tail(self, chars: int = LOG_TAIL_CHARS) -> str:
        """The end of the server's log, to say why it failed."""
        try:
            data = self.log_path.read_bytes()
        except OSError:
            return "(no log)"
        return data[-chars:].decode(errors="replace")


class InferenceServerManager:
    """Starts, reuses and stops managed inference servers (thread-safe)."""

    def __init__(
        self,
        *,
        idle_timeout_s: float = 600.0,
        start_timeout_s: float = 900.0,
        host: str = "127.0.0.1",
        log_dir: Path | None = None,
        python: str = sys.executable,
        poll_interval_s: float = 0.5,
        templates: Mapping[str, str] | None = None,
    ) -> None:
        # name -> command template, the operator's (Settings.server_templates()).
        self.templates = dict(templates or {})
        self.idle_timeout_s = idle_timeout_s
        self.start_timeout_s = start_timeout_s
        self.host = host
        self.python = python
        self.poll_interval_s = poll_interval_s
        self._log_dir = log_dir or Path(tempfile.mkdtemp(prefix="horizon-inference-"))
        self._servers: dict[tuple[str, str], ManagedServer] = {}
        self._lock = threading.Lock()
        self._reaper: threading.Thread | None = None
        self._reaper_stop = threading.Event()
        # Servers run in their own sessions, so they would outlive this process: stop them at exit.
        # (A SIGKILLed worker still leaves them behind; they hold no lease and use a free port.)
        atexit.register(self.stop_all)

    @classmethod
    def from_env(cls, **kwargs: object) -> InferenceServerManager:
        """A manager whose timeouts come from HORIZON_INFERENCE_IDLE_S / _START_TIMEOUT_S if set
        and whose templates come from the settings unless `templates` is given."""
        if "templates" not in kwargs:
            from core.settings import get_settings

            kwargs["templates"] = get_settings().server_templates()
        if v := os.environ.get(IDLE_ENV):
            kwargs.setdefault("idle_timeout_s", float(v))
        if v := os.environ.get(START_TIMEOUT_ENV):
            kwargs.setdefault("start_timeout_s", float(v))
        return cls(**kwargs)  # type: ignore[arg-type]

    # -- public API -----------------------------------------------------------------------------

    @contextlib.contextmanager
    def lease(self, cfg: ModelConfig) -> Iterator[ModelConfig]:
        """Use the model's server for the duration of the block; yields cfg with base_url set.

        A server is never stopped as idle while a lease holds it.
        """
        server = self._acquire(cfg)
        try:
            yield dataclasses.replace(cfg, base_url=server.base_url)
        finally:
            with server.lock:
                server.leases -= 1
                server.last_used_at = time.monotonic()

    def ensure_running(self, cfg: ModelConfig) -> str:
        """Start (or reuse) the model's server and return its base URL, without holding a lease."""
        with self.lease(cfg) as resolved:
            assert resolved.base_url is not None
            return resolved.base_url

    def running(self) -> list[ManagedServer]:
        """Servers this manager currently holds."""
        with self._lock:
            return list(self._servers.values())

    def stop_idle(self, now: float | None = None) -> list[ManagedServer]:
        """Stop servers with no lease, unused for longer than idle_timeout_s; return them."""
        now = time.monotonic() if now is None else now
        stopped: list[ManagedServer] = []
        with self._lock:
            for key, server in list(self._servers.items()):
                with server.lock:
                    idle = server.leases == 0 and now - server.last_used_at > self.idle_timeout_s
                if idle or not server.alive():
                    del self._servers[key]
                    stopped.append(server)
        for server in stopped:
            _terminate(server.process)
        return stopped

    def stop_all(self) -> None:
        """Stop every server and the reaper thread."""
        self._reaper_stop.set()
        with self._lock:
            servers = list(self._servers.values())
            self._servers.clear()
        for server in servers:
            _terminate(server.process)

    def start_reaper(self, interval_s: float | None = None) -> None:
        """Call stop_idle() periodically from a daemon thread."""
        if self._reaper is not None:
            return
        interval = interval_s if interval_s is not None else max(1.0, min(60.0, self.idle_timeout_s / 4))

        def loop() -> None:
            while not self._reaper_stop.wait(interval):
                self.stop_idle()

        self._reaper = threading.Thread(target=loop, name="inference-reaper", daemon=True)
        self._reaper.start()

    def template_for(self, cfg: ModelConfig) -> str:
        """The command template `cfg` names; InferenceServerError when this worker has none by
        that name (nothing is started)."""
        if not cfg.managed or not cfg.server_template:
            raise InferenceServerError(f"model {cfg.name!r} is not managed or has no server_template")
        template = self.templates.get(cfg.server_template)
        if template is None:
            known = ", ".join(sorted(self.templates)) or "none"
            raise InferenceServerError(
                f"model {cfg.name!r} names the server template {cfg.server_template!r}, which this "
                f"worker does not have (HORIZON_INFERENCE_TEMPLATES; configured: {known}); "
                "nothing was started"
            )
        if "{port}" not in template:
            raise InferenceServerError(
                f"the server template {cfg.server_template!r} must contain {{port}} so the worker "
                "can choose a port; nothing was started"
            )
        return template

    # -- internals ------------------------------------------------------------------------------

    def _acquire(self, cfg: ModelConfig) -> ManagedServer:
        key = (self.template_for(cfg), cfg.weights or "")
        # One lock for the whole start: two runs asking for the same model must not start two servers.
        with self._lock:
            server = self._servers.get(key)
            if server is not None and not server.alive():
                del self._servers[key]
                server = None
            if server is None:
                server = self._start(key, cfg)
                self._servers[key] = server
            with server.lock:
                server.leases += 1
                server.last_used_at = time.monotonic()
            return server

    def _start(self, key: tuple[str, str], cfg: ModelConfig) -> ManagedServer:
        last_error: InferenceServerError | None = None
        # Two tries when the server exits early: another process may have grabbed the free port
        # between our probe and the server's bind.
        for _ in range(2):
            port = free_port(self.host)
            argv = render_command(
                key[0], weights=cfg.weights or "", port=port, host=self.host, python=self.python
            )
            log_path = self._log_dir / f"server-{port}.log"
            with log_path.open("wb") as log:
                try:
                    process = subprocess.Popen(
                        argv,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        stdin=subprocess.DEVNULL,
                        start_new_session=True,  # its own process group, so stopping kills children too
                        preexec_fn=_die_with_parent,
                    )
                except OSError as exc:
                    raise InferenceServerError(f"cannot start {argv[0]!r} for {cfg.name!r}: {exc}") from None
            now = time.monotonic()
            server = ManagedServer(key, argv, self.host, port, process, log_path, now, now)
            try:
                self._wait_ready(server, cfg)
                return server
            except InferenceServerError as exc:
                exited = not server.alive()
                _terminate(process)
                last_error = exc
                if not exited:
                    break  # it ran but never answered: a second wait would only double the delay
        assert last_error is not None
        raise last_error

    def _wait_ready(self, server: ManagedServer, cfg: ModelConfig) -> None:
        deadline = time.monotonic() + self.start_timeout_s
        url = server.root_url + "/v1/models"
        with httpx.Client(timeout=5.0) as client:
            while True:
                if not server.alive():
                    raise InferenceServerError(
                        f"inference server for {cfg.name!r} exited with code {server.process.returncode} "
                        f"before answering; command: {shlex.join(server.argv)}\n"
                        f"log tail:\n{server.log_tail()}"
                    )
                try:
                    if client.get(url).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise InferenceServerError(
                        f"inference server for {cfg.name!r} did not answer {url} within "
                        f"{self.start_timeout_s:g} s; command: {shlex.join(server.argv)}\n"
                        f"log tail:\n{server.log_tail()}"
                    )
                time.sleep(self.poll_interval_s)


def _terminate(process: subprocess.Popen[bytes], grace_s: float = 10.0) -> None:
    """SIGTERM the server's process group, then SIGKILL it if it lingers."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=grace_s)


_default_manager: InferenceServerManager | None = None
_default_lock = threading.Lock()


def default_manager(templates: Mapping[str, str] | None = None) -> InferenceServerManager:
    """The process-wide manager (settings from the environment; `templates`, if given, on first
    use), with its reaper running; every manager stops its servers when the process exits."""
    global _default_manager
    with _default_lock:
        if _default_manager is None:
            kwargs: dict[str, object] = {} if templates is None else {"templates": templates}
            _default_manager = InferenceServerManager.from_env(**kwargs)
            _default_manager.start_reaper()
        return _default_manager
