"""A model's `wire_api` (Chat Completions or OpenAI's Responses API) through the REST API, and
into the worker's ModelConfig, against real PostgreSQL."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from core.db import session_scope
from core.states import WireApi
from tests.factories import make_agent, make_run, make_task
from workers.providers.factory import make_client
from workers.providers.openai_responses import OpenAIResponsesClient
from workers.run_executor import attempt_spec

MODEL: dict[str, Any] = {
    "name": "o3-api",
    "provider": "openai",
    "api_model": "o3",
    "base_url": "http://127.0.0.1:9/v1",
}


def test_wire_api_is_stored_shown_and_changed(client: TestClient, submitter: dict[str, str]) -> None:
    r = client.post("/api/models", json={**MODEL, "name": "plain"}, headers=submitter)
    assert r.status_code == 201 and r.json()["wire_api"] == "chat", r.text
    r = client.post("/api/models", json={**MODEL, "wire_api": "responses"}, headers=submitter)
    assert r.status_code == 201 and r.json()["wire_api"] == "responses", r.text
    model_id = r.json()["id"]
    r = client.patch(f"/api/models/{model_id}", json={"wire_api": "chat"}, headers=submitter)
    assert r.status_code == 200 and r.json()["wire_api"] == "chat", r.text
    assert client.get(f"/api/models/{model_id}").json()["wire_api"] == "chat"


def test_bad_wire_api_values_are_refused_with_a_clear_422(
    client: TestClient, submitter: dict[str, str], admin: dict[str, str]
) -> None:
    anthropic = {**MODEL, "name": "claude", "provider": "anthropic", "api_model": "claude-sonnet-4-5"}
    for body, words in (
        ({**MODEL, "wire_api": "assistants"}, "wire_api"),
        ({**MODEL, "wire_api": ["responses"]}, "wire_api"),
        ({**MODEL, "wire_api": "responses" * 1000}, "wire_api"),
        ({**MODEL, "wire_api": None}, "wire_api"),
        ({**anthropic, "wire_api": "responses"}, "only for provider 'openai'"),
    ):
        r = client.post("/api/models", json=body, headers=submitter)
        assert r.status_code == 422 and words in r.text, (body, r.text)
        assert len(r.text) < 5000  # the refusal does not echo a huge value back in full
    assert client.get("/api/models").json() == []

    r = client.post("/api/models", json={**MODEL, "wire_api": "responses"}, headers=admin)
    model_id = r.json()["id"]
    for change, status, words in (
        ({"wire_api": "bogus"}, 422, "wire_api"),
        ({"wire_api": None}, 422, "may not be null"),
        # Moving a Responses model to Anthropic leaves a combination that cannot be spoken.
        ({"provider": "anthropic"}, 422, "only for provider 'openai'"),
    ):
        r = client.patch(f"/api/models/{model_id}", json=change, headers=admin)
        assert r.status_code == status and words in r.text, (change, r.text)
    shown = client.get(f"/api/models/{model_id}").json()
    assert shown["wire_api"] == "responses" and shown["provider"] == "openai"


def test_the_worker_gets_the_models_wire_api(client: TestClient, submitter: dict[str, str]) -> None:
    r = client.post("/api/models", json={**MODEL, "wire_api": "responses"}, headers=submitter)
    assert r.status_code == 201, r.text
    task_id = make_task("wire-task")
    agent_id = make_agent("o3-react", "react", model="o3-api")
    run_id = make_run(task_id, agent_id)
    with session_scope() as session:
        spec = attempt_spec(session, run_id, 1)
    assert spec.model is not None and spec.model.wire_api == WireApi.RESPONSES
    assert isinstance(make_client(spec.model), OpenAIResponsesClient)
