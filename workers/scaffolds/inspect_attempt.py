"""One attempt of an Inspect agent, as Horizon counts and stops it (docs/agents.md, "Inspect agents").

The Inspect agent runs its own loop; Horizon sees it only where it reaches out: each model call
(`workers/scaffolds/inspect_model.py`) and each sandbox operation
(`workers/scaffolds/inspect_sandbox.py`). Both go through the `InspectAttempt` here, which keeps
the attempt's totals and applies the built-in scaffolds' rules at those points: the run's
heartbeat, the token, dollar, action and working-time limits (`limit_reached`), and the rule that
a failure of ours (the provider, the sandbox, a cancelled run) is never the agent's. A watch task
ends the agent when its working time is up even while it neither calls the model nor runs a
command.

When the attempt must end, `AgentStopped` is raised into the agent's code. An agent may catch it,
so the reason is also kept here and every later call raises again; the scaffold reads the reason,
not the exception, once the agent has returned (or been cancelled).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextvars import ContextVar
from typing import TypeVar

import anyio
from anyio import CancelScope

from core.states import StopReason
from workers.providers.base import (
    CallOptions,
    Completion,
    ContextWindowExceeded,
    Message,
    ModelClient,
    ProviderError,
    ToolSpec,
)
from workers.sandbox.base import SandboxError
from workers.scaffolds.base import ScaffoldContext, limit_reached, output_token_budget

T = TypeVar("T")

# How often the watch task looks at the clock, and calls the run's heartbeat.
WATCH_INTERVAL_S = 0.25
HEARTBEAT_INTERVAL_S = 5.0

_current: ContextVar[InspectAttempt | None] = ContextVar("horizon_inspect_attempt", default=None)


class AgentStopped(Exception):
    """Raised into the agent's code: the attempt has ended (a limit, or a failure of ours)."""


def current_attempt() -> InspectAttempt | None:
    """The attempt the running code belongs to (set for the attempt's event loop only)."""
    return _current.get()


class InspectAttempt:
    """The totals and stop rules of one Inspect agent's attempt (see the module docstring)."""

    def __init__(self, ctx: ScaffoldContext, options: CallOptions, max_output_tokens: int | None) -> None:
        if ctx.model is None:
            raise ValueError("an inspect agent needs a model: give the agent one")
        self.ctx = ctx
        self.model: ModelClient = ctx.model
        self.options = options
        self.max_output_tokens = max_output_tokens
        self.input_tokens = 0
        self.output_tokens = 0
        self.cost_usd = 0.0
        self.actions = 0
        self.model_calls = 0
        self.started = time.monotonic()
        # Set once: why the attempt ended early, or the failure of ours to raise at the end.
        self.stop_reason: StopReason | None = None
        self.failure: BaseException | None = None
        # True while the latest model call found the conversation too long for the window.
        self.context_exceeded = False
        # Ids of the Inspect messages already in the transcript.
        self.recorded: set[str] = set()
        self._lock = threading.Lock()

    # -- lifecycle ------------------------------------------------------------------------------

    def activate(self) -> None:
        """Make this the attempt of the running event loop's code (`current_attempt`)."""
        _current.set(self)

    @property
    def ended(self) -> bool:
        """Whether a limit or a failure has ended the attempt."""
        return self.stop_reason is not None or self.failure is not None

    def stop(self, reason: StopReason) -> AgentStopped:
        """End the attempt with `reason` (the first reason stands); the exception to raise."""
        with self._lock:
            if self.stop_reason is None and self.failure is None:
                self.stop_reason = reason
        return AgentStopped(f"the attempt has ended: {self.stop_reason or 'failure'}")

    def fail(self, exc: BaseException) -> AgentStopped:
        """End the attempt with a failure of ours, raised again once the agent is done."""
        with self._lock:
            if self.failure is None:
                self.failure = exc
        return AgentStopped("the attempt has ended: an infrastructure failure")

    def check(self) -> None:
        """Raise AgentStopped when the attempt has ended or a limit is reached."""
        if self.ended:
            raise AgentStopped("the attempt has ended")
        try:
            reason = limit_reached(self.ctx, self.input_tokens + self.output_tokens, self.cost_usd)
        except ProviderError as exc:  # the wall-clock cap: ours, not the agent's
            raise self.fail(exc) from exc
        if reason is not None:
            raise self.stop(reason)

    def guarded(self, work: Callable[[], T]) -> T:
        """Beat, check the limits, then do `work` (blocking; run it on a thread). Failures of ours
        end the attempt: the provider's and the sandbox's errors, and whatever the heartbeat raises
        (a cancelled run)."""
        try:
            self.ctx.heartbeat()
        except Exception as exc:
            raise self.fail(exc) from exc
        self.check()
        try:
            return work()
        except (ProviderError, SandboxError) as exc:
            raise self.fail(exc) from exc

    async def watch(self, scope: CancelScope) -> None:
        """Cancel `scope` (the agent) once the attempt has ended or its working time is up."""
        last_beat = time.monotonic()
        while not self.ended:
            await anyio.sleep(WATCH_INTERVAL_S)
            try:
                if self.ctx.clock.time_up(self.ctx.limits):
                    self.stop(StopReason.TIME_LIMIT)
                elif time.monotonic() - last_beat >= HEARTBEAT_INTERVAL_S:
                    last_beat = time.monotonic()
                    await anyio.to_thread.run_sync(self.ctx.heartbeat)
            except Exception as exc:
                self.fail(exc)
        scope.cancel()

    # -- model calls ----------------------------------------------------------------------------

    def complete(
        self,
        messages: list[Message],
        tools: list[ToolSpec],
        max_tokens: int | None,
        options: CallOptions,
    ) -> Completion | None:
        """One model call through the attempt's (metered) client; None when the conversation does
        not fit the context window (the agent decides what to do about it)."""

        def call() -> Completion | None:
            budget = output_token_budget(
                self.model,
                max_tokens or self.max_output_tokens,
                self.ctx.limits,
                self.input_tokens + self.output_tokens,
            )
            try:
                completion = self.model.complete(messages, tools, budget, options)
            except ContextWindowExceeded as exc:
                self.context_exceeded = True
                self.ctx.transcript.add("context_exceeded", message=str(exc))
                return None
            self.context_exceeded = False
            usage = completion.usage
            with self._lock:
                self.model_calls += 1
                self.input_tokens += usage.input_tokens
                self.output_tokens += usage.output_tokens
                self.cost_usd += usage.cost_usd
            return completion

        return self.guarded(call)

    def count_actions(self, calls: int) -> None:
        """Count the tool calls of one reply; stop at the action limit before any of them runs."""
        limit = self.ctx.limits.action_limit
        if limit is not None and self.actions + calls > limit:
            raise self.stop(StopReason.ACTION_LIMIT)
        self.actions += calls

    def totals(self) -> dict[str, float | int]:
        """What the `stop` event and the scaffold's result report."""
        return {
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cost_usd": self.cost_usd,
            "actions": self.actions,
            "model_calls": self.model_calls,
        }
