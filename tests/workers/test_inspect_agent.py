"""Inspect agents as Horizon scaffolds: inspect_ai's own `react()` and misbehaving agents against a
scripted model server, in a local sandbox and in a real Docker sandbox on a bundled task."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("inspect_ai")

from core.settings import get_settings
from core.states import StopReason
from core.taskfolder import load_task_folder
from tests.fakes.local_sandbox import LocalSandbox
from tests.fakes.scripted_openai import ScriptedModelServer
from tests.support.paths import TASKS_ROOT
from workers.execution import REASON_CONFIG, AgentConfig, AttemptSpec, InfraError, execute_attempt
from workers.metering import AttemptMeter
from workers.providers.base import ProviderOutage
from workers.providers.config import ModelConfig
from workers.providers.factory import make_client
from workers.providers.transport import RetryPolicy
from workers.sandbox.docker.backend import DockerBackend
from workers.scaffolds.base import AgentLimits, ScaffoldContext, ScaffoldResult
from workers.scaffolds.inspect_agent import InspectScaffold
from workers.scaffolds.registry import get_scaffold
from workers.task_health import bundle_from_folder
from workers.transcript import Transcript

REACT = {
    "agent": "inspect_ai.agent:react",
    "tools": [{"tool": "inspect_ai.tool:bash", "args": {"timeout": 60}}],
}
FAKES = "tests.fakes.inspect_agents"
TASK = "Create out.txt containing hello, then submit the word it contains."


def bash(command: str, **extra: Any) -> dict[str, Any]:
    return {"tool_calls": [{"name": "bash", "arguments": {"command": command}}], **extra}


def submit(answer: str, **extra: Any) -> dict[str, Any]:
    return {"tool_calls": [{"name": "submit", "arguments": {"answer": answer}}], **extra}


def kinds(events: list[dict[str, Any]]) -> list[str]:
    return [e["kind"] for e in events]


@pytest.fixture
def allow_fakes(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The operator allows the test agents (and the solvers of inspect_ai.solver)."""
    monkeypatch.setenv("HORIZON_INSPECT_AGENTS", f"inspect_ai.agent:react,{FAKES}:*,inspect_ai.solver:*")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


class Run:
    """One attempt of the `inspect` scaffold in a local sandbox against a scripted server."""

    def __init__(
        self,
        script: list[dict[str, Any]],
        tmp_path: Path,
        settings: dict[str, Any] | None = None,
        limits: AgentLimits | None = None,
        heartbeat: Any = None,
        server_kwargs: dict[str, Any] | None = None,
    ) -> None:
        self.sandbox = LocalSandbox(tmp_path / "work")
        self.transcript = Transcript()
        scaffold = get_scaffold("inspect", settings or REACT)
        with ScriptedModelServer(script, **(server_kwargs or {})) as server:
            self.server = server
            cfg = ModelConfig(
                name="scripted-model",
                base_url=server.base_url,
                input_price_per_mtok=2.0,
                output_price_per_mtok=8.0,
            )
            ctx = ScaffoldContext(
                instructions=TASK,
                sandbox=self.sandbox,
                model=make_client(cfg, retry=RetryPolicy(max_attempts=2, base_delay_s=0.01)),
                limits=limits or AgentLimits(),
                transcript=self.transcript,
                solution=None,
                heartbeat=heartbeat or (lambda: None),
            )
            self.result: ScaffoldResult = scaffold.run(ctx)

    def events(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.transcript.events if e["kind"] == kind]


def test_react_submits_through_horizons_model_and_sandbox(tmp_path: Path) -> None:
    run = Run([bash("echo hello > out.txt && cat out.txt"), submit("hello")], tmp_path)

    assert run.result.stop_reason == StopReason.SUBMITTED
    assert run.result.submission == "hello"
    assert (Path(run.sandbox.workdir) / "out.txt").read_text() == "hello\n"
    assert (Path(run.sandbox.workdir) / "submission.txt").read_text() == "hello"
    # react's system prompt, the task, then the command's output as the tool result.
    second = run.server.completion_requests[1]["body"]["messages"]
    assert second[0]["role"] == "system" and second[1] == {"role": "user", "content": TASK}
    assert second[3]["role"] == "tool" and second[3]["content"].strip() == "hello"
    assert {t["function"]["name"] for t in run.server.completion_requests[0]["body"]["tools"]} == {
        "bash",
        "submit",
    }
    # Totals are the server's usage, priced; the transcript has what a built-in scaffold writes.
    models = run.events("model")
    assert len(models) == 2
    assert run.result.input_tokens == sum(e["input_tokens"] for e in models) > 0
    assert (
        run.result.cost_usd == pytest.approx(sum(e["cost_usd"] for e in models)) and run.result.cost_usd > 0
    )
    assert run.result.actions == 1  # bash; submit is not an action
    assert [e["name"] for e in run.events("tool_call")] == ["bash", "submit"]
    assert run.events("tool_output")[0]["output"].strip() == "hello"
    assert run.events("command")[0]["exit_code"] == 0
    info = run.events("inspect_agent")[0]
    assert info["name"] == "inspect_ai/react" and info["inspect_ai_version"]
    assert run.result.agent_info == {k: v for k, v in info.items() if k not in ("kind", "t", "seq")}


def test_token_limit_stops_the_agent(tmp_path: Path) -> None:
    step = bash("true", usage={"prompt_tokens": 400, "completion_tokens": 100}, repeat=10)
    run = Run([step], tmp_path, limits=AgentLimits(token_limit=1200))
    assert run.result.stop_reason == StopReason.TOKEN_LIMIT
    assert len(run.server.completion_requests) == 3  # 500, 1000, then 1500 >= 1200
    assert run.result.input_tokens + run.result.output_tokens == 1500
    assert run.server.completion_requests[2]["body"]["max_tokens"] == 200
    assert not (Path(run.sandbox.workdir) / "submission.txt").exists()


def test_action_limit_stops_before_the_call_past_it(tmp_path: Path) -> None:
    run = Run([bash("echo step >> log.txt", repeat=10)], tmp_path, limits=AgentLimits(action_limit=2))
    assert run.result.stop_reason == StopReason.ACTION_LIMIT
    assert (Path(run.sandbox.workdir) / "log.txt").read_text() == "step\nstep\n"


@pytest.mark.usefixtures("allow_fakes")
def test_an_agent_that_swallows_the_stop_still_stops(tmp_path: Path) -> None:
    step = {"content": "thinking", "usage": {"prompt_tokens": 300, "completion_tokens": 100}, "repeat": 50}
    run = Run(
        [step], tmp_path, settings={"agent": f"{FAKES}:keeps_going"}, limits=AgentLimits(cost_limit_usd=0.002)
    )
    assert run.result.stop_reason == StopReason.COST_LIMIT
    # 0.0014 $ a call: the second passes the limit, and the agent's later calls never leave.
    assert len(run.server.completion_requests) == 2
    assert run.result.cost_usd == pytest.approx(0.0028)


def test_working_time_also_caps_a_running_command(tmp_path: Path) -> None:
    run = Run([bash("sleep 30", repeat=3)], tmp_path, limits=AgentLimits(time_limit_s=4.0))
    assert run.result.stop_reason == StopReason.TIME_LIMIT
    (command,) = run.events("command")
    assert command["timed_out"] is True and command["duration_s"] < 10


@pytest.mark.usefixtures("allow_fakes")
def test_working_time_ends_an_idle_agent(tmp_path: Path) -> None:
    run = Run([], tmp_path, settings={"agent": f"{FAKES}:idles"}, limits=AgentLimits(time_limit_s=1.0))
    assert run.result.stop_reason == StopReason.TIME_LIMIT
    assert run.events("stop")[0]["reason"] == StopReason.TIME_LIMIT


@pytest.mark.usefixtures("allow_fakes")
def test_an_agent_that_raises_ends_as_agent_error_with_its_totals(tmp_path: Path) -> None:
    run = Run([{"content": "hi"}], tmp_path, settings={"agent": f"{FAKES}:crashes_after_one_call"})
    assert run.result.stop_reason == StopReason.AGENT_ERROR
    assert run.result.submission is None
    assert run.result.input_tokens > 0 and run.result.cost_usd > 0
    (error,) = run.events("error")
    assert "RuntimeError" in error["message"]
    # The exception's text (it may hold the worker's paths) stays in the worker's log.
    assert "/host/secret/path" not in str(run.transcript.events)


def test_a_conversation_too_long_for_the_window_ends_as_agent_error(tmp_path: Path) -> None:
    # The window holds less than the prompt and the output budget: the server answers 400.
    run = Run([submit("never")], tmp_path, server_kwargs={"context_window": 300})
    assert run.result.stop_reason == StopReason.AGENT_ERROR
    assert run.events("context_exceeded")
    assert "context window" in run.events("error")[0]["message"]
    assert not (Path(run.sandbox.workdir) / "submission.txt").exists()


def test_provider_outage_is_ours_not_the_agents(tmp_path: Path) -> None:
    with pytest.raises(ProviderOutage):
        Run([bash("true"), {"status": 502, "error": "bad gateway", "repeat": 5}], tmp_path)


def test_a_cancelled_run_raises_the_heartbeats_error(tmp_path: Path) -> None:
    class Cancelled(Exception):
        pass

    calls = {"n": 0}

    def heartbeat() -> None:
        calls["n"] += 1
        if calls["n"] > 2:
            raise Cancelled("run cancelled")

    with pytest.raises(Cancelled):
        Run([bash("true", repeat=10)], tmp_path, heartbeat=heartbeat)


@pytest.mark.usefixtures("allow_fakes")
def test_sandbox_files_and_commands_through_inspects_interface(tmp_path: Path) -> None:
    run = Run([{"content": "done"}], tmp_path, settings={"agent": f"{FAKES}:file_roundtrip"})
    assert run.result.stop_reason == StopReason.SUBMITTED
    assert run.result.submission == "True in hi there True"
    assert (Path(run.sandbox.workdir) / "nested/dir/blob.bin").read_bytes() == bytes(range(256)) * 400
    # The staged input and file folders were removed by the commands that used them.
    assert not list(Path("/tmp").glob("horizon-inspect-*"))


@pytest.mark.usefixtures("allow_fakes")
def test_attack_oversized_transfers_are_refused(tmp_path: Path) -> None:
    run = Run([{"content": "done"}], tmp_path, settings={"agent": f"{FAKES}:probes_bounds"})
    assert run.result.submission == "OutputLimitExceededError OutputLimitExceededError ValueError ValueError"
    assert not (Path(run.sandbox.workdir) / "huge.bin").exists()
    # Refused before anything was staged or run.
    assert [e["command"] for e in run.events("command")] == [
        "exec sh -c 'head -c 2000000 /dev/zero > big.bin'"
    ]


@pytest.mark.usefixtures("allow_fakes")
def test_a_solver_runs_too(tmp_path: Path) -> None:
    run = Run([{"content": "42"}], tmp_path, settings={"agent": "inspect_ai.solver:generate"})
    assert (run.result.stop_reason, run.result.submission) == (StopReason.SUBMITTED, "42")


def test_parallel_attempts_each_get_their_own_loop_and_sandbox(tmp_path: Path) -> None:
    script = [bash("echo $PWD > where.txt"), submit("ok")]
    results: list[ScaffoldResult] = []
    with ScriptedModelServer(script, by_turn=True) as server:

        def one(i: int) -> None:
            box = LocalSandbox(tmp_path / f"run{i}")
            ctx = ScaffoldContext(
                instructions=f"{TASK} ({i})",
                sandbox=box,
                model=make_client(ModelConfig(name="scripted-model", base_url=server.base_url)),
                limits=AgentLimits(action_limit=5),
                transcript=Transcript(),
                solution=None,
                heartbeat=lambda: None,
            )
            results.append(get_scaffold("inspect", REACT).run(ctx))

        threads = [threading.Thread(target=one, args=(i,)) for i in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert [r.stop_reason for r in results] == [StopReason.SUBMITTED] * 3
    assert len(server.completion_requests) == 6
    for i in range(3):
        assert (tmp_path / f"run{i}" / "where.txt").read_text().strip() == str(tmp_path / f"run{i}")


# --- settings: configuration errors, never the agent's failure ---------------------------------


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({}, "import path"),
        ({"agent": "inspect_ai.agent"}, "not an import path"),
        ({"agent": "inspect_ai.agent:human_cli"}, "not allowed"),
        (
            {"agent": "inspect_ai.agent:react", "agent_args": {"model": "openai/gpt-4o"}},
            "may not set 'model'",
        ),
        ({"agent": "inspect_ai.agent:react", "agent_args": {"attempts": 3}}, "attempts must be 1"),
        ({"agent": "inspect_ai.agent:react", "agent_args": {"submit": {"tool": "x"}}}, "not 'tool'"),
        ({"agent": "inspect_ai.agent:react", "agent_args": {"no_such_arg": 1}}, "refused its arguments"),
        ({"agent": "inspect_ai.agent:react", "tools": ["inspect_ai.tool:web_browser"]}, "not allowed"),
        (
            {"agent": "inspect_ai.agent:react", "tools": [{"tool": "inspect_ai.tool:bash", "x": 1}]},
            "each tool",
        ),
    ],
)
def test_bad_settings_are_refused_when_the_scaffold_is_made(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        get_scaffold("inspect", settings)


def test_a_missing_module_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HORIZON_INSPECT_AGENTS", "no_such_package.*")
    get_settings.cache_clear()
    try:
        with pytest.raises(ValueError, match="cannot import no_such_package.agents:react"):
            get_scaffold("inspect", {"agent": "no_such_package.agents:react"})
    finally:
        get_settings.cache_clear()


def test_settings_may_sit_in_scaffold_options() -> None:
    scaffold = get_scaffold("inspect", {"scaffold_options": REACT})
    assert isinstance(scaffold, InspectScaffold)
    assert scaffold.settings.agent == "inspect_ai.agent:react"
    assert scaffold.settings.tools[0].args == {"timeout": 60}


def test_attack_an_import_path_outside_the_allowlist_is_never_imported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    canary = tmp_path / "canary"
    monkeypatch.setenv("HORIZON_TEST_CANARY", str(canary))
    with pytest.raises(ValueError, match="HORIZON_INSPECT_AGENTS"):
        get_scaffold("inspect", {"agent": "tests.fakes.inspect_canary:agent"})
    with pytest.raises(ValueError, match="not allowed"):
        get_scaffold("inspect", {"agent": "subprocess:run", "agent_args": {"args": ["touch", str(canary)]}})
    with pytest.raises(ValueError, match="HORIZON_INSPECT_TOOLS"):
        get_scaffold("inspect", {**REACT, "tools": ["tests.fakes.inspect_canary:agent"]})
    assert not canary.exists()


# --- end to end in Docker ----------------------------------------------------------------------


def _spec(settings: dict[str, Any], server: ScriptedModelServer, run_id: int) -> AttemptSpec:
    folder = load_task_folder(TASKS_ROOT / "lookup" / "count-error-lines")
    return AttemptSpec(
        run_id=run_id,
        attempt=1,
        task=bundle_from_folder(folder),
        agent=AgentConfig(name="inspect-react", scaffold="inspect", settings=settings),
        model=ModelConfig(
            name="scripted-model",
            base_url=server.base_url,
            input_price_per_mtok=2.0,
            output_price_per_mtok=8.0,
        ),
    )


@pytest.mark.docker
def test_react_solves_a_bundled_task_in_docker(docker_backend: DockerBackend) -> None:
    script = [
        bash("awk '$3 == \"ERROR\"' app.log | wc -l | tr -d ' ' > answer.txt && cat answer.txt"),
        submit("32"),
    ]
    meter = AttemptMeter()
    with ScriptedModelServer(script) as server:
        outcome = execute_attempt(
            _spec(REACT, server, 501), docker_backend, heartbeat=lambda: None, meter=meter
        )
    assert outcome.stop_reason == StopReason.SUBMITTED
    assert (outcome.score_cont, outcome.score_binarized) == (1.0, 1)
    assert outcome.submission == "32"
    assert outcome.input_tokens > 0 and outcome.cost_usd > 0
    # Every call went through the attempt's meter, as the built-in scaffolds' do.
    assert meter.model_calls == 2
    assert (meter.tokens_in, meter.tokens_out) == (outcome.input_tokens, outcome.output_tokens)
    assert meter.cost_usd == pytest.approx(outcome.cost_usd)
    events = outcome.transcript
    assert {"inspect_agent", "model", "tool_call", "tool_output", "command", "submission", "score"} <= set(
        kinds(events)
    )
    (tool_output,) = [e for e in events if e["kind"] == "tool_output"]
    assert tool_output["output"].strip() == "32"
    (end,) = [e for e in events if e["kind"] == "agent_end"]
    assert end["agent_info"]["name"] == "inspect_ai/react"


@pytest.mark.docker
def test_inspect_file_and_command_calls_in_a_docker_sandbox(
    docker_backend: DockerBackend, allow_fakes: None
) -> None:
    with ScriptedModelServer([{"content": "done"}]) as server:
        spec = _spec({"agent": f"{FAKES}:file_roundtrip"}, server, 504)
        outcome = execute_attempt(spec, docker_backend, heartbeat=lambda: None)
    assert outcome.submission == "True in hi there True"
    # Binary data longer than one read chunk came back whole, through the agent user's commands.
    reads = [e for e in outcome.transcript if e["kind"] == "file_read"]
    assert reads and reads[0]["bytes"] == 256 * 400


@pytest.mark.docker
def test_attack_inspect_file_access_keeps_the_agent_users_rights(
    docker_backend: DockerBackend, allow_fakes: None
) -> None:
    """read_file and write_file go through the agent user's commands (root may read /etc/shadow
    and write to the /scorer mount; the agent may not), and exec runs as the agent user only."""
    with ScriptedModelServer([{"content": "nothing"}]) as server:
        outcome = execute_attempt(
            _spec({"agent": f"{FAKES}:probes_rights"}, server, 502), docker_backend, heartbeat=lambda: None
        )
    assert outcome.submission == "PermissionError PermissionError SandboxUserUnsupportedError"
    assert not any(e["kind"] == "file_write" and e["exit_code"] == 0 for e in outcome.transcript)


@pytest.mark.docker
def test_a_bad_import_path_is_a_configuration_error_before_any_sandbox(docker_backend: DockerBackend) -> None:
    with ScriptedModelServer([]) as server:
        spec = _spec({"agent": "inspect_ai.agent:no_such_agent"}, server, 503)
        with pytest.raises(InfraError) as caught:
            execute_attempt(spec, docker_backend, heartbeat=lambda: None)
    assert caught.value.reason == REASON_CONFIG
    assert "no_such_agent" in caught.value.message
    assert "sandbox_ready" not in kinds(caught.value.transcript)
