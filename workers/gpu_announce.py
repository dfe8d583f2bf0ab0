"""A GPU worker announcing itself: a thread that keeps this process's record in the registry fresh.

`horizon worker --gpu` (any worker whose queues include `gpu`) and, in embedded mode, `horizon
serve` run one. The record (host name, process id, the host's GPUs from `workers.gpu_host`) lives
ANNOUNCE_TTL_S and is refreshed every ANNOUNCE_EVERY_S, so a worker that dies drops out of the
registry within the time to live; one that stops cleanly withdraws at once. The registry itself,
and who reads it: `core.services.gpu_workers`.
"""

from __future__ import annotations

import logging
import os
import socket
import threading

from core.services.gpu_workers import ANNOUNCE_EVERY_S, ANNOUNCE_TTL_S, GpuSlot, GpuWorker, announce, withdraw
from core.settings import Settings
from workers.gpu_host import host_gpus

log = logging.getLogger(__name__)


def this_worker(settings: Settings) -> GpuWorker:
    """This process as a GPU worker: host name, pid and the host's GPUs now."""
    gpus = tuple(GpuSlot(d.index, d.memory_mib) for d in host_gpus(settings))
    return GpuWorker(host=socket.gethostname(), pid=os.getpid(), gpus=gpus)


class GpuAnnouncer:
    """Announces this process now, then every `every_s` from a daemon thread, until `stop()`."""

    def __init__(
        self, settings: Settings, *, every_s: float = ANNOUNCE_EVERY_S, ttl_s: float = ANNOUNCE_TTL_S
    ) -> None:
        if not 0 < every_s < ttl_s:
            raise ValueError("a GPU worker must refresh its record before it expires (every_s < ttl_s)")
        self.settings = settings
        self.every_s = every_s
        self.ttl_s = ttl_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._announced: GpuWorker | None = None

    def announce_once(self) -> GpuWorker:
        """Store this process's record now; returns it."""
        worker = this_worker(self.settings)
        announce(worker, self.settings, self.ttl_s)
        self._announced = worker
        return worker

    def start(self) -> GpuWorker | None:
        """Announce (a failure is logged, not raised: the thread tries again) and keep refreshing."""
        first: GpuWorker | None = None
        try:
            first = self.announce_once()
            log.info("announced as a GPU worker: %s", first.describe())
        except Exception:
            log.exception("announcing this GPU worker failed; retrying every %g s", self.every_s)
        self._thread = threading.Thread(target=self._loop, name="gpu-announce", daemon=True)
        self._thread.start()
        return first

    def _loop(self) -> None:
        while not self._stop.wait(self.every_s):
            try:
                self.announce_once()
            except Exception as exc:  # Redis or the database away for a while: try again later
                log.warning("refreshing this GPU worker's record failed: %s: %s", type(exc).__name__, exc)

    def stop(self) -> None:
        """Stop refreshing and withdraw the record (best effort: it expires anyway)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._announced is not None:
            try:
                withdraw(self._announced.host, self._announced.pid, self.settings)
            except Exception as exc:
                log.warning("withdrawing this GPU worker's record failed: %s", exc)
