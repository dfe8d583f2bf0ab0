"""`horizon serve` offers browser baselining only where a Docker daemon answers (Compose gives the
socket to workers only: docs/operations.md, "Docker Compose")."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.common import docker_answers
from core.settings import Settings


def test_no_daemon_means_no_browser_baselining(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, docker_host=f"unix://{tmp_path / 'no-docker.sock'}")
    assert docker_answers(settings) is False


@pytest.mark.docker
def test_the_local_daemon_answers(tmp_path: Path) -> None:
    assert docker_answers(Settings(data_dir=tmp_path)) is True
