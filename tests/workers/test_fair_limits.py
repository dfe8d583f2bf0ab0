"""Fair limits: provider waits leave the agent's working time alone and are bounded by an outage
budget; a wall-clock cap ends an attempt the provider held up as an infrastructure failure.

The unit tests run the real clients and the react scaffold against the scripted model server with
an injected sleep that moves a fake clock forward, so minutes of backoff take no time. The Docker
tests at the end go through `execute_attempt` with the worker's own retry policy (real sleeps of
a few seconds).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from core.schemas import AgentSettings
from core.states import StopReason
from tests.fakes.local_sandbox import LocalSandbox
from tests.fakes.scripted_openai import ScriptedModelServer
from workers.execution import REASON_PROVIDER, InfraError, agent_limits, execute_attempt
from workers.metering import AttemptMeter
from workers.providers import transport
from workers.providers.base import Message, ProviderOutage
from workers.providers.config import ModelConfig
from workers.providers.factory import make_client
from workers.providers.transport import RetryPolicy, WaitBudget
from workers.sandbox.docker.backend import DockerBackend
from workers.scaffolds.base import AgentLimits, ScaffoldContext, ScaffoldResult
from workers.scaffolds.clock import AttemptClock, WallTimeExceeded
from workers.scaffolds.react import ReactScaffold
from workers.transcript import Transcript

from .test_execution import make_spec, no_heartbeat

ENDPOINT_SECRET = "internal-trace-7f3a do-not-leak"


class FakeTime:
    """Real monotonic time plus whatever the injected sleep 'waited'."""

    def __init__(self) -> None:
        self.offset = 0.0
        self.sleeps: list[float] = []

    def now(self) -> float:
        return time.monotonic() + self.offset

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.offset += seconds


def rate_limited(retry_after_s: float, repeat: int = 1) -> dict[str, Any]:
    return {
        "status": 429,
        "error": f"rate limited {ENDPOINT_SECRET}",
        "headers": {"Retry-After": f"{retry_after_s:g}"},
        "repeat": repeat,
    }


def bash(command: str) -> dict[str, Any]:
    return {"tool_calls": [{"name": "bash", "arguments": {"command": command}}]}


def submit(answer: str) -> dict[str, Any]:
    return {"tool_calls": [{"name": "submit", "arguments": {"answer": answer}}]}


class Attempt:
    """The pieces execution.py wires for one attempt: budget, meter, transcript, clock, client."""

    def __init__(self, server: ScriptedModelServer, fake: FakeTime, budget_s: float) -> None:
        self.transcript = Transcript()
        self.meter = AttemptMeter()
        self.waits = WaitBudget(budget_s, on_wait=self.meter.add_wait, on_event=self.transcript.add)
        self.clock = AttemptClock(lambda: self.waits.spent_s, now=fake.now)
        retry = RetryPolicy(base_delay_s=10.0, max_delay_s=60.0, sleep=fake.sleep)
        cfg = ModelConfig(name="scripted-model", base_url=server.base_url)
        self.client = make_client(cfg, retry=retry, waits=self.waits)

    def events(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.transcript.events if e["kind"] == kind]

    def run_react(self, sandbox: LocalSandbox, limits: AgentLimits) -> ScaffoldResult:
        ctx = ScaffoldContext(
            instructions="Say hi, then submit.",
            sandbox=sandbox,
            model=self.client,
            limits=limits,
            transcript=self.transcript,
            solution=None,
            heartbeat=lambda: None,
            clock=self.clock,
        )
        return ReactScaffold({}).run(ctx)


@pytest.fixture
def fake() -> FakeTime:
    return FakeTime()


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[LocalSandbox]:
    box = LocalSandbox(tmp_path / "work")
    yield box
    box.close()


HELLO = [Message(role="user", content="hi")]


# --- the transport: waits, budget, transcript ---------------------------------------------------


def test_an_outage_within_the_budget_is_retried_and_its_waits_reported(fake: FakeTime) -> None:
    script: list[dict[str, Any]] = [
        {"status": 503, "error": f"overloaded {ENDPOINT_SECRET}", "repeat": 6},
        {"content": "back"},
    ]
    with ScriptedModelServer(script) as server:
        attempt = Attempt(server, fake, budget_s=600)
        completion = attempt.client.complete(HELLO, [], max_tokens=8)
    assert completion.message.content == "back"
    # Six retries: far more than a minute of backoff, all of it waiting, none of it working.
    assert len(fake.sleeps) == 6 and sum(fake.sleeps) > 60
    assert completion.wait_s >= sum(fake.sleeps)
    assert attempt.meter.provider_wait_s == pytest.approx(attempt.waits.spent_s)
    assert attempt.waits.spent_s == pytest.approx(completion.wait_s)
    retries = attempt.events("provider_retry")
    assert [e["request"] for e in retries] == [1, 2, 3, 4, 5, 6]
    assert {e["status"] for e in retries} == {503}
    assert retries[0]["problem"] == "HTTP 503 from the model endpoint"
    assert [e["delay_s"] for e in retries] == [round(s, 3) for s in fake.sleeps]
    assert retries[-1]["budget_s"] == 600
    # Never what the endpoint sent: its body may hold anything.
    assert ENDPOINT_SECRET not in repr(attempt.transcript.events)
    # The working clock leaves the waits out.
    assert attempt.clock.wall_s() >= sum(fake.sleeps)
    assert attempt.clock.working_s() < 5


def test_an_outage_beyond_the_budget_raises_provider_outage(fake: FakeTime) -> None:
    with ScriptedModelServer([{"status": 500, "error": ENDPOINT_SECRET, "repeat": 100}]) as server:
        attempt = Attempt(server, fake, budget_s=100)
        with pytest.raises(ProviderOutage, match="outage budget of 100 s") as info:
            attempt.client.complete(HELLO, [], max_tokens=8)
    assert ENDPOINT_SECRET not in str(info.value)
    assert "HTTP 500 from the model endpoint" in str(info.value)
    # It waited as long as the budget allowed and no longer; the meter heard every wait, although
    # no completion ever came back.
    assert 30 < sum(fake.sleeps) <= 100
    assert attempt.meter.provider_wait_s == pytest.approx(attempt.waits.spent_s)
    assert attempt.waits.spent_s <= 100
    (outage,) = attempt.events("provider_outage")
    assert outage["requests"] == len(server.completion_requests)


def test_retry_after_is_honoured_and_a_wait_past_the_budget_is_not_started(fake: FakeTime) -> None:
    with ScriptedModelServer([rate_limited(30), rate_limited(500), {"content": "late"}]) as server:
        attempt = Attempt(server, fake, budget_s=300)
        with pytest.raises(ProviderOutage, match="outage budget"):
            attempt.client.complete(HELLO, [], max_tokens=8)
    # The first Retry-After (30 s) was waited out in full; the second (capped at 300 s) would pass
    # the budget, so the call gave up at once instead of sleeping through the rest of it.
    assert len(fake.sleeps) == 1 and fake.sleeps[0] >= 30
    (retry,) = attempt.events("provider_retry")
    assert (retry["status"], retry["retry_after_s"]) == (429, 30.0)


def test_a_budget_shared_by_calls_is_spent_across_them(fake: FakeTime) -> None:
    script = [rate_limited(60), {"content": "one"}, rate_limited(60), {"content": "two"}]
    with ScriptedModelServer(script) as server:
        attempt = Attempt(server, fake, budget_s=100)
        assert attempt.client.complete(HELLO, [], max_tokens=8).message.content == "one"
        # 60 s spent: another 60 s wait would pass the attempt's budget of 100 s.
        with pytest.raises(ProviderOutage):
            attempt.client.complete(HELLO, [], max_tokens=8)


def test_queueing_for_a_request_slot_is_waiting(fake: FakeTime, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(transport, "QUEUE_EVENT_MIN_S", 0.2)
    with ScriptedModelServer([{"content": "slow", "delay_s": 0.6}, {"content": "queued"}]) as server:
        attempt = Attempt(server, fake, budget_s=100)
        other = make_client(
            ModelConfig(name="scripted-model", base_url=server.base_url),
            retry=RetryPolicy(sleep=fake.sleep),
            concurrency=1,
        )
        mine = make_client(
            ModelConfig(name="scripted-model", base_url=server.base_url),
            retry=RetryPolicy(sleep=fake.sleep),
            concurrency=1,
            waits=attempt.waits,
        )
        first = threading.Thread(target=other.complete, args=(HELLO, [], 8))
        first.start()
        while not server.requests:
            time.sleep(0.01)
        completion = mine.complete(HELLO, [], max_tokens=8)
        first.join()
    assert completion.message.content == "queued"
    assert completion.wait_s >= 0.3
    (queued,) = attempt.events("provider_wait")
    assert queued["reason"] == "queued for a request slot" and queued["seconds"] >= 0.3
    assert attempt.meter.provider_wait_s == pytest.approx(completion.wait_s)


# --- the working clock in the react scaffold ----------------------------------------------------


def test_rate_limits_past_the_time_limit_do_not_end_the_attempt(
    fake: FakeTime, sandbox: LocalSandbox
) -> None:
    script = [rate_limited(100, repeat=2), bash("echo hi"), rate_limited(100), submit("hi")]
    with ScriptedModelServer(script) as server:
        attempt = Attempt(server, fake, budget_s=1800)
        result = attempt.run_react(sandbox, AgentLimits(time_limit_s=60, wall_time_limit_s=60 + 1800))
    assert result.stop_reason == StopReason.SUBMITTED
    times = attempt.clock.readings()
    assert times["wall_s"] > 300 > 60  # three Retry-After waits of 100 s
    assert times["provider_wait_s"] >= 300
    assert times["working_s"] < 60
    assert attempt.meter.provider_wait_s == pytest.approx(times["provider_wait_s"], abs=0.01)
    assert len(attempt.events("provider_retry")) == 3


def test_the_wall_cap_is_the_providers_failure_not_the_agents_time_limit(
    fake: FakeTime, sandbox: LocalSandbox
) -> None:
    script = [rate_limited(100, repeat=2), bash("echo hi"), submit("hi")]
    with ScriptedModelServer(script) as server:
        attempt = Attempt(server, fake, budget_s=1800)
        with pytest.raises(WallTimeExceeded, match="wall-clock cap of 150 s") as info:
            attempt.run_react(sandbox, AgentLimits(time_limit_s=60, wall_time_limit_s=150))
    # A ProviderOutage: execution.py turns it into InfraError(provider_outage), never scored.
    assert isinstance(info.value, ProviderOutage)
    assert sandbox.commands == []  # it stopped before acting on the delayed reply


def test_slow_work_still_ends_with_the_time_limit(fake: FakeTime, sandbox: LocalSandbox) -> None:
    script = [bash("sleep 5"), submit("too late")]
    with ScriptedModelServer(script) as server:
        attempt = Attempt(server, fake, budget_s=1800)
        result = attempt.run_react(sandbox, AgentLimits(time_limit_s=1.0, wall_time_limit_s=1801))
    assert result.stop_reason == StopReason.TIME_LIMIT
    (output,) = attempt.events("tool_output")
    assert output["timed_out"]  # the command was cut at the working time left
    assert attempt.clock.readings()["provider_wait_s"] == 0


def test_a_commands_timeout_is_bounded_by_working_time_left(fake: FakeTime) -> None:
    clock = AttemptClock(now=fake.now)
    limits = AgentLimits(time_limit_s=100, wall_time_limit_s=150)
    fake.sleep(40)
    left = clock.time_left_s(limits)
    assert left is not None and 59 < left <= 60
    assert not clock.time_up(limits)
    assert clock.time_left_s(AgentLimits()) is None


def test_a_wall_cap_the_agent_spends_working_is_its_time_limit(fake: FakeTime) -> None:
    # Without waits, working time reaches a cap set below the time limit (or alone) at the same
    # moment as wall time: the agent used its time, the provider took none of it.
    clock = AttemptClock(now=fake.now)
    fake.sleep(300)
    assert clock.time_up(AgentLimits(time_limit_s=600, wall_time_limit_s=300))
    assert clock.time_up(AgentLimits(wall_time_limit_s=300))
    waited = AttemptClock(lambda: 100.0, now=fake.now)
    fake.sleep(300)
    with pytest.raises(WallTimeExceeded):
        waited.time_up(AgentLimits(wall_time_limit_s=300))


# --- settings -----------------------------------------------------------------------------------


def test_the_wall_cap_defaults_to_the_time_limit_plus_the_outage_budget() -> None:
    limits = agent_limits({"time_limit_s": 600, "outage_budget_s": 120}, 900.0)
    assert (limits.time_limit_s, limits.wall_time_limit_s) == (600.0, 720.0)
    assert agent_limits({"time_limit_s": 600, "wall_time_limit_s": 700}, None).wall_time_limit_s == 700.0
    assert agent_limits({}, None).wall_time_limit_s is None
    default = agent_limits({}, 60.0).wall_time_limit_s
    assert default == 60.0 + 1800.0  # HORIZON_PROVIDER_OUTAGE_BUDGET_S unset


def test_the_new_settings_are_bounded() -> None:
    AgentSettings(outage_budget_s=0, wall_time_limit_s=3600)
    with pytest.raises(ValueError):
        AgentSettings(outage_budget_s=-1)
    with pytest.raises(ValueError):
        AgentSettings(wall_time_limit_s=0)


# --- through execute_attempt, on Docker ---------------------------------------------------------


def react_spec(server: ScriptedModelServer, run_id: int, **settings: Any) -> Any:
    spec = make_spec("react", run_id=run_id, settings=settings)
    return replace(spec, model=ModelConfig(name="scripted-model", base_url=server.base_url))


@pytest.mark.docker
def test_an_attempt_waiting_on_rate_limits_is_scored_with_its_times(docker_backend: DockerBackend) -> None:
    # The worker's own retry policy: two Retry-After waits of 1.5 s against a 2 s time limit.
    script = [rate_limited(1.5, repeat=2), submit("12")]
    meter = AttemptMeter()
    with ScriptedModelServer(script) as server:
        outcome = execute_attempt(
            react_spec(server, 130, time_limit_s=2.0), docker_backend, heartbeat=no_heartbeat, meter=meter
        )
    assert outcome.stop_reason == StopReason.SUBMITTED
    assert outcome.wall_s is not None and outcome.working_s is not None
    assert outcome.provider_wait_s >= 3.0
    assert outcome.wall_s >= 3.0 > 2.0 > outcome.working_s
    assert meter.provider_wait_s == pytest.approx(outcome.provider_wait_s, abs=0.01)
    kinds = [e["kind"] for e in outcome.transcript]
    assert kinds.count("provider_retry") == 2
    (end,) = [e for e in outcome.transcript if e["kind"] == "agent_end"]
    assert end["provider_wait_s"] >= 3.0


@pytest.mark.docker
def test_an_attempt_past_its_outage_budget_or_wall_cap_is_an_infra_error(
    docker_backend: DockerBackend,
) -> None:
    with ScriptedModelServer([{"status": 503, "error": "down", "repeat": 50}]) as server:
        with pytest.raises(InfraError) as outage:
            execute_attempt(
                react_spec(server, 131, outage_budget_s=2), docker_backend, heartbeat=no_heartbeat
            )
    assert outage.value.reason == REASON_PROVIDER
    assert "outage budget of 2 s" in outage.value.message
    assert 0 < outage.value.times["provider_wait_s"] <= 2.0

    # A reply that submits is taken whenever it comes; one that acts is stopped at the cap.
    script = [rate_limited(1.5, repeat=2), bash("echo 12 > answer.txt"), submit("12")]
    with ScriptedModelServer(script) as server:
        spec = react_spec(server, 132, time_limit_s=60, wall_time_limit_s=2)
        with pytest.raises(InfraError) as capped:
            execute_attempt(spec, docker_backend, heartbeat=no_heartbeat)
    assert capped.value.reason == REASON_PROVIDER
    assert "wall-clock cap of 2 s" in capped.value.message
    assert capped.value.times["working_s"] < 60
    assert docker_backend.managed_containers(run_id=132) == []
