"""In-sandbox agents on a real Docker daemon: a program in an agent layer, behind the model proxy.

The program is `tests/fakes/tiny_agent.py`, installed by the layer's own build steps; the model is
a scripted OpenAI-compatible server on the host's loopback, which holds the real key. What the
program runs comes from the script, so the attack tests make the program itself try to get out:
every probe's output goes back to the model, where the test reads it.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

import psutil
import pytest

from core.states import StopReason
from core.taskspec import EnvironmentSpec, ResourceLimits, ScorerSpec
from tests.fakes.scripted_openai import ScriptedModelServer
from tests.fakes.tiny_agent import layer_steps
from workers.execution import (
    REASON_IMAGE_BUILD,
    AgentConfig,
    AttemptOutcome,
    AttemptSpec,
    InfraError,
    TaskBundle,
    execute_attempt,
)
from workers.metering import AttemptMeter
from workers.providers.config import ModelConfig
from workers.sandbox.docker.backend import DockerBackend

pytestmark = pytest.mark.docker

REAL_KEY_ENV = "HORIZON_TEST_SANDBOX_REAL_KEY"
REAL_KEY = "sk-real-0f9e8d7c6b5a-never-inside"
SCORE_PY = """\
from pathlib import Path
p = Path("submission.txt")
print(1 if p.exists() and p.read_text().strip() == "42" else 0)
"""
TASK = TaskBundle(
    task_id="answer-42",
    version=1,
    instructions="The answer is in answer.txt. Submit it.",
    environment=EnvironmentSpec(files={"answer.txt": "42\n"}),
    scorer=ScorerSpec(command="python3 /scorer/score.py", files={"score.py": SCORE_PY}),
    solution=None,
    limits=ResourceLimits(cpus=1.0, memory_mb=256, pids=64, disk_mb=32),
    time_limit_s=120.0,
)
PROGRAM = {"command": ["tiny-agent"], "dockerfile": layer_steps()}
# Run inside the sandbox by the program (a `bash` call): each way out it tries, and what it saw.
PROBE = r"""python3 - <<'EOF'
import json, os, socket
found = {"env": dict(os.environ), "folder": sorted(os.listdir("/run/horizon"))}
names = ("relay.py", "instructions.md")
found["folder_text"] = "".join(open(f"/run/horizon/{n}", errors="replace").read() for n in names)
def connect(host, port):
    try:
        socket.create_connection((host, port), timeout=3).close()
        return "connected"
    except OSError as exc:
        return type(exc).__name__ + ": " + str(exc)
targets = [a.split("=") for a in os.environ["PROBE_TARGETS"].split()]
found["connect"] = {f"{h}:{p}": connect(h, int(p)) for h, p in targets}
try:
    open("/run/horizon/planted", "w").write("x")
    found["write"] = "written"
except OSError as exc:
    found["write"] = str(exc)
import urllib.request, urllib.error
try:
    url = os.environ["OPENAI_BASE_URL"] + "/models"
    req = urllib.request.Request(url, headers={"authorization": "Bearer guessed"})
    urllib.request.urlopen(req, timeout=5)
    found["no_token"] = "answered"
except urllib.error.HTTPError as exc:
    found["no_token"] = exc.code
print("PROBE" + json.dumps(found))
EOF"""


def bash(command: str, **extra: Any) -> dict[str, Any]:
    return {"tool_calls": [{"name": "bash", "arguments": {"command": command}}], **extra}


def submit(answer: str, **extra: Any) -> dict[str, Any]:
    return {"tool_calls": [{"name": "submit", "arguments": {"answer": answer}}], **extra}


@pytest.fixture
def real_key(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv(REAL_KEY_ENV, REAL_KEY)
    yield REAL_KEY


def attempt(
    backend: DockerBackend,
    server: ScriptedModelServer,
    *,
    settings: dict[str, Any] | None = None,
    program: dict[str, Any] | None = None,
    run_id: int = 700,
    task: TaskBundle = TASK,
) -> tuple[AttemptOutcome, AttemptMeter]:
    model = ModelConfig(
        name="scripted-model",
        base_url=server.base_url,
        api_key_env=REAL_KEY_ENV,
        input_price_per_mtok=2.0,
        output_price_per_mtok=8.0,
    )
    spec = AttemptSpec(
        run_id=run_id,
        attempt=1,
        task=task,
        agent=AgentConfig(
            name="tiny",
            scaffold="sandbox_program",
            settings={"program": program or PROGRAM, **(settings or {})},
        ),
        model=model,
    )
    meter = AttemptMeter()
    return execute_attempt(spec, backend, heartbeat=lambda: None, meter=meter), meter


def host_address() -> str:
    """An address of this host other than loopback (where its services could be reached from a
    container with a network), or one in a private range when it has none."""
    for addresses in psutil.net_if_addrs().values():
        for address in addresses:
            if address.family == socket.AF_INET and not address.address.startswith("127."):
                return str(address.address)
    return "10.255.255.1"


def kinds(outcome: AttemptOutcome) -> list[str]:
    return [e["kind"] for e in outcome.transcript]


@pytest.mark.timeout(300)
def test_a_program_in_the_sandbox_solves_the_task_through_the_proxy(
    docker_backend: DockerBackend, real_key: str
) -> None:
    script = [bash("cat answer.txt"), submit("42")]
    with ScriptedModelServer(script, api_key=real_key) as server:
        outcome, meter = attempt(docker_backend, server)
        requests = [r["body"] for r in server.completion_requests]
    assert outcome.stop_reason == StopReason.SUBMITTED and outcome.score_cont == 1.0, outcome.transcript[-8:]
    assert outcome.submission == "42"
    # The program's second call carried what its command printed.
    assert requests[1]["messages"][-1]["content"] == "exit 0\n42\n"
    assert requests[0]["messages"][0]["content"] == TASK.instructions
    # Tokens and cost: the proxy's account, the meter's, and the transcript's model events agree.
    models = [e for e in outcome.transcript if e["kind"] == "model"]
    assert len(models) == 2 and meter.model_calls == 2
    assert outcome.input_tokens == meter.tokens_in == sum(e["input_tokens"] for e in models) > 0
    assert outcome.output_tokens == meter.tokens_out > 0
    assert outcome.cost_usd == pytest.approx(meter.cost_usd) and outcome.cost_usd > 0
    assert (
        kinds(outcome).index("program_start")
        < kinds(outcome).index("model")
        < kinds(outcome).index("program_end")
    )
    assert REAL_KEY not in json.dumps(outcome.transcript)


@pytest.mark.timeout(300)
def test_the_program_cannot_get_out_nor_find_the_real_key(
    docker_backend: DockerBackend, real_key: str
) -> None:
    gateway = host_address()
    with ScriptedModelServer([bash(PROBE), submit("42")], api_key=real_key) as server:
        targets = f"127.0.0.1={server.port} {gateway}={server.port} {gateway}=2375 1.1.1.1=443"
        outcome, _ = attempt(
            docker_backend, server, settings={}, program={**PROGRAM, "env": {"PROBE_TARGETS": targets}}
        )
        output = server.completion_requests[1]["body"]["messages"][-1]["content"]
    assert outcome.stop_reason == StopReason.SUBMITTED
    assert REAL_KEY not in output and REAL_KEY not in json.dumps(outcome.transcript)
    found = json.loads(output.split("PROBE", 1)[1])
    # It holds a dummy token for this attempt, nothing else.
    assert found["env"]["OPENAI_API_KEY"].startswith("hzp-") and found["env"]["OPENAI_API_KEY"] != real_key
    assert found["env"]["OPENAI_BASE_URL"] == "http://127.0.0.1:8787/v1"
    assert sorted(found["folder"]) == ["instructions.md", "model.sock", "relay.py"]
    # No address but the sandbox's own loopback: the host's services (by loopback or by the bridge
    # gateway), the Docker API port and the internet are all unreachable.
    for target, result in found["connect"].items():
        assert result != "connected", target
    assert "Network is unreachable" in found["connect"][f"{gateway}:{server.port}"]
    assert "refused" in found["connect"][f"127.0.0.1:{server.port}"]
    assert "Read-only file system" in found["write"]
    assert found["no_token"] == 401


@pytest.mark.timeout(300)
def test_a_spent_token_limit_refuses_the_call_and_stops_the_program(
    docker_backend: DockerBackend, real_key: str
) -> None:
    big = {"usage": {"prompt_tokens": 900, "completion_tokens": 50}}
    script = [bash("sleep 1; cat answer.txt", **big), bash("cat answer.txt", **big), submit("42", **big)]
    with ScriptedModelServer(script, api_key=real_key) as server:
        outcome, meter = attempt(docker_backend, server, settings={"token_limit": 1500})
        calls = len(server.completion_requests)
    assert outcome.stop_reason == StopReason.TOKEN_LIMIT and outcome.score_cont == 0.0
    # The second call crossed the limit: paid for, withheld from the program; no third call.
    assert calls == 2 and meter.model_calls == 2
    assert (outcome.input_tokens, outcome.output_tokens) == (1800, 100)
    assert "proxy_stop" in kinds(outcome)


@pytest.mark.timeout(300)
def test_the_time_limit_ends_a_program_that_keeps_working(
    docker_backend: DockerBackend, real_key: str
) -> None:
    with ScriptedModelServer([bash("sleep 600")], api_key=real_key) as server:
        outcome, _ = attempt(docker_backend, server, settings={"time_limit_s": 4})
    assert outcome.stop_reason == StopReason.TIME_LIMIT
    assert outcome.timings["agent_s"] < 30


@pytest.mark.timeout(300)
def test_a_program_that_fails_is_the_agents_error(docker_backend: DockerBackend, real_key: str) -> None:
    program = {"command": ["sh", "-c", "echo giving up >&2; exit 7"]}
    with ScriptedModelServer([], api_key=real_key) as server:
        outcome, _ = attempt(docker_backend, server, program=program)
    assert outcome.stop_reason == StopReason.AGENT_ERROR and outcome.score_cont == 0.0
    end = next(e for e in outcome.transcript if e["kind"] == "program_end")
    assert end["exit_code"] == 7 and "giving up" in end["stderr"]


@pytest.mark.timeout(300)
def test_a_layer_that_needs_a_missing_wheelhouse_is_an_image_build_failure(
    docker_backend: DockerBackend, real_key: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HORIZON_AGENT_WHEELHOUSE", str(tmp_path / "empty"))
    program = {"command": ["mini"], "pip": ["mini-swe-agent==1.17.5"]}
    with ScriptedModelServer([], api_key=real_key) as server, pytest.raises(InfraError) as caught:
        attempt(docker_backend, server, program=program)
    assert caught.value.reason == REASON_IMAGE_BUILD and "no pip wheel" in caught.value.message
