"""Tokens and roles, health."""

from __future__ import annotations

from fastapi.testclient import TestClient

from core.settings import Settings
from tests.factories import make_token, task_body


def test_writes_need_the_right_role(
    client: TestClient, viewer: dict[str, str], submitter: dict[str, str]
) -> None:
    r = client.post("/api/tasks", json=task_body())
    assert r.status_code == 401 and "Bearer" in r.json()["detail"]
    r = client.post("/api/tasks", json=task_body(), headers={"Authorization": "Bearer hzn_wrong"})
    assert r.status_code == 401 and "not valid" in r.json()["detail"]
    r = client.post("/api/tasks", json=task_body(), headers=viewer)
    assert r.status_code == 403 and "viewer" in r.json()["detail"]
    assert client.get("/api/tasks").json()["total"] == 0
    assert client.post("/api/tasks", json=task_body(), headers=submitter).status_code == 201
    # Token management is for admins only.
    assert (
        client.post("/api/tokens", json={"name": "x", "role": "viewer"}, headers=submitter).status_code == 403
    )


def test_tokens_are_stored_hashed_and_revocable(client: TestClient, admin: dict[str, str]) -> None:
    from sqlalchemy import select

    from core.db import session_scope
    from core.models import ApiToken

    r = client.post("/api/tokens", json={"name": "ci bot", "role": "submitter"}, headers=admin)
    assert r.status_code == 201
    secret, token_id = r.json()["token"], r.json()["id"]
    listed = client.get("/api/tokens", headers=admin).json()
    assert all("token" not in t for t in listed)
    with session_scope() as s:
        hashes = list(s.scalars(select(ApiToken.token_hash)))
    assert secret not in hashes and len(hashes) == 2

    headers = {"Authorization": f"Bearer {secret}"}
    assert client.post("/api/tasks", json=task_body(), headers=headers).status_code == 201
    assert client.post(f"/api/tokens/{token_id}/revoke", headers=admin).status_code == 200
    assert client.post("/api/tasks", json=task_body("t2"), headers=headers).status_code == 401


def test_reads_can_require_a_token(db: str) -> None:
    from api.app import create_app

    with TestClient(create_app(Settings(database_url=db, read_requires_token=True))) as c:
        assert c.get("/api/tasks").status_code == 401
        viewer = {"Authorization": f"Bearer {make_token('viewer')}"}
        assert c.get("/api/tasks", headers=viewer).status_code == 200


def test_bootstrap_admin_token_from_settings(db: str) -> None:
    from api.app import create_app

    with TestClient(create_app(Settings(database_url=db, admin_token="boot-secret-123"))) as c:
        r = c.post(
            "/api/tokens",
            json={"name": "n", "role": "viewer"},
            headers={"Authorization": "Bearer boot-secret-123"},
        )
        assert r.status_code == 201


def test_health_reports_database_and_broker(client: TestClient, db: str, redis_url: str) -> None:
    from api.app import create_app

    body = client.get("/api/health").json()
    assert body == {
        "status": "ok",
        "database": "ok",
        "broker": "embedded (in-process queue)",
        "mode": "embedded",
    }
    with TestClient(create_app(Settings(database_url=db, redis_url=redis_url))) as c:
        assert c.get("/api/health").json()["broker"] == "ok"
    with TestClient(create_app(Settings(database_url=db, redis_url="redis://127.0.0.1:1/0"))) as c:
        r = c.get("/api/health")
        assert r.status_code == 503 and r.json()["broker"].startswith("error")


def test_openapi_docs_served(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/api/tasks", "/api/batches", "/api/runs", "/api/health", "/api/agents", "/api/models"} <= set(
        paths
    )
