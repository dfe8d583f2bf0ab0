"""The scaffold interface: how an agent acts on a task inside a sandbox.

A scaffold gets the task's instructions, a sandbox, an optional model client and the agent's
limits, and acts until it submits or a limit ends the attempt. Users plug in their own scaffold by
implementing `Scaffold` and registering it (see `workers/scaffolds/registry.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from core.states import StopReason
from core.taskspec import SolutionSpec
from workers.providers.base import ModelClient
from workers.sandbox.base import Sandbox
from workers.scaffolds.clock import AttemptClock


@dataclass(frozen=True)
class AgentLimits:
    """Limits that end an attempt with the matching stop reason (None: no limit).

    `time_limit_s` is working time, provider waits left out; `wall_time_limit_s` is the safety cap
    on wall time, whose end while working time is left is an infrastructure failure
    (`workers/scaffolds/clock.py`).
    """

    token_limit: int | None = None
    time_limit_s: float | None = None
    cost_limit_usd: float | None = None
    action_limit: int | None = None
    command_timeout_s: float = 300.0
    wall_time_limit_s: float | None = None


class TranscriptSink(Protocol):
    """Receives transcript events as they happen (model messages, tool calls, command outputs)."""

    def add(self, kind: str, **data: Any) -> None:
        """Record one event of kind `kind` with its fields."""
        ...


@dataclass
class ScaffoldContext:
    """What a scaffold gets: the instructions, the sandbox, a model client, limits and the transcript."""

    instructions: str
    sandbox: Sandbox
    model: ModelClient | None
    limits: AgentLimits
    transcript: TranscriptSink
    solution: SolutionSpec | None
    # Called often by the scaffold; raises if the run was cancelled or must stop.
    heartbeat: Callable[[], None]
    # Working and wall time since the agent started. Check time with `clock.time_up(limits)`
    # (True: stop with `time_limit`; raises ProviderOutage at the wall cap) and bound commands by
    # `clock.time_left_s(limits)`; never with a clock of your own, which would count provider waits.
    clock: AttemptClock = field(default_factory=AttemptClock)


@dataclass(frozen=True)
class ScaffoldResult:
    """How the agent stopped, its submission and what it used."""

    stop_reason: StopReason  # stored in runs.stop_reason
    submission: str | None
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    actions: int = 0


class Scaffold(Protocol):
    """An agent's way of working on a task; registered by name."""

    name: str

    def run(self, ctx: ScaffoldContext) -> ScaffoldResult:
        """Work on the task until it is done or a limit stops it."""
        ...
