"""What a model call costs, split the way providers bill it (docs/agents.md, "Cost and time").

A call's prompt tokens fall into three parts, each with its own price per million tokens:
uncached input, input read from the prompt cache, and input written to it; output tokens
(reasoning included) have a fourth. A model row may set the two cache prices; left empty they
follow the provider's published ratio to the input price:

- Anthropic: a cache read costs 0.1x the input price, a cache write (5-minute cache, the only
  one the clients ask for) 1.25x (https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching).
- OpenAI: cached input per model family, the catalogue's `cache_read_ratio`
  (workers/providers/capabilities.py, from https://openai.com/api/pricing/); OpenAI caches by
  itself and charges nothing extra for writing, so a write costs the input price.
- Any other endpoint, or an OpenAI-format model the catalogue does not know (a local vLLM or
  llama.cpp server): no discount is assumed, a cached token costs the full input price. Set
  `cached_input_price_per_mtok` on the model row where the server's bill says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass

from workers.providers.base import Usage
from workers.providers.capabilities import capabilities

ANTHROPIC_CACHE_READ_RATIO = 0.1
ANTHROPIC_CACHE_WRITE_RATIO = 1.25
PER_MTOK = 1_000_000


@dataclass(frozen=True)
class Prices:
    """A model's four prices in dollars per million tokens."""

    input: float
    output: float
    cache_read: float
    cache_write: float


def model_prices(
    provider: str,
    model_id: str,
    *,
    input_per_mtok: float,
    output_per_mtok: float,
    cache_read_per_mtok: float | None = None,
    cache_write_per_mtok: float | None = None,
    cache_read_ratio: float | None = None,
) -> Prices:
    """The four prices of `model_id`: those given, the rest from the provider's published ratio
    to the input price (module docstring). `cache_read_ratio` overrides the catalogue's."""
    if provider == "anthropic":
        read_ratio, write_ratio = ANTHROPIC_CACHE_READ_RATIO, ANTHROPIC_CACHE_WRITE_RATIO
    else:
        known = cache_read_ratio if cache_read_ratio is not None else capabilities(model_id).cache_read_ratio
        read_ratio, write_ratio = (known if known is not None else 1.0), 1.0
    if cache_read_per_mtok is None:
        cache_read_per_mtok = input_per_mtok * read_ratio
    if cache_write_per_mtok is None:
        cache_write_per_mtok = input_per_mtok * write_ratio
    return Prices(input_per_mtok, output_per_mtok, cache_read_per_mtok, cache_write_per_mtok)


def call_cost_usd(usage: Usage, prices: Prices) -> float:
    """Dollar cost of one call: each part of its usage at its own price (`usage.cost_usd` is not read)."""
    return (
        usage.uncached_input_tokens * prices.input
        + usage.cache_read_input_tokens * prices.cache_read
        + usage.cache_creation_input_tokens * prices.cache_write
        + usage.output_tokens * prices.output
    ) / PER_MTOK
