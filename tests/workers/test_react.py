"""The react scaffold against a scripted model server, running commands in a local sandbox."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core.states import StopReason
from tests.fakes.local_sandbox import LocalSandbox
from tests.fakes.scripted_openai import ScriptedModelServer
from workers.providers.base import ProviderOutage
from workers.providers.config import ModelConfig
from workers.providers.factory import make_client
from workers.providers.transport import RetryPolicy
from workers.scaffolds.base import AgentLimits, ScaffoldContext, ScaffoldResult
from workers.scaffolds.react import ReactScaffold
from workers.transcript import Transcript

TASK = "Create out.txt containing hello, then submit the word it contains."


def bash(command: str, **extra: Any) -> dict[str, Any]:
    return {"tool_calls": [{"name": "bash", "arguments": {"command": command}}], **extra}


def submit(answer: str, **extra: Any) -> dict[str, Any]:
    return {"tool_calls": [{"name": "submit", "arguments": {"answer": answer}}], **extra}


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[LocalSandbox]:
    box = LocalSandbox(tmp_path / "work")
    yield box
    box.close()


class Run:
    """One scaffold run against a scripted server, with everything a test wants to look at."""

    def __init__(
        self,
        script: list[dict[str, Any]],
        sandbox: LocalSandbox,
        limits: AgentLimits | None = None,
        settings: dict[str, Any] | None = None,
        server_kwargs: dict[str, Any] | None = None,
        **cfg_kwargs: Any,
    ) -> None:
        self.transcript = Transcript()
        self.heartbeats = 0
        with ScriptedModelServer(script, **(server_kwargs or {})) as server:
            self.server = server
            cfg = ModelConfig(name="scripted-model", base_url=server.base_url, **cfg_kwargs)
            client = make_client(cfg, retry=RetryPolicy(max_attempts=2, base_delay_s=0.01))
            ctx = ScaffoldContext(
                instructions=TASK,
                sandbox=sandbox,
                model=client,
                limits=limits or AgentLimits(),
                transcript=self.transcript,
                solution=None,
                heartbeat=self._beat,
            )
            self.result: ScaffoldResult = ReactScaffold(settings or {}).run(ctx)

    def _beat(self) -> None:
        self.heartbeats += 1

    @property
    def requests(self) -> list[dict[str, Any]]:
        return [r["body"] for r in self.server.completion_requests]

    def events(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.transcript.events if e["kind"] == kind]


def test_submit_ends_the_attempt_and_writes_the_submission_file(sandbox: LocalSandbox) -> None:
    run = Run([bash("echo hello > out.txt && cat out.txt"), submit("hello")], sandbox)

    assert run.result.stop_reason == StopReason.SUBMITTED
    assert run.result.submission == "hello"
    assert (Path(sandbox.workdir) / "submission.txt").read_text() == "hello"
    assert (Path(sandbox.workdir) / "out.txt").read_text() == "hello\n"
    assert run.result.actions == 2
    # The command's result went back to the model as the tool message answering its call.
    second = run.requests[1]["messages"]
    assert second[0]["role"] == "system" and second[1] == {"role": "user", "content": TASK}
    call_id = second[2]["tool_calls"][0]["id"]
    assert second[3]["role"] == "tool" and second[3]["tool_call_id"] == call_id
    assert "exit code: 0" in second[3]["content"] and "hello" in second[3]["content"]
    assert {t["function"]["name"] for t in run.requests[0]["tools"]} == {"bash", "submit"}
    # Totals are the sums of what the server reported.
    model_events = run.events("model")
    assert len(model_events) == 2
    assert run.result.input_tokens == sum(e["input_tokens"] for e in model_events) > 0
    assert run.result.output_tokens == sum(e["output_tokens"] for e in model_events) > 0
    assert all(e["duration_s"] >= 0 for e in model_events)
    outputs = run.events("tool_output")
    assert outputs[0]["exit_code"] == 0 and "hello" in outputs[0]["output"]
    assert run.events("stop")[0]["reason"] == StopReason.SUBMITTED
    assert run.heartbeats >= 2


def test_failing_command_reports_exit_code_and_stderr(sandbox: LocalSandbox) -> None:
    run = Run([bash("ls /no/such/dir"), submit("x")], sandbox)
    tool_message = run.requests[1]["messages"][3]["content"]
    assert "exit code: 2" in tool_message or "exit code: 1" in tool_message
    assert "[stderr]" in tool_message and "No such file" in tool_message


def test_token_limit(sandbox: LocalSandbox) -> None:
    step = bash("true", usage={"prompt_tokens": 400, "completion_tokens": 100}, repeat=10)
    run = Run([step], sandbox, limits=AgentLimits(token_limit=1200))
    assert run.result.stop_reason == StopReason.TOKEN_LIMIT
    assert len(run.requests) == 3  # 500, 1000, then 1500 >= 1200
    assert run.result.input_tokens + run.result.output_tokens == 1500
    # The output budget shrinks to what the token limit leaves.
    assert run.requests[2]["max_tokens"] == 200


def test_cost_limit(sandbox: LocalSandbox) -> None:
    step = bash("true", usage={"prompt_tokens": 1000, "completion_tokens": 1000}, repeat=10)
    run = Run(
        [step],
        sandbox,
        limits=AgentLimits(cost_limit_usd=0.025),
        input_price_per_mtok=2.0,
        output_price_per_mtok=8.0,  # 0.01 $ a call
    )
    assert run.result.stop_reason == StopReason.COST_LIMIT
    assert len(run.requests) == 3
    assert run.result.cost_usd == pytest.approx(0.03)


def test_action_limit(sandbox: LocalSandbox) -> None:
    run = Run([bash("echo step >> log.txt", repeat=10)], sandbox, limits=AgentLimits(action_limit=2))
    assert run.result.stop_reason == StopReason.ACTION_LIMIT
    assert run.result.actions == 2
    assert sandbox.commands == ["echo step >> log.txt"] * 2


def test_time_limit_also_caps_a_running_command(sandbox: LocalSandbox) -> None:
    run = Run([bash("sleep 30", repeat=3)], sandbox, limits=AgentLimits(time_limit_s=1.5))
    assert run.result.stop_reason == StopReason.TIME_LIMIT
    (output,) = run.events("tool_output")
    assert output["timed_out"] is True
    assert output["command_duration_s"] < 30


def test_malformed_tool_call_gets_an_error_result_and_the_loop_goes_on(sandbox: LocalSandbox) -> None:
    bad = {"tool_calls": [{"name": "bash", "arguments_raw": '{"command": "ls'}]}
    unknown = {"tool_calls": [{"name": "python", "arguments": {"code": "1"}}]}
    run = Run([bad, unknown, submit("done")], sandbox)
    assert run.result.stop_reason == StopReason.SUBMITTED
    assert sandbox.commands == []
    errors = [m["content"] for m in run.requests[-1]["messages"] if m["role"] == "tool"]
    assert "could not be parsed" in errors[0]
    assert "no tool named 'python'" in errors[1]
    assert run.events("tool_call")[0]["arguments_error"] is not None


def test_text_replies_get_bounded_nudges(sandbox: LocalSandbox) -> None:
    run = Run([{"content": "I think the answer is 4."}] * 3, sandbox, settings={"max_nudges": 2})
    assert run.result.stop_reason == StopReason.AGENT_ERROR
    assert len(run.events("nudge")) == 2
    last = run.requests[-1]["messages"]
    assert last[-1]["role"] == "user" and "without calling a tool" in last[-1]["content"]


def test_nudged_model_can_recover(sandbox: LocalSandbox) -> None:
    run = Run([{"content": "Hmm."}, submit("4")], sandbox)
    assert run.result.stop_reason == StopReason.SUBMITTED
    assert run.result.submission == "4"


def test_context_is_trimmed_to_stay_inside_the_window(sandbox: LocalSandbox) -> None:
    # Each command prints about 3000 characters; the server enforces a 2000-token window and the
    # conversation would pass it after a few turns without trimming.
    big = bash("python3 -c \"print('abcdefghij ' * 270)\"", repeat=8)
    run = Run(
        [big, submit("done")],
        sandbox,
        settings={"max_output_tokens": 200},
        server_kwargs={"context_window": 2000},
        context_window=2000,
    )
    assert run.result.stop_reason == StopReason.SUBMITTED
    assert run.events("context_trimmed")
    assert not run.events("context_exceeded")
    for body in run.requests:
        assert body["messages"][0]["role"] == "system"
        assert body["messages"][1] == {"role": "user", "content": TASK}
        # Every request fits: the server would have answered 400 otherwise.
        assert len(json.dumps(body["messages"])) // 4 + body["max_tokens"] <= 2000
    # Without trimming the last request would hold all nine turns.
    assert len(run.requests[-1]["messages"]) < 2 + 2 * 8


def test_a_model_with_an_overstated_window_is_trimmed_after_a_rejection(sandbox: LocalSandbox) -> None:
    big = bash("python3 -c \"print('abcdefghij ' * 270)\"", repeat=6)
    run = Run(
        [big, submit("done")],
        sandbox,
        settings={"max_output_tokens": 200},
        server_kwargs={"context_window": 2500},
        context_window=8000,  # the config claims more than the server has
    )
    assert run.result.stop_reason == StopReason.SUBMITTED
    assert run.events("context_exceeded")


def test_a_task_too_long_for_the_window_ends_as_agent_error(sandbox: LocalSandbox) -> None:
    run = Run(
        [submit("never")],
        sandbox,
        settings={"system_prompt": "Follow the task. " * 400, "max_output_tokens": 100},
        server_kwargs={"context_window": 600},
        context_window=1000,
    )
    assert run.result.stop_reason == StopReason.AGENT_ERROR
    assert len(run.events("context_exceeded")) == 3
    assert "context window exceeded" in run.events("error")[0]["message"]


def test_parallel_conversations_each_follow_a_by_turn_script(tmp_path: Path) -> None:
    script = [bash("echo $PWD > where.txt"), submit("ok")]
    results: list[ScaffoldResult] = []
    with ScriptedModelServer(script, by_turn=True) as server:

        def one(i: int) -> None:
            box = LocalSandbox(tmp_path / f"run{i}")
            client = make_client(ModelConfig(name="m", base_url=server.base_url))
            ctx = ScaffoldContext(
                instructions=f"{TASK} ({i})",
                sandbox=box,
                model=client,
                limits=AgentLimits(action_limit=5),
                transcript=Transcript(),
                solution=None,
                heartbeat=lambda: None,
            )
            results.append(ReactScaffold({}).run(ctx))

        threads = [threading.Thread(target=one, args=(i,)) for i in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert [r.stop_reason for r in results] == [StopReason.SUBMITTED] * 3
    assert len(server.completion_requests) == 6
    for i in range(3):
        assert (tmp_path / f"run{i}" / "where.txt").read_text().strip() == str(tmp_path / f"run{i}")


def test_provider_outage_propagates_instead_of_ending_as_the_agents_failure(sandbox: LocalSandbox) -> None:
    with pytest.raises(ProviderOutage):
        Run([bash("true"), {"status": 502, "error": "bad gateway", "repeat": 5}], sandbox)


def test_api_key_never_reaches_the_transcript(sandbox: LocalSandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "sk-live-abcdef0123456789"
    monkeypatch.setenv("HORIZON_TEST_REACT_KEY", secret)
    run = Run(
        [bash("echo hi"), submit("hi")],
        sandbox,
        server_kwargs={"api_key": secret},
        api_key_env="HORIZON_TEST_REACT_KEY",
    )
    assert run.result.stop_reason == StopReason.SUBMITTED
    assert run.server.completion_requests[0]["headers"]["authorization"] == f"Bearer {secret}"
    assert secret not in json.dumps(run.transcript.events)


def test_settings_are_validated() -> None:
    with pytest.raises(ValueError, match="max_nudges"):
        ReactScaffold({"max_nudges": "three"})
    with pytest.raises(ValueError, match="max_turns"):
        ReactScaffold({"max_turns": -1})
    # Keys that belong to other layers (limits) are ignored.
    assert ReactScaffold({"token_limit": 5, "max_nudges": 1}).settings.max_nudges == 1
