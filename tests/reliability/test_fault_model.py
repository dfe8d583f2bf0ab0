"""A model endpoint that times out, answers 500s or sends malformed tool calls.

Each agent of one batch talks to its own scripted OpenAI-compatible server (a real process on
127.0.0.1), through real workers and Docker sandboxes:

- `flaky`: 500s until the provider client gives up, then good answers: an infrastructure failure,
  retried, and the run completes on its second attempt with the right score;
- `slow`: requests that outlast the client's timeout, then good answers: the same;
- `down`: 503 for ever: the run ends `infra_error` after every attempt, never a scored failure;
- `garbled-once`: one malformed tool call, then good ones: the model's own slip, answered with an
  error message; the run completes on its first attempt;
- `garbled`: only malformed tool calls: the model fails the task (completed, score 0, stopped by its
  action limit), which is the model's failure and not an infrastructure one.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from core.db import session_scope
from core.models import Agent, Run
from core.services.runs import transcript_of
from tests.reliability.support import (
    deployment,
    register_react_agents,
    start_scripted_model,
    tiny_task,
    wait_batch_done,
)
from tests.support.processes import Proc
from workers.sandbox.docker.backend import DockerBackend

pytestmark = pytest.mark.docker

SOLVE = {"tool_calls": [{"name": "bash", "arguments": {"command": "echo ok > answer.txt"}}]}
SUBMIT = {"tool_calls": [{"name": "submit", "arguments": {"answer": "done"}}]}
GARBLED = {"tool_calls": [{"name": "bash", "arguments_raw": '{"command": "echo ok > ans'}]}

# Provider client: 2 tries a call, 1.5 s timeout (set for the worker below).
SCRIPTS: dict[str, tuple[list[dict[str, Any]], bool]] = {
    "flaky": ([{"status": 500, "error": "internal error", "repeat": 2}, SOLVE, SUBMIT], False),
    "slow": ([{**SOLVE, "delay_s": 4, "repeat": 2}, SOLVE, SUBMIT], False),
    "down": ([{"status": 503, "error": "service unavailable"}], True),
    "garbled-once": ([GARBLED, SOLVE, SUBMIT], False),
    "garbled": ([GARBLED], True),
}


@pytest.fixture
def model_servers(tmp_path: Path) -> Iterator[dict[str, str]]:
    procs: list[Proc] = []
    urls: dict[str, str] = {}
    try:
        for name, (script, loop) in SCRIPTS.items():
            proc, url = start_scripted_model(script, name, tmp_path, loop=loop)
            procs.append(proc)
            urls[name] = url
        yield urls
    finally:
        for proc in procs:
            proc.stop()


@pytest.mark.timeout(600)
def test_model_endpoint_faults_are_infrastructure_failures_and_slips_are_the_models(
    api_client: tuple[TestClient, dict[str, str]],
    cluster_env: dict[str, str],
    model_servers: dict[str, str],
    docker_backend: DockerBackend,
) -> None:
    client, headers = api_client
    assert client.post("/api/tasks", json=tiny_task("ok-task", ["model"]), headers=headers).status_code == 201
    register_react_agents(client, headers, model_servers, action_limit=3)
    env = {**cluster_env, "HORIZON_PROVIDER_MAX_ATTEMPTS": "2", "HORIZON_PROVIDER_TIMEOUT_S": "1.5"}

    with deployment(env, "model-fault") as cluster:
        cluster.worker("w1", concurrency=2, queues="default,runs")
        body = {"agents": list(SCRIPTS), "tags": ["model"]}
        r = client.post("/api/batches", json=body, headers=headers)
        assert r.status_code == 201, r.text
        batch = wait_batch_done(client, r.json()["id"], timeout=400)
    assert docker_backend.managed_containers() == []

    with session_scope() as s:
        names = dict(s.execute(select(Agent.id, Agent.name)).all())
        runs = {names[run.agent_id]: run for run in s.scalars(select(Run).where(Run.batch_id == batch["id"]))}
        outcome = {
            name: (run.status, run.attempt, run.stop_reason, run.score_binarized)
            for name, run in runs.items()
        }
        assert outcome == {
            "flaky": ("completed", 2, "submitted", 1),
            "slow": ("completed", 2, "submitted", 1),
            "down": ("infra_error", 3, None, None),
            "garbled-once": ("completed", 1, "submitted", 1),
            "garbled": ("completed", 1, "action_limit", 0),
        }
        assert "HTTP 503" in (runs["down"].error or "") and "gave up" in (runs["down"].error or "")
        garbled = transcript_of(s, runs["garbled-once"].id)
        assert garbled is not None
        errors = [e for e in garbled if e["kind"] == "tool_call" and e.get("arguments_error")]
        assert len(errors) == 1
