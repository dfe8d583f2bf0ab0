"""Access control on every endpoint, enumerated from the OpenAPI schema, and secrets never shown.

Every write operation (POST, PUT, PATCH, DELETE) in `/openapi.json` is tried without a token, with
a made-up token, with a revoked admin token and with a non-Bearer header (401 each), and with a
viewer's token (403); token management and imports also refuse a submitter. Each refusal must change no
table. New endpoints are covered without touching this file. With reads requiring a token, every
read but the health check refuses anonymous and made-up callers too. Finally, after tokens and a
model with a key were created, no answer of any read endpoint contains a token, its hash or a key.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from core.auth import create_token, revoke_token
from core.db import session_scope
from core.models import ApiToken
from core.settings import Settings
from tests.reliability.support import table_counts, tiny_task

WRITE_METHODS = ("post", "put", "patch", "delete")
# The doctor report names rows of every owner (core/services/doctor.py).
ADMIN_PATHS = ("/api/tokens", "/api/imports", "/api/system/doctor")
OPEN_READS = ("/api/health",)
KEY_ENV = "HORIZON_MODEL_KEY_ACCESS"
# The operator's binding of that key to the (unreachable) endpoint of the keyed model below.
KEY_ENDPOINTS = {KEY_ENV: ["http://127.0.0.1:9/v1"]}


def _operations(app: Any) -> list[tuple[str, str]]:
    paths = app.openapi()["paths"]
    return [
        (method.upper(), path) for path, item in paths.items() for method in item if method != "parameters"
    ]


def _schema_operations() -> list[tuple[str, str]]:
    from api.app import create_app

    return _operations(create_app(Settings(database_url="sqlite://")))


WRITES = [op for op in _schema_operations() if op[0].lower() in WRITE_METHODS]
READS = [op for op in _schema_operations() if op[0] == "GET"]


def _concrete(path: str) -> str:
    """A path with its parameters filled in by objects that exist (see `seeded`)."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1).split(":")[0]
        return "seed-task" if name == "task_id" else "1"

    return re.sub(r"\{([^}]+)\}", value, path)


@pytest.fixture
def tokens(db: str) -> dict[str, str]:
    """A token per role, plus a revoked admin token."""
    out = {}
    with session_scope() as s:
        for role in ("viewer", "submitter", "admin"):
            _, out[role] = create_token(s, f"access {role}", role)
        row, out["revoked"] = create_token(s, "access revoked", "admin")
        revoke_token(s, row.id)
    return out


@pytest.fixture
def client(db: str, tokens: dict[str, str]) -> Iterator[TestClient]:
    from api.app import create_app

    settings = Settings(database_url=db, model_key_endpoints=KEY_ENDPOINTS)
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        headers = {"Authorization": f"Bearer {tokens['submitter']}"}
        assert c.post("/api/tasks", json=tiny_task("seed-task", ["seed"]), headers=headers).status_code == 201
        yield c


def _counts() -> dict[str, int]:
    with session_scope() as s:
        return table_counts(s)


def _call(client: TestClient, method: str, path: str, headers: dict[str, str]) -> Any:
    return client.request(method, _concrete(path), json={}, headers=headers)


@pytest.mark.parametrize(("method", "path"), WRITES, ids=[f"{m} {p}" for m, p in WRITES])
def test_write_endpoint_refuses_missing_wrong_revoked_and_weaker_tokens(
    method: str, path: str, client: TestClient, tokens: dict[str, str]
) -> None:
    before = _counts()
    refusals = {
        "no token": ({}, 401),
        "made-up token": ({"Authorization": f"Bearer hzn_{secrets.token_urlsafe(32)}"}, 401),
        "revoked admin token": ({"Authorization": f"Bearer {tokens['revoked']}"}, 401),
        "not a Bearer token": ({"Authorization": f"Basic {tokens['admin']}"}, 401),
        "viewer token": ({"Authorization": f"Bearer {tokens['viewer']}"}, 403),
    }
    if path.startswith(ADMIN_PATHS):
        refusals["submitter token"] = ({"Authorization": f"Bearer {tokens['submitter']}"}, 403)
    for why, (headers, status) in refusals.items():
        r = _call(client, method, path, headers)
        assert r.status_code == status, f"{method} {path} with {why}: {r.status_code} {r.text[:300]}"
        assert r.json()["detail"], "a refusal says why"
        if status == 401:
            assert r.headers.get("www-authenticate") == "Bearer"
        assert _counts() == before, f"{method} {path} with {why} changed the database"
    # The role that is allowed gets past the door (the empty body may then be refused as input).
    allowed = "admin" if path.startswith(ADMIN_PATHS) else "submitter"
    r = _call(client, method, path, {"Authorization": f"Bearer {tokens[allowed]}"})
    assert r.status_code not in (401, 403), f"{method} {path} refused its own role: {r.text[:300]}"
    assert r.status_code < 500


@pytest.mark.parametrize(("method", "path"), READS, ids=[f"{m} {p}" for m, p in READS])
def test_reads_refuse_anonymous_callers_when_reads_require_a_token(
    method: str, path: str, db: str, tokens: dict[str, str]
) -> None:
    from api.app import create_app

    app = create_app(Settings(database_url=db, read_requires_token=True))
    with TestClient(app, raise_server_exceptions=False) as c:
        anonymous = c.get(_concrete(path))
        made_up = c.get(_concrete(path), headers={"Authorization": "Bearer hzn_nobody"})
        viewer = c.get(_concrete(path), headers={"Authorization": f"Bearer {tokens['viewer']}"})
    if path in OPEN_READS:
        assert anonymous.status_code == 200
        return
    assert anonymous.status_code == 401 and made_up.status_code == 401, (anonymous.text, made_up.text)
    if not path.startswith(ADMIN_PATHS):
        assert viewer.status_code not in (401, 403), viewer.text


def test_no_read_endpoint_shows_a_token_its_hash_or_a_provider_key(
    client: TestClient, tokens: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    key = f"sk-{secrets.token_hex(16)}"
    monkeypatch.setenv(KEY_ENV, key)
    admin = {"Authorization": f"Bearer {tokens['admin']}"}
    created = client.post("/api/tokens", json={"name": "ci", "role": "submitter"}, headers=admin)
    assert created.status_code == 201
    new_secret = created.json()["token"]  # shown once, to its creator
    model = {"name": "keyed", "base_url": "http://127.0.0.1:9/v1", "api_key_env": KEY_ENV}
    assert client.post("/api/models", json=model, headers=admin).status_code == 201
    with_key = {**model, "name": "raw-key", "api_key": key}
    refused = client.post("/api/models", json=with_key, headers=admin)
    assert refused.status_code == 422 and key not in refused.text
    agent = {"name": "keyed-agent", "scaffold": "react", "model": "keyed"}
    assert client.post("/api/agents", json=agent, headers=admin).status_code == 201

    with session_scope() as s:
        hashes = list(s.scalars(select(ApiToken.token_hash)))
    secrets_shown = [*tokens.values(), new_secret, *hashes, key]
    for _, path in READS:
        r = client.get(_concrete(path), headers=admin)
        assert r.status_code < 500, path
        text = r.text
        leaked = [s[:8] + "..." for s in secrets_shown if s in text]
        assert leaked == [], f"GET {path} shows {leaked}"
    listed = json.dumps(client.get("/api/tokens", headers=admin).json())
    assert "hash" not in listed and "token" not in json.loads(listed)[0]
