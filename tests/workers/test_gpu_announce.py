"""GPU workers announce themselves (`workers.gpu_announce`): a real `horizon worker --gpu` process
is seen with its host's GPUs (HORIZON_GPUS' fake ones here) and withdraws when it stops; the
announcing thread keeps a short-lived record alive; in embedded mode the record stays in process."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator

import pytest
import redis

from core.services.gpu_workers import GpuSlot, gpu_workers
from core.settings import Settings
from tests.support.gpu_workers import empty_gpu_registry  # noqa: F401  # fixture
from tests.support.processes import start_worker, wait_until
from workers.gpu_announce import GpuAnnouncer


@pytest.fixture
def settings(db: str, redis_url: str) -> Iterator[Settings]:
    yield Settings(database_url=db, redis_url=redis_url, gpus="0:81559,1:40960")
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(match="horizon:*:gpu-workers:*"):
        client.delete(key)


def test_the_thread_keeps_the_record_alive_and_withdraws_it(settings: Settings) -> None:
    announcer = GpuAnnouncer(settings, every_s=0.2, ttl_s=0.6)
    first = announcer.start()
    try:
        assert first is not None and first.gpus == (GpuSlot(0, 81559), GpuSlot(1, 40960))
        time.sleep(1.2)  # twice the time to live: only refreshes keep it
        (seen,) = gpu_workers(settings)
        assert (seen.host, seen.pid, seen.gpus) == (socket.gethostname(), os.getpid(), first.gpus)
        assert seen.seen_at > first.seen_at
    finally:
        announcer.stop()
    assert gpu_workers(settings) == []


def test_a_refresh_must_come_before_the_record_expires(settings: Settings) -> None:
    with pytest.raises(ValueError, match="before it expires"):
        GpuAnnouncer(settings, every_s=90, ttl_s=30)


@pytest.mark.usefixtures("empty_gpu_registry")
def test_embedded_mode_keeps_the_record_in_this_process(db: str) -> None:
    embedded = Settings(database_url=db, gpus="none")
    GpuAnnouncer(embedded).announce_once()
    (seen,) = gpu_workers(embedded)
    assert (seen.host, seen.gpus) == (socket.gethostname(), ())


@pytest.mark.timeout(180)
def test_a_gpu_worker_process_is_seen_and_withdraws_when_stopped(settings: Settings) -> None:
    env = {
        "DATABASE_URL": settings.effective_database_url,
        "REDIS_URL": settings.redis_url or "",
        "HORIZON_GPUS": "0:24576",
    }
    proc = start_worker(env, "w-gpu-announce", queues="gpu")
    try:
        wait_until(lambda: bool(gpu_workers(settings)), 30, "the GPU worker's record")
        (seen,) = gpu_workers(settings)
        assert (seen.pid, seen.gpus) == (proc.popen.pid, (GpuSlot(0, 24576),))
    finally:
        proc.stop()
    assert gpu_workers(settings) == []
