"""Sandboxes as Docker containers, driven through the Docker SDK.

One container per attempt, from the task's image, with:

- no network (`network_mode="none"` plus `network_disabled`: a namespace with loopback only);
- CPU (`nano_cpus`), memory (no swap), process and disk limits;
- a read-only root filesystem. The work directory and /tmp are tmpfs mounts whose size is the
  task's disk limit: overlay2 on this kind of host (ext4) cannot enforce a size quota, tmpfs can.
  tmpfs pages are charged to the container's memory cgroup, so the cgroup limit is
  `memory_mb + 2 * disk_mb` (see `cgroup_memory_mb`): files the agent writes never eat the memory
  the task grants to processes, nor leave the scorer without memory after a full disk, and the
  host never gives one sandbox more than that. /scorer and /solution are small root-owned tmpfs
  mounts the agent can read but not write;
- every command run as the unprivileged `agent` user (uid 1000) unless the caller asks for root,
  with all capabilities dropped except a few that only root-run commands (scorer, file copies) can
  use (`no-new-privileges` stops the agent from gaining them through setuid binaries);
- labels `horizon.managed=1`, `horizon.run_id`, `horizon.attempt` and `horizon.instance`, which
  `reap_orphans` and `remove_run_containers` use to find containers to remove. The instance is the
  deployment's own id (`core.services.deployment`), so deployments sharing a daemon never reap
  each other's sandboxes.

Docker refuses `put_archive` on a read-only root filesystem and would bypass the tmpfs mounts
anyway, so files go in by streaming a tar archive to `tar -x` over an exec's standard input.
`exec_run` has no timeout: commands run under `timeout -s KILL`, and the output stream is read
with our own deadline so a command whose children escape never blocks the worker.
"""

from __future__ import annotations

import io
import logging
import select
import shlex
import socket
import struct
import tarfile
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import docker
import docker.errors
from docker.models.containers import Container

from core.services.deployment import sandbox_instance
from core.settings import Settings, get_settings
from core.taskspec import EnvironmentSpec, ResourceLimits, over_maxima
from workers.images import (
    AGENT_UID,
    AGENT_USER,
    WORKDIR_SNAPSHOT,
    WORKDIR_SNAPSHOT_LABEL,
    docker_client,
    ensure_task_image,
)
from workers.sandbox.base import ExecResult, SandboxError

log = logging.getLogger(__name__)

LABEL_MANAGED = "horizon.managed"
LABEL_RUN_ID = "horizon.run_id"
LABEL_ATTEMPT = "horizon.attempt"
LABEL_INSTANCE = "horizon.instance"
DEFAULT_MAX_OUTPUT_BYTES = 256_000
# Seconds past a command's timeout before we stop waiting for its output stream.
KILL_GRACE_S = 2.0
STREAM_DRAIN_S = 3.0
ROOT_ONLY_MOUNT_MB = 64
# Only processes running as root inside the sandbox (our own copies, the scorer) hold these; the
# agent's uid-1000 processes get none. DAC_OVERRIDE/FOWNER/CHOWN let the scorer read and copy files
# whatever the agent did to their modes; KILL lets cleanup stop the agent's processes.
ROOT_CAPABILITIES = ["CHOWN", "DAC_OVERRIDE", "FOWNER", "KILL"]


def cgroup_memory_mb(limits: ResourceLimits) -> int:
    """The container's memory limit: the task's memory plus what its two tmpfs mounts can hold.

    Files in tmpfs are memory. Without the disk allowance an agent could fill the work directory
    and /tmp until its own processes, and then the scorer, were killed for lack of memory: an agent
    failure that would look like a broken task.
    """
    return limits.memory_mb + 2 * limits.disk_mb


def default_instance(settings: Settings | None = None) -> str:
    """The label that scopes reaping to one deployment: `HORIZON_SANDBOX_INSTANCE` when set, else
    the deployment's own instance id from its database (see `core.services.deployment`)."""
    return sandbox_instance(settings)


def _api_error(action: str, exc: Exception) -> SandboxError:
    return SandboxError(f"docker {action} failed: {type(exc).__name__}: {exc}")


class _BoundedBuffer:
    """Keeps the first and last `limit/2` bytes of a stream and counts the total."""

    def __init__(self, limit: int) -> None:
        self.head_limit = limit // 2
        self.tail_limit = limit - self.head_limit
        self.head = bytearray()
        self.tail = bytearray()
        self.total = 0

    def add(self, data: bytes) -> None:
        self.total += len(data)
        room = self.head_limit - len(self.head)
        if room > 0:
            self.head += data[:room]
            data = data[room:]
        if data:
            self.tail += data
            if len(self.tail) > self.tail_limit:
                del self.tail[: len(self.tail) - self.tail_limit]

    def text(self) -> str:
        kept = len(self.head) + len(self.tail)
        if self.total > kept:
            cut = self.total - kept
            middle = f"\n[... {cut} bytes cut of {self.total} ...]\n".encode()
            return (bytes(self.head) + middle + bytes(self.tail)).decode("utf-8", errors="replace")
        return (bytes(self.head) + bytes(self.tail)).decode("utf-8", errors="replace")


class _ExecStream:
    """Reads Docker's multiplexed exec stream (8-byte frame headers) with a deadline."""

    def __init__(self, hijacked: Any, max_bytes: int) -> None:
        self._hijacked = hijacked
        raw = getattr(hijacked, "_sock", hijacked)
        self.sock: socket.socket = raw
        self.stdout = _BoundedBuffer(max_bytes)
        self.stderr = _BoundedBuffer(max_bytes)
        self._pending = b""
        self.eof = False

    def send_and_close_input(self, data: bytes, timeout_s: float) -> None:
        # Bounded: if the command exits without reading its input, the daemon stops reading too.
        self.sock.settimeout(timeout_s)
        try:
            self.sock.sendall(data)
            self.sock.shutdown(socket.SHUT_WR)
        finally:
            self.sock.settimeout(None)

    def _readable(self, wait_s: float) -> bool:
        pending = getattr(self.sock, "pending", None)
        if pending is not None and pending() > 0:  # TLS socket with buffered plaintext
            return True
        ready, _, _ = select.select([self.sock], [], [], max(0.0, wait_s))
        return bool(ready)

    def read_until(self, deadline: float) -> bool:
        """Read frames until end of stream (True) or the monotonic deadline passes (False)."""
        while not self.eof:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not self._readable(remaining):
                return False
            chunk = self.sock.recv(65536)
            if not chunk:
                self.eof = True
                break
            self._pending += chunk
            self._parse()
        return True

    def _parse(self) -> None:
        while len(self._pending) >= 8:
            stream_type, size = struct.unpack(">BxxxL", self._pending[:8])
            if len(self._pending) < 8 + size:
                return
            payload = self._pending[8 : 8 + size]
            self._pending = self._pending[8 + size :]
            (self.stderr if stream_type == 2 else self.stdout).add(payload)

    def close(self) -> None:
        for closable in (self.sock, self._hijacked):
            try:
                closable.close()
            except OSError:
                pass


def _tar_of(files: dict[str, str], uid: int, gid: int) -> bytes:
    """A tar archive of text files (and their parent folders) owned by uid:gid."""
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
        for path, text in sorted(files.items()):
            data = text.encode()
            info = tarfile.TarInfo(path)
            info.size = len(data)
            # Scripts keep working when called directly: a shebang makes the file executable.
            info.mode = 0o755 if text.startswith("#!") else 0o644
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
        return self._workdir

    @property
    def container_id(self) -> str:
        return self._id

    @property
    def name(self) -> str:
        return self._name

    @property
    def closed(self) -> bool:
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
            stream = _ExecStream(api.exec_start(exec_id, socket=True), self._max_output_bytes)
        except docker.errors.DockerException as exc:
            raise _api_error("exec", exc) from exc
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
        return ExecResult(
            exit_code=exit_code,
            stdout=stream.stdout.text(),
            stderr=stream.stderr.text(),
            timed_out=timed_out,
            duration_s=duration,
            stdout_bytes=stream.stdout.total,
            stderr_bytes=stream.stderr.total,
        )

    def _exit_code(self, exec_id: str) -> int:
        # The stream can close a moment before the daemon records the exit code.
        deadline = time.monotonic() + 5.0
        while True:
            try:
                info = self._client.api.exec_inspect(exec_id)
            except docker.errors.DockerException as exc:
                if self._closed:
                    raise SandboxError("sandbox was closed while a command ran") from exc
                raise _api_error("exec inspect", exc) from exc
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
        try:
            exec_id = self._client.api.exec_create(self._id, ["sh", "-c", script], user=user)["Id"]
            self._client.api.exec_start(exec_id)
        except docker.errors.DockerException as exc:
            raise _api_error("exec kill", exc) from exc

    # --- files ----------------------------------------------------------------------------------

    def put_files(self, files: dict[str, str], dest_dir: str, owner: str | None = None) -> None:
        """Write text files (relative path -> content) under `dest_dir`.

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
        result = self.exec_argv(["sh", "-c", script], 120.0, user="root", stdin=_tar_of(files, uid, uid))
        if result.exit_code != 0:
            raise SandboxError(f"copying {len(files)} files to {dest_dir} failed: {result.stderr.strip()}")

    def read_file(self, path: str, max_bytes: int = 1_000_000) -> str:
        """Return a file's text (at most max_bytes); FileNotFoundError if it is not a file."""
        script = 'if [ -f "$1" ]; then head -c "$2" -- "$1"; else exit 44; fi'
        result = self.exec_argv(["sh", "-c", script, "sh", path, str(max_bytes)], 60.0, user="root")
        if result.exit_code == 44:
            raise FileNotFoundError(path)
        if result.exit_code != 0:
            raise SandboxError(f"reading {path} failed: {result.stderr.strip()}")
        return result.stdout

    # --- teardown -------------------------------------------------------------------------------

    def close(self) -> None:
        """Force-remove the container (SIGKILL, then delete). Safe to call twice or concurrently."""
        with self._close_lock:
            if self._closed:
                return
            self._closed = True
        _force_remove(self._client, self._id)


def _force_remove(client: docker.DockerClient, container_id: str) -> None:
    last: Exception | None = None
    for _ in range(3):
        try:
            client.api.remove_container(container_id, force=True, v=True)
            return
        except docker.errors.NotFound:
            return
        except docker.errors.APIError as exc:
            # "removal already in progress" is a success from our side.
            if "already in progress" in str(exc):
                return
            last = exc
            time.sleep(0.2)
        except docker.errors.DockerException as exc:
            last = exc
            time.sleep(0.2)
    raise _api_error(f"remove {container_id[:12]}", last or RuntimeError("unknown"))


class DockerBackend:
    """Creates Docker sandboxes and cleans up after them."""

    name = "docker"

    def __init__(
        self,
        docker_host: str | None = None,
        *,
        instance: str | None = None,
        settings: Settings | None = None,
        max_output_bytes: int = DEFAULT_MAX_OUTPUT_BYTES,
        client: docker.DockerClient | None = None,
    ) -> None:
        self.docker_host = docker_host
        self._instance = instance
        self._settings = settings
        self.max_output_bytes = max_output_bytes
        self._client = client
        self._client_lock = threading.Lock()
        self._snapshot_dirs: dict[str, str | None] = {}

    @property
    def instance(self) -> str:
        """The `horizon.instance` label this backend creates and reaps containers under.

        Resolved on first use (it may read the database), so making a backend stays free.
        """
        if self._instance is None:
            self._instance = default_instance(self._settings)
        return self._instance

    @property
    def client(self) -> docker.DockerClient:
        """The Docker client; raises SandboxUnavailable when no daemon answers."""
        with self._client_lock:
            if self._client is None:
                self._client = docker_client(self.docker_host)
            return self._client

    def ensure_image(self, env: EnvironmentSpec) -> str:
        """Build (or find cached) the image for a task environment; see `workers.images`."""
        return ensure_task_image(env, self.client)

    def labels(self, run_id: int, attempt: int) -> dict[str, str]:
        return {
            LABEL_MANAGED: "1",
            LABEL_RUN_ID: str(run_id),
            LABEL_ATTEMPT: str(attempt),
            LABEL_INSTANCE: self.instance,
        }

    def create(
        self,
        image: str,
        *,
        limits: ResourceLimits,
        workdir: str,
        run_id: int,
        attempt: int,
    ) -> DockerSandbox:
        """Start a container for one attempt and return it as a sandbox (remove it with close())."""
        if limits.network != "none":
            raise SandboxError(f"network mode {limits.network!r} is not supported")
        # The executor refuses such versions first (a config error); this keeps the backend from
        # ever starting a container past the operator's maxima, whoever calls it.
        found = over_maxima(limits, 0, (self._settings or get_settings()).task_maxima())
        if found:
            raise SandboxError(
                "limits past the operator's maxima: " + "; ".join(f"{k} {m}" for k, m in found)
            )
        client = self.client
        disk = f"{limits.disk_mb}m"
        memory = f"{cgroup_memory_mb(limits)}m"
        tmpfs = {
            workdir: f"rw,exec,size={disk},mode=0755,uid={AGENT_UID},gid={AGENT_UID}",
            "/tmp": f"rw,exec,size={disk},mode=1777",
            "/scorer": f"rw,exec,size={ROOT_ONLY_MOUNT_MB}m,mode=0755",
            "/solution": f"rw,exec,size={ROOT_ONLY_MOUNT_MB}m,mode=0755",
        }
        name = f"horizon-r{run_id}-a{attempt}-{uuid.uuid4().hex[:8]}"
        api = client.api
        try:
            # The low-level API: the high-level create() inspects the container again afterwards.
            host_config = api.create_host_config(
                init=True,  # tini as PID 1 reaps orphans (a fork bomb's zombies would pin pids)
                network_mode="none",
                nano_cpus=int(limits.cpus * 1e9),
                mem_limit=memory,
                memswap_limit=memory,
                pids_limit=limits.pids,
                read_only=True,
                tmpfs=tmpfs,
                cap_drop=["ALL"],
                cap_add=ROOT_CAPABILITIES,
                security_opt=["no-new-privileges"],
            )
            container_id = api.create_container(
                image,
                # As the entrypoint, so a task image's own ENTRYPOINT/CMD never runs or gets our args.
                entrypoint=["sleep", "infinity"],
                name=name,
                labels=self.labels(run_id, attempt),
                user="0:0",
                working_dir=workdir,
                hostname="sandbox",
                host_config=host_config,
                # With NetworkMode "none" this skips libnetwork's sandbox set-up entirely (about
                # 120 ms of a start here); the container still gets its own namespace, loopback up.
                network_disabled=True,
            )["Id"]
        except docker.errors.ImageNotFound as exc:
            raise SandboxError(f"image {image} not found (build it with ensure_image)") from exc
        except docker.errors.DockerException as exc:
            raise _api_error("create", exc) from exc
        sandbox = DockerSandbox(client, container_id, name, workdir, self.max_output_bytes)
        try:
            api.start(container_id)
            if self._snapshot_dir(image) == workdir:
                result = sandbox.exec_argv(
                    ["tar", "-x", "--no-overwrite-dir", "-f", WORKDIR_SNAPSHOT, "-C", workdir],
                    120.0,
                    user="root",
                )
                if result.exit_code != 0:
                    raise SandboxError(f"unpacking the work directory failed: {result.stderr.strip()}")
        except BaseException as exc:
            sandbox.close()
            if isinstance(exc, docker.errors.DockerException):
                raise _api_error("start", exc) from exc
            raise
        return sandbox

    def _snapshot_dir(self, image: str) -> str | None:
        if image not in self._snapshot_dirs:
            try:
                labels = self.client.images.get(image).labels or {}
            except docker.errors.DockerException as exc:
                raise _api_error(f"inspect {image}", exc) from exc
            self._snapshot_dirs[image] = labels.get(WORKDIR_SNAPSHOT_LABEL)
        return self._snapshot_dirs[image]

    # --- cleanup --------------------------------------------------------------------------------

    def managed_containers(self, run_id: int | None = None) -> list[Container]:
        """Containers this instance created (all states), optionally only those of one run."""
        filters = [f"{LABEL_MANAGED}=1", f"{LABEL_INSTANCE}={self.instance}"]
        if run_id is not None:
            filters.append(f"{LABEL_RUN_ID}={run_id}")
        try:
            # ignore_removed: a container removed between the listing and its inspection (another
            # worker finishing its run) is skipped instead of failing the whole listing with a 404.
            found = self.client.containers.list(all=True, filters={"label": filters}, ignore_removed=True)
            return list(found)
        except docker.errors.DockerException as exc:
            raise _api_error("list containers", exc) from exc

    def remove_run_containers(self, run_id: int) -> list[str]:
        """Force-remove (SIGKILL) every container of a run, e.g. on cancellation. Returns names."""
        removed = []
        for container in self.managed_containers(run_id):
            _force_remove(self.client, str(container.id))
            removed.append(str(container.name))
        return removed

    def reap_orphans(self, is_alive: Callable[[int, int], bool]) -> list[str]:
        """Remove labelled containers whose (run_id, attempt) is no longer running. Returns names.

        Containers with unreadable labels are removed too: nothing can claim them.
        """
        removed = []
        for container in self.managed_containers():
            labels = container.labels or {}
            try:
                alive = is_alive(int(labels[LABEL_RUN_ID]), int(labels[LABEL_ATTEMPT]))
            except (KeyError, ValueError):
                alive = False
            if not alive:
                _force_remove(self.client, str(container.id))
                removed.append(str(container.name))
        return removed


def reap_orphans(
    is_alive: Callable[[int, int], bool],
    *,
    docker_host: str | None = None,
    instance: str | None = None,
    settings: Settings | None = None,
) -> list[str]:
    """Remove this instance's containers whose run attempt `is_alive(run_id, attempt)` denies."""
    return DockerBackend(docker_host, instance=instance, settings=settings).reap_orphans(is_alive)


def remove_run_containers(
    run_id: int,
    *,
    docker_host: str | None = None,
    instance: str | None = None,
    settings: Settings | None = None,
) -> list[str]:
    """Force-remove every container of `run_id` (cancellation); returns the removed names."""
    return DockerBackend(docker_host, instance=instance, settings=settings).remove_run_containers(run_id)
