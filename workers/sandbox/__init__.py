"""Sandbox backends: where an agent's commands run. `get_backend` picks one by name."""

from __future__ import annotations

from core.settings import Settings
from workers.sandbox.base import (
    ExecResult,
    ImageBuildError,
    Sandbox,
    SandboxBackend,
    SandboxError,
    SandboxUnavailable,
)

BACKENDS = ("docker",)


def get_backend(
    name: str = "docker",
    docker_host: str | None = None,
    settings: Settings | None = None,
    *,
    instance: str | None = None,
) -> SandboxBackend:
    """The sandbox backend called `name` (settings: `sandbox_backend`, `docker_host`).

    Creating it does not contact the daemon; the first use (or `check_available`) does, and raises
    SandboxUnavailable with a clear message when none answers. Its sandboxes are labelled with
    `instance`, by default the deployment of `settings` (default: the process's), read from that
    deployment's database on first use; reaping only ever touches its own instance's sandboxes.
    """
    if name == "docker":
        from workers.sandbox.docker.backend import DockerBackend

        return DockerBackend(docker_host, instance=instance, settings=settings)
    raise ValueError(f"unknown sandbox backend {name!r}; available: {', '.join(BACKENDS)}")


__all__ = [
    "BACKENDS",
    "ExecResult",
    "ImageBuildError",
    "Sandbox",
    "SandboxBackend",
    "SandboxError",
    "SandboxUnavailable",
    "get_backend",
]
