"""The terminal scaffold against scripted model servers: persistent shell, file tools, parallel
tool calls, output limits and compaction (Docker-backed tests are in test_terminal_docker.py)."""

from __future__ import annotations

import base64
import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from core.schemas import AgentCreate, AgentSettings
from core.states import StopReason
from tests.fakes.local_sandbox import LocalSandbox
from tests.fakes.scripted_anthropic import ScriptedAnthropicServer
from tests.fakes.scripted_openai import ScriptedModelServer
from workers.providers.config import ModelConfig
from workers.providers.factory import make_client
from workers.providers.transport import RetryPolicy
from workers.sandbox.base import ExecResult, Sandbox
from workers.scaffolds.base import AgentLimits, ScaffoldContext, ScaffoldResult
from workers.scaffolds.registry import get_scaffold
from workers.scaffolds.terminal import SUMMARY_HEADER, TerminalScaffold
from workers.transcript import Transcript

TASK = "Work in the sandbox, then submit."
SUMMARY = "SUMMARY: printed the alphabet block several times; next: submit done."
# Every compaction request ends with the summarisation prompt, which contains this text.
COMPACT_TRIGGER = "outgrow the context window"


def call(name: str, **arguments: Any) -> dict[str, Any]:
    return {"name": name, "arguments": arguments}


def step(*calls: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"tool_calls": list(calls), **extra}


def bash(command: str, **extra: Any) -> dict[str, Any]:
    return step(call("bash", command=command), **extra)


SUBMIT = step(call("submit", answer="done"))


class Run:
    """One terminal-scaffold run against the OpenAI-style scripted server."""

    def __init__(
        self,
        script: list[dict[str, Any]],
        sandbox: Sandbox,
        settings: dict[str, Any] | None = None,
        limits: AgentLimits | None = None,
        server_kwargs: dict[str, Any] | None = None,
        **cfg_kwargs: Any,
    ) -> None:
        self.transcript = Transcript()
        with ScriptedModelServer(script, **(server_kwargs or {})) as server:
            self.server = server
            cfg_kwargs.setdefault("context_window", 100_000)
            cfg = ModelConfig(name="scripted-model", base_url=server.base_url, **cfg_kwargs)
            ctx = ScaffoldContext(
                instructions=TASK,
                sandbox=sandbox,
                model=make_client(cfg, retry=RetryPolicy(max_attempts=2, base_delay_s=0.01)),
                limits=limits or AgentLimits(),
                transcript=self.transcript,
                solution=None,
                heartbeat=lambda: None,
            )
            self.result: ScaffoldResult = TerminalScaffold(settings or {}).run(ctx)

    @property
    def requests(self) -> list[dict[str, Any]]:
        return [r["body"] for r in self.server.completion_requests]

    def events(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.transcript.events if e["kind"] == kind]

    def tool_messages(self, request: int = -1) -> list[str]:
        return [m["content"] for m in self.requests[request]["messages"] if m["role"] == "tool"]


@pytest.fixture
def sandbox(tmp_path: Path) -> Any:
    box = LocalSandbox(tmp_path / "work")
    yield box
    box.kill_user_processes()
    box.close()


def assert_every_call_answered(messages: list[dict[str, Any]]) -> None:
    """Each assistant tool call is followed, before the next assistant turn, by its result."""
    for i, m in enumerate(messages):
        if m["role"] != "assistant" or not m.get("tool_calls"):
            continue
        wanted = [c["id"] for c in m["tool_calls"]]
        answered = []
        for later in messages[i + 1 :]:
            if later["role"] != "tool":
                break
            answered.append(later["tool_call_id"])
        assert answered == wanted


def test_shell_state_lasts_between_calls(sandbox: LocalSandbox) -> None:
    script = [
        bash("mkdir -p sub && cd sub && export GREETING=hi && n=3 && twice() { echo $1$1; }"),
        bash("pwd; echo $GREETING $n; twice ab; sh -c 'echo child sees $GREETING'"),
        SUBMIT,
    ]
    run = Run(script, sandbox)
    assert run.result.stop_reason == StopReason.SUBMITTED
    second = run.tool_messages()[1]
    assert f"{sandbox.workdir}/sub\nhi 3\nabab\nchild sees hi" in second
    assert {t["function"]["name"] for t in run.requests[0]["tools"]} == {
        "bash",
        "read_file",
        "write_file",
        "submit",
    }
    assert "persistent bash session" in run.requests[0]["messages"][0]["content"]


def test_a_timed_out_command_is_killed_and_the_session_goes_on(sandbox: LocalSandbox) -> None:
    script = [bash("cd / && export LOST=1 && echo before && sleep 30"), bash("pwd; echo lost=$LOST"), SUBMIT]
    started = time.monotonic()
    run = Run(script, sandbox, limits=AgentLimits(command_timeout_s=1.0))
    assert time.monotonic() - started < 20
    first, second = run.events("tool_output")[:2]
    assert first["timed_out"] is True and "timed out after 1 s" in first["output"]
    assert "before" in first["output"]  # what it printed before it was killed is still shown
    # The killed command's `cd` and `export` never happened: the state is the one from before.
    assert second["timed_out"] is False
    assert f"{sandbox.workdir}\nlost=" in second["output"]


class ConcurrencyProbe(LocalSandbox):
    """A LocalSandbox whose file reads take a while, counting how many run at once."""

    def __init__(self, workdir: Path) -> None:
        super().__init__(workdir)
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()

    def exec(self, command: str, timeout_s: float, user: str | None = None) -> ExecResult:
        reading = " read_file " in command
        if reading:
            with self._lock:
                self.in_flight += 1
                self.max_in_flight = max(self.max_in_flight, self.in_flight)
            time.sleep(0.3)
        try:
            return super().exec(command, timeout_s, user)
        finally:
            if reading:
                with self._lock:
                    self.in_flight -= 1


def test_parallel_tool_calls_are_all_answered_and_reads_run_at_once(tmp_path: Path) -> None:
    box = ConcurrencyProbe(tmp_path / "work")
    for name in "abc":
        (tmp_path / "work" / f"{name}.txt").write_text(f"content of {name}\n")
    calls = [
        call("read_file", path="a.txt"),
        call("read_file", path="b.txt"),
        call("read_file", path=f"{box.workdir}/c.txt"),
        call("bash", command="echo made > d.txt"),
        call("read_file", path="d.txt"),  # after the command that writes it: it sees the file
        call("write_file", path="e/f.txt", content="written\n"),
        call("read_file", path="e/f.txt"),
    ]
    started = time.monotonic()
    run = Run([step(*calls), SUBMIT], box)
    assert run.result.stop_reason == StopReason.SUBMITTED
    assert box.max_in_flight == 3  # the three consecutive reads, at once
    assert time.monotonic() - started < 0.3 * 5 + 2
    messages = run.requests[1]["messages"]
    assert_every_call_answered(messages)
    outputs = run.tool_messages(1)
    assert len(outputs) == len(calls)
    for name, output in zip("abc", outputs, strict=False):
        assert f"content of {name}" in output
    assert "made" in outputs[4]
    assert outputs[5] == "Wrote 8 bytes to e/f.txt."
    assert "written" in outputs[6]
    # The transcript records each call and its output in the model's order.
    recorded = run.events("tool_output")
    assert [e["id"] for e in recorded] == [e["id"] for e in run.events("tool_call")][: len(calls)]
    assert [e.get("parallel", False) for e in recorded[: len(calls)]] == [True] * 3 + [False] * 4
    assert run.result.actions == len(calls) + 1


def test_binary_files_go_in_and_out_intact(sandbox: LocalSandbox) -> None:
    blob = bytes(range(256)) * 40 + b"\x00\xff\xfe not utf-8 \xc3\x28"
    encoded = base64.b64encode(blob).decode()
    script = [
        step(call("write_file", path="bin/blob.dat", content=encoded, encoding="base64")),
        step(
            call("read_file", path="bin/blob.dat", encoding="base64"),
            call("read_file", path="bin/blob.dat"),
            call("read_file", path="bin/blob.dat", offset=10_000, encoding="base64"),
            call("write_file", path="x", content="not base64!", encoding="base64"),
            call("read_file", path="no/such/file"),
        ),
        SUBMIT,
    ]
    run = Run(script, sandbox, settings={"max_tool_output_chars": 20_000})
    assert (Path(sandbox.workdir) / "bin" / "blob.dat").read_bytes() == blob
    as_base64, as_text, tail, bad, missing = run.tool_messages()[1:]
    header, _, body = as_base64.partition("\n")
    assert header == f"bin/blob.dat: {len(blob)} bytes; bytes 0..{len(blob)} shown (base64)"
    assert base64.b64decode(body) == blob
    assert "not valid UTF-8 text" in as_text.partition("\n")[0]
    assert base64.b64decode(tail.partition("\n")[2]) == blob[10_000:]
    assert bad == "Error: `content` is not valid base64."
    assert missing == "Error: no/such/file is not a file that can be read."


def test_long_files_are_read_in_pieces_within_the_output_limit(sandbox: LocalSandbox) -> None:
    (Path(sandbox.workdir) / "long.txt").write_text("x" * 5000)
    script = [step(call("read_file", path="long.txt")), SUBMIT]
    run = Run(script, sandbox, settings={"max_tool_output_chars": 1200})
    output = run.tool_messages()[0]
    assert len(output) <= 1200
    assert "bytes 0..1000 shown; 4000 more: call read_file with offset=1000" in output


def test_output_limit_keeps_head_and_tail_with_a_marker(sandbox: LocalSandbox) -> None:
    command = "python3 -c \"print('BEGIN' + 'x' * 5000 + 'END')\""
    run = Run([bash(command), SUBMIT], sandbox, settings={"max_tool_output_chars": 400})
    output = run.tool_messages()[0]
    assert len(output) <= 400 + 60
    assert "BEGIN" in output and "END" in output
    assert "characters cut of" in output


def test_compaction_summarises_old_turns_with_the_model(sandbox: LocalSandbox) -> None:
    big = bash("python3 -c \"print('abcdefghij ' * 270)\"", repeat=8)
    run = Run(
        [big, SUBMIT],
        sandbox,
        settings={"max_output_tokens": 200},
        server_kwargs={"context_window": 2400, "reply_when": {COMPACT_TRIGGER: {"content": SUMMARY}}},
        context_window=2400,
    )
    assert run.result.stop_reason == StopReason.SUBMITTED
    compactions = run.events("compaction")
    assert compactions
    first = compactions[0]
    assert first["summary"] == SUMMARY
    assert first["turns_removed"] >= 1 and first["messages_removed"] >= 2
    assert first["estimated_tokens_after"] < first["estimated_tokens_before"]
    assert first["input_tokens"] > 0 and first["output_tokens"] > 0
    summary_requests = [r for r in run.requests if COMPACT_TRIGGER in json.dumps(r["messages"][-1:])]
    assert len(summary_requests) == len(compactions)
    for body in run.requests:
        messages = body["messages"]
        # The system prompt and the task are always first; no tool call ever loses its result.
        assert messages[0]["role"] == "system" and messages[1] == {"role": "user", "content": TASK}
        assert_every_call_answered(messages)
    last = run.requests[-1]["messages"]
    assert SUMMARY_HEADER + SUMMARY in [m.get("content") for m in last]
    # The summary calls count towards the attempt's totals like any other call.
    models = run.events("model")
    assert run.result.input_tokens == sum(e["input_tokens"] for e in models + compactions)
    assert run.result.output_tokens == sum(e["output_tokens"] for e in models + compactions)
    assert not run.events("context_exceeded")


def test_trim_strategy_drops_turns_without_a_summary(sandbox: LocalSandbox) -> None:
    big = bash("python3 -c \"print('abcdefghij ' * 270)\"", repeat=8)
    run = Run(
        [big, SUBMIT],
        sandbox,
        settings={"max_output_tokens": 200, "context_strategy": "trim"},
        server_kwargs={"context_window": 2400},
        context_window=2400,
    )
    assert run.result.stop_reason == StopReason.SUBMITTED
    assert run.events("context_trimmed") and not run.events("compaction")
    assert all(COMPACT_TRIGGER not in json.dumps(r["messages"]) for r in run.requests)


def test_compaction_with_anthropic_thinking_keeps_signed_blocks(tmp_path: Path) -> None:
    big = bash("python3 -c \"print('abcdefghij ' * 400)\"", repeat=8)
    summary_step = {"content": SUMMARY, "thinking": "Summarising what I did."}
    transcript = Transcript()
    box = LocalSandbox(tmp_path / "work")
    with ScriptedAnthropicServer([big, SUBMIT], reply_when={COMPACT_TRIGGER: summary_step}) as server:
        cfg = ModelConfig(
            name="claude-sonnet-4-5", provider="anthropic", base_url=server.root_url, context_window=7000
        )
        ctx = ScaffoldContext(
            instructions=TASK,
            sandbox=box,
            model=make_client(cfg, retry=RetryPolicy(max_attempts=2, base_delay_s=0.01)),
            limits=AgentLimits(),
            transcript=transcript,
            solution=None,
            heartbeat=lambda: None,
        )
        result = TerminalScaffold({"thinking_budget_tokens": 1024, "max_output_tokens": 1500}).run(ctx)
    box.close()
    # The strict stand-in refuses any request whose thinking blocks were dropped or whose
    # tool_use/tool_result pairs were split.
    assert server.rejections == []
    assert result.stop_reason == StopReason.SUBMITTED
    compactions = [e for e in transcript.events if e["kind"] == "compaction"]
    assert compactions and compactions[0]["summary"] == SUMMARY
    last = server.bodies[-1]["messages"]
    assert SUMMARY_HEADER.strip() in json.dumps(last)
    for message in last:
        if message["role"] == "assistant":
            assert message["content"][0]["type"] == "thinking"


def test_settings_are_checked_when_the_scaffold_is_made() -> None:
    with pytest.raises(ValueError, match="context_strategy"):
        TerminalScaffold({"context_strategy": "forget"})
    with pytest.raises(ValueError, match="max_tool_output_chars"):
        TerminalScaffold({"max_tool_output_chars": "lots"})
    scaffold = get_scaffold("terminal", {"context_strategy": "trim", "max_tool_output_chars": 500})
    assert isinstance(scaffold, TerminalScaffold)
    assert scaffold.settings.context_strategy == "trim"
    assert scaffold.settings.max_tool_output_chars == 500
    assert TerminalScaffold({}).settings.context_strategy == "compact"


def test_agent_settings_refuse_unknown_and_misplaced_keys() -> None:
    with pytest.raises(ValidationError, match="unknown setting 'shell_timeout'; the settings are"):
        AgentSettings.model_validate({"shell_timeout": 5})
    with pytest.raises(ValidationError, match="context_strategy"):
        AgentSettings.model_validate({"context_strategy": "forget"})
    with pytest.raises(ValidationError, match="'context_strategy' is for the terminal scaffold"):
        AgentCreate.model_validate(
            {"name": "r", "scaffold": "react", "model": "m", "settings": {"context_strategy": "trim"}}
        )
    with pytest.raises(ValidationError, match="the terminal scaffold needs a model"):
        AgentCreate.model_validate({"name": "t", "scaffold": "terminal"})
    agent = AgentCreate.model_validate(
        {"name": "t", "scaffold": "terminal", "model": "m", "settings": {"context_strategy": "trim"}}
    )
    assert agent.settings.context_strategy == "trim"
