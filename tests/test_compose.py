"""docker-compose.yml is valid and wires the services as the design says."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent


def _compose_command() -> list[str] | None:
    if (
        shutil.which("docker")
        and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0
    ):
        return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


def test_compose_config_is_valid() -> None:
    command = _compose_command()
    if command is None:
        pytest.skip("neither `docker compose` nor `docker-compose` is installed (.ci/run installs it)")
    result = subprocess.run(
        [*command, "-f", "docker-compose.yml", "config", "-q"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "HORIZON_ADMIN_TOKEN": "x" * 40},
    )
    assert result.returncode == 0, result.stderr


def test_compose_services_and_dependencies() -> None:
    spec = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())
    services = spec["services"]
    assert {"postgres", "redis", "api", "worker", "beat"} <= set(services)
    assert "healthcheck" in services["postgres"]
    assert services["api"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("api", "worker", "beat"):
        assert services[name]["build"] == "."  # one Dockerfile for all Horizon services
        assert services[name]["environment"]["DATABASE_URL"].startswith("postgresql://")
    assert services["api"]["command"][:2] == ["horizon", "serve"]
    assert services["worker"]["command"][:2] == ["horizon", "worker"]
    assert services["beat"]["command"][:2] == ["horizon", "beat"]
    dockerfile = (REPO_ROOT / "Dockerfile").read_text()
    for folder in ("core", "api", "workers", "migrations"):
        assert f"COPY {folder} ./{folder}" in dockerfile


def test_run_workers_scale() -> None:
    """`docker compose up --scale worker=N` needs a worker service that names nothing unique."""
    worker = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())["services"]["worker"]
    assert not {"container_name", "hostname", "ports"} & set(worker)
    assert "/var/run/docker.sock:/var/run/docker.sock" in worker["volumes"]


def test_browser_baselining_override_gives_the_socket_to_the_server_only() -> None:
    """docker-compose.baselining.yml: the server gets the Docker socket (it holds baselining
    terminals); nothing else changes, and the merged file is valid."""
    override = yaml.safe_load((REPO_ROOT / "docker-compose.baselining.yml").read_text())
    assert set(override["services"]) == {"api"}
    assert override["services"]["api"]["volumes"] == ["/var/run/docker.sock:/var/run/docker.sock"]
    base = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text())["services"]["api"]
    assert "volumes" not in base  # the default server has no socket
    command = _compose_command()
    if command is None:
        pytest.skip("neither `docker compose` nor `docker-compose` is installed (.ci/run installs it)")
    result = subprocess.run(
        [*command, "-f", "docker-compose.yml", "-f", "docker-compose.baselining.yml", "config"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "HORIZON_ADMIN_TOKEN": "x" * 40},
    )
    assert result.returncode == 0, result.stderr
    merged = yaml.safe_load(result.stdout)["services"]
    # `config` writes volumes short (SOURCE:TARGET[:MODE]) or long (a mapping), by Compose version.
    volumes = merged["api"]["volumes"]
    targets = [v.split(":")[1] if isinstance(v, str) else v.get("target") for v in volumes]
    assert "/var/run/docker.sock" in targets
    assert "volumes" in merged["worker"] and "volumes" not in merged["beat"]
