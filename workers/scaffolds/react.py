"""The `react` scaffold: a tool-calling loop with a `bash` tool and a `submit` tool.

How it works
------------
The model sees a system prompt, the task's instructions and two tools. Each turn it is called
once; every `bash` call runs in the sandbox (`sandbox.exec(command, timeout_s=...)`) and its exit
code and output (head and tail kept when long) go back as the tool's result. `submit(answer)`
writes the answer to `{sandbox.workdir}/submission.txt`, where scorers read it, and ends the
attempt with `StopReason.SUBMITTED`. The loop also ends when a limit in `AgentLimits` is reached:
input+output tokens (`token_limit`), working time of the attempt (`time_limit_s`, on `ctx.clock`:
provider waits left out; its wall-clock cap raises ProviderOutage), dollars
(`cost_limit_usd`) or tool calls (`action_limit`; every call but `submit` counts, malformed ones
included). A reply without a tool call gets a reminder; after `max_nudges` reminders the next one
ends the attempt with `agent_error`. A malformed tool call gets an error as its tool result and the
loop goes on. The conversation is kept under the model's context window: tokens are estimated
(calibrated against the usage the server reports) and the oldest command outputs are blanked, then
the oldest turns dropped; the system prompt and the task message are always kept. If the server
still rejects the prompt as too long after a few ever smaller budgets, the attempt ends with
`agent_error` (totals kept).

Transcript events (`ctx.transcript.add(kind, ...)`): `message` (system prompt and task), `model`
(each reply: content, tool_calls, input_tokens, output_tokens, cost_usd, duration_s,
finish_reason, the requested `model` and the `served_model` the endpoint named, and the parts of
the token counts: uncached_input_tokens, cache_read_input_tokens, cache_creation_input_tokens,
reasoning_tokens; and the `thinking` the provider showed), `tool_call`, `tool_output` (output as
the model saw it, exit_code, timed_out, duration_s), `nudge`, `context_trimmed`,
`context_exceeded`, `submission`, `error` and a final `stop` with the totals. Assistant messages
stay in the conversation as the client returned them, with their opaque `provider_blocks`
(thinking and its signature), so the model gets its reasoning back with each turn.

Settings (the agent's settings dict, checked when the agent is made: core/schemas.py
AgentSettings; limits live there too): `system_prompt`, `max_output_tokens` (per call; default:
the model's), `max_tool_output_chars` (8000), `max_nudges` (3), `max_turns` (500, a safety stop
when no limit is set), `context_margin_tokens` (256), and what goes with every model call
(`CallOptions`; each sent only to models that take it): `temperature`, `seed`,
`reasoning_effort`, `thinking_budget_tokens`.

Writing your own scaffold
-------------------------
A scaffold is any class with a `name` and a `run(ctx: ScaffoldContext) -> ScaffoldResult` method
(the `Scaffold` protocol in `workers/scaffolds/base.py`); its constructor takes the agent's
settings dict. `ctx` gives you the task's `instructions`, the `sandbox` (`exec`, `put_files`,
`read_file`; see `workers/sandbox/base.py`), the `model` (a `ModelClient`:
`complete(messages, tools, max_tokens)` returns a `Completion` with `usage` tokens and dollars), the
`limits`, a `transcript` (`add(kind, **data)`) and `heartbeat`. Rules a scaffold must keep:

* call `ctx.heartbeat()` often (at least once a turn): it raises when the run is cancelled;
* end with one of the `STOP_*` reasons and report totals in `ScaffoldResult`; write the answer to
  `{workdir}/submission.txt` if the task's scorer reads one;
* let `ProviderError`/`ProviderOutage` and `SandboxError` propagate: they are infrastructure
  failures that the worker retries, never the agent's fault;
* record what the model saw and did in the transcript (never API keys).

Then make it reachable by name: `register_scaffold("mine", MyScaffold)` from
`workers/scaffolds/registry.py`, or give the agent the scaffold name `package.module:MyScaffold`.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from core.states import StopReason
from workers.providers.base import (
    CallOptions,
    Completion,
    ContextWindowExceeded,
    Message,
    ModelClient,
    ToolCall,
    ToolSpec,
)
from workers.sandbox.base import ExecResult
from workers.scaffolds.base import (
    ScaffoldContext,
    ScaffoldResult,
    limit_reached,
    output_token_budget,
    submit_answer,
)
from workers.transcript import call_record, model_event, truncate

DEFAULT_SYSTEM_PROMPT = """\
You are an autonomous agent working on a task inside a Linux sandbox with no internet access.
Use the `bash` tool to run shell commands: inspect files, write code, run tests. Each call runs in
a fresh shell in the working directory, so chain commands with `&&` or write scripts to files.
When you have finished, call the `submit` tool with your final answer (use an empty string if the
task only asks you to produce files). You must call a tool in every reply."""

NUDGE_MESSAGE = (
    "You replied without calling a tool. Use the `bash` tool to work on the task, and call "
    "`submit` with your final answer when you are done."
)
BLANKED_OUTPUT = "[output removed to keep the conversation within the context window]"

BASH_TOOL = ToolSpec(
    name="bash",
    description="Run a shell command in the sandbox's working directory and return its exit code and output.",
    parameters={
        "type": "object",
        "properties": {"command": {"type": "string", "description": "The shell command to run."}},
        "required": ["command"],
    },
)
SUBMIT_TOOL = ToolSpec(
    name="submit",
    description="Submit your final answer and end the task.",
    parameters={
        "type": "object",
        "properties": {"answer": {"type": "string", "description": "The final answer."}},
        "required": ["answer"],
    },
)
TOOLS = [BASH_TOOL, SUBMIT_TOOL]
# Per-message overhead of chat formats (role markers, separators), in tokens.
_MESSAGE_OVERHEAD_TOKENS = 6
_CONTEXT_RETRIES = 3
# When the prompt outgrows its budget, trim it to this fraction of the budget.
_TRIM_TARGET = 0.7


@dataclass(frozen=True)
class ReactSettings:
    """The scaffold's own settings, read from the agent's settings dict."""

    system_prompt: str = DEFAULT_SYSTEM_PROMPT
    max_output_tokens: int | None = None
    max_tool_output_chars: int = 8000
    max_nudges: int = 3
    max_turns: int = 500
    context_margin_tokens: int = 256
    call_options: CallOptions = field(default_factory=CallOptions)

    @classmethod
    def from_dict(cls, settings: dict[str, Any]) -> ReactSettings:
        """Pick this scaffold's keys out of `settings`, checking their types."""
        kwargs: dict[str, Any] = {}
        for name, kind in (
            ("system_prompt", str),
            ("max_output_tokens", int),
            ("max_tool_output_chars", int),
            ("max_nudges", int),
            ("max_turns", int),
            ("context_margin_tokens", int),
        ):
            value = settings.get(name)
            if value is None:
                continue
            if not isinstance(value, kind) or isinstance(value, bool):
                raise ValueError(f"react setting {name!r} must be {kind.__name__}, got {value!r}")
            if isinstance(value, int) and value < 0:
                raise ValueError(f"react setting {name!r} must not be negative, got {value}")
            kwargs[name] = value
        return cls(**kwargs, call_options=call_options(settings))


@dataclass
class _Attempt:
    """Running totals of one attempt."""

    started: float = field(default_factory=time.monotonic)
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    actions: int = 0
    nudges: int = 0
    turns: int = 0

    @property
    def tokens(self) -> int:
        return self.input_tokens + self.output_tokens

    def elapsed_s(self) -> float:
        return time.monotonic() - self.started


class _StopAttempt(Exception):
    def __init__(self, reason: StopReason, submission: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.submission = submission


class TokenEstimator:
    """Estimates prompt tokens from characters, calibrated by the usage servers report."""

    def __init__(self, chars_per_token: float = 3.0) -> None:
        # Start low (i.e. pessimistic): overestimating tokens only trims a little early.
        self.chars_per_token = chars_per_token

    @staticmethod
    def chars(messages: list[Message], tools: list[ToolSpec]) -> int:
        """Characters a prompt puts on the wire that count towards its tokens."""
        total = sum(len(json.dumps(t.parameters)) + len(t.description) + len(t.name) for t in tools)
        for m in messages:
            total += len(m.content)
            total += sum(len(c.name) + len(json.dumps(c.arguments)) for c in m.tool_calls)
        return total

    def tokens(self, messages: list[Message], tools: list[ToolSpec]) -> int:
        """Estimated prompt tokens of `messages` with `tools`."""
        return int(self.chars(messages, tools) / self.chars_per_token) + _MESSAGE_OVERHEAD_TOKENS * len(
            messages
        )

    def calibrate(self, messages: list[Message], tools: list[ToolSpec], input_tokens: int) -> None:
        """Adjust the ratio from a prompt whose real token count is known."""
        overhead = _MESSAGE_OVERHEAD_TOKENS * len(messages)
        if input_tokens <= overhead:
            return
        ratio = self.chars(messages, tools) / (input_tokens - overhead)
        # Clamp: a tokenizer outside 1.5..6 characters a token means the estimate was odd, not the text.
        self.chars_per_token = min(6.0, max(1.5, ratio))


class ReactScaffold:
    """A bash + submit tool-calling agent (see the module docstring)."""

    name = "react"
    # The tools offered to the model (a scaffold built on this one offers its own).
    tools: list[ToolSpec] = TOOLS

    def __init__(self, settings: dict[str, Any] | None = None) -> None:
        self.settings = ReactSettings.from_dict(settings or {})

    def run(self, ctx: ScaffoldContext) -> ScaffoldResult:
        """Act on the task until submit or a limit; return the stop reason and totals."""
        if ctx.model is None:
            raise ValueError("the react scaffold needs a model client")
        model = ctx.model
        attempt = _Attempt()
        estimator = TokenEstimator()
        messages = [
            Message(role="system", content=self.settings.system_prompt),
            Message(role="user", content=ctx.instructions),
        ]
        for m in messages:
            ctx.transcript.add("message", role=m.role, content=m.content)
        try:
            while True:
                ctx.heartbeat()
                self._check_limits(ctx, attempt)
                if attempt.turns >= self.settings.max_turns:
                    ctx.transcript.add("error", message=f"reached max_turns={self.settings.max_turns}")
                    raise _StopAttempt(StopReason.AGENT_ERROR)
                attempt.turns += 1
                completion = self._call_model(ctx, model, messages, estimator, attempt)
                messages.append(completion.message)
                if not completion.message.tool_calls:
                    self._nudge(ctx, attempt, messages)
                    continue
                messages.extend(self._handle_calls(ctx, attempt, completion.message.tool_calls))
        except _StopAttempt as stop:
            ctx.transcript.add(
                "stop",
                reason=stop.reason,
                input_tokens=attempt.input_tokens,
                output_tokens=attempt.output_tokens,
                cost_usd=attempt.cost_usd,
                actions=attempt.actions,
                turns=attempt.turns,
                elapsed_s=round(attempt.elapsed_s(), 3),
            )
            return ScaffoldResult(
                stop_reason=stop.reason,
                submission=stop.submission,
                input_tokens=attempt.input_tokens,
                output_tokens=attempt.output_tokens,
                cost_usd=attempt.cost_usd,
                actions=attempt.actions,
            )

    # -- limits ---------------------------------------------------------------------------------

    @staticmethod
    def _check_limits(ctx: ScaffoldContext, attempt: _Attempt) -> None:
        reason = limit_reached(ctx, attempt.tokens, attempt.cost_usd)
        if reason is not None:
            raise _StopAttempt(reason)

    # -- model calls and context ----------------------------------------------------------------

    def _call_model(
        self,
        ctx: ScaffoldContext,
        model: ModelClient,
        messages: list[Message],
        estimator: TokenEstimator,
        attempt: _Attempt,
    ) -> Completion:
        max_tokens = output_token_budget(model, self.settings.max_output_tokens, ctx.limits, attempt.tokens)
        budget = model.context_window - max_tokens - self.settings.context_margin_tokens
        for retry in range(_CONTEXT_RETRIES + 1):
            self._fit_context(ctx, attempt, messages, estimator, budget)
            try:
                completion = model.complete(
                    list(messages), self.tools, max_tokens, self.settings.call_options
                )
            except ContextWindowExceeded as exc:
                if retry == _CONTEXT_RETRIES:
                    # Even the task with the latest turn does not fit: the attempt cannot go on.
                    ctx.transcript.add("error", message=f"context window exceeded after trimming: {exc}")
                    raise _StopAttempt(StopReason.AGENT_ERROR) from exc
                # Our estimate was too low for this tokenizer: shrink the budget and trim again.
                budget = int(budget * 0.7)
                ctx.transcript.add("context_exceeded", message=str(exc), new_budget_tokens=budget)
                continue
            break
        usage = completion.usage
        attempt.input_tokens += usage.input_tokens
        attempt.output_tokens += usage.output_tokens
        attempt.cost_usd += usage.cost_usd
        if usage.input_tokens:
            estimator.calibrate(messages, self.tools, usage.input_tokens)
        ctx.transcript.add("model", **model_event(completion, model.model_name))
        return completion

    def _fit_context(
        self,
        ctx: ScaffoldContext,
        attempt: _Attempt,
        messages: list[Message],
        estimator: TokenEstimator,
        budget: int,
    ) -> None:
        """Trim `messages` in place until the estimate fits `budget` (system + task always kept)."""
        before = estimator.tokens(messages, self.tools)
        if before <= budget:
            return
        # Trim well below the budget, not just under it: trimming changes the prompt's prefix, which
        # defeats the server's prompt cache, so it should happen every few turns, not every turn.
        target = int(budget * _TRIM_TARGET)
        blanked = dropped = 0
        # 1. Blank old tool outputs, oldest first, keeping the latest turn's outputs.
        last_assistant = max(i for i, m in enumerate(messages) if i < 2 or m.role == "assistant")
        for i in range(2, last_assistant):
            m = messages[i]
            if m.role == "tool" and len(m.content) > len(BLANKED_OUTPUT):
                messages[i] = Message(role="tool", content=BLANKED_OUTPUT, tool_call_id=m.tool_call_id)
                blanked += 1
                if estimator.tokens(messages, self.tools) <= target:
                    break
        # 2. Drop whole old turns (an assistant message with its tool results, and nudges).
        while estimator.tokens(messages, self.tools) > target:
            turn_end = _end_of_first_turn(messages)
            if turn_end is None:
                break
            dropped += turn_end - 2
            del messages[2:turn_end]
        if dropped:
            note = f"[{dropped} earlier messages were removed to keep within the context window]"
            messages.insert(2, Message(role="user", content=note))
        # 3. Last resort: shorten the remaining tool outputs (the latest turn's).
        if estimator.tokens(messages, self.tools) > budget:
            excess_chars = int((estimator.tokens(messages, self.tools) - budget) * estimator.chars_per_token)
            for i in range(2, len(messages)):
                m = messages[i]
                if m.role == "tool" and excess_chars > 0:
                    keep = max(200, len(m.content) - excess_chars)
                    short, _, _ = truncate(m.content, keep)
                    excess_chars -= len(m.content) - len(short)
                    messages[i] = Message(role="tool", content=short, tool_call_id=m.tool_call_id)
        ctx.transcript.add(
            "context_trimmed",
            estimated_tokens_before=before,
            estimated_tokens_after=estimator.tokens(messages, self.tools),
            budget_tokens=budget,
            outputs_blanked=blanked,
            messages_dropped=dropped,
        )

    # -- tools ----------------------------------------------------------------------------------

    def _nudge(self, ctx: ScaffoldContext, attempt: _Attempt, messages: list[Message]) -> None:
        if attempt.nudges >= self.settings.max_nudges:
            ctx.transcript.add("error", message="the model kept answering without calling a tool")
            raise _StopAttempt(StopReason.AGENT_ERROR)
        attempt.nudges += 1
        messages.append(Message(role="user", content=NUDGE_MESSAGE))
        ctx.transcript.add("nudge", role="user", content=NUDGE_MESSAGE, count=attempt.nudges)

    def _handle_calls(self, ctx: ScaffoldContext, attempt: _Attempt, calls: list[ToolCall]) -> list[Message]:
        """Answer every call of one reply, in order: each call id gets its tool message."""
        answers = []
        for call in calls:
            answers.append(self._handle_call(ctx, attempt, call))
            ctx.heartbeat()
        return answers

    def _handle_call(self, ctx: ScaffoldContext, attempt: _Attempt, call: ToolCall) -> Message:
        """Run one tool call and return the tool message answering it (or stop the attempt)."""
        ctx.transcript.add("tool_call", **call_record(call))
        if call.name == "submit" and call.arguments_error is None:
            answer = call.arguments.get("answer")
            if answer is not None:
                attempt.actions += 1
                self._submit(ctx, answer if isinstance(answer, str) else json.dumps(answer))
        limit = ctx.limits.action_limit
        if limit is not None and attempt.actions >= limit:
            raise _StopAttempt(StopReason.ACTION_LIMIT)
        self._check_limits(ctx, attempt)
        attempt.actions += 1
        started = time.monotonic()
        if call.arguments_error is not None:
            output = (
                f"Error: the arguments of your `{call.name}` call could not be parsed: "
                f"{call.arguments_error}. Call the tool again with a JSON object matching its schema."
            )
            info: dict[str, Any] = {}
        else:
            output, info = self._run_tool(ctx, attempt, call)
        ctx.transcript.add(
            "tool_output",
            id=call.id,
            name=call.name,
            output=output,
            duration_s=round(time.monotonic() - started, 3),
            **info,
        )
        if ctx.clock.time_up(ctx.limits):
            raise _StopAttempt(StopReason.TIME_LIMIT)
        return Message(role="tool", content=output, tool_call_id=call.id)

    def _run_tool(
        self, ctx: ScaffoldContext, attempt: _Attempt, call: ToolCall
    ) -> tuple[str, dict[str, Any]]:
        """The output of one well-formed call other than a valid `submit`, and transcript fields."""
        if call.name == "bash":
            return self._bash(ctx, attempt, call.arguments.get("command"))
        if call.name == "submit":
            return "Error: `submit` needs an `answer` string argument.", {}
        names = " and ".join(f"`{t.name}`" for t in self.tools)
        return f"Error: there is no tool named {call.name!r}. The tools are {names}.", {}

    def _exec(self, ctx: ScaffoldContext, command: str, timeout_s: float) -> ExecResult:
        """Run one `bash` command (here: a fresh `sh -c` in the work directory)."""
        return ctx.sandbox.exec(command, timeout_s=timeout_s)

    def _bash(self, ctx: ScaffoldContext, attempt: _Attempt, command: Any) -> tuple[str, dict[str, Any]]:
        if not isinstance(command, str) or not command.strip():
            return "Error: `bash` needs a non-empty `command` string argument.", {}
        timeout = ctx.limits.command_timeout_s
        time_left = ctx.clock.time_left_s(ctx.limits)
        if time_left is not None:
            # A command may not outlive the attempt's time limit (nor its wall-clock cap).
            timeout = max(1.0, min(timeout, time_left))
        result = self._exec(ctx, command, timeout)
        parts = [f"exit code: {result.exit_code}"]
        if result.timed_out:
            parts.append(f"the command timed out after {timeout:g} s and was killed")
        for label, text, size in (
            ("stdout", result.stdout, result.stdout_bytes),
            ("stderr", result.stderr, result.stderr_bytes),
        ):
            if text:
                cut = f" (cut from {size} bytes)" if size > len(text.encode()) else ""
                parts.append(f"[{label}{cut}]\n{text.rstrip()}")
        output, _, _ = truncate("\n".join(parts), self.settings.max_tool_output_chars)
        info = {
            "exit_code": result.exit_code,
            "timed_out": result.timed_out,
            "command_duration_s": round(result.duration_s, 3),
        }
        return output, info

    @staticmethod
    def _submit(ctx: ScaffoldContext, answer: str) -> None:
        submit_answer(ctx, answer)
        raise _StopAttempt(StopReason.SUBMITTED, submission=answer)


def call_options(settings: dict[str, Any]) -> CallOptions:
    """The generation settings for every model call (checked at agent creation, and again here
    for rows stored before that)."""
    values: dict[str, Any] = {}
    for name, kinds in (
        ("temperature", (int, float)),
        ("seed", (int,)),
        ("reasoning_effort", (str,)),
        ("thinking_budget_tokens", (int,)),
    ):
        value = settings.get(name)
        if value is None:
            continue
        if not isinstance(value, kinds) or isinstance(value, bool):
            raise ValueError(f"react setting {name!r} has the wrong type: {value!r}")
        values[name] = float(value) if name == "temperature" else value
    for name in ("prompt_caching", "reasoning_summary"):
        flag = settings.get(name)
        if flag is not None:
            if not isinstance(flag, bool):
                raise ValueError(f"react setting {name!r} has the wrong type: {flag!r}")
            values[name] = flag
    return CallOptions(**values)


def _end_of_first_turn(messages: list[Message]) -> int | None:
    """Index just past the oldest droppable turn after the task message, or None if only the last
    assistant turn is left (it is never dropped: the model needs its latest results)."""
    assistants = [i for i, m in enumerate(messages) if i >= 2 and m.role == "assistant"]
    if len(assistants) < 2:
        return None
    return assistants[1]
