"""The GPUs a task's sandbox gets: taken from this host for one attempt, released after it.

A task version asking `resources.gpus` runs on a GPU worker (`core.services.routing`). Before its
sandbox is created, the run job and the task health check take that many of this host's GPUs (each
with at least `gpu_memory_mb`) through `workers.gpu_host`, which keeps two attempts (or an
inference server) from ever sharing one; the Docker backend then requests exactly those devices.
A host that cannot give them is an infrastructure failure: never the agent's.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from core.services.deployment import sandbox_instance
from core.settings import Settings
from core.taskspec import ResourceLimits
from workers.execution import REASON_GPU, InfraError
from workers.gpu_host import GpuUnavailable, gpu_lease


def attempt_owner(kind: str, run_id: int, attempt: int, settings: Settings) -> str:
    """The name GPUs are held under for one attempt: `run:<instance>:<run>:<attempt>` (a task
    health check uses `check` and its own ids), unique on the host across deployments."""
    return f"{kind}:{sandbox_instance(settings)}:{run_id}:{attempt}"


@contextlib.contextmanager
def held_gpus(limits: ResourceLimits, owner: str, settings: Settings) -> Iterator[tuple[str, ...]]:
    """The device ids of the GPUs held for the block: () for a task without GPUs. Busy GPUs are
    waited for (HORIZON_GPU_WAIT_S); too few, too small or still busy: InfraError (`gpu`)."""
    if limits.gpus == 0:
        yield ()
        return
    with contextlib.ExitStack() as stack:
        try:
            devices = stack.enter_context(
                gpu_lease(owner, limits.gpus, limits.gpu_memory_mb, settings=settings)
            )
        except GpuUnavailable as exc:
            raise InfraError(REASON_GPU, f"this worker's host cannot give the task its GPUs: {exc}") from exc
        yield tuple(d.device_id for d in devices)
