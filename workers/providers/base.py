"""The model-client interface that scaffolds talk to, independent of the provider's wire format."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


class ProviderError(Exception):
    """A provider call failed for a reason that is the provider's, not the agent's."""


class ProviderOutage(ProviderError):
    """Rate limits, 5xx or connection failures persisted after all retries: an infrastructure failure."""


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


@dataclass(frozen=True)
class Usage:
    """Tokens and cost of one model call."""

    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0


@dataclass(frozen=True)
class Completion:
    """One answer of the model, with its usage and how long it took."""

    message: Message
    usage: Usage
    duration_s: float
    finish_reason: str | None = None


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

    def complete(self, messages: list[Message], tools: list[ToolSpec], max_tokens: int) -> Completion:
        """Ask the model for its next message, offering these tools."""
        ...
