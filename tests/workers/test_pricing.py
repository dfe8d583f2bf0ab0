"""Call costs that match the providers' bills: usage split into uncached input, cache reads, cache
writes and output, each at its own price (published list prices of the models named)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fakes.scripted_anthropic import ScriptedAnthropicServer
from tests.fakes.scripted_openai import ScriptedModelServer
from workers.providers.base import Message, ToolSpec, Usage
from workers.providers.config import ModelConfig
from workers.providers.factory import make_client
from workers.providers.pricing import Prices, call_cost_usd, model_prices
from workers.providers.transport import RetryPolicy

SONNET_4_5: dict[str, Any] = {"input_price_per_mtok": 3.0, "output_price_per_mtok": 15.0}
GPT_5: dict[str, Any] = {"input_price_per_mtok": 1.25, "output_price_per_mtok": 10.0}
FAST_RETRY = RetryPolicy(max_attempts=2, base_delay_s=0.01, max_delay_s=0.02)


def prices_of(cfg: ModelConfig) -> tuple[float, float, float, float]:
    p = cfg.prices
    return (p.input, p.cache_read, p.cache_write, p.output)


def test_anthropic_cache_prices_follow_the_published_ratios() -> None:
    # Claude Sonnet 4.5: $3 input, $0.30 cache read, $3.75 cache write (5 minutes), $15 output.
    cfg = ModelConfig(name="claude-sonnet-4-5", provider="anthropic", **SONNET_4_5)
    assert prices_of(cfg) == pytest.approx((3.0, 0.30, 3.75, 15.0))
    usage = Usage(
        input_tokens=100_000,
        output_tokens=2_000,
        cache_read_input_tokens=50_000,
        cache_creation_input_tokens=30_000,
    )
    # 20,000 uncached at $3, 50,000 read at $0.30, 30,000 written at $3.75, 2,000 out at $15.
    assert call_cost_usd(usage, cfg.prices) == pytest.approx(0.06 + 0.015 + 0.1125 + 0.03)
    # Any Claude model, even one the catalogue does not know yet, is billed the same way.
    assert prices_of(ModelConfig(name="claude-next", provider="anthropic", **SONNET_4_5)) == pytest.approx(
        (3.0, 0.30, 3.75, 15.0)
    )


@pytest.mark.parametrize(
    ("model", "input_price", "cached_price"),
    [
        ("gpt-5", 1.25, 0.125),
        ("gpt-5-mini", 0.25, 0.025),
        ("gpt-5-2025-08-07", 1.25, 0.125),  # a dated snapshot takes its family's ratio
        ("gpt-4o", 2.50, 1.25),
        ("gpt-4.1", 2.00, 0.50),
        ("gpt-4.1-mini", 0.40, 0.10),
        ("o1", 15.00, 7.50),
        ("o3", 2.00, 0.50),
        ("o4-mini", 1.10, 0.275),
        ("o3-pro", 20.00, 20.00),  # no cached price published: no discount
        ("llama-3.1-8b-instruct", 0.20, 0.20),  # a local server: no discount assumed
    ],
)
def test_openai_cached_input_by_model_family(model: str, input_price: float, cached_price: float) -> None:
    cfg = ModelConfig(
        name=model, provider="openai", input_price_per_mtok=input_price, output_price_per_mtok=1.0
    )
    # OpenAI charges nothing extra to write its cache: a write costs the input price.
    assert prices_of(cfg) == pytest.approx((input_price, cached_price, input_price, 1.0))


def test_prices_on_the_model_row_win_over_the_ratios() -> None:
    cfg = ModelConfig(
        name="claude-sonnet-4-5",
        provider="anthropic",
        cached_input_price_per_mtok=0.0,
        cache_write_price_per_mtok=6.0,  # the 1-hour cache: 2x
        **SONNET_4_5,
    )
    assert prices_of(cfg) == (3.0, 0.0, 6.0, 15.0)
    assert model_prices(
        "openai", "local", input_per_mtok=1.0, output_per_mtok=2.0, cache_read_ratio=0.5
    ) == Prices(1.0, 2.0, 0.5, 1.0)


def test_gpt_5_call_through_the_wire_is_billed_with_its_cached_tokens() -> None:
    # 100,000 prompt tokens of which 80,000 cached, 5,000 out: 2,000 shown and 3,000 of hidden
    # reasoning (the stand-in adds them to `completion_tokens`, as OpenAI reports them).
    step = {
        "content": "done",
        "usage": {
            "prompt_tokens": 100_000,
            "completion_tokens": 2_000,
            "cached_tokens": 80_000,
            "reasoning_tokens": 3_000,
        },
    }
    with ScriptedModelServer([step]) as server:
        client = make_client(ModelConfig(name="gpt-5", base_url=server.base_url, **GPT_5), retry=FAST_RETRY)
        usage = client.complete([Message(role="user", content="hi")], [], max_tokens=100).usage
    assert (usage.input_tokens, usage.cache_read_input_tokens) == (100_000, 80_000)
    assert (usage.output_tokens, usage.reasoning_tokens) == (5_000, 3_000)
    # 20,000 at $1.25 + 80,000 at $0.125 + 5,000 at $10 (reasoning is output).
    assert usage.cost_usd == pytest.approx(0.025 + 0.010 + 0.050)


def test_anthropic_calls_through_the_wire_pay_for_the_cache_write_then_read_it() -> None:
    tool = ToolSpec(name="bash", description="run a command " * 200, parameters={"type": "object"})
    messages = [Message(role="system", content="Be brief. " * 300), Message(role="user", content="hi")]
    with ScriptedAnthropicServer([{"content": "one"}, {"content": "two"}], min_cache_tokens=100) as server:
        cfg = ModelConfig(
            name="claude-sonnet-4-5", provider="anthropic", base_url=server.root_url, **SONNET_4_5
        )
        client = make_client(cfg, retry=FAST_RETRY)
        first = client.complete(messages, [tool], max_tokens=100).usage
        second = client.complete(messages, [tool], max_tokens=100).usage
    assert first.cache_creation_input_tokens > 0 and first.cache_read_input_tokens == 0
    assert second.cache_read_input_tokens > 0
    for usage in (first, second):
        expected = (
            usage.uncached_input_tokens * 3.0
            + usage.cache_read_input_tokens * 0.30
            + usage.cache_creation_input_tokens * 3.75
            + usage.output_tokens * 15.0
        ) / 1e6
        assert usage.cost_usd == pytest.approx(expected)
    # Reading the cache costs less than writing it, and less than no cache at all.
    assert second.cost_usd < first.cost_usd
    assert second.cost_usd < (second.input_tokens * 3.0 + second.output_tokens * 15.0) / 1e6
