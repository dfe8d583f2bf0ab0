"""How to reach a model: what the database's `models` row turns into for a worker."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from core.states import WireApi
from workers.providers.capabilities import ModelCapabilities, capabilities
from workers.providers.pricing import Prices, model_prices

# Output tokens per call when neither the model row nor its catalogue entry says.
DEFAULT_MAX_OUTPUT_TOKENS = 1024


@dataclass(frozen=True)
class ModelConfig:
    """A model endpoint and its prices.

    `provider` is "openai" (any OpenAI-compatible endpoint: hosted APIs, vLLM, SGLang, llama.cpp)
    or "anthropic" (the Messages API). `api_key_env` names the environment variable that holds the
    key: keys are never stored in the database or written into transcripts. A `managed` model is
    served by an inference server that a GPU worker starts from the command template named
    `server_template` (configured on that worker, HORIZON_INFERENCE_TEMPLATES), in which case
    `base_url` is filled in by that worker.
    """

    name: str
    provider: str = "openai"
    base_url: str | None = None
    api_key_env: str | None = None
    input_price_per_mtok: float = 0.0
    output_price_per_mtok: float = 0.0
    # Prompt-cache prices; None: the provider's published ratio to the input price
    # (workers/providers/pricing.py).
    cached_input_price_per_mtok: float | None = None
    cache_write_price_per_mtok: float | None = None
    context_window: int = 8192
    # None: the model's catalogue entry (workers/providers/capabilities.py), else 1,024.
    max_output_tokens: int | None = None
    managed: bool = False
    server_template: str | None = None
    weights: str | None = None
    # GPUs the managed server takes on the worker's host (workers/gpu_host.py).
    gpus: int = 0
    # What the endpoint accepts, when the agent overrides the catalogue (its `model_capabilities`
    # setting, for a model the catalogue does not know); None: look the name up.
    capabilities: ModelCapabilities | None = None
    # OpenAI only: Chat Completions (every OpenAI-compatible server) or the Responses API, which
    # carries a reasoning model's reasoning between turns (workers/providers/openai_responses.py).
    wire_api: WireApi = WireApi.CHAT

    def for_agent(self, settings: dict[str, Any]) -> ModelConfig:
        """This model as an agent sees it: its `model_capabilities` setting (fields the agent set,
        checked at agent creation) laid over the catalogue's entry for the model."""
        override = settings.get("model_capabilities")
        if not isinstance(override, dict) or not override:
            return self
        base = self.capabilities or capabilities(self.name)
        known = {f.name for f in fields(ModelCapabilities)}
        return replace(
            self,
            capabilities=replace(base, **{k: v for k, v in override.items() if k in known and v is not None}),
        )

    @property
    def prices(self) -> Prices:
        """The four prices a call is billed at (workers/providers/pricing.py)."""
        return model_prices(
            self.provider,
            self.name,
            input_per_mtok=self.input_price_per_mtok,
            output_per_mtok=self.output_price_per_mtok,
            cache_read_per_mtok=self.cached_input_price_per_mtok,
            cache_write_per_mtok=self.cache_write_price_per_mtok,
            cache_read_ratio=(self.capabilities or capabilities(self.name)).cache_read_ratio,
        )
