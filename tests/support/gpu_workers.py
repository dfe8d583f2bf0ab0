"""GPU workers for tests: announcing a fake one, and an empty in-process registry per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from core.services import gpu_workers
from core.services.gpu_workers import GpuSlot, GpuWorker
from core.settings import Settings


def fake_worker(host: str, *memories_mib: int, pid: int = 4242) -> GpuWorker:
    """A GPU worker on `host` whose GPUs have these memory sizes (index 0, 1, ...)."""
    return GpuWorker(host=host, pid=pid, gpus=tuple(GpuSlot(i, m) for i, m in enumerate(memories_mib)))


def announce_fake(settings: Settings, host: str, *memories_mib: int, ttl_s: float = 60.0) -> GpuWorker:
    """Announce a fake GPU worker where `settings` keep the registry (Redis, or in process)."""
    worker = fake_worker(host, *memories_mib)
    gpu_workers.announce(worker, settings, ttl_s)
    return worker


@pytest.fixture
def empty_gpu_registry(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The embedded mode's in-process registry, empty for this test (it is per process)."""
    monkeypatch.setattr(gpu_workers, "_local", gpu_workers._LocalRecords())
    yield
