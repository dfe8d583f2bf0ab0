"""The `inspect` scaffold: an Inspect agent (`inspect_ai`'s agent protocol) run on a Horizon task.

An agent of kind `inspect` names its agent by import path (`agent`, e.g. `inspect_ai.agent:react`:
a callable returning an Inspect `Agent` or `Solver`), with keyword arguments (`agent_args`) and
tools (`tools`: import paths of tool factories, each with its own `args`); these may also sit in
`scaffold_options`. Only the paths the operator lists in HORIZON_INSPECT_AGENTS and
HORIZON_INSPECT_TOOLS may be named (core/inspect_imports.py): they run in the worker's process.
The agent and its tools are made when the scaffold is (a path that is not allowed, cannot be
imported or refuses its arguments is a configuration error of the run, never the agent's failure).

For one attempt the scaffold runs the agent on its own event loop, on the worker's thread, with
the task's instructions as its one user message, inside an Inspect sample context
(workers/scaffolds/inspect_runtime.py) where `get_model()` is the attempt's model
(workers/scaffolds/inspect_model.py) and `sandbox()` its sandbox
(workers/scaffolds/inspect_sandbox.py). The attempt ends:

* with `submitted` when the agent returns: its output's completion (for `react()`, the answer of
  its `submit` tool alone: Horizon passes `submit={"answer_only": true}` unless the agent's
  arguments say otherwise) is written to `{workdir}/submission.txt`, as the built-in scaffolds do;
* with `token_limit`, `cost_limit`, `action_limit` (tool calls the model asked for) or
  `time_limit` (working time, checked continuously) when one is reached: the agent is stopped
  (workers/scaffolds/inspect_attempt.py);
* with `agent_error` when the agent raises, or returns because its conversation no longer fits
  the model's context window; the exception's type goes in the transcript, its details in the
  worker's log;
* as an infrastructure failure when the provider, the sandbox or the run's heartbeat fails, as
  for every scaffold.

The transcript starts with an `inspect_agent` event (import path, Inspect's name for the agent, its
package's version, inspect_ai's version), which the result's `agent_info` repeats.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import anyio
from inspect_ai.agent import AgentPrompt, AgentSubmit, react

from core.inspect_imports import ImportKind, inspect_import_problem
from core.settings import get_settings
from core.states import StopReason
from workers.scaffolds.base import ScaffoldContext, ScaffoldResult, submit_answer
from workers.scaffolds.inspect_attempt import InspectAttempt
from workers.scaffolds.inspect_model import MAX_CONNECTIONS, PROVIDER, record_new_messages
from workers.scaffolds.inspect_runtime import agent_info, run_agent, sample_context
from workers.scaffolds.inspect_sandbox import HorizonSandboxEnvironment
from workers.scaffolds.react import call_options

log = logging.getLogger(__name__)

# Arguments Horizon sets itself: the model is the agent's, the tools come from `tools`.
RESERVED_ARGS = ("model", "tools")
MAX_TOOLS = 32
# react()'s arguments that JSON can give as an object, and the types they become.
_REACT_OBJECTS: dict[str, type] = {"submit": AgentSubmit, "prompt": AgentPrompt}
_REACT_OBJECT_FIELDS = {
    "submit": ("name", "description", "answer_only", "answer_delimiter", "keep_in_messages"),
    "prompt": ("instructions", "handoff_prompt", "assistant_prompt", "submit_prompt"),
}


@dataclass(frozen=True)
class ToolSetting:
    """One tool of the agent: its factory's import path and keyword arguments."""

    path: str
    args: dict[str, Any]


@dataclass(frozen=True)
class InspectSettings:
    """The `inspect` scaffold's own settings, checked (ValueError naming the problem)."""

    agent: str
    agent_args: dict[str, Any]
    tools: tuple[ToolSetting, ...]

    @classmethod
    def from_dict(cls, settings: dict[str, Any]) -> InspectSettings:
        """Read `agent`, `agent_args` and `tools` from the settings or their `scaffold_options`."""
        agent = _option(settings, "agent")
        _check_import(agent, "agent")
        args = _option(settings, "agent_args") or {}
        if not isinstance(args, dict):
            raise ValueError("agent_args must be an object of the agent's keyword arguments")
        reserved = [k for k in RESERVED_ARGS if k in args]
        if reserved:
            raise ValueError(
                f"agent_args may not set {reserved[0]!r}: the model is the agent's own, "
                "and tools go in `tools`"
            )
        tools = _option(settings, "tools") or []
        if not isinstance(tools, list) or len(tools) > MAX_TOOLS:
            raise ValueError(f"tools must be a list of at most {MAX_TOOLS} tools")
        return cls(agent=agent, agent_args=dict(args), tools=tuple(_tool_setting(t) for t in tools))


class InspectScaffold:
    """Runs an Inspect agent for one attempt (see the module docstring)."""

    name = "inspect"

    def __init__(self, settings: dict[str, Any] | None = None) -> None:
        raw = dict(settings or {})
        self.settings = InspectSettings.from_dict(raw)
        self.call_options = call_options(raw)
        wanted = raw.get("max_output_tokens")
        self.max_output_tokens = wanted if isinstance(wanted, int) and not isinstance(wanted, bool) else None
        tools = [_made(t.path, _imported(t.path), t.args, "tool") for t in self.settings.tools]
        factory = _imported(self.settings.agent)
        args = dict(self.settings.agent_args)
        if factory is react:
            args = _react_args(args)
        if tools:
            args["tools"] = tools
        self.agent = _made(self.settings.agent, factory, args, "agent")
        if not callable(self.agent):
            raise ValueError(f"{self.settings.agent} did not return an Inspect agent or solver")
        self.agent_info = agent_info(self.settings.agent, self.agent)

    def run(self, ctx: ScaffoldContext) -> ScaffoldResult:
        """Run the agent on its own event loop until it returns or the attempt ends."""
        attempt = InspectAttempt(ctx, self.call_options, self.max_output_tokens)
        ctx.transcript.add("inspect_agent", **self.agent_info)
        # A new loop for this attempt alone, on this (the worker's) thread.
        output, error = asyncio.run(self._main(attempt))
        if attempt.failure is not None:
            raise attempt.failure
        stop_reason, submission = self._outcome(ctx, attempt, output, error)
        ctx.transcript.add("stop", reason=stop_reason, **attempt.totals())
        return ScaffoldResult(
            stop_reason=stop_reason,
            submission=submission,
            input_tokens=attempt.input_tokens,
            output_tokens=attempt.output_tokens,
            cost_usd=attempt.cost_usd,
            actions=attempt.actions,
            agent_info=self.agent_info,
        )

    async def _main(self, attempt: InspectAttempt) -> tuple[str | None, BaseException | None]:
        """Run the agent with a watch task beside it; its completion, or what it raised."""
        attempt.activate()
        ctx = attempt.ctx
        environment = HorizonSandboxEnvironment(attempt)
        output: str | None = None
        error: BaseException | None = None
        async with sample_context(
            PROVIDER, attempt.model.model_name, MAX_CONNECTIONS, ctx.instructions, environment
        ) as model:
            async with anyio.create_task_group() as group:
                group.start_soon(attempt.watch, group.cancel_scope)
                try:
                    messages, result = await run_agent(self.agent, ctx.instructions, model)
                    record_new_messages(attempt, messages)
                    output = result.completion
                except Exception as exc:  # the agent's own failure, or AgentStopped
                    error = exc
                finally:
                    group.cancel_scope.cancel()
        return output, error

    def _outcome(
        self, ctx: ScaffoldContext, attempt: InspectAttempt, output: str | None, error: BaseException | None
    ) -> tuple[StopReason, str | None]:
        if attempt.stop_reason is not None:
            return attempt.stop_reason, None
        if error is not None:
            # The agent's code raised: its failure. Its message may hold anything of the worker's
            # (paths, values), so only the type is public; the traceback goes to this log.
            log.warning("inspect agent %s raised", self.settings.agent, exc_info=error)
            ctx.transcript.add(
                "error",
                message=f"the agent raised {type(error).__name__}; details are in the worker's log",
            )
            return StopReason.AGENT_ERROR, None
        if output is None:
            # Cancelled before it returned, with no reason of ours: treat as the agent's failure.
            ctx.transcript.add("error", message="the agent stopped without an answer")
            return StopReason.AGENT_ERROR, None
        if attempt.context_exceeded:
            ctx.transcript.add("error", message="the conversation outgrew the model's context window")
            return StopReason.AGENT_ERROR, None
        submit_answer(ctx, output)
        return StopReason.SUBMITTED, output


def _option(settings: dict[str, Any], key: str) -> Any:
    """A setting of the agent's, or else of its `scaffold_options`."""
    if settings.get(key) is not None:
        return settings[key]
    options = settings.get("scaffold_options")
    return options.get(key) if isinstance(options, dict) else None


def _check_import(path: Any, kind: ImportKind) -> None:
    problem = inspect_import_problem(path, kind, get_settings())
    if problem is not None:
        raise ValueError(problem)


def _tool_setting(value: Any) -> ToolSetting:
    """A tool given as `module:name` or as `{"tool": "module:name", "args": {...}}`."""
    path: Any
    args: Any
    if isinstance(value, str):
        path, args = value, {}
    elif isinstance(value, dict) and set(value) <= {"tool", "args"}:
        path, args = value.get("tool"), value.get("args") or {}
    else:
        raise ValueError('each tool is "module:name" or {"tool": "module:name", "args": {...}}')
    _check_import(path, "tool")
    if not isinstance(args, dict):
        raise ValueError(f"the args of tool {path} must be an object of keyword arguments")
    return ToolSetting(path=path, args=dict(args))


def _imported(path: str) -> Callable[..., Any]:
    module_name, _, attribute = path.partition(":")
    try:
        found = getattr(importlib.import_module(module_name), attribute)
    except ImportError as exc:
        raise ValueError(f"cannot import {path}: {exc} (is its package installed on the worker?)") from None
    except AttributeError:
        raise ValueError(f"cannot import {path}: {module_name} has no {attribute}") from None
    if not callable(found):
        raise ValueError(f"{path} is not callable")
    return found  # type: ignore[no-any-return]


def _made(path: str, factory: Callable[..., Any], args: dict[str, Any], kind: str) -> Any:
    try:
        return factory(**args)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"the inspect {kind} {path} refused its arguments: {exc}") from None


def _react_args(args: dict[str, Any]) -> dict[str, Any]:
    """react()'s arguments from JSON: `submit` and `prompt` objects become Inspect's types, and
    the answer alone is submitted unless `submit` says otherwise (as Horizon's react submits)."""
    if args.get("attempts", 1) != 1:
        raise ValueError("react's attempts must be 1: Horizon scores the attempt once, after it ends")
    made = dict(args)
    made.setdefault("submit", {})
    for key, kind in _REACT_OBJECTS.items():
        value = made.get(key)
        if isinstance(value, dict):
            unknown = sorted(set(value) - set(_REACT_OBJECT_FIELDS[key]))
            if unknown:
                raise ValueError(
                    f"react's {key} takes {', '.join(_REACT_OBJECT_FIELDS[key])}, not {unknown[0]!r}"
                )
            if key == "submit":
                value = {"answer_only": True, **value}
            made[key] = kind(**value)
    return made
