"""Shared fixtures for worker tests that need a real Docker daemon.

`docker_backend` skips (with the reason) when no daemon is reachable, and makes sure the base image
exists once per session (the first build runs debootstrap: about two minutes, then cached). Each
session labels its containers with its own instance name, so reaping in one test session never
touches another's containers, and removes what it left behind at the end.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import pytest

from core.taskspec import ResourceLimits
from workers.sandbox.base import SandboxError, SandboxUnavailable
from workers.sandbox.docker.backend import DockerBackend
from workers.sandbox.docker.images import base_image_tag

# A small sandbox keeps limit tests quick and cheap on a 2-core machine.
SMALL_LIMITS = ResourceLimits(cpus=1.0, memory_mb=128, pids=64, disk_mb=32)
# Keeps the process table full: forks sleepers forever and retries when fork fails.
FORKER = (
    "setsid python3 -c 'import os, time\n"
    "while True:\n"
    "    try:\n"
    "        pid = os.fork()\n"
    "    except OSError:\n"
    "        time.sleep(0.01)\n"
    "        continue\n"
    "    if pid == 0:\n"
    "        time.sleep(1000)\n"
    "        os._exit(0)' >/dev/null 2>&1 &"
)


@pytest.fixture(scope="session")
def docker_instance() -> str:
    return f"test-{os.getpid()}-{secrets.token_hex(3)}"


@pytest.fixture(scope="session")
def docker_backend(docker_instance: str) -> Iterator[DockerBackend]:
    """A DockerBackend on the local daemon (HORIZON_DOCKER_HOST/DOCKER_HOST), base image ready."""
    backend = DockerBackend(
        os.environ.get("HORIZON_DOCKER_HOST") or os.environ.get("DOCKER_HOST"),
        instance=docker_instance,
    )
    try:
        backend.check_available()
    except SandboxUnavailable as exc:
        pytest.skip(f"Docker tests need a daemon: {exc}")
    try:
        backend.ensure_base_image()
    except SandboxError as exc:
        pytest.skip(f"the sandbox base image cannot be built here: {exc}")
    yield backend
    for container in backend.managed_containers():
        container.remove(force=True)


@pytest.fixture(scope="session")
def base_image(docker_backend: DockerBackend) -> str:
    return base_image_tag()
