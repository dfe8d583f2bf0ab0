"""The `terminal` scaffold: `react` made fit for hour-long tasks (docs/agents.md, "The terminal scaffold").

It is the react loop (limits, nudges, transcript, submit: `workers/scaffolds/react.py`) with:

* a persistent shell (`ShellSession`): `cd`, variables, functions, aliases and background
  processes last from one `bash` call to the next; each call has its own timeout;
* `read_file` and `write_file` tools, as text or base64, so binary files go in and out intact;
* parallel tool calls: every call of a reply is answered, and consecutive `read_file` calls run at
  once (reads change nothing, so their order cannot matter); `bash` and `write_file` run one after
  another in the order given, since each may depend on what the one before did;
* `context_strategy: "compact"` (the default): when the conversation nears the context window, the
  model summarises the older turns and the summary replaces them (`compaction` event); the
  system prompt, the task and the latest turns stay as they were. Trimming stays as the backstop.
"""

from __future__ import annotations

import base64
import binascii
import shlex
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, fields
from typing import Any

from workers.providers.base import ContextWindowExceeded, Message, ToolCall, ToolSpec
from workers.sandbox.base import ExecResult
from workers.scaffolds.base import ScaffoldContext, ScaffoldResult, output_token_budget
from workers.scaffolds.react import (
    BASH_TOOL,
    SUBMIT_TOOL,
    ReactScaffold,
    ReactSettings,
    TokenEstimator,
    _Attempt,
)
from workers.scaffolds.shell_session import CommandTooLong, ShellSession
from workers.transcript import truncate

SYSTEM_PROMPT = """\
You are an autonomous agent working on a task inside a Linux sandbox with no internet access.
Tools:
- `bash` runs a command in a persistent bash session: the current directory, variables,
  functions and aliases carry over to the next call, and background jobs (`cmd > log 2>&1 &`)
  keep running. Each call has a time limit; a command that passes it is killed and the session
  goes on as it was before that command. Standard input is empty, so avoid interactive programs.
- `read_file` and `write_file` read and write files (text, or base64 for binary data). Relative
  paths start from the task's working directory, not from the shell's current directory.
- You may call several tools in one reply: consecutive `read_file` calls run at the same time;
  other calls run one after another in the order you give them.
When you have finished, call `submit` with your final answer (use an empty string if the task
only asks you to produce files). You must call a tool in every reply."""

COMPACT_PROMPT = """\
The conversation is about to outgrow the context window, so the turns above will be replaced by \
your summary of them. Do not call any tool now. Write a summary that lets you carry on the task \
without them: what the task needs, what you have done and found (files, commands, results, \
errors), what is left to do and what you planned next. Be specific: paths, names, numbers."""
SUMMARY_HEADER = "[Summary of the earlier turns, written by you when the context window filled up]\n"

# Bytes one read_file call returns at most: its base64 (4/3 as long) stays within what one exec's
# output keeps whole, whatever the output limit.
READ_MAX_BYTES = 60_000
# Bytes one write_file call takes at most (after base64 decoding).
WRITE_MAX_BYTES = 10 * 1024 * 1024
# Seconds a file transfer may take.
FILE_TIMEOUT_S = 120.0
# read_file exits with this when the path is not a readable regular file.
_NOT_A_FILE = 44
# How many reads run at once.
_PARALLEL_READS = 8
# Compact once the estimate passes this fraction of the budget, keeping the latest turns up to
# the second fraction: room for several more turns before the next compaction.
_COMPACT_AT = 0.8
_COMPACT_KEEP = 0.25
CONTEXT_STRATEGIES = ("compact", "trim")

READ_FILE_TOOL = ToolSpec(
    name="read_file",
    description=(
        f"Read a file from the sandbox, at most {READ_MAX_BYTES} bytes a call (fewer when the output "
        "limit is lower); use `offset` to read further. encoding `text` (default) decodes UTF-8, "
        "`base64` returns the exact bytes."
    ),
    parameters={
        "type": "object",
        "properties": {
            "path": {"type": "string", "description": "Path, absolute or relative to the working directory."},
            "offset": {"type": "integer", "description": "Byte to start at (default 0)."},
            "encoding": {"type": "string", "enum": ["text", "base64"]},
        },
        "required": ["path"],
    },
)
WRITE_FILE_TOOL = ToolSpec(
    name="write_file",
    description=(
        "Write a file in the sandbox (parent folders are made; an existing file is replaced). "
        "encoding `text` (default) writes `content` as UTF-8, `base64` writes the bytes it encodes."
    ),
    parameters={
        "type": "object",
        "properties": {
            "path": {"type": "string", "description": "Path, absolute or relative to the working directory."},
            "content": {"type": "string"},
            "encoding": {"type": "string", "enum": ["text", "base64"]},
        },
        "required": ["path", "content"],
    },
)
TERMINAL_TOOLS = [BASH_TOOL, READ_FILE_TOOL, WRITE_FILE_TOOL, SUBMIT_TOOL]


@dataclass(frozen=True)
class TerminalSettings(ReactSettings):
    """React's settings with this scaffold's prompt and `context_strategy`."""

    system_prompt: str = SYSTEM_PROMPT
    context_strategy: str = "compact"

    @classmethod
    def from_dict(cls, settings: dict[str, Any]) -> TerminalSettings:
        """React's keys (checked there) plus `context_strategy`."""
        base = ReactSettings.from_dict(settings)
        values = {f.name: getattr(base, f.name) for f in fields(ReactSettings)}
        if "system_prompt" not in settings or settings["system_prompt"] is None:
            values["system_prompt"] = SYSTEM_PROMPT
        strategy = settings.get("context_strategy")
        if strategy is not None:
            if strategy not in CONTEXT_STRATEGIES:
                raise ValueError(
                    f"terminal setting 'context_strategy' must be one of {', '.join(CONTEXT_STRATEGIES)}, "
                    f"got {strategy!r}"
                )
            values["context_strategy"] = strategy
        return cls(**values)


@dataclass
class _RunState:
    """What one run of the scaffold keeps besides react's totals."""

    shell: ShellSession
    # Results of reads that ran ahead, at once, keyed by the id() of their ToolCall.
    prefetched: dict[int, tuple[str, dict[str, Any]]] = field(default_factory=dict)
    uploads: int = 0


class TerminalScaffold(ReactScaffold):
    """A persistent-shell agent with file tools, parallel reads and compaction (module docstring)."""

    name = "terminal"
    tools = TERMINAL_TOOLS
    settings: TerminalSettings

    def __init__(self, settings: dict[str, Any] | None = None) -> None:
        self.settings = TerminalSettings.from_dict(settings or {})
        # One entry per run in progress (an instance may serve several at once), by context id.
        self._runs: dict[int, _RunState] = {}

    def run(self, ctx: ScaffoldContext) -> ScaffoldResult:
        """React's loop, with a shell session that lasts for the whole attempt."""
        self._runs[id(ctx)] = _RunState(shell=ShellSession(ctx.sandbox))
        try:
            return super().run(ctx)
        finally:
            del self._runs[id(ctx)]

    # -- tools ----------------------------------------------------------------------------------

    def _exec(self, ctx: ScaffoldContext, command: str, timeout_s: float) -> ExecResult:
        try:
            return self._runs[id(ctx)].shell.run(command, timeout_s)
        except CommandTooLong as exc:
            return ExecResult(
                exit_code=-1, stdout="", stderr=f"Error: {exc}", timed_out=False, duration_s=0.0
            )

    def _handle_calls(self, ctx: ScaffoldContext, attempt: _Attempt, calls: list[ToolCall]) -> list[Message]:
        """Answer the calls in order; each run of consecutive reads is done at once first."""
        state = self._runs[id(ctx)]
        answers = []
        for i, call in enumerate(calls):
            if _is_read(call) and id(call) not in state.prefetched:
                group = [call]
                for later in calls[i + 1 :]:
                    if not _is_read(later):
                        break
                    group.append(later)
                if len(group) > 1:
                    self._read_at_once(ctx, state, group)
            answers.append(self._handle_call(ctx, attempt, call))
            ctx.heartbeat()
        return answers

    def _read_at_once(self, ctx: ScaffoldContext, state: _RunState, calls: list[ToolCall]) -> None:
        with ThreadPoolExecutor(max_workers=min(_PARALLEL_READS, len(calls))) as pool:
            results = list(pool.map(lambda c: self._read_file(ctx, c.arguments), calls))
        for call, (output, info) in zip(calls, results, strict=True):
            state.prefetched[id(call)] = (output, {**info, "parallel": True})

    def _run_tool(
        self, ctx: ScaffoldContext, attempt: _Attempt, call: ToolCall
    ) -> tuple[str, dict[str, Any]]:
        if call.name == "read_file":
            ready = self._runs[id(ctx)].prefetched.pop(id(call), None)
            return ready if ready is not None else self._read_file(ctx, call.arguments)
        if call.name == "write_file":
            return self._write_file(ctx, call.arguments)
        return super()._run_tool(ctx, attempt, call)

    def _read_file(self, ctx: ScaffoldContext, args: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        started = time.monotonic()
        path, offset, encoding = args.get("path"), args.get("offset", 0), args.get("encoding", "text")
        problem = _path_problem(path) or _encoding_problem(encoding)
        if offset is None:
            offset = 0
        if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
            problem = problem or "`offset` must be a whole number of bytes, 0 or more"
        if problem:
            return f"Error: {problem}.", {}
        assert isinstance(path, str)
        limit = self.settings.max_tool_output_chars
        # Room for the header line; base64 takes 4 characters for 3 bytes.
        room = max(1, limit - 200)
        count = min(READ_MAX_BYTES, room if encoding == "text" else room * 3 // 4)
        script = (
            f'if [ ! -f "$1" ] || [ ! -r "$1" ]; then exit {_NOT_A_FILE}; fi; '
            'stat -c %s -- "$1" && tail -c +"$(($2 + 1))" -- "$1" | head -c "$3" | base64 -w0'
        )
        command = f"sh -c {shlex.quote(script)} read_file {shlex.quote(path)} {offset} {count}"
        result = ctx.sandbox.exec(command, timeout_s=FILE_TIMEOUT_S)
        info: dict[str, Any] = {"path": path, "command_duration_s": round(time.monotonic() - started, 3)}
        if result.exit_code == _NOT_A_FILE:
            return f"Error: {path} is not a file that can be read.", info
        size_line, _, encoded = result.stdout.partition("\n")
        if result.exit_code != 0 or result.timed_out or not size_line.strip().isdigit():
            return f"Error: reading {path} failed: {result.stderr.strip()[:500]}", info
        data = base64.b64decode(encoded.strip())
        size = int(size_line)
        end = offset + len(data)
        info.update(size_bytes=size, bytes_read=len(data))
        header = f"{path}: {size} bytes; bytes {offset}..{end}" + (
            f" shown; {size - end} more: call read_file with offset={end}" if end < size else " shown"
        )
        if encoding == "base64":
            return f"{header} (base64)\n{base64.b64encode(data).decode()}", info
        text = data.decode("utf-8", errors="replace")
        if "\ufffd" in text or "\0" in text:
            header += " (not valid UTF-8 text: read it with encoding base64 for the exact bytes)"
        output, _, _ = truncate(f"{header}\n{text}", limit)
        return output, info

    def _write_file(self, ctx: ScaffoldContext, args: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        path, content, encoding = args.get("path"), args.get("content"), args.get("encoding", "text")
        problem = _path_problem(path) or _encoding_problem(encoding)
        if not isinstance(content, str):
            problem = problem or "`content` must be a string"
        if problem:
            return f"Error: {problem}.", {}
        assert isinstance(path, str) and isinstance(content, str)
        if encoding == "base64":
            try:
                data = base64.b64decode(content, validate=True)
            except (binascii.Error, ValueError):
                return "Error: `content` is not valid base64.", {}
        else:
            data = content.encode()
        if len(data) > WRITE_MAX_BYTES:
            return f"Error: {len(data)} bytes is more than one write_file call takes ({WRITE_MAX_BYTES}).", {}
        state = self._runs[id(ctx)]
        state.uploads += 1
        staged = f"upload.{state.uploads}"
        # Staged by the sandbox, then copied into place by a command of the agent's own user, so
        # that the agent can write only where its commands could (never the scorer's files).
        ctx.sandbox.put_files({staged: data}, state.shell.state_dir)
        script = 'mkdir -p -- "$(dirname -- "$2")" && cat -- "$1" > "$2"; s=$?; rm -f -- "$1"; exit $s'
        source = shlex.quote(f"{state.shell.state_dir}/{staged}")
        result = ctx.sandbox.exec(
            f"sh -c {shlex.quote(script)} write_file {source} {shlex.quote(path)}", timeout_s=FILE_TIMEOUT_S
        )
        info = {"path": path, "bytes_written": len(data) if result.exit_code == 0 else 0}
        if result.exit_code != 0 or result.timed_out:
            return f"Error: writing {path} failed: {result.stderr.strip()[:500]}", info
        return f"Wrote {len(data)} bytes to {path}.", info

    # -- context --------------------------------------------------------------------------------

    def _fit_context(
        self,
        ctx: ScaffoldContext,
        attempt: _Attempt,
        messages: list[Message],
        estimator: TokenEstimator,
        budget: int,
    ) -> None:
        if self.settings.context_strategy == "compact" and estimator.tokens(messages, self.tools) > (
            budget * _COMPACT_AT
        ):
            self._compact(ctx, attempt, messages, estimator, budget)
        # Trimming stays as the backstop: when compaction failed or the kept turns alone are large.
        super()._fit_context(ctx, attempt, messages, estimator, budget)

    def _compact(
        self,
        ctx: ScaffoldContext,
        attempt: _Attempt,
        messages: list[Message],
        estimator: TokenEstimator,
        budget: int,
    ) -> None:
        """Replace the older turns by the model's summary of them (see the module docstring)."""
        model = ctx.model
        assert model is not None
        cut = _compaction_cut(messages, estimator, int(budget * _COMPACT_KEEP))
        if cut is None:
            return
        before = estimator.tokens(messages, self.tools)
        # The same system prompt, tools and prefix as the last call (the provider's cache serves
        # it); the request ends before the kept turns, so an assistant turn and its tool results
        # are never parted, and thinking blocks travel with their messages unchanged.
        request = [*messages[:cut], Message(role="user", content=COMPACT_PROMPT)]
        max_tokens = output_token_budget(model, self.settings.max_output_tokens, ctx.limits, attempt.tokens)
        ctx.heartbeat()
        try:
            completion = model.complete(request, self.tools, max_tokens, self.settings.call_options)
        except ContextWindowExceeded as exc:
            ctx.transcript.add("compaction_failed", reason=f"the summary request did not fit: {exc}")
            return
        usage = completion.usage
        attempt.input_tokens += usage.input_tokens
        attempt.output_tokens += usage.output_tokens
        attempt.cost_usd += usage.cost_usd
        if usage.input_tokens:
            estimator.calibrate(request, self.tools, usage.input_tokens)
        summary = completion.message.content.strip()
        usage_fields = {
            "input_tokens": usage.input_tokens,
            "output_tokens": usage.output_tokens,
            "cost_usd": usage.cost_usd,
            "duration_s": round(completion.duration_s, 3),
            "served_model": completion.served_model,
        }
        if not summary:
            ctx.transcript.add("compaction_failed", reason="the model wrote no summary", **usage_fields)
            return
        summary, _, _ = truncate(summary, max(1000, int(budget * _COMPACT_KEEP * estimator.chars_per_token)))
        removed = messages[2:cut]
        messages[2:cut] = [Message(role="user", content=SUMMARY_HEADER + summary)]
        ctx.transcript.add(
            "compaction",
            estimated_tokens_before=before,
            estimated_tokens_after=estimator.tokens(messages, self.tools),
            budget_tokens=budget,
            messages_removed=len(removed),
            turns_removed=sum(1 for m in removed if m.role == "assistant"),
            summary=summary,
            **usage_fields,
        )


def _compaction_cut(messages: list[Message], estimator: TokenEstimator, keep_tokens: int) -> int | None:
    """Index of the assistant message where the kept turns start: the latest turns that fit in
    `keep_tokens` (the last one always), or None when no older turn is left to summarise."""
    assistants = [i for i, m in enumerate(messages) if i >= 2 and m.role == "assistant"]
    if len(assistants) < 2:
        return None
    cut = assistants[-1]
    for i in reversed(assistants[1:-1]):
        if estimator.tokens(messages[i:], []) > keep_tokens:
            break
        cut = i
    return cut


def _is_read(call: ToolCall) -> bool:
    return call.name == "read_file" and call.arguments_error is None


def _path_problem(path: Any) -> str | None:
    if not isinstance(path, str) or not path.strip():
        return "`path` must be a non-empty string"
    if "\0" in path or len(path) > 4096:
        return "`path` must be at most 4096 characters, without NUL bytes"
    return None


def _encoding_problem(encoding: Any) -> str | None:
    if encoding not in ("text", "base64"):
        return "`encoding` must be `text` or `base64`"
    return None
