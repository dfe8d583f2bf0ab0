"""Attacks through model definitions: a submitter's token must never reach the host.

A real `horizon serve` in embedded mode (it runs every queue, the gpu one included, in-process, as
a worker would), a TCP listener on 127.0.0.1 that must receive nothing, and endpoints that answer
with a canary string:

- no API caller supplies a command line: a submitter's managed model is refused (403), a raw
  command is an unknown field, and an admin's model naming a template the server does not have
  fails as infrastructure without starting anything (the canary file never appears);
- keys: Horizon's own settings are never a key (422); a key goes only to the endpoints the
  operator bound it to (422 at the edge; a stored row that breaks the rule is refused by the
  worker before the key is read); a submitter cannot re-point, re-key or re-provider a model (403);
- no SSRF readback: whatever an endpoint answers (a 500 body, a 400 message, a 200 that is not a
  completion, bytes that are not HTTP) appears in no run error or transcript anyone may read.
"""

from __future__ import annotations

import json
import secrets
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.db import session_scope
from core.models import Agent, Model
from tests.factories import make_token
from tests.reliability.support import deployment, free_port, tiny_task, wait_batch_done
from workers.sandbox.docker.backend import DockerBackend

CANARY = f"CANARY-{secrets.token_hex(8)}"
KEY = f"sk-attack-{secrets.token_hex(12)}"
KEY_ENV = "HORIZON_MODEL_KEY_ATTACK"
BOUND_URL = "http://127.0.0.1:9/v1"  # the operator's endpoint for KEY_ENV (nothing answers there)


class Listener:
    """A TCP listener on 127.0.0.1 that records every connection and byte it receives."""

    def __init__(self) -> None:
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self.port = int(self._sock.getsockname()[1])
        self.connections = 0
        self.received = b""
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.settimeout(2)
            try:
                while chunk := conn.recv(65536):
                    self.received += chunk
            except OSError:
                pass
            conn.close()

    def close(self) -> None:
        self._sock.close()


class HostileEndpoint:
    """Answers by the first path segment, every answer carrying CANARY: /e500 a 500 with a text
    body, /ctx a 400 whose JSON message says the context is exceeded, /text a 200 that is not
    JSON, /json a 200 JSON object that is no completion, /raw bytes that are not HTTP."""

    def __init__(self) -> None:
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self.port = int(self._sock.getsockname()[1])
        threading.Thread(target=self._serve, daemon=True).start()

    def url(self, mode: str) -> str:
        return f"http://127.0.0.1:{self.port}/{mode}/v1"

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        conn.settimeout(5)
        try:
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                head += chunk
            mode = head.split(b" ", 2)[1].decode().split("/")[1]
            conn.sendall(self._response(mode))
        except OSError:
            pass
        finally:
            conn.close()

    @staticmethod
    def _response(mode: str) -> bytes:
        if mode == "raw":
            return f"SSH-2.0-{CANARY}\r\n".encode()
        status, ctype, body = {
            "e500": (500, "text/plain", f"internal secret page {CANARY}"),
            "ctx": (
                400,
                "application/json",
                json.dumps({"error": {"message": f"maximum context length {CANARY}"}}),
            ),
            "text": (200, "text/html", f"<html>{CANARY}</html>"),
            "json": (200, "application/json", json.dumps({"choices": CANARY, "usage": CANARY})),
        }[mode]
        data = body.encode()
        return (
            f"HTTP/1.1 {status} X\r\ncontent-type: {ctype}\r\ncontent-length: {len(data)}\r\n"
            "connection: close\r\n\r\n"
        ).encode() + data

    def close(self) -> None:
        self._sock.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


@contextmanager
def embedded_server(db: str, label: str, extra: dict[str, str] | None = None) -> Iterator[httpx.Client]:
    """`horizon serve` running every queue in-process (no Redis), with a model key in its env."""
    env = {
        "DATABASE_URL": db,
        "REDIS_URL": "",
        "HORIZON_HEARTBEAT_INTERVAL_S": "1",
        "HORIZON_MAX_ATTEMPTS": "1",
        "HORIZON_PROVIDER_MAX_ATTEMPTS": "1",
        "HORIZON_PROVIDER_TIMEOUT_S": "10",
        "HORIZON_ADMIN_TOKEN": f"hzn_attack_{secrets.token_hex(16)}",
        KEY_ENV: KEY,
        "HORIZON_MODEL_KEY_ENDPOINTS": json.dumps({KEY_ENV: [BOUND_URL]}),
        **(extra or {}),
    }
    port = free_port()
    with deployment(env, label) as cluster:
        cluster.serve(port)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as client:
            yield client


def _bearer(role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token(role)}"}


def _runs(client: httpx.Client, batch_id: int) -> list[dict[str, Any]]:
    items = client.get("/api/runs", params={"batch_id": batch_id}).json()["items"]
    return [client.get(f"/api/runs/{r['id']}").json() for r in items]


@pytest.mark.timeout(300)
def test_no_api_caller_starts_a_process_on_the_host(db: str, listener: Listener, tmp_path: Path) -> None:
    canary = tmp_path / "canary"
    sub, admin = _bearer("submitter"), _bearer("admin")
    templates = {"echo": "{python} -c pass {port}"}
    with embedded_server(db, "attack-cmd", {"HORIZON_INFERENCE_TEMPLATES": json.dumps(templates)}) as client:
        assert client.post("/api/tasks", json=tiny_task("t", ["a"]), headers=sub).status_code == 201
        # The old attack: a command line of the caller's choosing.
        raw = {"name": "m", "managed": True, "server_command": f"touch {canary} {{port}}", "weights": "w"}
        for headers in (sub, admin):
            r = client.post("/api/models", json=raw, headers=headers)
            assert r.status_code == 422 and "server_command" in r.text, r.text
        managed = {"name": "m", "managed": True, "server_template": "echo", "weights": str(canary)}
        r = client.post("/api/models", json=managed, headers=sub)
        assert r.status_code == 403 and "admin" in r.text, r.text
        # An admin naming a template the server does not have: created, but nothing starts. (No
        # GPUs for its server: this host has none, and a batch needing them would be refused.)
        r = client.post(
            "/api/models", json={**managed, "server_template": "touch-canary", "gpus": 0}, headers=admin
        )
        assert r.status_code == 201, r.text
        agent = {"name": "a", "scaffold": "react", "model": "m"}
        assert client.post("/api/agents", json=agent, headers=sub).status_code == 201
        r = client.post("/api/batches", json={"agents": ["a"], "tasks": ["t"]}, headers=sub)
        assert r.status_code == 201, r.text
        wait_batch_done(client, r.json()["id"], timeout=120)
        (run,) = _runs(client, r.json()["id"])
    assert run["status"] == "infra_error", run
    assert "touch-canary" in run["error"] and "does not have" in run["error"], run["error"]
    assert not canary.exists()
    assert listener.connections == 0


@pytest.mark.timeout(300)
def test_keys_go_only_to_the_endpoints_the_operator_bound_them_to(db: str, listener: Listener) -> None:
    sub, admin = _bearer("submitter"), _bearer("admin")
    with embedded_server(db, "attack-keys") as client:
        assert client.post("/api/tasks", json=tiny_task("t", ["a"]), headers=sub).status_code == 201
        # Horizon's own settings are never a key, whoever asks and whatever the endpoint.
        for headers in (sub, admin):
            for env_name in ("HORIZON_ADMIN_TOKEN", "DATABASE_URL", "REDIS_URL", "HORIZON_SESSION_SECRET"):
                model = {"name": "x", "base_url": BOUND_URL, "api_key_env": env_name}
                r = client.post("/api/models", json=model, headers=headers)
                assert r.status_code == 422, r.text
                assert "api_key_env" in r.text and "HORIZON_MODEL_KEY_*" in r.text, r.text
        # An allowed key pointed at the submitter's listener.
        for env_name in (KEY_ENV, "OPENAI_API_KEY"):
            model = {"name": "x", "base_url": listener.url, "api_key_env": env_name}
            r = client.post("/api/models", json=model, headers=sub)
            assert r.status_code == 422 and "HORIZON_MODEL_KEY_ENDPOINTS" in r.text, r.text

        # A model with the real key, an admin's or the submitter's own: the submitter may not
        # re-point, re-key or re-provider it (not theirs; or theirs, but those fields are admin-only).
        for name, owner in (("bound", admin), ("own-bound", sub)):
            model = {"name": name, "base_url": BOUND_URL, "api_key_env": KEY_ENV}
            r = client.post("/api/models", json=model, headers=owner)
            assert r.status_code == 201, r.text
            model_id = r.json()["id"]
            for change in (
                {"base_url": listener.url},
                {"api_key_env": "OPENAI_API_KEY"},
                {"provider": "anthropic"},
                {"base_url": listener.url, "release_date": "2025-01-01"},
            ):
                r = client.patch(f"/api/models/{model_id}", json=change, headers=sub)
                expected = "only an admin" if owner is sub else "only the owner of this model or an admin"
                assert r.status_code == 403 and expected in r.text, (change, r.text)
            after = client.get(f"/api/models/{model_id}").json()
            kept = (after["base_url"], after["api_key_env"], after["provider"])
            assert kept == (BOUND_URL, KEY_ENV, "openai"), after

        # Rows stored before these rules (or by a hand-edited database): the worker refuses them
        # before it reads the key, and the run is an infrastructure failure that says why.
        with session_scope() as s:
            for name, env_name in (("old-listener", KEY_ENV), ("old-admin-token", "HORIZON_ADMIN_TOKEN")):
                row = Model(
                    name=name, provider="openai", api_model=name, base_url=listener.url, api_key_env=env_name
                )
                s.add(row)
                s.flush()
                s.add(Agent(name=f"{name}-agent", scaffold="react", model_id=row.id, settings={}))
        body = {"agents": ["old-listener-agent", "old-admin-token-agent"], "tasks": ["t"]}
        r = client.post("/api/batches", json=body, headers=sub)
        assert r.status_code == 201, r.text
        wait_batch_done(client, r.json()["id"], timeout=120)
        runs = _runs(client, r.json()["id"])
    assert [run["status"] for run in runs] == ["infra_error", "infra_error"], runs
    for run in runs:
        assert "refused by this worker" in run["error"] and KEY not in run["error"], run["error"]
    assert listener.connections == 0 and listener.received == b""


@pytest.mark.docker
@pytest.mark.timeout(400)
def test_what_an_endpoint_answers_is_never_readable(db: str, docker_backend: DockerBackend) -> None:
    endpoint = HostileEndpoint()
    sub = _bearer("submitter")
    modes = {
        "e500": "HTTP 500 from the model endpoint",
        "ctx": "context window",
        "text": "not JSON",
        "json": "not a chat completion",
        # The reply is not HTTP; whether the client sees a bad status line or the connection
        # reset first depends on timing, and neither may quote what was sent.
        "raw": ("did not answer in HTTP", "transport error (ReadError)"),
    }
    try:
        with embedded_server(
            db, "attack-ssrf", {"HORIZON_SANDBOX_INSTANCE": docker_backend.instance}
        ) as client:
            assert client.post("/api/tasks", json=tiny_task("t", ["a"]), headers=sub).status_code == 201
            for mode in modes:
                model = {"name": f"m-{mode}", "base_url": endpoint.url(mode)}
                assert client.post("/api/models", json=model, headers=sub).status_code == 201
                agent = {
                    "name": mode,
                    "scaffold": "react",
                    "model": f"m-{mode}",
                    "settings": {"action_limit": 2},
                }
                assert client.post("/api/agents", json=agent, headers=sub).status_code == 201
            r = client.post("/api/batches", json={"agents": list(modes), "tasks": ["t"]}, headers=sub)
            assert r.status_code == 201, r.text
            batch_id = r.json()["id"]
            wait_batch_done(client, batch_id, timeout=300)
            # What anyone may read, without a token.
            listing = client.get("/api/runs", params={"batch_id": batch_id}).text
            runs = _runs(client, batch_id)
            transcripts = [client.get(f"/api/runs/{run['id']}/transcript").text for run in runs]
    finally:
        endpoint.close()
    assert docker_backend.managed_containers() == []
    assert CANARY not in listing
    for run, transcript in zip(runs, transcripts, strict=True):
        assert CANARY not in json.dumps(run) and CANARY not in transcript, run
    by_agent = {run["agent"]: run for run in runs}
    for mode, reason in modes.items():
        run = by_agent[mode]
        shown = (run["error"] or "") + next(t for r, t in zip(runs, transcripts, strict=True) if r is run)
        reasons = (reason,) if isinstance(reason, str) else reason
        assert any(r in shown for r in reasons), (mode, run)
