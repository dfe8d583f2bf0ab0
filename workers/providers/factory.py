"""Turn a ModelConfig into the ModelClient for its provider."""

from __future__ import annotations

from core.schemas import wire_api_problem
from core.states import WireApi
from workers.providers.anthropic import AnthropicClient
from workers.providers.base import ModelClient, ProviderError
from workers.providers.config import ModelConfig
from workers.providers.openai_compat import OpenAICompatClient
from workers.providers.openai_responses import OpenAIResponsesClient
from workers.providers.transport import RetryPolicy, WaitBudget

PROVIDERS = ("openai", "anthropic")


def make_client(
    cfg: ModelConfig,
    *,
    retry: RetryPolicy | None = None,
    concurrency: int | None = None,
    waits: WaitBudget | None = None,
) -> ModelClient:
    """The client for `cfg.provider` and, for "openai", its `wire_api` (Chat Completions or the
    Responses API).

    A managed model must have had its `base_url` filled in by the worker that started its server
    (see `workers.inference_server`). `concurrency` overrides HORIZON_PROVIDER_CONCURRENCY, the
    number of requests all clients of one endpoint in this process may have in flight at once.
    `waits` is the attempt's provider wait budget, shared by its clients (`WaitBudget`).
    """
    if cfg.managed and not cfg.base_url:
        raise ProviderError(
            f"model {cfg.name!r} is managed but has no base_url: start its server with "
            "InferenceServerManager first"
        )
    if cfg.wire_api not in tuple(WireApi):
        raise ProviderError(f"unknown wire_api {cfg.wire_api!r}; expected one of {', '.join(WireApi)}")
    if problem := wire_api_problem(cfg.provider, cfg.wire_api):
        raise ProviderError(problem)
    if cfg.provider == "openai":
        if cfg.wire_api == WireApi.RESPONSES:
            return OpenAIResponsesClient(cfg, retry=retry, concurrency=concurrency, waits=waits)
        return OpenAICompatClient(cfg, retry=retry, concurrency=concurrency, waits=waits)
    if cfg.provider == "anthropic":
        return AnthropicClient(cfg, retry=retry, concurrency=concurrency, waits=waits)
    raise ProviderError(f"unknown provider {cfg.provider!r}; expected one of {', '.join(PROVIDERS)}")
