"""The GPU workers this deployment has seen lately, and whether one of them can run a GPU task.

Every process that consumes the `gpu` queue announces itself: its host name, its process id and
the GPUs of its host (index and memory). Announcements are records with a time to live
(ANNOUNCE_TTL_S), refreshed every ANNOUNCE_EVERY_S by a thread of the worker
(`workers.gpu_announce`); a worker that stops or dies simply stops being seen. With Redis the
records are keys under this deployment's instance id (`core.services.deployment`), so deployments
sharing a Redis never see each other's workers; in embedded mode (no Redis) the serving process is
the only worker and keeps its record in memory.

Batches read them (`gpu_demand_problem`) to refuse runs no worker could take, which would
otherwise wait in the `gpu` queue for ever. The records are only a hint about what exists: a
worker's GPUs may be busy, and a run still takes them (`workers.gpu_host.gpu_lease`) when it starts.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from core.services.deployment import instance_id
from core.settings import Settings

if TYPE_CHECKING:
    from redis import Redis

ANNOUNCE_TTL_S = 90.0
ANNOUNCE_EVERY_S = 30.0
# Bounds on what is read back: records are written by our own workers, but a key space is shared.
MAX_WORKERS = 1000
MAX_GPUS_PER_WORKER = 64
MAX_HOST_CHARS = 255
MAX_RECORD_BYTES = 16_384
START_WORKER = "start `horizon worker --gpu` on a host with GPUs"


@dataclass(frozen=True)
class GpuSlot:
    """One GPU of a worker's host: its device index and total memory."""

    index: int
    memory_mib: int


@dataclass(frozen=True)
class GpuWorker:
    """One announcing process of the `gpu` queue and its host's GPUs."""

    host: str
    pid: int
    gpus: tuple[GpuSlot, ...] = ()
    seen_at: float = field(default_factory=time.time)

    def to_json(self) -> str:
        """The record as stored."""
        return json.dumps({**asdict(self), "gpus": [asdict(g) for g in self.gpus]})

    @classmethod
    def from_json(cls, raw: bytes | str) -> GpuWorker | None:
        """A stored record, or None when it is not one (too large, malformed, out of bounds)."""
        if len(raw) > MAX_RECORD_BYTES:
            return None
        try:
            data = json.loads(raw)
            host, pid, seen_at, gpus = data["host"], data["pid"], data["seen_at"], data["gpus"]
            if not (isinstance(host, str) and 0 < len(host) <= MAX_HOST_CHARS and _is_int(pid)):
                return None
            if not (isinstance(gpus, list) and len(gpus) <= MAX_GPUS_PER_WORKER):
                return None
            slots = tuple(GpuSlot(int(g["index"]), int(g["memory_mib"])) for g in gpus if _is_slot(g))
            if len(slots) != len(gpus) or not isinstance(seen_at, int | float):
                return None
            return cls(host=host, pid=pid, gpus=slots, seen_at=float(seen_at))
        except (ValueError, KeyError, TypeError):
            return None

    def describe(self) -> str:
        """`host (2 GPUs: #0 81559 MiB, #1 81559 MiB)`, for messages."""
        if not self.gpus:
            return f"{self.host} (no GPUs)"
        each = ", ".join(f"#{g.index} {g.memory_mib} MiB" for g in self.gpus)
        return f"{self.host} ({len(self.gpus)} GPU{'s' if len(self.gpus) != 1 else ''}: {each})"


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**31


def _is_slot(value: Any) -> bool:
    return isinstance(value, dict) and _is_int(value.get("index")) and _is_int(value.get("memory_mib"))


# --- where records live ---------------------------------------------------------------------------


def _key_prefix(settings: Settings) -> str:
    return f"horizon:{instance_id(settings)}:gpu-workers:"


def _redis(settings: Settings) -> Redis:
    import redis

    return redis.Redis.from_url(settings.redis_url or "", socket_timeout=5, socket_connect_timeout=5)


class _LocalRecords:
    """Embedded mode's records: in this process, with the same time to live."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: dict[str, tuple[float, str]] = {}

    def put(self, key: str, value: str, ttl_s: float) -> None:
        with self._lock:
            self._records[key] = (time.monotonic() + ttl_s, value)

    def delete(self, key: str) -> None:
        with self._lock:
            self._records.pop(key, None)

    def values(self, prefix: str) -> list[str]:
        now = time.monotonic()
        with self._lock:
            for key in [k for k, (expires, _) in self._records.items() if expires <= now]:
                del self._records[key]
            return [value for key, (_, value) in self._records.items() if key.startswith(prefix)]


_local = _LocalRecords()


def announce(worker: GpuWorker, settings: Settings, ttl_s: float = ANNOUNCE_TTL_S) -> None:
    """Store (or refresh) the worker's record for `ttl_s` seconds."""
    key = f"{_key_prefix(settings)}{worker.host}:{worker.pid}"
    if settings.embedded_queue:
        _local.put(key, worker.to_json(), ttl_s)
        return
    client = _redis(settings)
    try:
        client.set(key, worker.to_json(), px=max(1, int(ttl_s * 1000)))
    finally:
        client.close()


def withdraw(host: str, pid: int, settings: Settings) -> None:
    """Remove the worker's record (it is stopping)."""
    key = f"{_key_prefix(settings)}{host}:{pid}"
    if settings.embedded_queue:
        _local.delete(key)
        return
    client = _redis(settings)
    try:
        client.delete(key)
    finally:
        client.close()


def gpu_workers(settings: Settings) -> list[GpuWorker]:
    """The GPU workers seen within the last ANNOUNCE_TTL_S, by host then pid."""
    prefix = _key_prefix(settings)
    if settings.embedded_queue:
        raw: list[Any] = _local.values(prefix)[:MAX_WORKERS]
    else:
        client = _redis(settings)
        try:
            keys = []
            for key in client.scan_iter(match=f"{prefix}*", count=200):
                keys.append(key)
                if len(keys) >= MAX_WORKERS:
                    break
            raw = [v for v in client.mget(keys) if v is not None] if keys else []
        finally:
            client.close()
    workers = [w for w in (GpuWorker.from_json(v) for v in raw) if w is not None]
    return sorted(workers, key=lambda w: (w.host, w.pid))


# --- can anyone run it ----------------------------------------------------------------------------


@dataclass(frozen=True)
class GpuDemand:
    """What one run needs of a single host: the task's GPUs (each with at least
    `min_memory_mib`) and, besides them, its managed model's inference server's."""

    task_gpus: int = 0
    min_memory_mib: int | None = None
    model_gpus: int = 0

    @property
    def any(self) -> bool:
        """True when the run needs GPUs at all."""
        return self.task_gpus + self.model_gpus > 0

    def met_by(self, worker: GpuWorker) -> bool:
        """True when the worker's host has enough GPUs, and enough large ones for the task."""
        large = [g for g in worker.gpus if g.memory_mib >= (self.min_memory_mib or 0)]
        return len(large) >= self.task_gpus and len(worker.gpus) >= self.task_gpus + self.model_gpus

    def describe(self) -> str:
        """`2 GPUs with at least 40000 MiB each and 1 more for its model's inference server on one
        host`, for messages."""
        parts = []
        if self.task_gpus:
            each = f" with at least {self.min_memory_mib} MiB each" if self.min_memory_mib else ""
            parts.append(f"{self.task_gpus} GPU{'s' if self.task_gpus != 1 else ''}{each}")
        if self.model_gpus:
            more = " more" if parts else f" GPU{'s' if self.model_gpus != 1 else ''}"
            parts.append(f"{self.model_gpus}{more} for its model's inference server")
        return " and ".join(parts) + " on one host"


def gpu_demand_problem(demand: GpuDemand, workers: list[GpuWorker], what: str) -> str | None:
    """Why no seen GPU worker can run `what` (a run needing `demand`), or None when one can."""
    if not demand.any or any(demand.met_by(w) for w in workers):
        return None
    seen = "; ".join(w.describe() for w in _one_per_host(workers)) or "none"
    return (
        f"{what} needs {demand.describe()}, and no GPU worker that has them was seen in the last "
        f"{ANNOUNCE_TTL_S:g} s (GPU workers seen: {seen}); {START_WORKER}"
    )


def _one_per_host(workers: list[GpuWorker]) -> list[GpuWorker]:
    newest: dict[str, GpuWorker] = {}
    for worker in workers:
        if worker.host not in newest or worker.seen_at > newest[worker.host].seen_at:
            newest[worker.host] = worker
    return [newest[host] for host in sorted(newest)]
