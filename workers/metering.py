"""What one attempt has used so far, kept whatever way the attempt ends.

Every model call of an attempt goes through a `MeteredClient`, which adds the call's usage, cost,
time waiting on the provider and served model id to the attempt's `AttemptMeter`. The meter lives
outside the scaffold, so an attempt that ends in an infrastructure failure (the provider stayed
down, the sandbox died) still reports what it spent: the run executor stores it in the attempt's
`run_attempts` row (docs/agents.md, "Cost and time").
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from core.schemas import AttemptUsage
from workers.providers.base import CallOptions, Completion, Message, ModelClient, ToolSpec


@dataclass
class AttemptMeter:
    """Running totals of one attempt's model calls (thread-safe)."""

    tokens_in: int = 0
    tokens_out: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    reasoning_tokens: int = 0
    model_calls: int = 0
    cost_usd: float = 0.0
    # Seconds spent waiting on the provider rather than working: backoff sleeps, failed requests,
    # rate limits, queueing for a provider slot.
    provider_wait_s: float = 0.0
    served_model: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def record(self, completion: Completion) -> None:
        """Add one answered call."""
        usage = completion.usage
        with self._lock:
            self.tokens_in += usage.input_tokens
            self.tokens_out += usage.output_tokens
            self.cache_read_tokens += usage.cache_read_input_tokens
            self.cache_write_tokens += usage.cache_creation_input_tokens
            self.reasoning_tokens += usage.reasoning_tokens
            self.model_calls += 1
            self.cost_usd += usage.cost_usd
            if completion.served_model:
                self.served_model = completion.served_model

    def usage(self, wall_s: float | None = None) -> AttemptUsage:
        """The totals so far as a run_attempts row stores them; working time is `wall_s` less the
        waits on the provider."""
        with self._lock:
            return AttemptUsage(
                tokens_in=self.tokens_in,
                tokens_out=self.tokens_out,
                cache_read_tokens=self.cache_read_tokens,
                cache_write_tokens=self.cache_write_tokens,
                reasoning_tokens=self.reasoning_tokens,
                model_calls=self.model_calls,
                cost_usd=self.cost_usd,
                working_s=None if wall_s is None else max(0.0, wall_s - self.provider_wait_s),
                wall_s=wall_s,
                provider_wait_s=self.provider_wait_s,
                served_model=self.served_model,
            )

    def add_wait(self, seconds: float) -> None:
        """Add time spent waiting on the provider."""
        if seconds > 0:
            with self._lock:
                self.provider_wait_s += seconds


class MeteredClient:
    """A model client that reports every answered call to an `AttemptMeter`."""

    def __init__(self, inner: ModelClient, meter: AttemptMeter) -> None:
        self.inner = inner
        self.meter = meter

    def __getattr__(self, name: str) -> Any:
        """Anything else is the wrapped client's: scaffolds read `max_output_tokens` and
        `capabilities` where a client has them, and the attempt closes it."""
        if name == "inner":  # not set yet (copying): no recursion
            raise AttributeError(name)
        return getattr(self.inner, name)

    @property
    def model_name(self) -> str:
        """The wrapped client's model name."""
        return self.inner.model_name

    @property
    def context_window(self) -> int:
        """The wrapped client's context window."""
        return self.inner.context_window

    def complete(
        self,
        messages: list[Message],
        tools: list[ToolSpec],
        max_tokens: int,
        options: CallOptions | None = None,
    ) -> Completion:
        """Ask the wrapped client; count what the answer used."""
        completion = self.inner.complete(messages, tools, max_tokens, options)
        self.meter.record(completion)
        return completion
