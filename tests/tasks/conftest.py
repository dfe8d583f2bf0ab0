"""Fixtures for the task-format, importer and suite tests.

`docker_backend` skips with the reason when no Docker daemon or base image is available. Tests
marked `suite` (the whole bundled suite in Docker, minutes) only run when selected with
`-m suite` or with HORIZON_TEST_WHOLE_SUITE=1 (as CI does).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
TASKS_ROOT = REPO_ROOT / "tasks"
FIXTURES = REPO_ROOT / "tests" / "fixtures" / "task_formats"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # CI sets HORIZON_TEST_WHOLE_SUITE=1 to check every bundled task in Docker.
    if "suite" in (config.getoption("markexpr", default="") or "") or os.environ.get(
        "HORIZON_TEST_WHOLE_SUITE"
    ):
        return
    skip = pytest.mark.skip(reason="whole-suite Docker check: select it with -m suite")
    for item in items:
        if "suite" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def docker_backend() -> Iterator[object]:
    """A Docker sandbox backend with the base image ready, or a skip saying what is missing."""
    from workers.sandbox.base import SandboxError, SandboxUnavailable
    from workers.sandbox.docker.backend import DockerBackend

    backend = DockerBackend(
        os.environ.get("HORIZON_DOCKER_HOST") or os.environ.get("DOCKER_HOST"),
        instance=f"tasks-test-{os.getpid()}-{secrets.token_hex(3)}",
    )
    try:
        backend.check_available()
    except SandboxUnavailable as exc:
        pytest.skip(f"task health checks need a Docker daemon: {exc}")
    try:
        backend.ensure_base_image()
    except SandboxError as exc:
        pytest.skip(f"the sandbox base image (horizon-base) is not available here: {exc}")
    yield backend
    for container in backend.managed_containers():
        container.remove(force=True)
