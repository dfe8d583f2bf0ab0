"""InferenceServerManager with real server processes: the scripted model server run as a program."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import tests.fakes.scripted_openai as scripted_module
from workers.inference_server import (
    InferenceServerError,
    InferenceServerManager,
    new_namespace,
    render_command,
)
from workers.providers.base import Message, ProviderOutage
from workers.providers.config import ModelConfig
from workers.providers.factory import make_client
from workers.providers.transport import RetryPolicy

SCRIPTED_SERVER = Path(scripted_module.__file__).resolve()
# `{weights}` carries the script path here, as it would carry a checkpoint for vLLM or llama.cpp.
TEMPLATE = f"{{python}} {SCRIPTED_SERVER} --port {{port}} --loop --script {{weights}}"
# The operator's templates, by name (HORIZON_INFERENCE_TEMPLATES on a real worker).
TEMPLATES = {
    "scripted": TEMPLATE,
    "broken": (
        "{python} -c \"import sys; print('CUDA out of memory while loading {weights}'); sys.exit(3)\" {port}"
    ),
}


@pytest.fixture
def manager(tmp_path: Path) -> Iterator[InferenceServerManager]:
    mgr = manager_for(tmp_path, idle_timeout_s=3600)
    yield mgr
    mgr.stop_all()


def manager_for(tmp_path: Path, **kwargs: Any) -> InferenceServerManager:
    """A manager with a namespace of its own: its servers are shared with no other test."""
    options: dict[str, Any] = {
        "start_timeout_s": 30,
        "log_dir": tmp_path,
        "poll_interval_s": 0.05,
        "templates": TEMPLATES,
        "namespace": new_namespace("test"),
    }
    return InferenceServerManager(**{**options, **kwargs})


def model(tmp_path: Path, name: str = "local", reply: str = "hello from a managed server") -> ModelConfig:
    script = tmp_path / f"{name}.json"
    script.write_text(json.dumps([{"content": reply}]))
    return ModelConfig(name=name, managed=True, server_template="scripted", weights=str(script))


def test_lease_starts_the_server_and_fills_in_base_url(
    manager: InferenceServerManager, tmp_path: Path
) -> None:
    cfg = model(tmp_path)
    with manager.lease(cfg) as resolved:
        assert resolved.base_url is not None and resolved.base_url.endswith("/v1")
        assert resolved.name == cfg.name and cfg.base_url is None
        client = make_client(resolved, retry=RetryPolicy(max_attempts=2, base_delay_s=0.01))
        reply = client.complete([Message(role="user", content="hi")], [], max_tokens=8)
    assert reply.message.content == "hello from a managed server"
    (server,) = manager.running()
    assert server.leases == 0 and server.alive()


def test_servers_are_reused_by_command_and_weights(manager: InferenceServerManager, tmp_path: Path) -> None:
    a, b = model(tmp_path, "a"), model(tmp_path, "b")
    first = manager.ensure_running(a)
    again = manager.ensure_running(a)
    other = manager.ensure_running(b)
    assert first == again
    assert other != first
    assert len(manager.running()) == 2


def test_idle_servers_are_stopped_but_leased_ones_are_not(tmp_path: Path) -> None:
    mgr = manager_for(tmp_path, idle_timeout_s=0.0)
    try:
        busy, idle = model(tmp_path, "busy"), model(tmp_path, "idle")
        mgr.ensure_running(idle)
        with mgr.lease(busy) as resolved:
            stopped = mgr.stop_idle(now=time.time() + 1)
            assert [s.key[1] for s in stopped] == [idle.weights]
            assert not stopped[0].alive()
            # The leased server still answers.
            assert httpx.get(f"{resolved.base_url}/models").status_code == 200
        (still,) = mgr.running()
        mgr.stop_idle(now=time.time() + 1)
        assert mgr.running() == []
        assert not still.alive()
    finally:
        mgr.stop_all()


def test_reaper_thread_stops_idle_servers(tmp_path: Path) -> None:
    mgr = manager_for(tmp_path, idle_timeout_s=0.2)
    try:
        mgr.ensure_running(model(tmp_path))
        (server,) = mgr.running()
        mgr.start_reaper(interval_s=0.05)
        deadline = time.monotonic() + 20
        while server.alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not server.alive()
        assert mgr.running() == []
    finally:
        mgr.stop_all()


def test_a_dead_server_is_replaced_on_the_next_lease(manager: InferenceServerManager, tmp_path: Path) -> None:
    cfg = model(tmp_path)
    manager.ensure_running(cfg)
    (first,) = manager.running()
    os.killpg(first.pid, signal.SIGKILL)
    with manager.lease(cfg) as resolved:
        assert httpx.get(f"{resolved.base_url}/models").status_code == 200
    (second,) = manager.running()
    assert second.pid != first.pid


def test_a_server_that_exits_raises_an_infra_error_with_its_log(tmp_path: Path) -> None:
    mgr = manager_for(tmp_path)
    cfg = ModelConfig(name="broken", managed=True, server_template="broken", weights="big.bin")
    with pytest.raises(InferenceServerError, match="CUDA out of memory while loading big.bin") as info:
        mgr.ensure_running(cfg)
    assert isinstance(info.value, ProviderOutage)
    assert "exited with code 3" in str(info.value)
    assert mgr.running() == []


def test_a_server_that_never_answers_times_out_and_is_killed(tmp_path: Path) -> None:
    marker = tmp_path / "pid"
    command = (
        f"{{python}} -c \"import os, time; open('{marker}', 'w').write(str(os.getpid())); time.sleep(60)\""
        " {port}"
    )
    mgr = manager_for(tmp_path, start_timeout_s=1.0, templates={"mute": command})
    cfg = ModelConfig(name="mute", managed=True, server_template="mute")
    with pytest.raises(InferenceServerError, match="did not answer"):
        mgr.ensure_running(cfg)
    pid = int(marker.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_command_templates() -> None:
    argv = render_command(
        "{python} -m llama_cpp.server --model '{weights}' --host {host} --port {port}",
        weights="/models/a b.gguf",
        port=8123,
        host="127.0.0.1",
        python=sys.executable,
    )
    assert argv == [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        "/models/a b.gguf",
        "--host",
        "127.0.0.1",
        "--port",
        "8123",
    ]
    # Values fill whole arguments: spaces and quotes in a weights path add no argument.
    hostile = "w.gguf --api-key 'x' ; touch /tmp/pwned"
    assert render_command(
        "serve --model={weights} --port {port}", weights=hostile, port=1, host="h", python="p"
    ) == [
        "serve",
        f"--model={hostile}",
        "--port",
        "1",
    ]
    with pytest.raises(InferenceServerError, match="placeholder"):
        render_command("serve {model}", weights="w", port=1, host="h", python="p")
    with pytest.raises(InferenceServerError, match="not managed"):
        InferenceServerManager().ensure_running(ModelConfig(name="hosted"))


def test_only_the_operators_templates_start_and_an_unknown_name_starts_nothing(tmp_path: Path) -> None:
    canary = tmp_path / "canary"
    mgr = manager_for(tmp_path, start_timeout_s=5, templates={"no-port": f"touch {canary}", "ok": TEMPLATE})
    try:
        for name, words in (("missing", "does not have"), ("no-port", "must contain")):
            cfg = ModelConfig(name="m", managed=True, server_template=name, weights="w")
            with pytest.raises(InferenceServerError, match=words):
                mgr.ensure_running(cfg)
        assert mgr.running() == [] and not canary.exists()
    finally:
        mgr.stop_all()


def test_servers_are_stopped_when_the_owning_process_exits(tmp_path: Path) -> None:
    cfg = model(tmp_path)
    program = (
        "import sys\n"
        "from workers.inference_server import InferenceServerManager\n"
        "from workers.providers.config import ModelConfig\n"
        f"cfg = ModelConfig(name='x', managed=True, server_template='t', weights={cfg.weights!r})\n"
        f"templates = {{'t': {TEMPLATE!r}}}\n"
        "mgr = InferenceServerManager(\n"
        f"    start_timeout_s=30, poll_interval_s=0.05, templates=templates, namespace={new_namespace()!r}\n"
        ")\n"
        "mgr.ensure_running(cfg)\n"
        "print(mgr.running()[0].pid, flush=True)\n"
        "sys.exit(0)  # no stop_all: the manager's exit hook must do it\n"
    )
    repo_root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", program], cwd=repo_root, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    pid = int(done.stdout.strip())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
