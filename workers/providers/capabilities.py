"""What each known model accepts, by model id: the catalogue that the clients consult.

Behaviour that differs per model (the default output limit, which form of extended thinking the
model takes) lives in this table, not in name tests scattered through the clients. An id with a
date or version suffix (`claude-sonnet-4-5-20250929`, `claude-opus-4-6-v1`, `...@20250929`,
`...-latest`, OpenAI's `o3-2025-04-16`) or a cloud prefix (`us.anthropic.`) takes its base id's
entry; anything else unknown (a newer `claude-opus-4-8` is not `claude-opus-4`) gets `UNKNOWN`:
the caller's own defaults (for OpenAI-compatible servers: `max_tokens`, temperature allowed).

Sources: Anthropic's models overview and extended/adaptive thinking documentation
(https://docs.anthropic.com/en/docs/about-claude/models/overview,
https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking,
https://docs.anthropic.com/en/docs/build-with-claude/adaptive-thinking).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal

# "budgeted": `thinking: {type: "enabled", budget_tokens: N}` (Claude 3.7 to 4.5; deprecated on 4.6).
# "adaptive": `thinking: {type: "adaptive"}` with `output_config: {effort}` (4.6 on; the only form
# that Opus 4.7 and the 5 family accept: they answer the budgeted form with 400).
ThinkingForm = Literal["budgeted", "adaptive"]
MaxTokensParam = Literal["max_tokens", "max_completion_tokens"]


@dataclass(frozen=True)
class ModelCapabilities:
    """One catalogue entry; None means "not known here": the caller keeps its own default."""

    max_output_tokens: int | None = None
    thinking: ThinkingForm | None = None
    # OpenAI Chat Completions: reasoning models (o-series, GPT-5) take `max_completion_tokens`
    # (they answer `max_tokens` with 400 unsupported_parameter), accept `reasoning_effort`, and
    # refuse any temperature but the default (400 unsupported_value). Unknown ids keep the plain
    # OpenAI-compatible form (`max_tokens`, temperature allowed) that vLLM and llama.cpp expect.
    max_tokens_param: MaxTokensParam = "max_tokens"
    reasoning: bool = False
    temperature: bool = True
    # OpenAI: the price of a cached input token as a share of the input price, per model family
    # (https://openai.com/api/pricing/); None: no discount known (workers/providers/pricing.py).
    cache_read_ratio: float | None = None


UNKNOWN = ModelCapabilities()
_OPENAI_REASONING_100K = ModelCapabilities(
    max_output_tokens=100000, max_tokens_param="max_completion_tokens", reasoning=True, temperature=False
)
# The GPT-5 family: cached input at a tenth of the input price.
_OPENAI_REASONING_128K = ModelCapabilities(
    max_output_tokens=128000,
    max_tokens_param="max_completion_tokens",
    reasoning=True,
    temperature=False,
    cache_read_ratio=0.1,
)
_GPT_4O = ModelCapabilities(max_output_tokens=16384, cache_read_ratio=0.5)
_GPT_4_1 = ModelCapabilities(max_output_tokens=32768, cache_read_ratio=0.25)

CATALOGUE: dict[str, ModelCapabilities] = {
    "claude-3-5-haiku": ModelCapabilities(max_output_tokens=8192),
    "claude-3-5-sonnet": ModelCapabilities(max_output_tokens=8192),
    "claude-3-7-sonnet": ModelCapabilities(max_output_tokens=64000, thinking="budgeted"),
    "claude-sonnet-4": ModelCapabilities(max_output_tokens=64000, thinking="budgeted"),
    "claude-opus-4": ModelCapabilities(max_output_tokens=32000, thinking="budgeted"),
    "claude-opus-4-1": ModelCapabilities(max_output_tokens=32000, thinking="budgeted"),
    "claude-sonnet-4-5": ModelCapabilities(max_output_tokens=64000, thinking="budgeted"),
    "claude-haiku-4-5": ModelCapabilities(max_output_tokens=64000, thinking="budgeted"),
    "claude-opus-4-5": ModelCapabilities(max_output_tokens=64000, thinking="budgeted"),
    "claude-sonnet-4-6": ModelCapabilities(max_output_tokens=64000, thinking="adaptive"),
    "claude-opus-4-6": ModelCapabilities(max_output_tokens=128000, thinking="adaptive"),
    "claude-opus-4-7": ModelCapabilities(max_output_tokens=128000, thinking="adaptive"),
    # OpenAI (https://platform.openai.com/docs/models, https://platform.openai.com/docs/guides/reasoning;
    # cached-input prices: https://openai.com/api/pricing/).
    "gpt-4o": _GPT_4O,
    "gpt-4o-mini": _GPT_4O,
    "gpt-4.1": _GPT_4_1,
    "gpt-4.1-mini": _GPT_4_1,
    "gpt-4.1-nano": _GPT_4_1,
    "o1": replace(_OPENAI_REASONING_100K, cache_read_ratio=0.5),
    "o1-mini": ModelCapabilities(
        max_output_tokens=65536,
        max_tokens_param="max_completion_tokens",
        reasoning=True,
        temperature=False,
        cache_read_ratio=0.5,
    ),
    "o3": replace(_OPENAI_REASONING_100K, cache_read_ratio=0.25),
    "o3-mini": replace(_OPENAI_REASONING_100K, cache_read_ratio=0.5),
    # No cached-input price is published for o3-pro: every input token at the full price.
    "o3-pro": _OPENAI_REASONING_100K,
    "o4-mini": replace(_OPENAI_REASONING_100K, cache_read_ratio=0.25),
    "gpt-5": _OPENAI_REASONING_128K,
    "gpt-5-mini": _OPENAI_REASONING_128K,
    "gpt-5-nano": _OPENAI_REASONING_128K,
    "gpt-5-codex": _OPENAI_REASONING_128K,
    "gpt-5.1-codex": _OPENAI_REASONING_128K,
    "gpt-5.1": _OPENAI_REASONING_128K,
    "gpt-5.2": _OPENAI_REASONING_128K,
    # The chat variants are not reasoning models: sampling parameters are accepted.
    "gpt-5-chat": ModelCapabilities(
        max_output_tokens=16384, max_tokens_param="max_completion_tokens", cache_read_ratio=0.1
    ),
}


# Suffixes that name a snapshot of the same model, and prefixes of cloud catalogues (Bedrock).
# OpenAI dates its snapshots with dashes (`o3-2025-04-16`).
_SNAPSHOT_SUFFIX = re.compile(r"(?:[-@]\d{8}|-\d{4}-\d{2}-\d{2}|-v\d+(?::\d+)?|-latest)+$")
_CLOUD_PREFIX = re.compile(r"^(?:[a-z]{2,4}\.)?anthropic\.")


def capabilities(model_id: str) -> ModelCapabilities:
    """The entry for `model_id`, or UNKNOWN (see the module docstring for the id forms)."""
    name = _CLOUD_PREFIX.sub("", model_id.strip().lower())
    return CATALOGUE.get(name) or CATALOGUE.get(_SNAPSHOT_SUFFIX.sub("", name)) or UNKNOWN
