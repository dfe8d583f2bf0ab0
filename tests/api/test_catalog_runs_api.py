"""Models, agents, batches and runs through the REST API against real PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.factories import task_body

MODEL = {
    "name": "tiny-model",
    "provider": "openai",
    "base_url": "http://127.0.0.1:9/v1",
    "release_date": "2025-02-24",
    "input_price_per_mtok": 3.0,
    "output_price_per_mtok": 15.0,
}


def setup_catalog(client: TestClient, headers: dict[str, str], n_tasks: int = 3) -> None:
    for i in range(n_tasks):
        tags = ["suite", "even"] if i % 2 == 0 else ["suite"]
        r = client.post("/api/tasks", json=task_body(f"t{i}", tags=tags), headers=headers)
        assert r.status_code == 201, r.text
    assert client.post("/api/models", json=MODEL, headers=headers).status_code == 201
    for body in (
        {"name": "oracle", "scaffold": "oracle"},
        {"name": "nothing", "scaffold": "null"},
        {"name": "react-tiny", "scaffold": "react", "model": "tiny-model", "settings": {"token_limit": 5000}},
    ):
        r = client.post("/api/agents", json=body, headers=headers)
        assert r.status_code == 201, r.text


def test_models_and_agents(client: TestClient, submitter: dict[str, str]) -> None:
    setup_catalog(client, submitter, n_tasks=0)
    models = client.get("/api/models").json()
    assert models[0]["name"] == "tiny-model" and models[0]["api_model"] == "tiny-model"
    assert "api_key" not in models[0]
    agents = {a["name"]: a for a in client.get("/api/agents").json()}
    assert agents["react-tiny"]["model"] == "tiny-model"
    assert agents["react-tiny"]["release_date"] == "2025-02-24"
    assert agents["react-tiny"]["settings"] == {"token_limit": 5000}

    r = client.patch(f"/api/models/{models[0]['id']}", json={"release_date": "2025-03-01"}, headers=submitter)
    assert r.json()["release_date"] == "2025-03-01"


def test_agent_generation_settings_are_stored_as_given(client: TestClient, submitter: dict[str, str]) -> None:
    setup_catalog(client, submitter, n_tasks=0)
    settings = {
        "temperature": 0.2,
        "seed": 7,
        "reasoning_effort": "high",
        "thinking_budget_tokens": 2048,
        "max_output_tokens": 4000,
        "model_capabilities": {"reasoning": True, "max_tokens_param": "max_completion_tokens"},
    }
    body = {"name": "o3-agent", "scaffold": "react", "model": "tiny-model", "settings": settings}
    r = client.post("/api/agents", json=body, headers=submitter)
    assert r.status_code == 201, r.text
    assert r.json()["settings"] == settings


def test_model_and_agent_validation(client: TestClient, submitter: dict[str, str]) -> None:
    setup_catalog(client, submitter, n_tasks=0)
    cases: list[tuple[str, dict[str, Any], int, str]] = [
        ("/api/models", {**MODEL, "name": "m2", "api_key": "sk-secret"}, 422, "never stored"),
        ("/api/models", {**MODEL, "name": "m2", "api_key_env": "sk-live-123"}, 422, "api_key_env"),
        ("/api/models", {**MODEL, "name": "m2", "base_url": None}, 422, "base_url is required"),
        ("/api/models", {**MODEL, "name": "m2", "managed": True}, 422, "server_template"),
        (
            "/api/models",
            {**MODEL, "name": "m2", "managed": True, "server_template": "llama", "weights": "/w.gguf"},
            403,
            "only an admin",
        ),
        (
            "/api/models",
            {**MODEL, "name": "m2", "managed": True, "server_template": "rm -rf /", "weights": "w"},
            422,
            "server_template",
        ),
        ("/api/models", {**MODEL, "name": "m2", "api_key_env": "HORIZON_ADMIN_TOKEN"}, 422, "api_key_env"),
        ("/api/models", {**MODEL, "name": "m2", "api_key_env": "DATABASE_URL"}, 422, "OPENAI_API_KEY"),
        ("/api/models", {**MODEL, "name": "m2", "api_key_env": "OPENAI_API_KEY"}, 422, "api.openai.com"),
        ("/api/models", MODEL, 409, "already exists"),
        ("/api/agents", {"name": "r", "scaffold": "react"}, 422, "needs a model"),
        ("/api/agents", {"name": "r", "scaffold": "magic"}, 422, "unknown scaffold"),
        ("/api/agents", {"name": "r", "scaffold": "react", "model": "nope"}, 404, "no model"),
        (
            "/api/agents",
            {"name": "r", "scaffold": "null", "settings": {"token_limit": -5}},
            422,
            "token_limit",
        ),
        # A misspelt setting is refused, naming it and the settings there are.
        (
            "/api/agents",
            {"name": "r", "scaffold": "react", "model": "tiny-model", "settings": {"tokn_limit": 5}},
            422,
            "unknown setting 'tokn_limit'; the settings are: token_limit, time_limit_s",
        ),
        (
            "/api/agents",
            {
                "name": "r",
                "scaffold": "react",
                "model": "tiny-model",
                "settings": {"thinking_budget_tokens": 1000},
            },
            422,
            "thinking_budget_tokens",
        ),
        (
            "/api/agents",
            {"name": "r", "scaffold": "react", "model": "tiny-model", "settings": {"temperature": 2.5}},
            422,
            "temperature",
        ),
        (
            "/api/agents",
            {
                "name": "r",
                "scaffold": "react",
                "model": "tiny-model",
                "settings": {"reasoning_effort": "a b"},
            },
            422,
            "reasoning_effort",
        ),
        (
            "/api/agents",
            {"name": "r", "scaffold": "react", "model": "tiny-model", "settings": {"scaffold_options": {}}},
            422,
            "scaffold_options are for plug-in scaffolds",
        ),
        (
            "/api/agents",
            {"name": "r", "scaffold": "null", "settings": {"model_capabilities": {"reasoning": "maybe"}}},
            422,
            "model_capabilities.reasoning",
        ),
    ]
    for path, body, status, words in cases:
        r = client.post(path, json=body, headers=submitter)
        assert r.status_code == status, (body, r.text)
        assert words in r.text, (body, r.text)
        assert "sk-secret" not in r.text
    assert len(client.get("/api/models").json()) == 1
    assert len(client.get("/api/agents").json()) == 3


def test_where_a_model_sends_requests_and_with_which_key_is_an_admins_to_change(
    client: TestClient, submitter: dict[str, str], admin: dict[str, str]
) -> None:
    setup_catalog(client, submitter, n_tasks=0)
    model_id = client.get("/api/models").json()[0]["id"]
    for change in (
        {"base_url": "http://127.0.0.1:10/v1"},
        {"api_key_env": "OPENAI_API_KEY"},
        {"provider": "anthropic"},
        {"api_model": "other"},
        {"server_template": "llama"},
    ):
        r = client.patch(f"/api/models/{model_id}", json=change, headers=submitter)
        assert r.status_code == 403 and "only an admin" in r.text, (change, r.text)
    assert client.get(f"/api/models/{model_id}").json()["base_url"] == "http://127.0.0.1:9/v1"

    # An admin may move it, within the key rule: a key only goes where the operator bound it.
    r = client.patch(f"/api/models/{model_id}", json={"api_key_env": "OPENAI_API_KEY"}, headers=admin)
    assert r.status_code == 422 and "HORIZON_MODEL_KEY_ENDPOINTS" in r.text
    bound = {"base_url": "https://api.openai.com/v1", "api_key_env": "OPENAI_API_KEY", "api_model": "gpt-x"}
    r = client.patch(f"/api/models/{model_id}", json=bound, headers=admin)
    assert r.status_code == 200, r.text
    assert r.json()["api_key_env"] == "OPENAI_API_KEY" and r.json()["api_model"] == "gpt-x"
    # A submitter may still change what does not redirect requests.
    r = client.patch(f"/api/models/{model_id}", json={"input_price_per_mtok": 1.5}, headers=submitter)
    assert r.status_code == 200 and r.json()["input_price_per_mtok"] == 1.5

    managed = {"name": "local", "managed": True, "server_template": "llama", "weights": "/m.gguf"}
    r = client.post("/api/models", json=managed, headers=admin)
    assert r.status_code == 201 and r.json()["server_template"] == "llama", r.text
    r = client.patch(f"/api/models/{r.json()['id']}", json={"release_date": "2025-01-01"}, headers=submitter)
    # The admin's model, and a managed one: a submitter may not change it on either count.
    assert r.status_code == 403 and "admin" in r.text, r.text


def test_batch_creates_runs_and_lists_them(client: TestClient, submitter: dict[str, str]) -> None:
    setup_catalog(client, submitter)
    r = client.post(
        "/api/batches",
        json={
            "name": "first",
            "agents": ["oracle", "nothing"],
            "tags": ["even"],
            "tasks": ["t1"],
            "repeats": 2,
        },
        headers=submitter,
    )
    assert r.status_code == 201, r.text
    batch = r.json()
    # 2 agents x 3 tasks (t0, t2 by tag; t1 by id) x 2 repeats
    assert batch["total"] == 12 and batch["counts"] == {"queued": 12} and not batch["done"]

    page = client.get("/api/runs", params={"batch_id": batch["id"], "limit": 5}).json()
    assert page["total"] == 12 and len(page["items"]) == 5
    page2 = client.get("/api/runs", params={"batch_id": batch["id"], "limit": 5, "offset": 10}).json()
    assert len(page2["items"]) == 2
    by_agent = client.get("/api/runs", params={"agent": "oracle"}).json()
    assert by_agent["total"] == 6 and {r["agent"] for r in by_agent["items"]} == {"oracle"}
    by_task = client.get("/api/runs", params={"task_id": "t1", "status": "queued"}).json()
    assert by_task["total"] == 4 and {r["task_version"] for r in by_task["items"]} == {1}

    run_id = page["items"][0]["id"]
    r = client.post(f"/api/runs/{run_id}/cancel", headers=submitter)
    assert r.json()["status"] == "cancelled"
    assert client.post(f"/api/runs/{run_id}/cancel", headers=submitter).status_code == 409

    r = client.post(f"/api/batches/{batch['id']}/cancel", headers=submitter)
    assert r.json()["counts"] == {"cancelled": 12} and r.json()["done"]
    assert client.get(f"/api/runs/{run_id}/transcript").json()["events"] == []


def test_runs_point_at_the_version_they_ran(client: TestClient, submitter: dict[str, str]) -> None:
    setup_catalog(client, submitter, n_tasks=1)
    client.post("/api/batches", json={"agents": ["oracle"], "tasks": ["t0"]}, headers=submitter)
    client.patch("/api/tasks/t0", json={"instructions": "changed"}, headers=submitter)
    client.post("/api/batches", json={"agents": ["oracle"], "tasks": ["t0"]}, headers=submitter)
    versions = [r["task_version"] for r in client.get("/api/runs").json()["items"]]
    assert versions == [1, 2]


def test_bad_batches_store_nothing(client: TestClient, submitter: dict[str, str]) -> None:
    from core.db import session_scope
    from core.models import Batch, Run

    setup_catalog(client, submitter)
    cases = [
        ({"agents": ["oracle"]}, 422, "give tasks"),
        ({"agents": [], "tasks": ["t0"]}, 422, "agents"),
        ({"agents": ["oracle"], "tasks": ["t0"], "repeats": 0}, 422, "repeats"),
        ({"agents": ["ghost"], "tasks": ["t0"]}, 404, "no agent 'ghost'"),
        ({"agents": ["oracle"], "tasks": ["t0", "missing"]}, 404, "missing"),
        ({"agents": ["oracle"], "tags": ["no-such-tag"]}, 422, "no task has any of the tags"),
    ]
    for body, status, words in cases:
        r = client.post("/api/batches", json=body, headers=submitter)
        assert r.status_code == status and words in r.text, (body, r.text)
    with session_scope() as s:
        assert s.scalar(select(func.count()).select_from(Batch)) == 0
        assert s.scalar(select(func.count()).select_from(Run)) == 0


def test_large_batch_in_one_request(client: TestClient, submitter: dict[str, str]) -> None:
    setup_catalog(client, submitter, n_tasks=10)
    r = client.post(
        "/api/batches",
        json={"agents": ["oracle", "nothing"], "tags": ["suite"], "repeats": 100},
        headers=submitter,
    )
    assert r.status_code == 201 and r.json()["total"] == 2000


def test_plug_in_scaffolds_take_bounded_scaffold_options() -> None:
    from pydantic import ValidationError

    from core.schemas import MAX_SCAFFOLD_OPTIONS_CHARS, AgentCreate

    options = {"tools": ["python", "browser"], "retries": 2}
    agent = AgentCreate.model_validate(
        {"name": "p", "scaffold": "my_pkg.agents:mine", "settings": {"scaffold_options": options}}
    )
    assert agent.settings.model_dump(exclude_none=True) == {"scaffold_options": options}
    deep: dict[str, object] = {}
    for _ in range(40):
        deep = {"x": deep}
    for hostile, words in (
        ({"blob": "x" * (MAX_SCAFFOLD_OPTIONS_CHARS + 1)}, "the limit is"),
        (deep, "levels deep"),
    ):
        with pytest.raises(ValidationError, match=words):
            AgentCreate.model_validate(
                {"name": "p", "scaffold": "my_pkg.agents:mine", "settings": {"scaffold_options": hostile}}
            )


def test_batches_refuse_what_cannot_run_before_queuing_anything(
    client: TestClient, submitter: dict[str, str], admin: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from core.db import session_scope
    from core.models import Batch, Run

    setup_catalog(client, submitter, n_tasks=2)
    r = client.post(
        "/api/tasks", json=task_body("placeholder", tags=["suite", "imported"]), headers=submitter
    )
    assert r.status_code == 201, r.text
    keyed = {"name": "keyed", "provider": "openai", "api_model": "gpt-x", "api_key_env": "OPENAI_API_KEY"}
    keyed["base_url"] = "https://api.openai.com/v1"
    r = client.post("/api/models", json=keyed, headers=admin)
    assert r.status_code == 201, r.text
    body = {"name": "react-keyed", "scaffold": "react", "model": "keyed"}
    assert client.post("/api/agents", json=body, headers=submitter).status_code == 201

    def refused(payload: dict[str, Any], words: str) -> None:
        answer = client.post("/api/batches", json=payload, headers=submitter)
        assert answer.status_code == 422 and words in answer.json()["detail"], answer.text
        with session_scope() as s:
            assert s.scalar(select(func.count()).select_from(Batch)) == 0
            assert s.scalar(select(func.count()).select_from(Run)) == 0

    # A placeholder task named outright is refused; picked by tag it is left out.
    refused({"agents": ["oracle"], "tasks": ["placeholder"]}, "no environment here")
    refused({"agents": ["oracle"], "tags": ["imported"]}, "none can run here")
    # A model whose key variable is not set where the runs would happen (this embedded server).
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_API_KEY_FILE", raising=False)
    refused({"agents": ["react-keyed"], "tasks": ["t0"]}, "its API key is not set (set OPENAI_API_KEY")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-real")
    r = client.post(
        "/api/batches", json={"agents": ["oracle", "react-keyed"], "tags": ["suite"]}, headers=submitter
    )
    assert r.status_code == 201 and r.json()["total"] == 4, r.text  # 2 agents x t0, t1 (not the placeholder)
