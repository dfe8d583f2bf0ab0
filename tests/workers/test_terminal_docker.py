"""The terminal scaffold's shell session and file transfer in a real, locked-down Docker sandbox."""

from __future__ import annotations

import base64
import hashlib
import os
import time
from collections.abc import Iterator
from typing import Any

import pytest

from core.states import StopReason
from tests.fakes.scripted_openai import ScriptedModelServer
from workers.providers.config import ModelConfig
from workers.providers.factory import make_client
from workers.providers.transport import RetryPolicy
from workers.sandbox.docker.backend import DockerBackend
from workers.sandbox.docker.sandbox import DockerSandbox
from workers.scaffolds.base import AgentLimits, ScaffoldContext
from workers.scaffolds.shell_session import ShellSession
from workers.scaffolds.terminal import TerminalScaffold
from workers.transcript import Transcript

from .conftest import SMALL_LIMITS

pytestmark = pytest.mark.docker
WORKDIR = "/home/agent"


@pytest.fixture
def sandbox(docker_backend: DockerBackend, base_image: str) -> Iterator[DockerSandbox]:
    box = docker_backend.create(base_image, limits=SMALL_LIMITS, workdir=WORKDIR, run_id=12, attempt=1)
    yield box
    box.close()


def test_the_sandbox_protocol_moves_arbitrary_bytes_intact(sandbox: DockerSandbox) -> None:
    blob = os.urandom(3 * 1024 * 1024) + b"\x00\xc3\x28\xff\xfe\x00"
    sandbox.put_files({"data/blob.bin": blob, "data/nul.bin": b"\x00" * 10}, WORKDIR)
    sandbox.put_files({"blob.bin": blob}, "/tmp/in")
    for path in (f"{WORKDIR}/data/blob.bin", "/tmp/in/blob.bin"):
        assert sandbox.read_bytes(path, max_bytes=4 * 1024 * 1024) == blob
    assert sandbox.read_bytes(f"{WORKDIR}/data/nul.bin") == b"\x00" * 10
    # The agent's own commands see the same bytes.
    check = sandbox.exec("sha256sum data/blob.bin | cut -c1-64", timeout_s=30)
    assert check.stdout.strip() == hashlib.sha256(blob).hexdigest()


def test_shell_session_keeps_state_and_background_jobs(sandbox: DockerSandbox) -> None:
    shell = ShellSession(sandbox)

    def run(command: str, timeout_s: float = 20) -> Any:
        return shell.run(command, timeout_s)

    first = run(
        "mkdir -p proj && cd proj && export MODE=fast && count=2 && greet() { echo hello $1; } && "
        "alias say=echo; (while :; do echo tick >> ticks; sleep 0.1; done) & echo $! > /tmp/ticker"
    )
    assert first.exit_code == 0 and not first.timed_out
    time.sleep(0.5)
    second = run(
        "pwd; echo $MODE $count; greet you; say aliased; id -un; kill -0 $(cat /tmp/ticker) && echo alive"
    )
    assert second.stdout.split("\n")[:6] == [
        f"{WORKDIR}/proj",
        "fast 2",
        "hello you",
        "aliased",
        "agent",
        "alive",
    ]
    ticks = int(run("wc -l < ticks").stdout)
    time.sleep(0.5)
    assert int(run("wc -l < ticks").stdout) > ticks  # the background job kept running between calls

    started = time.monotonic()
    killed = run("cd / && export MODE=slow && echo partial && sleep 60", timeout_s=1.5)
    assert killed.timed_out and time.monotonic() - started < 15
    assert "partial" in killed.stdout
    after = run("pwd; echo $MODE; kill -0 $(cat /tmp/ticker) && echo alive")
    # Nothing of the killed command's state stuck, and the earlier background job lives on.
    assert after.stdout.split("\n")[:3] == [f"{WORKDIR}/proj", "fast", "alive"]
    assert run("exit 7").exit_code == 7
    assert run("echo $count").stdout == "2\n"


def test_terminal_scaffold_end_to_end_in_docker(sandbox: DockerSandbox) -> None:
    blob = bytes(range(256)) * 8 + b"\x00\xff"
    encoded = base64.b64encode(blob).decode()

    def call(name: str, **arguments: Any) -> dict[str, Any]:
        return {"name": name, "arguments": arguments}

    script = [
        {"tool_calls": [call("bash", command="mkdir -p src && cd src && export TAG=v1 && echo one > a.txt")]},
        {
            "tool_calls": [
                call("write_file", path="src/blob.bin", content=encoded, encoding="base64"),
                call("write_file", path="/root/owned.txt", content="no"),
                call("bash", command="echo two > b.txt && echo $TAG > tag.txt && pwd"),
            ]
        },
        {
            "tool_calls": [
                call("read_file", path="src/a.txt"),
                call("read_file", path="src/b.txt"),
                call("read_file", path="src/blob.bin", encoding="base64"),
                call("read_file", path="src/tag.txt"),
            ]
        },
        {"tool_calls": [call("submit", answer="done")]},
    ]
    transcript = Transcript()
    with ScriptedModelServer(script) as server:
        cfg = ModelConfig(name="scripted-model", base_url=server.base_url, context_window=100_000)
        ctx = ScaffoldContext(
            instructions="Work in the sandbox, then submit.",
            sandbox=sandbox,
            model=make_client(cfg, retry=RetryPolicy(max_attempts=2, base_delay_s=0.01)),
            limits=AgentLimits(command_timeout_s=30),
            transcript=transcript,
            solution=None,
            heartbeat=lambda: None,
        )
        result = TerminalScaffold({}).run(ctx)
        bodies = [r["body"] for r in server.completion_requests]
    assert result.stop_reason == StopReason.SUBMITTED
    assert sandbox.read_file(f"{WORKDIR}/submission.txt") == "done"
    assert sandbox.read_bytes(f"{WORKDIR}/src/blob.bin") == blob
    written, refused, shell = [m["content"] for m in bodies[2]["messages"] if m["role"] == "tool"][1:]
    assert written == f"Wrote {len(blob)} bytes to src/blob.bin."
    # The file tools act as the agent's user: no writing where its commands could not.
    assert refused.startswith("Error: writing /root/owned.txt failed")
    assert f"{WORKDIR}/src" in shell  # the shell was still in src from the call before
    reads = [m["content"] for m in bodies[3]["messages"] if m["role"] == "tool"][-4:]
    assert "one" in reads[0] and "two" in reads[1] and "v1" in reads[3]
    assert base64.b64decode(reads[2].partition("\n")[2]) == blob
    parallel = [e for e in transcript.events if e["kind"] == "tool_output" and e.get("parallel")]
    assert len(parallel) == 4
