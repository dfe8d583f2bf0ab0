"""The Docker client: creating one that answers, and turning the SDK's errors into ours."""

from __future__ import annotations

import os
import time

import docker
import docker.errors

from workers.sandbox.base import SandboxError, SandboxUnavailable

DEFAULT_SOCKET = "unix:///var/run/docker.sock"


def daemon_url(docker_host: str | None = None) -> str:
    """The daemon to talk to: `docker_host`, else DOCKER_HOST, else the default socket."""
    return docker_host or os.environ.get("DOCKER_HOST") or DEFAULT_SOCKET


def _unavailable(url: str, exc: Exception) -> SandboxUnavailable:
    return SandboxUnavailable(
        f"no Docker daemon reachable at {url}; start dockerd (scripts/start_dockerd.sh) or set "
        f"HORIZON_SANDBOX_BACKEND to another backend / HORIZON_DOCKER_HOST to a reachable daemon "
        f"({type(exc).__name__}: {exc})"
    )


def docker_client(docker_host: str | None = None, timeout: int = 120) -> docker.DockerClient:
    """A Docker client for `docker_host` (or DOCKER_HOST, or the default socket); fails clearly."""
    url = daemon_url(docker_host)
    try:
        client = docker.DockerClient(base_url=url, timeout=timeout)
        client.ping()
    except Exception as exc:  # noqa: BLE001 - any failure here means "no daemon"
        raise _unavailable(url, exc) from exc
    return client


def ping(client: docker.DockerClient, docker_host: str | None = None) -> None:
    """Raise SandboxUnavailable (with the same advice as `docker_client`) unless the daemon answers."""
    try:
        client.ping()
    except Exception as exc:  # noqa: BLE001 - any failure here means "no daemon"
        raise _unavailable(daemon_url(docker_host), exc) from exc


def api_error(action: str, exc: Exception) -> SandboxError:
    """A daemon error as an infrastructure failure naming what was being done."""
    return SandboxError(f"docker {action} failed: {type(exc).__name__}: {exc}")


def force_remove(client: docker.DockerClient, container_id: str) -> None:
    """SIGKILL and delete a container (and its anonymous volumes); gone already is a success."""
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
    raise api_error(f"remove {container_id[:12]}", last or RuntimeError("unknown"))
