"""What the OpenAI-compatible and Anthropic clients share: the endpoint, the timed request, usage.

A subclass names its URL and headers, builds the payload of its wire format and decodes the
answer into a `Reply`; this base owns the `JsonPoster`, the ModelClient properties, the timing,
the cost and the rule that a malformed answer is named by its exception type only.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from typing import Any, ClassVar, NamedTuple

from workers.providers.base import Completion, Message, ProviderError, ToolSpec, Usage
from workers.providers.config import ModelConfig
from workers.providers.transport import JsonPoster, RetryPolicy, concurrency_from_env, read_api_key


class Reply(NamedTuple):
    """A decoded answer: the assistant's message, why it stopped, and the tokens it was billed."""

    message: Message
    finish_reason: str | None
    input_tokens: int
    output_tokens: int


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
    ) -> None:
        self._cfg = cfg
        url = self._url(cfg)
        key = read_api_key(cfg.api_key_env)
        self._poster = JsonPoster(
            url,
            self._headers(key),
            secret=key,
            retry=retry or RetryPolicy.from_env(),
            concurrency=concurrency or concurrency_from_env(),
            semaphore_key=url,
            label=f"model {cfg.name!r} at {url}",
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
        """The most tokens one reply may have."""
        return self._cfg.max_output_tokens

    def close(self) -> None:
        """Release the HTTP connection pool."""
        self._poster.close()

    def complete(self, messages: list[Message], tools: list[ToolSpec], max_tokens: int) -> Completion:
        """Send the conversation; return the reply with usage and cost."""
        payload = self._payload(messages, tools, max_tokens)
        started = time.monotonic()
        body = self._poster.post(payload)
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
            cost_usd=self._cfg.cost_usd(reply.input_tokens, reply.output_tokens),
        )
        return Completion(
            message=reply.message, usage=usage, duration_s=duration, finish_reason=reply.finish_reason
        )

    @abstractmethod
    def _url(self, cfg: ModelConfig) -> str:
        """The endpoint's URL for `cfg`."""

    @abstractmethod
    def _headers(self, key: str | None) -> dict[str, str]:
        """The request headers, carrying `key` (when set) where the provider expects it."""

    @abstractmethod
    def _payload(self, messages: list[Message], tools: list[ToolSpec], max_tokens: int) -> dict[str, Any]:
        """The request body in the provider's wire format."""

    @abstractmethod
    def _decode(self, body: dict[str, Any], payload: dict[str, Any]) -> Reply:
        """The answer `body` (to `payload`) as a Reply; a malformed body raises."""
