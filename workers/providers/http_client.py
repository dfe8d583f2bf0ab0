"""What the OpenAI-compatible and Anthropic clients share: the endpoint, the timed request, usage.

A subclass names its URL and headers, builds the payload of its wire format and decodes the
answer into a `Reply`; this base owns the `JsonPoster`, the ModelClient properties, the timing,
the cost and the rule that a malformed answer is named by its exception type only.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from dataclasses import replace
from typing import Any, ClassVar, NamedTuple

from workers.providers.base import CallOptions, Completion, Message, ProviderError, ToolSpec, Usage
from workers.providers.capabilities import ModelCapabilities, capabilities
from workers.providers.config import DEFAULT_MAX_OUTPUT_TOKENS, ModelConfig
from workers.providers.pricing import call_cost_usd
from workers.providers.transport import (
    JsonPoster,
    RetryPolicy,
    WaitBudget,
    concurrency_from_env,
    read_api_key,
)


class Reply(NamedTuple):
    """A decoded answer: the assistant's message, why it stopped, and the tokens it was billed.

    `input_tokens` counts every prompt token, the cache writes and reads included.
    """

    message: Message
    finish_reason: str | None
    input_tokens: int
    output_tokens: int
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0
    served_model: str | None = None
    thinking: str = ""
    reasoning_tokens: int = 0


class HttpModelClient(ABC):
    """A ModelClient that posts one JSON request per completion to one endpoint."""

    # How a malformed answer is described: "the answer is not {reply_kind}".
    reply_kind: ClassVar[str]

    def __init__(
        self,
        cfg: ModelConfig,
        *,
        retry: RetryPolicy | None = None,
        concurrency: int | None = None,
        waits: WaitBudget | None = None,
    ) -> None:
        self._cfg = cfg
        self._prices = cfg.prices
        url = self._url(cfg)
        key = read_api_key(cfg.api_key_env)
        self._poster = JsonPoster(
            url,
            self._headers(key),
            secret=key,
            retry=retry or RetryPolicy.from_env(),
            concurrency=concurrency or concurrency_from_env(),
            key_env=cfg.api_key_env,
            label=f"model {cfg.name!r} at {url}",
            waits=waits,
        )

    @property
    def model_name(self) -> str:
        """The model's name as the endpoint knows it."""
        return self._cfg.name

    @property
    def context_window(self) -> int:
        """Tokens the model accepts in one request, prompt and reply together."""
        return self._cfg.context_window

    @property
    def max_output_tokens(self) -> int:
        """The most tokens one reply may have: the model row's, else its catalogue entry's."""
        return self._cfg.max_output_tokens or self.capabilities.max_output_tokens or DEFAULT_MAX_OUTPUT_TOKENS

    @property
    def capabilities(self) -> ModelCapabilities:
        """What the model accepts: the agent's override (`model_capabilities`), else the catalogue's."""
        return self._cfg.capabilities or capabilities(self._cfg.name)

    def close(self) -> None:
        """Release the HTTP connection pool."""
        self._poster.close()

    def complete(
        self,
        messages: list[Message],
        tools: list[ToolSpec],
        max_tokens: int,
        options: CallOptions | None = None,
    ) -> Completion:
        """Send the conversation; return the reply with usage and cost."""
        payload = self._payload(messages, tools, max_tokens, options or CallOptions())
        started = time.monotonic()
        body, wait_s = self._poster.post(payload, headers=self._request_headers(payload))
        duration = time.monotonic() - started
        try:
            reply = self._decode(body, payload)
        except (AttributeError, KeyError, TypeError, ValueError) as exc:
            # Named by type only: the endpoint's content stays out of stored errors.
            raise ProviderError(
                f"model {self._cfg.name!r}: the answer is not {self.reply_kind} ({type(exc).__name__})"
            ) from None
        usage = Usage(
            input_tokens=reply.input_tokens,
            output_tokens=reply.output_tokens,
            cache_creation_input_tokens=reply.cache_creation_input_tokens,
            cache_read_input_tokens=reply.cache_read_input_tokens,
            reasoning_tokens=reply.reasoning_tokens,
        )
        usage = replace(usage, cost_usd=call_cost_usd(usage, self._prices))
        return Completion(
            message=reply.message,
            usage=usage,
            duration_s=duration,
            finish_reason=reply.finish_reason,
            served_model=reply.served_model,
            thinking=reply.thinking,
            wait_s=wait_s,
        )

    def _request_headers(self, payload: dict[str, Any]) -> dict[str, str]:
        """Headers that depend on this request's `payload` (beta flags), beside the fixed ones."""
        return {}

    @abstractmethod
    def _url(self, cfg: ModelConfig) -> str:
        """The endpoint's URL for `cfg`."""

    @abstractmethod
    def _headers(self, key: str | None) -> dict[str, str]:
        """The request headers, carrying `key` (when set) where the provider expects it."""

    @abstractmethod
    def _payload(
        self, messages: list[Message], tools: list[ToolSpec], max_tokens: int, options: CallOptions
    ) -> dict[str, Any]:
        """The request body in the provider's wire format."""

    @abstractmethod
    def _decode(self, body: dict[str, Any], payload: dict[str, Any]) -> Reply:
        """The answer `body` (to `payload`) as a Reply; a malformed body raises."""
