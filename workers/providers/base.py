"""The model-client interface that scaffolds talk to, independent of the provider's wire format."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


class ProviderError(Exception):
    """A provider call failed for a reason that is the provider's, not the agent's."""


class ProviderOutage(ProviderError):
    """Rate limits, 5xx or connection failures outlasted the outage budget (or the wall-clock cap
    ran out while the agent still had working time): an infrastructure failure."""


class ContextWindowExceeded(ProviderError):
    """The request did not fit the model's context window even after trimming."""


@dataclass(frozen=True)
class ToolSpec:
    """A tool the model may call: JSON-schema parameters, as both OpenAI and Anthropic accept."""

    name: str
    description: str
    parameters: dict[str, Any]


@dataclass(frozen=True)
class ToolCall:
    """A tool call the model asked for."""

    id: str
    name: str
    # Parsed arguments; `arguments_error` is set instead when the model sent malformed JSON.
    arguments: dict[str, Any]
    arguments_error: str | None = None


@dataclass
class Message:
    """One chat message in a provider-neutral form.

    role: system | user | assistant | tool. An assistant message may carry tool_calls; a tool
    message answers one call by `tool_call_id`.
    """

    role: str
    content: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    tool_call_id: str | None = None
    # Opaque items of the provider that wrote this assistant message, sent back to it exactly as
    # received (Anthropic `thinking`/`redacted_thinking` blocks with their signatures): scaffolds
    # keep them with the message and never read or edit them; other providers' clients skip them.
    provider_blocks: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Usage:
    """Tokens and cost of one model call.

    `input_tokens` is every prompt token the model read; the cache counts are parts of it (tokens
    written to and read from the provider's prompt cache), so uncached = input - write - read.
    """

    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0
    # Hidden reasoning the model was billed for, a part of `output_tokens` (OpenAI reasoning models).
    reasoning_tokens: int = 0

    @property
    def uncached_input_tokens(self) -> int:
        """Prompt tokens neither written to nor read from the cache."""
        return max(0, self.input_tokens - self.cache_creation_input_tokens - self.cache_read_input_tokens)


@dataclass(frozen=True)
class Completion:
    """One answer of the model, with its usage and how long it took."""

    message: Message
    usage: Usage
    duration_s: float
    finish_reason: str | None = None
    # The model id the endpoint says answered (often a dated snapshot of the requested alias).
    served_model: str | None = None
    # The model's reasoning as the provider shows it (Anthropic's thinking summaries), for the
    # transcript; what goes back to the model is in `message.provider_blocks`.
    thinking: str = ""
    # The part of `duration_s` spent waiting on the provider rather than answering: queueing for a
    # request slot, failed requests and backoff before the answer (already reported to the
    # attempt's wait budget as it happened; for the transcript, never to be counted again).
    wait_s: float = 0.0


@dataclass(frozen=True)
class CallOptions:
    """Per-agent generation settings that a scaffold passes on every call.

    A client applies what its model supports: `thinking_budget_tokens` turns on Anthropic's
    extended thinking (budgeted, or adaptive where the model's catalogue entry requires it).
    """

    thinking_budget_tokens: int | None = None
    # Sent only to models whose catalogue entry accepts them (workers/providers/capabilities.py):
    # reasoning models get `reasoning_effort` and never a temperature; others the reverse.
    temperature: float | None = None
    seed: int | None = None
    reasoning_effort: str | None = None
    # Anthropic `cache_control` breakpoints (OpenAI caches by itself). Off only to measure what
    # caching saves (benchmarks/bench_frontier.py) or for an endpoint that refuses the field.
    prompt_caching: bool = True
    # Ask the Responses API for reasoning summaries (for the transcript). OpenAI gives them only to
    # organisations it has verified; others turn this off.
    reasoning_summary: bool = True


class ModelClient(Protocol):
    """Sends a conversation to a model and returns its reply with token usage and dollar cost.

    Implementations retry rate limits, 5xx and connection errors with backoff themselves and raise
    ProviderOutage only when retries are exhausted, so that such failures never count against the
    agent.
    """

    @property
    def model_name(self) -> str:
        """The model's name as the provider knows it."""
        ...

    @property
    def context_window(self) -> int:
        """How many tokens the model takes in at most."""
        ...

    def complete(
        self,
        messages: list[Message],
        tools: list[ToolSpec],
        max_tokens: int,
        options: CallOptions | None = None,
    ) -> Completion:
        """Ask the model for its next message, offering these tools."""
        ...
