"""`horizon images ...` (what scripts/build_base_image.sh runs) through typer's CliRunner."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cli.images import images_app
from workers.sandbox.docker.backend import DockerBackend
from workers.sandbox.docker.images import base_image_tag

runner = CliRunner()


def test_build_base_without_a_daemon_fails_with_advice() -> None:
    result = runner.invoke(images_app, ["build-base", "--docker-host", "unix:///nonexistent/horizon.sock"])
    assert result.exit_code == 1
    assert "no Docker daemon reachable at unix:///nonexistent/horizon.sock" in result.output
    assert "Traceback" not in result.output


def test_mirror_prints_the_configured_mirror(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HORIZON_DEBIAN_MIRROR", "http://mirror.example.test/debian/")
    result = runner.invoke(images_app, ["mirror"])
    assert result.exit_code == 0 and result.output == "http://mirror.example.test/debian\n"


@pytest.mark.docker
def test_build_base_reports_the_cached_image(docker_backend: DockerBackend) -> None:
    host = docker_backend.docker_host
    args = ["build-base", *(["--docker-host", host] if host else [])]
    result = runner.invoke(images_app, args)
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{base_image_tag()} (") and "ready in" in result.output
