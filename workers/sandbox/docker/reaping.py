"""Finding and removing sandbox containers by their labels: cancellation and orphan reaping.

Every container a backend creates carries `horizon.managed=1`, its run id and attempt, and the
deployment's instance (`horizon.instance`). Listing by instance keeps deployments that share one
daemon from ever removing each other's sandboxes.
"""

from __future__ import annotations

from collections.abc import Callable

import docker
import docker.errors
from docker.models.containers import Container

from workers.sandbox.docker.client import api_error, force_remove

LABEL_MANAGED = "horizon.managed"
LABEL_RUN_ID = "horizon.run_id"
LABEL_ATTEMPT = "horizon.attempt"
LABEL_INSTANCE = "horizon.instance"


def container_labels(run_id: int, attempt: int, instance: str) -> dict[str, str]:
    """The labels of a sandbox for one attempt of one run, which the functions below find it by."""
    return {
        LABEL_MANAGED: "1",
        LABEL_RUN_ID: str(run_id),
        LABEL_ATTEMPT: str(attempt),
        LABEL_INSTANCE: instance,
    }


def managed_containers(
    client: docker.DockerClient, instance: str, run_id: int | None = None
) -> list[Container]:
    """Containers `instance` created (all states), optionally only those of one run."""
    filters = [f"{LABEL_MANAGED}=1", f"{LABEL_INSTANCE}={instance}"]
    if run_id is not None:
        filters.append(f"{LABEL_RUN_ID}={run_id}")
    try:
        # ignore_removed: a container removed between the listing and its inspection (another
        # worker finishing its run) is skipped instead of failing the whole listing with a 404.
        found = client.containers.list(all=True, filters={"label": filters}, ignore_removed=True)
        return list(found)
    except docker.errors.DockerException as exc:
        raise api_error("list containers", exc) from exc


def remove_run_containers(client: docker.DockerClient, instance: str, run_id: int) -> list[str]:
    """Force-remove (SIGKILL) every container of a run, e.g. on cancellation. Returns names."""
    removed = []
    for container in managed_containers(client, instance, run_id):
        force_remove(client, str(container.id))
        removed.append(str(container.name))
    return removed


def reap_orphans(
    client: docker.DockerClient, instance: str, is_alive: Callable[[int, int], bool]
) -> list[str]:
    """Remove `instance`'s containers whose (run_id, attempt) `is_alive` denies. Returns names.

    Containers with unreadable labels are removed too: nothing can claim them.
    """
    removed = []
    for container in managed_containers(client, instance):
        labels = container.labels or {}
        try:
            alive = is_alive(int(labels[LABEL_RUN_ID]), int(labels[LABEL_ATTEMPT]))
        except (KeyError, ValueError):
            alive = False
        if not alive:
            force_remove(client, str(container.id))
            removed.append(str(container.name))
    return removed
