"""Provider limits for the whole deployment (workers/providers/shared_limits.py) on a real Redis:
concurrency across processes, leases of killed holders coming back, a 429's pause reaching every
client, the request rate, and a Redis outage falling back to the process's own limits.

Separate processes run the worker's real client (tests/fakes/provider_caller.py) against the
scripted model server in this process, which records the most requests it served at once.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import redis

from core.settings import get_settings
from tests.fakes.scripted_openai import ScriptedModelServer
from tests.reliability.support import RedisServer
from tests.support.paths import REPO_ROOT
from workers.providers import shared_limits
from workers.providers.base import Message
from workers.providers.config import ModelConfig
from workers.providers.factory import make_client
from workers.providers.shared_limits import Lease, SharedLimits, endpoint_identity
from workers.providers.transport import RetryPolicy

HI = [Message(role="user", content="hi")]


@pytest.fixture
def redis_url(private_redis: RedisServer) -> str:
    url = private_redis.url()
    redis.Redis.from_url(url).flushall()
    return url


@pytest.fixture
def deployment(monkeypatch: pytest.MonkeyPatch, redis_url: str) -> Iterator[dict[str, str]]:
    """This process configured like a worker of a deployment with Redis; the same environment for
    the caller processes."""
    env = {"REDIS_URL": redis_url, "HORIZON_PROVIDER_CONCURRENCY": "3"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield env
    get_settings.cache_clear()


def limits(url: str, identity: str, concurrency: int = 1, rpm: int | None = None, **kw: Any) -> SharedLimits:
    """A limiter with a Redis connection of its own, as another worker process would have."""
    return SharedLimits(redis.Redis.from_url(url), identity, concurrency, rpm, **kw)


def start_callers(
    base_url: str, env: dict[str, str], processes: int, threads: int, calls: int, start_in_s: float = 3.0
) -> list[subprocess.Popen[str]]:
    start_at = time.time() + start_in_s
    args = ["--threads", str(threads), "--calls", str(calls), "--start-at", str(start_at)]
    return [
        subprocess.Popen(
            [sys.executable, "-m", "tests.fakes.provider_caller", base_url, *args],
            cwd=REPO_ROOT,
            env={**os.environ, **env},
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]


def results(procs: list[subprocess.Popen[str]]) -> list[dict[str, list[str]]]:
    out = []
    for p in procs:
        stdout, _ = p.communicate(timeout=120)
        assert p.returncode == 0
        out.append(json.loads(stdout.strip().splitlines()[-1]))
    return out


def test_processes_never_exceed_the_deployment_wide_concurrency(deployment: dict[str, str]) -> None:
    # Three processes of four threads each (12 callers, 24 calls) against a limit of 3 in flight.
    with ScriptedModelServer([{"content": "ok", "delay_s": 0.3}], loop=True) as server:
        outcome = results(start_callers(server.base_url, deployment, processes=3, threads=4, calls=2))
    assert [len(r["replies"]) for r in outcome] == [8, 8, 8]
    assert not any(r["errors"] for r in outcome)
    # The limit held, and it was reached (so the callers did overlap).
    assert server.max_in_flight == 3


def test_separate_limiters_share_the_slots(redis_url: str) -> None:
    identity = endpoint_identity("http://127.0.0.1:9/v1/chat/completions", "KEY")
    in_flight = 0
    most = 0
    lock = threading.Lock()

    def use_slots(limiter: SharedLimits) -> None:
        nonlocal in_flight, most
        for _ in range(5):
            lease = limiter.acquire(timeout_s=30)
            assert lease is not None and lease.token is not None
            with lock:
                in_flight += 1
                most = max(most, in_flight)
            time.sleep(0.02)
            with lock:
                in_flight -= 1
            limiter.release(lease)

    threads = [threading.Thread(target=use_slots, args=(limits(redis_url, identity, 2),)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert most == 2
    assert redis.Redis.from_url(redis_url).zcard(limits(redis_url, identity).slots_key) == 0


def test_a_killed_holders_slot_comes_back_and_a_live_one_is_kept(redis_url: str) -> None:
    identity = endpoint_identity("http://127.0.0.1:9/v1/messages", "KEY")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time, redis\n"
            "from workers.providers.shared_limits import SharedLimits\n"
            "lim = SharedLimits(redis.Redis.from_url(sys.argv[1]), sys.argv[2], 1, None, lease_ttl_s=1.0)\n"
            "assert lim.acquire(10) is not None\n"
            "print('held', flush=True)\n"
            "time.sleep(120)\n",
            redis_url,
            identity,
        ],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        other = limits(redis_url, identity)
        # The holder's keeper renews its one-second lease: still held three lifetimes later.
        time.sleep(3.0)
        assert other.acquire(timeout_s=0) is None
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)
        asked = time.monotonic()
        lease = other.acquire(timeout_s=10)
        assert lease is not None and lease.token is not None
        assert time.monotonic() - asked < 2.0  # within about one lease lifetime
        other.release(lease)
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()


def test_a_429_pauses_every_client_of_the_endpoint(deployment: dict[str, str], redis_url: str) -> None:
    script = [
        {"status": 429, "error": "rate limited", "headers": {"Retry-After": "2"}},
        {"content": "ok", "repeat": 2},
    ]
    with ScriptedModelServer(script) as server:
        client = make_client(
            ModelConfig(name="scripted-model", base_url=server.base_url),
            retry=RetryPolicy(base_delay_s=0.01, max_delay_s=0.05),
        )
        answer: list[str] = []
        first = threading.Thread(
            target=lambda: answer.append(client.complete(HI, [], 4).message.content or "")
        )
        first.start()
        # A limiter of another process sees the pause the 429 set.
        other = limits(redis_url, endpoint_identity(server.base_url + "/chat/completions", None))
        deadline = time.monotonic() + 1.0
        while (paused := other.paused_s()) == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert 1.0 < paused <= 2.0
        rate_limited_at = server.requests[0]["received_at"]
        # A caller process starting now waits the pause out instead of hitting the endpoint.
        (outcome,) = results(start_callers(server.base_url, deployment, 1, 1, 1, start_in_s=0))
        first.join()
    assert answer == ["ok"]
    assert outcome == {"replies": ["ok"], "errors": []}
    times = [r["received_at"] - rate_limited_at for r in server.completion_requests]
    assert len(times) == 3
    assert all(t >= 1.9 for t in times[1:])


def test_the_request_rate_holds_across_limiters(redis_url: str) -> None:
    # 300 a minute: 5 a second, a burst of 5. Four limiters (four processes' worth) send at will.
    identity = endpoint_identity("https://api.example.org/v1/chat/completions", "KEY")
    sent: list[float] = []
    lock = threading.Lock()
    started = time.monotonic()

    def send(limiter: SharedLimits) -> None:
        while time.monotonic() - started < 2.0:
            time.sleep(limiter.rate_wait_s())
            with lock:
                sent.append(time.monotonic() - started)

    threads = [
        threading.Thread(target=send, args=(limits(redis_url, identity, 4, rpm=300),)) for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Request k goes at k * 0.2 s less the burst's 0.8 s: 9 in the first second, 14 in two.
    assert 7 <= len([t for t in sent if t < 1.0]) <= 10
    assert 12 <= len([t for t in sent if t < 2.0]) <= 15


def test_the_rate_limit_setting_reaches_the_worker_client(
    deployment: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HORIZON_PROVIDER_RPM", "120")  # two a second, a burst of two
    get_settings.cache_clear()
    with ScriptedModelServer([{"content": "ok"}], loop=True) as server:
        client = make_client(ModelConfig(name="scripted-model", base_url=server.base_url))
        started = time.monotonic()
        waits = [client.complete(HI, [], 4).wait_s for _ in range(5)]
        elapsed = time.monotonic() - started
    # Five requests at two a second after a burst of two: about 1.5 s, counted as provider wait.
    assert 1.3 <= elapsed <= 3.0
    assert sum(waits) == pytest.approx(elapsed, abs=0.5)


def test_a_redis_outage_falls_back_to_the_process_limits(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(shared_limits, "REDIS_RETRY_AFTER_S", 0.5)
    flaky = RedisServer().start()
    try:
        monkeypatch.setenv("REDIS_URL", flaky.url())
        monkeypatch.setenv("HORIZON_PROVIDER_CONCURRENCY", "2")
        get_settings.cache_clear()
        flaky.stop()
        with (
            caplog.at_level(logging.WARNING, logger="workers.providers.shared_limits"),
            ScriptedModelServer([{"content": "ok", "delay_s": 0.3}], loop=True) as server,
        ):
            clients = [
                make_client(ModelConfig(name="scripted-model", base_url=server.base_url)) for _ in range(6)
            ]
            replies: list[str] = []
            threads = [
                threading.Thread(
                    target=lambda c=c: replies.append(c.complete(HI, [], 4).message.content or "")
                )
                for c in clients
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            assert replies == ["ok"] * 6
            # Limited within the process while Redis is away.
            assert server.max_in_flight == 2
            assert "Redis failed" in caplog.text
            # Redis back: the slots are taken in Redis again once the retry delay has passed.
            flaky.start()
            time.sleep(0.6)
            limiter = shared_limits.endpoint_limits(
                server.base_url + "/chat/completions", None, 2, None, flaky.url()
            )
            lease = limiter.acquire(timeout_s=5)
            assert isinstance(lease, Lease) and lease.token is not None
            identity = endpoint_identity(server.base_url + "/chat/completions", None)
            slots = redis.Redis.from_url(flaky.url())
            assert slots.zrange(limits(flaky.url(), identity).slots_key, 0, -1) == [lease.token.encode()]
            limiter.release(lease)
    finally:
        get_settings.cache_clear()
        flaky.close()
