"""How `horizon worker` runs its jobs: which Celery pool and how many at once.

Runs are I/O bound (they wait on a model API and on their sandbox), so one process holds many of
them on threads: an in-flight run costs a few MiB of worker memory there, against about 90 MiB for
a process of its own. Analyses are CPU-bound fits and keep one process each (prefork). Crash
safety does not depend on the pool: a run is claimed by a guarded update, kept by its heartbeat,
re-queued by the reaper when the heartbeat stops, and its message acknowledged late (see
docs/operations.md, "Workers").
"""

from __future__ import annotations

import os
import resource

from core.queue import QUEUE_ANALYSIS
from core.settings import Settings

POOLS = ("auto", "threads", "prefork")
# Sized to the host by memory: with about 512 MiB of the host for each run (its sandbox above all;
# the worker's own share is a few MiB), capped where one process stays comfortable.
THREADS_MAX_DEFAULT = 32
HOST_MIB_PER_RUN = 512
PREFORK_DEFAULT = 2


def host_memory_mib() -> int:
    """The machine's physical memory in MiB (0 when the system does not say)."""
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") // (1024 * 1024)
    except (ValueError, OSError, AttributeError):
        return 0


def raise_open_files_limit(wanted: int = 65536) -> int:
    """Raise this process's soft limit on open files towards `wanted` (never above the hard limit);
    returns the limit now. Each run holds several descriptors (database, Docker, model API), and
    many hosts start processes with a soft limit of 1024."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        return target
    return soft


def choose_pool(pool: str, queues: set[str]) -> str:
    """The pool for `queues`: `auto` is prefork for a worker of the analysis queue alone, else threads."""
    if pool not in POOLS:
        raise ValueError(f"unknown pool {pool!r}; choose one of {', '.join(POOLS)}")
    if pool != "auto":
        return pool
    return "prefork" if queues == {QUEUE_ANALYSIS} else "threads"


def default_concurrency(pool: str, memory_mib: int | None = None) -> int:
    """Jobs at once when neither `--concurrency` nor HORIZON_WORKER_CONCURRENCY says."""
    if pool == "prefork":
        return PREFORK_DEFAULT
    memory = host_memory_mib() if memory_mib is None else memory_mib
    return max(2, min(THREADS_MAX_DEFAULT, memory // HOST_MIB_PER_RUN))


def celery_worker_argv(
    settings: Settings,
    queues: str,
    *,
    pool: str | None = None,
    concurrency: int | None = None,
    loglevel: str = "INFO",
) -> list[str]:
    """The argument list for Celery's `worker` command (without node name or includes)."""
    names = [q.strip() for q in queues.split(",") if q.strip()]
    chosen = choose_pool(pool or settings.worker_pool, set(names))
    slots = concurrency or settings.worker_concurrency or default_concurrency(chosen)
    return ["worker", "-Q", ",".join(names), "-P", chosen, "-c", str(slots), "-l", loglevel]
