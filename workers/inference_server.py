"""Inference servers for `managed` models (vLLM, llama.cpp, SGLang), one per model per host.

`InferenceServerManager.lease(cfg)` yields `cfg` with `base_url` pointing at the model's server: a
running one with the same command template and weights if the host has it, else one it starts from
the template named `cfg.server_template` on a free port, with `cfg.gpus` of the host's GPUs
(workers/gpu_host.py) and only those visible to it (CUDA_VISIBLE_DEVICES).

Servers are shared by every worker process of a deployment on the host. Their registry is a folder
in the host state folder (workers/host_state.py), `inference/<namespace>/`, where the namespace is
the deployment's instance id (core/services/deployment.py); per server (key: template and weights,
hashed for file names) it holds:

- `<key>.lock`: flock'd exclusively around every decision to start, reuse or stop the server, so two
  processes never start two servers for one model. Never deleted: a process may be waiting on it.
- `<key>.json`: the record (pid, port, argv, log, GPUs, times), replaced whole on every change.
- `<key>.leases`: every lease holds a shared flock on it while it runs. A stopper, holding the
  lock, gets an exclusive flock on it only when nobody leases; the kernel drops a lessee's lock
  when it dies, even by SIGKILL, so a crashed worker never pins a server.
- `<key>.log`: the server's output (its tail goes into errors).

A server runs in its own session, not tied to the worker that started it: other workers may be
using it. It is stopped when idle (no lease) for longer than `idle_timeout_s`, by `stop_idle()`,
which any worker of the deployment runs (a reaper thread, `start_reaper()`, and once when a worker
makes its manager), so a server left by a SIGKILLed worker is stopped once idle. At exit a manager
stops the unleased servers it started. Before signalling, the recorded pid is checked to still be
the server (its start time, else its command line): a recycled pid is never killed.

Templates are the operator's, configured on the worker (HORIZON_INFERENCE_TEMPLATES or
HORIZON_INFERENCE_TEMPLATES_FILE, name -> template); a model only names one, and a name the worker
does not have is refused before any process starts. No API caller supplies a command line. A
template may use `{weights}`, `{port}`, `{host}` and `{python}` (this interpreter), e.g.
`vllm serve {weights} --port {port}` or
`{python} -m llama_cpp.server --model {weights} --host {host} --port {port}`. It is split like a
shell command line first and the values are filled into the pieces, so a value is always part of
one argument (spaces in a weights path add none); nothing runs through a shell.

A server that fails to start raises `InferenceServerError`, a `ProviderOutage`; GPUs the host
cannot give raise `GpuUnavailable`. Either way the run is an infrastructure failure, never the
agent's. An error's message carries the tail of the server's log.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import fcntl
import hashlib
import logging
import os
import re
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from core.settings import Settings, get_settings
from workers.gpu_host import GpuDevice, GpuUnavailable, acquire_gpus, hand_over_gpus, release_gpus
from workers.host_state import (
    HostStateError,
    file_lock,
    host_state_dir,
    private_subdir,
    process_cmdline,
    process_running,
    process_start_ticks,
    read_json,
    write_json_atomic,
)
from workers.providers.base import ProviderOutage
from workers.providers.config import ModelConfig

log = logging.getLogger(__name__)

IDLE_ENV = "HORIZON_INFERENCE_IDLE_S"
START_TIMEOUT_ENV = "HORIZON_INFERENCE_START_TIMEOUT_S"
LOG_TAIL_CHARS = 4000
# A namespace is a folder name: the deployment's instance id (`d-` and hex), or a test's label.
NAMESPACE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
# How long a ready server that stops answering /v1/models is given before it counts as hung.
REUSE_PROBE_S = 10.0


class InferenceServerError(ProviderOutage):
    """A managed inference server could not be started or died."""


class _ServerExited(InferenceServerError):
    """The server exited before answering: perhaps it lost its port to another process."""


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


def server_key_digest(template: str, weights: str, gpus: int) -> str:
    """The file-name form of a server's key: template, weights and GPU count (the same weights
    on 1 GPU and tensor-parallel on 2 are different servers; neither may stand in for the other)."""
    return hashlib.sha256(f"{template}\0{weights}\0{gpus}".encode()).hexdigest()[:32]


@dataclass
class ManagedServer:
    """One server as the host's registry records it."""

    key: tuple[str, str]  # (command template, weights)
    argv: list[str]
    host: str
    port: int
    pid: int
    pid_start: int | None  # the process's start time (clock ticks), which a recycled pid lacks
    log_path: Path
    started_at: float  # epoch seconds
    last_used_at: float  # epoch seconds, the end of the last lease on any worker
    gpus: tuple[str, ...] = ()  # device ids it was given (CUDA_VISIBLE_DEVICES)
    ready: bool = False  # it answered /v1/models once
    leases: int = 0  # this process's leases on it (others' show only through the leases lock)

    @property
    def root_url(self) -> str:
        """The server's address, without the API path."""
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """The OpenAI-style base URL (`.../v1`)."""
        return self.root_url + "/v1"

    def alive(self) -> bool:
        """Whether the recorded server process still runs (not a zombie, not a recycled pid)."""
        return process_running(self.pid, self.pid_start)

    def is_still_ours(self) -> bool:
        """Whether the pid still names the server that was recorded, so signalling it is safe:
        the same start time or, where that is unknown, the same command line."""
        if not self.alive():
            return False
        return self.pid_start is not None or process_cmdline(self.pid) == self.argv

    def log_tail(self, chars: int = LOG_TAIL_CHARS) -> str:
        """The end of the server's log, to say why it failed."""
        try:
            with self.log_path.open("rb") as f:
                f.seek(max(0, f.seek(0, os.SEEK_END) - chars))
                data = f.read()
        except OSError:
            return "(no log)"
        return data.decode(errors="replace")

    def record(self) -> dict[str, Any]:
        """The JSON record other processes read."""
        data = dataclasses.asdict(self)
        data.pop("leases")
        data["key"], data["gpus"], data["log_path"] = list(self.key), list(self.gpus), str(self.log_path)
        return data

    @classmethod
    def from_record(cls, data: dict[str, Any] | None) -> ManagedServer | None:
        """The server a record describes; None for a missing or malformed one."""
        if data is None:
            return None
        try:
            template, weights = data["key"]
            ticks = data.get("pid_start")
            return cls(
                key=(str(template), str(weights)),
                argv=[str(a) for a in data["argv"]],
                host=str(data["host"]),
                port=int(data["port"]),
                pid=int(data["pid"]),
                pid_start=None if ticks is None else int(ticks),
                log_path=Path(str(data["log_path"])),
                started_at=float(data["started_at"]),
                last_used_at=float(data["last_used_at"]),
                gpus=tuple(str(g) for g in data.get("gpus", ())),
                ready=bool(data.get("ready", False)),
            )
        except (KeyError, TypeError, ValueError):
            return None


@dataclass(frozen=True)
class _Slot:
    """The registry files of one server key."""

    folder: Path
    digest: str

    @property
    def lock(self) -> Path:
        return self.folder / f"{self.digest}.lock"

    @property
    def record(self) -> Path:
        return self.folder / f"{self.digest}.json"

    @property
    def leases(self) -> Path:
        return self.folder / f"{self.digest}.leases"

    def read(self) -> ManagedServer | None:
        return ManagedServer.from_record(read_json(self.record))

    def write(self, server: ManagedServer) -> None:
        write_json_atomic(self.record, server.record())


class InferenceServerManager:
    """Starts, reuses and stops the managed inference servers of one namespace on this host
    (thread-safe, and safe across processes)."""

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
        namespace: str | None = None,
        settings: Settings | None = None,
    ) -> None:
        # name -> command template, the operator's (Settings.server_templates()).
        self.templates = dict(templates or {})
        self.idle_timeout_s = idle_timeout_s
        self.start_timeout_s = start_timeout_s
        self.host = host
        self.python = python
        self.poll_interval_s = poll_interval_s
        if namespace is not None and not NAMESPACE.match(namespace):
            raise ValueError(f"a server namespace must match {NAMESPACE.pattern}, not {namespace!r}")
        # None: the deployment's instance id, read from the database on first use.
        self._namespace = namespace
        self._settings = settings
        self._log_dir = log_dir  # None: the registry folder
        self._lock = threading.Lock()
        # Servers this process started, kept to reap them (a child that exits stays a zombie
        # until waited for) and to stop them at exit.
        self._children: dict[int, subprocess.Popen[bytes]] = {}
        self._held: dict[str, int] = {}  # key digest -> this process's leases
        self._reaper: threading.Thread | None = None
        self._reaper_stop = threading.Event()
        atexit.register(self.stop_all)

    @classmethod
    def from_env(cls, **kwargs: object) -> InferenceServerManager:
        """A manager whose timeouts come from HORIZON_INFERENCE_IDLE_S / _START_TIMEOUT_S if set
        and whose templates come from the settings unless `templates` is given."""
        if "templates" not in kwargs:
            settings = kwargs.get("settings")
            kwargs["templates"] = (
                settings if isinstance(settings, Settings) else get_settings()
            ).server_templates()
        if v := os.environ.get(IDLE_ENV):
            kwargs.setdefault("idle_timeout_s", float(v))
        if v := os.environ.get(START_TIMEOUT_ENV):
            kwargs.setdefault("start_timeout_s", float(v))
        return cls(**kwargs)  # type: ignore[arg-type]

    @property
    def settings(self) -> Settings:
        """The settings given, else this process's."""
        return self._settings or get_settings()

    @property
    def namespace(self) -> str:
        """The registry's namespace: the deployment's instance id unless one was given."""
        if self._namespace is None:
            from core.services.deployment import instance_id

            self._namespace = instance_id(self.settings)
        return self._namespace

    # -- public API -----------------------------------------------------------------------------

    @contextlib.contextmanager
    def lease(self, cfg: ModelConfig) -> Iterator[ModelConfig]:
        """Use the model's server for the duration of the block; yields cfg with base_url set.

        No process stops a server as idle while a lease holds it."""
        key = (self.template_for(cfg), cfg.weights or "")  # refuses before anything is touched
        slot = _Slot(self._folder(), server_key_digest(*key, cfg.gpus))
        server, lease_fd = self._acquire(cfg, key, slot)
        try:
            yield dataclasses.replace(cfg, base_url=server.base_url)
        finally:
            self._release(slot, server, lease_fd)

    def ensure_running(self, cfg: ModelConfig) -> str:
        """Start (or reuse) the model's server and return its base URL, without holding a lease."""
        with self.lease(cfg) as resolved:
            assert resolved.base_url is not None
            return resolved.base_url

    def running(self) -> list[ManagedServer]:
        """The live servers of this namespace on the host, whoever started them."""
        servers = []
        for slot in self._slots():
            server = slot.read()
            if server is not None and server.alive():
                with self._lock:
                    server.leases = self._held.get(slot.digest, 0)
                servers.append(server)
        return servers

    def stop_idle(self, now: float | None = None) -> list[ManagedServer]:
        """Stop this namespace's servers that nobody leases and that were idle for longer than
        idle_timeout_s (epoch seconds `now`), and clean up after dead ones; return them."""
        return self._sweep(time.time() if now is None else now)

    def stop_all(self) -> None:
        """At exit: stop the reaper, and the servers this process started that nobody leases now
        (others keep theirs; idle ones are stopped as usual)."""
        self._reaper_stop.set()
        if self._namespace is None:
            return  # never used: nothing started, and no reason to reach the database at exit
        try:
            self._sweep(time.time(), also=self._started_here)
        except Exception:  # at exit, a broken state folder must not hide the real exit status
            log.exception("stopping inference servers at exit failed")

    def start_reaper(self, interval_s: float | None = None) -> None:
        """Call stop_idle() periodically from a daemon thread."""
        if self._reaper is not None:
            return
        interval = interval_s if interval_s is not None else max(1.0, min(60.0, self.idle_timeout_s / 4))

        def loop() -> None:
            while not self._reaper_stop.wait(interval):
                try:
                    self.stop_idle()
                except Exception:
                    log.exception("the inference-server reaper failed; trying again")

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

    # -- the registry ---------------------------------------------------------------------------

    def _folder(self) -> Path:
        try:
            return private_subdir(host_state_dir(self.settings), "inference", self.namespace)
        except (HostStateError, OSError) as exc:
            raise InferenceServerError(f"the host state folder is unusable: {exc}") from None

    def _slots(self) -> list[_Slot]:
        folder = self._folder()
        return [_Slot(folder, p.stem) for p in sorted(folder.glob("*.json"))]

    def _gpu_owner(self, slot: _Slot) -> str:
        return f"server:{self.namespace}:{slot.digest}"

    # -- leasing --------------------------------------------------------------------------------

    def _acquire(self, cfg: ModelConfig, key: tuple[str, str], slot: _Slot) -> tuple[ManagedServer, int]:
        with file_lock(slot.lock):
            self._reap_children()
            server = self._reusable(slot, cfg)
            if server is None:
                server = self._start(slot, key, cfg)
            # Taken while holding the lock, which every stopper needs first: no gap to stop in.
            lease_fd = os.open(slot.leases, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
            try:
                fcntl.flock(lease_fd, fcntl.LOCK_SH)
                server.last_used_at = time.time()
                slot.write(server)
            except BaseException:
                os.close(lease_fd)
                raise
        with self._lock:
            self._held[slot.digest] = self._held.get(slot.digest, 0) + 1
        return server, lease_fd

    def _release(self, slot: _Slot, server: ManagedServer, lease_fd: int) -> None:
        try:
            with file_lock(slot.lock):
                current = slot.read()
                if current is not None and current.pid == server.pid:
                    current.last_used_at = time.time()
                    slot.write(current)
        finally:
            os.close(lease_fd)  # drops the shared lock: idle from now on unless others lease
            with self._lock:
                self._held[slot.digest] -= 1

    def _reusable(self, slot: _Slot, cfg: ModelConfig) -> ManagedServer | None:
        """The recorded server if it runs and answers; otherwise its remains are cleaned up
        (called holding the slot's lock)."""
        server = slot.read()
        if server is None:
            slot.record.unlink(missing_ok=True)  # malformed: nothing can be trusted in it
            return None
        if server.alive() and server.ready and self._answers(server, REUSE_PROBE_S):
            return server
        if server.alive():
            # Started but never ready (its starter died meanwhile), or hung: replace it, unless
            # someone leases it, whose requests would then fail with ours.
            with file_lock(slot.leases, blocking=False) as unleased:
                if not unleased:
                    raise InferenceServerError(
                        f"the inference server for {cfg.name!r} (pid {server.pid}) runs but does "
                        f"not answer {server.root_url}/v1/models, and other runs use it\n"
                        f"log tail:\n{server.log_tail()}"
                    )
                log.warning(
                    "stopping the inference server %d for %s: it does not answer", server.pid, cfg.name
                )
                self._stop(slot, server)
        else:
            self._stop(slot, server)
        return None

    def _answers(self, server: ManagedServer, within_s: float) -> bool:
        deadline = time.monotonic() + within_s
        with httpx.Client(timeout=5.0) as client:
            while True:
                with contextlib.suppress(httpx.TransportError):
                    if client.get(server.root_url + "/v1/models").status_code == 200:
                        return True
                if time.monotonic() >= deadline or not server.alive():
                    return False
                time.sleep(min(self.poll_interval_s, 1.0))

    # -- starting -------------------------------------------------------------------------------

    def _start(self, slot: _Slot, key: tuple[str, str], cfg: ModelConfig) -> ManagedServer:
        """Start the server (called holding the slot's lock). Its GPUs are taken first and then
        held in the server's name, so they stay held as long as it runs, whoever started it."""
        owner = self._gpu_owner(slot)
        release_gpus(owner, self.settings)  # whatever an earlier start of this key left
        # Two tries when the server exits early: another process may have grabbed the free port
        # between our probe and the server's bind.
        for attempt in (1, 2):
            devices = self._gpus_for(owner, cfg)
            try:
                return self._start_once(slot, key, cfg, [d.device_id for d in devices])
            except _ServerExited:
                release_gpus(owner, self.settings)
                if attempt == 2:
                    raise
            except BaseException:
                release_gpus(owner, self.settings)
                raise
        raise AssertionError("unreachable")  # pragma: no cover

    def _gpus_for(self, owner: str, cfg: ModelConfig) -> list[GpuDevice]:
        """The server's GPUs. When they are busy, unleased servers of this deployment that hold
        GPUs are stopped first, idle or not, until enough are freed: a waiting run needs the
        devices more than a warm server nobody uses. Then busy GPUs are waited for
        (HORIZON_GPU_WAIT_S); too few at all, or still busy: GpuUnavailable, an infrastructure
        failure."""
        if cfg.gpus == 0:
            return []
        try:
            return acquire_gpus(owner, cfg.gpus, wait_s=0, settings=self.settings)
        except GpuUnavailable as exc:
            if not exc.busy:
                raise  # too few or too small at all: stopping servers would not help
            freed = 0

            def give_way(server: ManagedServer) -> bool:
                nonlocal freed
                if freed >= cfg.gpus or not server.gpus:
                    return False
                freed += len(server.gpus)
                return True

            # The caller holds our own slot's lock, so the sweep passes over it.
            for server in self._sweep(time.time(), also=give_way):
                log.info("stopped inference server %d, freeing GPUs for %s", server.pid, cfg.name)
        return acquire_gpus(owner, cfg.gpus, settings=self.settings)

    def _start_once(
        self, slot: _Slot, key: tuple[str, str], cfg: ModelConfig, device_ids: list[str]
    ) -> ManagedServer:
        env: dict[str, str] | None = None  # no GPUs asked: the environment as it is
        if device_ids:
            env = {**os.environ, "CUDA_VISIBLE_DEVICES": ",".join(device_ids)}
        port = free_port(self.host)
        argv = render_command(key[0], weights=key[1], port=port, host=self.host, python=self.python)
        log_path = (self._log_dir or slot.folder) / f"{slot.digest}.log"
        with log_path.open("wb") as out:
            try:
                process = subprocess.Popen(
                    argv,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    env=env,
                    # Its own session: it outlives this worker (others may use it), and stopping
                    # its process group stops its children too.
                    start_new_session=True,
                )
            except OSError as exc:
                raise InferenceServerError(f"cannot start {argv[0]!r} for {cfg.name!r}: {exc}") from None
        with self._lock:
            self._children[process.pid] = process
        now = time.time()
        server = ManagedServer(
            key=key,
            argv=argv,
            host=self.host,
            port=port,
            pid=process.pid,
            pid_start=process_start_ticks(process.pid),
            log_path=log_path,
            started_at=now,
            last_used_at=now,
            gpus=tuple(device_ids),
        )
        try:
            if device_ids:
                hand_over_gpus(self._gpu_owner(slot), process.pid, self.settings)
            slot.write(server)  # recorded before it is ready, so it is never unaccounted for
            self._wait_ready(server, process, cfg)
        except BaseException:
            self._terminate(server)
            slot.record.unlink(missing_ok=True)
            raise
        server.ready = True
        slot.write(server)
        log.info("started inference server %d for %s at %s", server.pid, cfg.name, server.base_url)
        return server

    def _wait_ready(self, server: ManagedServer, process: subprocess.Popen[bytes], cfg: ModelConfig) -> None:
        deadline = time.monotonic() + self.start_timeout_s
        url = server.root_url + "/v1/models"
        with httpx.Client(timeout=5.0) as client:
            while True:
                if process.poll() is not None:
                    raise _ServerExited(
                        f"inference server for {cfg.name!r} exited with code {process.returncode} "
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

    # -- stopping -------------------------------------------------------------------------------

    def _sweep(
        self, now: float, *, also: Callable[[ManagedServer], bool] = lambda server: False
    ) -> list[ManagedServer]:
        """Stop unleased servers idle past the timeout, or for which `also` says so, and clean up
        after dead ones. A slot whose lock is busy is left for the next pass."""
        self._reap_children()
        stopped: list[ManagedServer] = []
        for slot in self._slots():
            with file_lock(slot.lock, blocking=False) as decided_here:
                if not decided_here:
                    continue  # being started, leased or stopped right now
                server = slot.read()
                if server is None:
                    slot.record.unlink(missing_ok=True)
                    continue
                with file_lock(slot.leases, blocking=False) as unleased:
                    if not unleased:
                        continue
                    idle = now - server.last_used_at > self.idle_timeout_s
                    if server.alive() and not idle and not also(server):
                        continue
                    self._stop(slot, server)
                stopped.append(server)
        return stopped

    def _started_here(self, server: ManagedServer) -> bool:
        with self._lock:
            return server.pid in self._children

    def _stop(self, slot: _Slot, server: ManagedServer) -> None:
        """Stop the server if it still runs, free its GPUs and remove its record (called holding
        the slot's lock and, when it may run, the leases lock exclusively)."""
        self._terminate(server)
        release_gpus(self._gpu_owner(slot), self.settings)
        slot.record.unlink(missing_ok=True)
        # Safe to remove: a lessee opens it only while holding the lock, which the caller holds.
        slot.leases.unlink(missing_ok=True)
        log.info("stopped inference server %d (%s)", server.pid, server.base_url)

    def _terminate(self, server: ManagedServer, grace_s: float = 10.0) -> None:
        """SIGTERM the server's process group, then SIGKILL it if it lingers; nothing is sent
        unless the pid is still the recorded server."""
        for sig in (signal.SIGTERM, signal.SIGKILL):
            if not server.is_still_ours():
                break
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(server.pid, sig)
            deadline = time.monotonic() + grace_s
            while time.monotonic() < deadline and self._still_running(server):
                time.sleep(0.05)
        self._reap_children()

    def _still_running(self, server: ManagedServer) -> bool:
        with self._lock:
            child = self._children.get(server.pid)
        if child is not None:
            return child.poll() is None
        return server.alive()

    def _reap_children(self) -> None:
        """Wait for servers this process started that have exited (from any cause)."""
        with self._lock:
            for pid, process in list(self._children.items()):
                if process.poll() is not None:
                    del self._children[pid]


def new_namespace(prefix: str = "ns") -> str:
    """A namespace of its own (tests, or a manager meant to share nothing)."""
    return f"{prefix}-{secrets.token_hex(6)}"


def sweep_idle_servers(settings: Settings) -> list[ManagedServer]:
    """One pass that stops this deployment's servers idle past the timeout on this host (those a
    SIGKILLed worker left), for a GPU worker starting up; returns them."""
    manager = InferenceServerManager.from_env(settings=settings)
    try:
        return manager.stop_idle()
    except InferenceServerError as exc:
        log.warning("could not look for idle inference servers: %s", exc)
        return []


_default_manager: InferenceServerManager | None = None
_default_lock = threading.Lock()


def default_manager(
    templates: Mapping[str, str] | None = None, settings: Settings | None = None
) -> InferenceServerManager:
    """The process-wide manager of this deployment's servers (timeouts from the environment;
    `templates` and `settings`, if given, on first use), with its reaper running. Making it stops,
    once, servers that earlier workers left idle (one SIGKILLed, say)."""
    global _default_manager
    with _default_lock:
        if _default_manager is None:
            kwargs: dict[str, object] = {"settings": settings}
            if templates is not None:
                kwargs["templates"] = templates
            manager = InferenceServerManager.from_env(**kwargs)
            try:
                manager.stop_idle()
            except InferenceServerError as exc:
                log.warning("could not look for idle inference servers: %s", exc)
            manager.start_reaper()
            _default_manager = manager
        return _default_manager
