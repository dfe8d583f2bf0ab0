"""How to reach a model: what the database's `models` row turns into for a worker."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from workers.providers.capabilities import ModelCapabilities, capabilities

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
    context_window: int = 8192
    # None: the model's catalogue entry (workers/providers/capabilities.py), else 1,024.
    max_output_tokens: int | None = None
    managed: bool = False
    server_template: str | None = None
    weights: str | None = None
    # What the endpoint accepts, when the agent overrides the catalogue (its `model_capabilities`
    # setting, for a model the catalogue does not know); None: look the name up.
    capabilities: ModelCapabilities | None = None

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

    def cost_usd(self, input_tokens: int, output_tokens: int) -> float:
        """Dollar cost of one call from its token counts and the per-million-token prices."""
        return (
            input_tokens * self.input_price_per_mtok + output_tokens * self.output_price_per_mtok
        ) / 1_000_000
