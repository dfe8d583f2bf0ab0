"""Tokens and provider keys never reach logs, stored errors or transcripts.

Real processes: `horizon serve` (with a bootstrap admin token in its environment) and a worker
that holds two provider keys, one right and one wrong. The scripted model, which checks the right
key, deliberately repeats it in its reply, in a shell command and in its answer; the agent with
the wrong key is refused by the server. Tokens are created, used and misused over HTTP. Then
every secret is searched for in the server's and the worker's logs, in every run's stored error,
and in every stored transcript: none may appear.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

import httpx
import pytest
import redis
from sqlalchemy import select

from core.db import session_scope
from core.models import ApiToken, Run, TranscriptEvent
from tests.factories import make_token
from tests.reliability.support import (
    RedisServer,
    deployment,
    free_port,
    start_scripted_model,
    tiny_task,
    wait_batch_done,
)
from workers.sandbox.docker.backend import DockerBackend

pytestmark = pytest.mark.docker


@pytest.mark.timeout(600)
def test_no_secret_in_logs_errors_or_transcripts(
    db: str, private_redis: RedisServer, docker_backend: DockerBackend, tmp_path: Path
) -> None:
    redis.Redis.from_url(private_redis.url()).flushall()
    key = f"sk-right-{secrets.token_hex(12)}"
    wrong_key = f"sk-wrong-{secrets.token_hex(12)}"
    bootstrap = f"hzn_boot_{secrets.token_hex(16)}"
    submitter = make_token("submitter")  # made before serve starts, so serve creates no first token
    leaky: list[dict[str, Any]] = [
        {
            "content": f"My key is {key}.",
            "tool_calls": [{"name": "bash", "arguments": {"command": f"echo {key}; echo ok > answer.txt"}}],
        },
        {"tool_calls": [{"name": "submit", "arguments": {"answer": f"done {key}"}}]},
    ]
    env = {
        "DATABASE_URL": db,
        "REDIS_URL": private_redis.url(),
        "HORIZON_SANDBOX_INSTANCE": docker_backend.instance,
        "HORIZON_ADMIN_TOKEN": bootstrap,
        "HORIZON_MODEL_KEY_HYGIENE": key,
        "HORIZON_MODEL_KEY_HYGIENE_WRONG": wrong_key,
        "HORIZON_PROVIDER_MAX_ATTEMPTS": "1",
    }
    model_proc, model_url = start_scripted_model(
        leaky, "hygiene", tmp_path, loop=True, api_key_env="HORIZON_MODEL_KEY_HYGIENE", env=env
    )
    # The operator binds both keys to the scripted model (server and worker read the same setting).
    env["HORIZON_MODEL_KEY_ENDPOINTS"] = json.dumps(
        {"HORIZON_MODEL_KEY_HYGIENE": [model_url], "HORIZON_MODEL_KEY_HYGIENE_WRONG": [model_url]}
    )
    port = free_port()
    try:
        with deployment(env, "hygiene") as cluster:
            cluster.serve(port)
            cluster.worker("w1", concurrency=1, queues="default,runs")
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
                admin = {"Authorization": f"Bearer {bootstrap}"}
                sub = {"Authorization": f"Bearer {submitter}"}
                made = client.post("/api/tokens", json={"name": "made", "role": "submitter"}, headers=admin)
                made_secret = made.json()["token"]
                assert (
                    client.get("/api/tasks", headers={"Authorization": "Bearer hzn_guess"}).status_code == 401
                )
                assert client.post("/api/tasks", json=tiny_task("t", ["h"]), headers=sub).status_code == 201
                for name, key_env in (
                    ("right", "HORIZON_MODEL_KEY_HYGIENE"),
                    ("wrong", "HORIZON_MODEL_KEY_HYGIENE_WRONG"),
                ):
                    model = {"name": name, "base_url": model_url, "api_key_env": key_env}
                    assert client.post("/api/models", json=model, headers=sub).status_code == 201
                    agent = {"name": f"{name}-agent", "scaffold": "react", "model": name}
                    assert client.post("/api/agents", json=agent, headers=sub).status_code == 201
                batch = {"agents": ["right-agent", "wrong-agent"], "tags": ["h"]}
                r = client.post(
                    "/api/batches", json=batch, headers={"Authorization": f"Bearer {made_secret}"}
                )
                assert r.status_code == 201, r.text
                done = wait_batch_done(client, r.json()["id"], timeout=300)
            logs = cluster.logs()
    finally:
        model_proc.stop()

    assert done["counts"] == {"completed": 1, "infra_error": 1}, done
    with session_scope() as s:
        hashes = list(s.scalars(select(ApiToken.token_hash)))
        errors = [r.error or "" for r in s.scalars(select(Run))]
        transcripts = json.dumps(list(s.scalars(select(TranscriptEvent.event))))
    assert any("401" in e for e in errors)  # the wrong key was refused, and said so
    assert "[redacted]" in transcripts  # the model's repetitions of the key were scrubbed
    everything = {"logs": logs, "errors": "\n".join(errors), "transcripts": transcripts}
    for name, value in {
        "provider key": key,
        "wrong provider key": wrong_key,
        "bootstrap admin token": bootstrap,
        "submitter token": submitter,
        "token made over HTTP": made_secret,
        **{f"token hash {i}": h for i, h in enumerate(hashes)},
    }.items():
        for where, text in everything.items():
            assert value not in text, f"the {name} appears in the {where}"
