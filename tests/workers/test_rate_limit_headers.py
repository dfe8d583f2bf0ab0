"""Reading how long a rate-limited answer asks us to wait (workers/providers/rate_limit_headers.py),
and the process-local limits of embedded mode (workers/providers/shared_limits.py)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.fakes.scripted_openai import ScriptedModelServer
from workers.providers.base import Message, ProviderOutage
from workers.providers.config import ModelConfig
from workers.providers.factory import make_client
from workers.providers.rate_limit_headers import parse_duration, rate_limit_wait_s
from workers.providers.shared_limits import LocalLimits, endpoint_identity
from workers.providers.transport import RetryPolicy, WaitBudget

HI = [Message(role="user", content="hi")]


def wait_for(**headers: str) -> float | None:
    return rate_limit_wait_s(httpx.Headers({k.replace("_", "-"): v for k, v in headers.items()}))


def test_retry_after_comes_first() -> None:
    assert wait_for(retry_after="7", x_ratelimit_reset_requests="20s") == 7.0
    assert wait_for(retry_after_ms="1500", retry_after="7") == 1.5
    assert wait_for(retry_after="soon") is None


def test_openai_reset_durations_of_exhausted_limits() -> None:
    assert parse_duration("6m0s") == 360.0
    assert parse_duration("1h2m3.5s") == 3723.5
    assert parse_duration("20ms") == pytest.approx(0.02)
    assert parse_duration("1s; rm -rf") is None
    assert parse_duration("9" * 100 + "s") is None
    headers = {
        "x_ratelimit_remaining_requests": "0",
        "x_ratelimit_reset_requests": "2s",
        "x_ratelimit_remaining_tokens": "5000",
        "x_ratelimit_reset_tokens": "1m",
    }
    # Only the used-up limit (requests) counts; the token limit's reset is far but not binding.
    assert wait_for(**headers) == 2.0
    assert wait_for(x_ratelimit_reset_tokens="1.5s") == 1.5


def test_anthropic_reset_times() -> None:
    soon = (datetime.now(UTC) + timedelta(seconds=30)).isoformat().replace("+00:00", "Z")
    waited = wait_for(
        anthropic_ratelimit_input_tokens_remaining="0",
        anthropic_ratelimit_input_tokens_reset=soon,
        anthropic_ratelimit_requests_remaining="10",
        anthropic_ratelimit_requests_reset="2000-01-01T00:00:00Z",
    )
    assert waited is not None and 28 <= waited <= 30
    assert wait_for(anthropic_ratelimit_tokens_reset="2025-13-45T99:00:00Z") is None
    assert wait_for() is None


def test_endpoint_identity_leaves_out_credentials_and_query() -> None:
    identity = endpoint_identity(
        "HTTPS://user:secret@API.Example.org/v1/chat/completions?k=abc", "OPENAI_API_KEY"
    )
    assert identity == "https://api.example.org:443/v1/chat/completions key=OPENAI_API_KEY"
    assert "secret" not in identity and "abc" not in identity


def test_local_rate_schedule() -> None:
    limits = LocalLimits(concurrency=1, rpm=120)  # two a second, a burst of two
    assert [round(limits.rate_wait_s(), 1) for _ in range(4)] == [0.0, 0.0, 0.5, 1.0]
    assert LocalLimits(concurrency=1, rpm=None).rate_wait_s() == 0.0


def test_a_429_pauses_the_other_clients_of_the_process() -> None:
    script = [
        {"status": 429, "error": "slow down", "headers": {"retry-after": "1"}},
        {"content": "ok", "repeat": 2},
    ]
    with ScriptedModelServer(script) as server:
        cfg = ModelConfig(name="scripted-model", base_url=server.base_url)
        first = make_client(cfg, retry=RetryPolicy(base_delay_s=0.01))
        second = make_client(cfg, retry=RetryPolicy(base_delay_s=0.01))
        thread = threading.Thread(target=first.complete, args=(HI, [], 4))
        thread.start()
        while not server.requests:
            time.sleep(0.01)
        time.sleep(0.1)  # the 429 has reached the first client
        completion = second.complete(HI, [], 4)
        thread.join()
    assert completion.message.content == "ok"
    assert 0.6 <= completion.wait_s <= 1.2
    times = [r["received_at"] for r in server.completion_requests]
    assert all(t - times[0] >= 0.9 for t in times[1:])


def test_a_queue_longer_than_the_budget_is_an_outage() -> None:
    with ScriptedModelServer([{"content": "slow", "delay_s": 1.5}]) as server:
        cfg = ModelConfig(name="scripted-model", base_url=server.base_url)
        holder = make_client(cfg, concurrency=1)
        thread = threading.Thread(target=holder.complete, args=(HI, [], 4))
        thread.start()
        while not server.requests:
            time.sleep(0.01)
        events: list[tuple[str, dict[str, object]]] = []
        waiter = make_client(
            cfg, concurrency=1, waits=WaitBudget(0.3, on_event=lambda kind, **f: events.append((kind, f)))
        )
        with pytest.raises(ProviderOutage, match="gave up waiting \\(queued for a request slot\\)"):
            waiter.complete(HI, [], 4)
        thread.join()
    assert [kind for kind, _ in events] == ["provider_outage"]
