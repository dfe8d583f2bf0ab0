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
from workers.sandbox.base import AgentLayer, Sandbox
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
    # The worker's folder for this attempt, mounted read-only into the sandbox at
    # `SandboxSetup.agent_dir_target`, when the scaffold's `sandbox_setup` asked for one.
    agent_dir: str | None = None


@dataclass(frozen=True)
class SandboxSetup:
    """What a scaffold needs of its sandbox beyond the task's image, when it has a
    `sandbox_setup()` method: an agent layer built on top of the image, and a per-attempt folder of
    the worker's mounted read-only at `agent_dir_target` (an in-sandbox agent's model socket)."""

    layer: AgentLayer | None = None
    agent_dir_target: str | None = None


@dataclass(frozen=True)
class ScaffoldResult:
    """How the agent stopped, its submission and what it used."""

    stop_reason: StopReason  # stored in runs.stop_reason
    submission: str | None
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    actions: int = 0
    # What ran, when the scaffold runs someone else's agent: its name and version (an Inspect
    # agent's, with inspect_ai's version). Recorded in the transcript's `agent_end` event.
    agent_info: dict[str, str] = field(default_factory=dict)


class Scaffold(Protocol):
    """An agent's way of working on a task; registered by name."""

    name: str

    def run(self, ctx: ScaffoldContext) -> ScaffoldResult:
        """Work on the task until it is done or a limit stops it."""
        ...


def limit_reached(ctx: ScaffoldContext, tokens: int, cost_usd: float) -> StopReason | None:
    """The limit an attempt that used `tokens` and `cost_usd` so far has reached, if any: tokens,
    then dollars, then working time (`clock.time_up`, which raises ProviderOutage at the wall cap)."""
    limits = ctx.limits
    if limits.token_limit is not None and tokens >= limits.token_limit:
        return StopReason.TOKEN_LIMIT
    if limits.cost_limit_usd is not None and cost_usd >= limits.cost_limit_usd:
        return StopReason.COST_LIMIT
    if ctx.clock.time_up(limits):
        return StopReason.TIME_LIMIT
    return None


def output_token_budget(model: ModelClient, wanted: int | None, limits: AgentLimits, tokens: int) -> int:
    """`max_tokens` for the next call: what the agent wants (default: the model's own maximum),
    at most half the context window (the rest is for the prompt), and never more than the token
    limit has left after `tokens`."""
    if not wanted:
        wanted = int(getattr(model, "max_output_tokens", 1024))
    budget = max(1, min(wanted, model.context_window // 2))
    if limits.token_limit is not None:
        budget = max(1, min(budget, limits.token_limit - tokens))
    return budget


def submit_answer(ctx: ScaffoldContext, answer: str) -> None:
    """End the attempt with `answer`: stop what the agent left running, then write the answer to
    `{workdir}/submission.txt`, where scorers read it (a `submission` event says so)."""
    workdir = ctx.sandbox.workdir
    # Stop the agent's processes first, so that a process table it filled (a fork bomb) cannot
    # make writing its answer fail as if the sandbox broke.
    ctx.sandbox.kill_user_processes()
    ctx.sandbox.put_files({"submission.txt": answer}, workdir)
    ctx.transcript.add("submission", answer=answer, path=f"{workdir.rstrip('/')}/submission.txt")
