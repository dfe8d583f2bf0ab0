"""The Docker sandbox backend: one container per attempt, locked down, labelled for reaping.

Each container runs the task's image with:

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
- GPUs only when the caller holds some for the attempt (a task's `resources.gpus`): those devices,
  by id, through the daemon's NVIDIA runtime (`device_requests`); never any otherwise;
- no host folder but those the caller names (an in-sandbox agent's folder holding its model
  proxy's socket, read-only: `bind_specs`);
- the labels of `reaping.container_labels`, whose instance is the deployment's own id
  (`core.services.deployment`), so deployments sharing a daemon never reap each other's sandboxes.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable, Sequence

import docker
import docker.errors
from docker.models.containers import Container
from docker.types import DeviceRequest

from core.services.deployment import sandbox_instance
from core.settings import Settings, get_settings
from core.taskspec import EnvironmentSpec, ResourceLimits, over_maxima
from workers.sandbox.base import AgentLayer, BindMount, SandboxError
from workers.sandbox.docker import reaping
from workers.sandbox.docker.agent_layers import ensure_agent_image
from workers.sandbox.docker.client import api_error, docker_client, ping
from workers.sandbox.docker.images import (
    AGENT_UID,
    WORKDIR_SNAPSHOT,
    WORKDIR_SNAPSHOT_LABEL,
    ensure_base_image,
    ensure_task_image,
)
from workers.sandbox.docker.sandbox import DEFAULT_MAX_OUTPUT_BYTES, DockerSandbox

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


def gpu_requests(gpu_devices: Sequence[str]) -> list[DeviceRequest] | None:
    """The container's device requests: these GPUs through the NVIDIA runtime, or none at all."""
    if not gpu_devices:
        return None
    return [DeviceRequest(driver="nvidia", device_ids=list(gpu_devices), capabilities=[["gpu"]])]


def _gpu_error(gpu_devices: Sequence[str], exc: Exception) -> SandboxError | None:
    """A daemon's refusal of a GPU sandbox in words that say what to fix (None: no GPUs asked).
    The error is the host's, never the agent's: the run is retried and may land on a host that
    can (the same failure on every attempt ends it as infra_error)."""
    if not gpu_devices:
        return None
    return SandboxError(
        f"the Docker daemon did not start a sandbox with GPUs {', '.join(gpu_devices)}: "
        f"{type(exc).__name__}: {exc}. GPU tasks need the NVIDIA Container Toolkit (Docker's "
        "`nvidia` runtime) on the worker's host; see docs/operations.md, section GPU tasks"
    )


def bind_specs(mounts: Sequence[BindMount]) -> dict[str, dict[str, str]] | None:
    """Docker's `binds` for host folders mounted into the sandbox (read-only unless said), or
    None. An in-sandbox agent's folder holds its model proxy's socket (docs/security.md)."""
    if not mounts:
        return None
    return {m.source: {"bind": m.target, "mode": "ro" if m.read_only else "rw"} for m in mounts}


class DockerBackend:
    """Creates Docker sandboxes and cleans up after them (implements `SandboxBackend`)."""

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

        By default the deployment's own: `HORIZON_SANDBOX_INSTANCE` when set, else its instance id
        from its database (`core.services.deployment`). Resolved on first use (it may read the
        database), so making a backend stays free.
        """
        if self._instance is None:
            self._instance = sandbox_instance(self._settings)
        return self._instance

    @property
    def client(self) -> docker.DockerClient:
        """The Docker client; raises SandboxUnavailable when no daemon answers."""
        with self._client_lock:
            if self._client is None:
                self._client = docker_client(self.docker_host)
            return self._client

    def check_available(self) -> None:
        """Raise SandboxUnavailable (saying what to do) unless the daemon answers now."""
        with self._client_lock:
            if self._client is None:
                self._client = docker_client(self.docker_host)  # pings
                return
            client = self._client
        ping(client, self.docker_host)

    def close(self) -> None:
        """Close the connection to the daemon (a later use opens a new one); sandboxes keep running."""
        with self._client_lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()

    # --- images ---------------------------------------------------------------------------------

    def ensure_base_image(self, *, rebuild: bool = False, log: Callable[[str], object] | None = None) -> str:
        """Make sure the base image exists (built offline the first time; see `images`)."""
        return ensure_base_image(self.client, rebuild_rootfs=rebuild, log=log)

    def ensure_image(self, env: EnvironmentSpec) -> str:
        """Build (or find cached) the image for a task environment; see `workers.sandbox.docker.images`."""
        return ensure_task_image(env, self.client)

    def ensure_agent_image(self, image: str, layer: AgentLayer) -> str:
        """Build (or find cached) an agent layer on a task image; see `agent_layers`."""
        return ensure_agent_image(self.client, image, layer)

    def _snapshot_dir(self, image: str) -> str | None:
        if image not in self._snapshot_dirs:
            try:
                labels = self.client.images.get(image).labels or {}
            except docker.errors.DockerException as exc:
                raise api_error(f"inspect {image}", exc) from exc
            self._snapshot_dirs[image] = labels.get(WORKDIR_SNAPSHOT_LABEL)
        return self._snapshot_dirs[image]

    # --- sandboxes ------------------------------------------------------------------------------

    def labels(self, run_id: int, attempt: int) -> dict[str, str]:
        """The labels of this backend's sandbox for one attempt of one run."""
        return reaping.container_labels(run_id, attempt, self.instance)

    def create(
        self,
        image: str,
        *,
        limits: ResourceLimits,
        workdir: str,
        run_id: int,
        attempt: int,
        gpu_devices: Sequence[str] = (),
        mounts: Sequence[BindMount] = (),
    ) -> DockerSandbox:
        """Start a container for one attempt and return it as a sandbox (remove it with close()).

        `gpu_devices` (ids the caller holds through `workers.gpu_host`) are requested from the
        daemon's NVIDIA runtime; a daemon without it refuses, and so does this (SandboxError)."""
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
                device_requests=gpu_requests(gpu_devices),
                binds=bind_specs(mounts),
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
            raise _gpu_error(gpu_devices, exc) or api_error("create", exc) from exc
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
                raise _gpu_error(gpu_devices, exc) or api_error("start", exc) from exc
            raise
        return sandbox

    # --- cleanup (see `reaping`) ----------------------------------------------------------------

    def managed_containers(self, run_id: int | None = None) -> list[Container]:
        """Containers this instance created (all states), optionally only those of one run."""
        return reaping.managed_containers(self.client, self.instance, run_id)

    def remove_run_containers(self, run_id: int) -> list[str]:
        """Force-remove (SIGKILL) every container of a run, e.g. on cancellation. Returns names."""
        return reaping.remove_run_containers(self.client, self.instance, run_id)

    def reap_orphans(self, is_alive: Callable[[int, int], bool]) -> list[str]:
        """Remove labelled containers whose (run_id, attempt) is no longer running. Returns names.

        Containers with unreadable labels are removed too: nothing can claim them.
        """
        return reaping.reap_orphans(self.client, self.instance, is_alive)
