"""The sandbox interface: an isolated place where an agent's commands run.

Scaffolds, scorers, workers and the CLI only see these protocols; the Docker backend
(`workers.sandbox.docker`) and any other implements all of them, so no caller probes for a method.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from core.taskspec import EnvironmentSpec, ResourceLimits


class SandboxError(Exception):
    """The sandbox itself failed (daemon error, image build failure, container died).

    Always an infrastructure failure: the run ends as `infra_error` and is retried, never scored.
    """


class SandboxUnavailable(SandboxError):
    """No sandbox backend can be reached (for example no Docker daemon on this machine)."""


class ImageBuildError(SandboxError):
    """A task environment's image could not be built; the message ends with the build log tail."""


@dataclass(frozen=True)
class ExecResult:
    """What a command in the sandbox did: exit code, output (possibly cut), time taken."""

    exit_code: int
    stdout: str
    stderr: str
    timed_out: bool
    duration_s: float
    # Original sizes in bytes before any truncation, so transcripts can say what was cut.
    stdout_bytes: int = 0
    stderr_bytes: int = 0


# Where an agent layer's files live in the image; its program gets these on PYTHONPATH and PATH.
AGENT_PREFIX = "/opt/horizon-agent"
AGENT_PYTHONPATH = f"{AGENT_PREFIX}/python"
AGENT_PATH_DIRS = (f"{AGENT_PREFIX}/bin", f"{AGENT_PYTHONPATH}/bin")


@dataclass(frozen=True)
class AgentLayer:
    """An in-sandbox agent's files, built on top of a task's image, offline: `pip` requirements
    from the operator's wheelhouse and extra `dockerfile` steps (`core/agent_kinds.py`)."""

    pip: tuple[str, ...] = ()
    dockerfile: str = ""


@dataclass(frozen=True)
class BindMount:
    """A folder of the worker's host mounted into a sandbox (read-only unless said otherwise)."""

    source: str
    target: str
    read_only: bool = True


@runtime_checkable
class Sandbox(Protocol):
    """One running, isolated environment for one attempt of one run."""

    @property
    def workdir(self) -> str:
        """The directory where the agent's commands start."""
        ...

    def exec(self, command: str, timeout_s: float, user: str | None = None) -> ExecResult:
        """Run `command` with `sh -c` in the work directory; kill it after `timeout_s`."""
        ...

    def put_files(self, files: Mapping[str, str | bytes], dest_dir: str) -> None:
        """Write files (relative path -> text or bytes; text as UTF-8) under `dest_dir`."""
        ...

    def read_bytes(self, path: str, max_bytes: int = 1_000_000) -> bytes:
        """Return a file's first `max_bytes` bytes; FileNotFoundError if it is not a file."""
        ...

    def read_file(self, path: str, max_bytes: int = 1_000_000) -> str:
        """Return a file's text (its first `max_bytes` bytes, decoded leniently as UTF-8)."""
        ...

    def kill_user_processes(self) -> None:
        """SIGKILL everything the agent's commands left running, so nothing changes files after
        the attempt ends (before the answer is written and the scorer reads)."""
        ...

    def close(self) -> None:
        """Remove the environment and everything it created. Safe to call twice."""
        ...


@runtime_checkable
class SandboxBackend(Protocol):
    """Makes sandboxes for attempts and cleans up after them (see `workers.sandbox.get_backend`)."""

    name: str

    def check_available(self) -> None:
        """Raise SandboxUnavailable, saying what to do, unless sandboxes can be made here now."""
        ...

    def ensure_base_image(self) -> str:
        """Make sure the image every task environment builds on exists; return its reference.

        Cheap when it exists; the first time it may take minutes (and need root).
        """
        ...

    def ensure_image(self, env: EnvironmentSpec) -> str:
        """Return an image reference for the environment, building and caching it if needed."""
        ...

    def ensure_agent_image(self, image: str, layer: AgentLayer) -> str:
        """Return an image with an agent's `layer` built on top of `image` (cached by content)."""
        ...

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
    ) -> Sandbox:
        """Start a sandbox for one attempt of one run, labelled with both. `gpu_devices` (device
        ids the caller holds, `workers.gpu_host`) are given to it; a backend that cannot give
        them raises SandboxError rather than start without them. `mounts` are host folders
        mounted into it (an in-sandbox agent's folder with its model proxy's socket)."""
        ...

    def remove_run_containers(self, run_id: int) -> list[str]:
        """Stop and remove everything belonging to a run (cancellation). Returns what was removed."""
        ...

    def reap_orphans(self, is_alive: Callable[[int, int], bool]) -> list[str]:
        """Remove sandboxes whose (run_id, attempt) `is_alive` denies. Returns what was removed."""
        ...

    def close(self) -> None:
        """Release connections to whatever runs the sandboxes; the sandboxes are not touched."""
        ...
