"""The GPU-worker registry on a real Redis (`core.services.gpu_workers`): records are read back,
expire after their time to live unless refreshed, are withdrawn, stay inside their deployment's
namespace, and a malformed or oversized value is ignored; a batch reads them."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import redis
from sqlalchemy.orm import Session

from core.errors import Conflict
from core.services import gpu_workers as registry
from core.services.deployment import instance_id
from core.services.gpu_workers import MAX_RECORD_BYTES, GpuDemand, gpu_demand_problem
from core.settings import Settings
from tests.factories import make_agent, make_batch, make_task
from tests.support.gpu_workers import announce_fake, fake_worker


@pytest.fixture
def settings(db: str, redis_url: str) -> Iterator[Settings]:
    settings = Settings(database_url=db, redis_url=redis_url)
    yield settings
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(match="horizon:*:gpu-workers:*"):
        client.delete(key)


def test_announced_workers_are_read_back(settings: Settings) -> None:
    assert registry.gpu_workers(settings) == []
    big = announce_fake(settings, "big-box", 81559, 81559)
    small = announce_fake(settings, "small-box")
    assert registry.gpu_workers(settings) == [big, small]
    key = f"horizon:{instance_id(settings)}:gpu-workers:big-box:{big.pid}"
    ttl = redis.Redis.from_url(settings.redis_url or "").pttl(key)
    assert 0 < ttl <= 60_000


def test_a_record_expires_unless_refreshed_and_can_be_withdrawn(settings: Settings) -> None:
    worker = announce_fake(settings, "flaky-box", 40960, ttl_s=0.5)
    time.sleep(0.3)
    announce_fake(settings, "flaky-box", 40960, ttl_s=0.5)  # refreshed
    time.sleep(0.3)
    assert [w.host for w in registry.gpu_workers(settings)] == ["flaky-box"]
    time.sleep(0.4)
    assert registry.gpu_workers(settings) == []  # expired: its worker stopped refreshing
    announce_fake(settings, "flaky-box", 40960)
    registry.withdraw(worker.host, worker.pid, settings)
    assert registry.gpu_workers(settings) == []


def test_other_deployments_and_malformed_records_are_not_seen(settings: Settings) -> None:
    client = redis.Redis.from_url(settings.redis_url or "")
    client.set(
        "horizon:d-0000000000000000:gpu-workers:elsewhere:1", fake_worker("elsewhere", 81559).to_json()
    )
    prefix = f"horizon:{instance_id(settings)}:gpu-workers:"
    client.set(prefix + "junk:1", "not json")
    client.set(prefix + "list:1", "[1, 2]")
    client.set(prefix + "huge:1", "x" * (MAX_RECORD_BYTES + 1))
    client.set(
        prefix + "neg:1", '{"host": "neg", "pid": 1, "seen_at": 1, "gpus": [{"index": -1, "memory_mib": 5}]}'
    )
    client.set(prefix + "many:1", fake_worker("many", *([1024] * 65)).to_json())
    client.set(prefix + "nohost:1", '{"host": "", "pid": 1, "seen_at": 1, "gpus": []}')
    assert registry.gpu_workers(settings) == []
    announce_fake(settings, "real-box", 24576)
    assert [w.host for w in registry.gpu_workers(settings)] == ["real-box"]


def test_a_batch_reads_the_registry(settings: Settings, session: Session) -> None:
    session.info["settings"] = settings
    make_task("gpu-task", session=session, limits={"gpus": 2, "gpu_memory_mb": 40000})
    make_agent("oracle", session=session)
    announce_fake(settings, "one-gpu", 81559)
    with pytest.raises(Conflict, match=r"GPU workers seen: one-gpu \(1 GPU: #0 81559 MiB\)"):
        make_batch(["oracle"], ["gpu-task"], session=session)
    announce_fake(settings, "two-gpus", 81559, 81559)
    _, run_ids = make_batch(["oracle"], ["gpu-task"], session=session)
    assert len(run_ids) == 1


def test_a_broker_that_does_not_answer_refuses_clearly(db: str, session: Session) -> None:
    session.info["settings"] = Settings(database_url=db, redis_url="redis://127.0.0.1:1/0")
    make_task("gpu-task", session=session, limits={"gpus": 1})
    make_agent("oracle", session=session)
    with pytest.raises(Conflict, match="GPU workers could not be read"):
        make_batch(["oracle"], ["gpu-task"], session=session)


def test_demands_count_gpus_on_one_host() -> None:
    two_small = fake_worker("a", 16000, 16000)
    one_big = fake_worker("b", 81559)
    assert gpu_demand_problem(GpuDemand(), [], "x") is None
    assert gpu_demand_problem(GpuDemand(2), [two_small], "x") is None
    assert gpu_demand_problem(GpuDemand(2, 40000), [two_small, one_big], "x") is not None
    assert gpu_demand_problem(GpuDemand(1, 40000), [two_small, one_big], "x") is None
    # The task's GPUs and its model server's must fit on the same host.
    assert gpu_demand_problem(GpuDemand(1, None, 1), [one_big], "x") is not None
    assert gpu_demand_problem(GpuDemand(1, 16000, 1), [two_small], "x") is None
