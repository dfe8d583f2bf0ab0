"""A managed model's GPU count through the REST API, and into the worker's ModelConfig, against real
PostgreSQL: its default, its bounds, who may change it, and that a refusal stores nothing."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from core.db import session_scope
from tests.factories import make_agent, make_run, make_task
from workers.run_executor import attempt_spec

MANAGED: dict[str, Any] = {
    "name": "served",
    "managed": True,
    "server_template": "vllm",
    "weights": "/models/served",
}
HOSTED: dict[str, Any] = {"name": "hosted", "base_url": "http://127.0.0.1:9/v1"}


def test_gpus_default_to_one_for_managed_models_and_zero_otherwise(
    client: TestClient, admin: dict[str, str]
) -> None:
    r = client.post("/api/models", json=MANAGED, headers=admin)
    assert r.status_code == 201 and r.json()["gpus"] == 1, r.text
    r = client.post("/api/models", json=HOSTED, headers=admin)
    assert r.status_code == 201 and r.json()["gpus"] == 0, r.text
    r = client.post("/api/models", json={**MANAGED, "name": "cpu", "gpus": 0}, headers=admin)
    assert r.status_code == 201 and r.json()["gpus"] == 0, r.text
    r = client.post("/api/models", json={**MANAGED, "name": "big", "gpus": 8}, headers=admin)
    assert r.status_code == 201 and r.json()["gpus"] == 8, r.text


def test_bad_gpu_counts_are_refused_and_nothing_is_stored(client: TestClient, admin: dict[str, str]) -> None:
    for body, words in (
        ({**MANAGED, "gpus": 9}, "less than or equal to 8"),
        ({**MANAGED, "gpus": -1}, "greater than or equal to 0"),
        ({**MANAGED, "gpus": "2"}, "valid integer"),
        ({**MANAGED, "gpus": True}, "valid integer"),
        ({**MANAGED, "gpus": 1.5}, "valid integer"),
        ({**MANAGED, "gpus": 10**30}, "gpus"),
        ({**HOSTED, "gpus": 1}, "for managed models only"),
    ):
        r = client.post("/api/models", json=body, headers=admin)
        assert r.status_code == 422 and words in r.text, (body, r.text)
        assert len(r.text) < 5000
    assert client.get("/api/models").json() == []


def test_only_admins_change_gpus_and_only_to_sane_values(
    client: TestClient, admin: dict[str, str], submitter: dict[str, str]
) -> None:
    managed_id = client.post("/api/models", json=MANAGED, headers=admin).json()["id"]
    own_id = client.post("/api/models", json=HOSTED, headers=submitter).json()["id"]
    # A submitter's own hosted model: gpus is an admin's field (what a worker's host runs).
    r = client.patch(f"/api/models/{own_id}", json={"gpus": 0}, headers=submitter)
    assert r.status_code == 403 and "gpus" in r.text, r.text
    r = client.patch(f"/api/models/{managed_id}", json={"gpus": 2}, headers=submitter)
    assert r.status_code == 403, r.text
    for change, words in (
        ({"gpus": None}, "may not be null"),
        ({"gpus": 99}, "less than or equal to 8"),
        ({"gpus": "4"}, "valid integer"),
    ):
        r = client.patch(f"/api/models/{managed_id}", json=change, headers=admin)
        assert r.status_code == 422 and words in r.text, (change, r.text)
    r = client.patch(f"/api/models/{own_id}", json={"gpus": 1}, headers=admin)
    assert r.status_code == 422 and "managed models only" in r.text, r.text
    assert client.get(f"/api/models/{own_id}").json()["gpus"] == 0
    assert client.get(f"/api/models/{managed_id}").json()["gpus"] == 1
    r = client.patch(f"/api/models/{managed_id}", json={"gpus": 4}, headers=admin)
    assert r.status_code == 200 and r.json()["gpus"] == 4, r.text


def test_the_worker_gets_the_models_gpu_count(client: TestClient, admin: dict[str, str]) -> None:
    r = client.post("/api/models", json={**MANAGED, "gpus": 2}, headers=admin)
    assert r.status_code == 201, r.text
    run_id = make_run(make_task("gpu-count-task"), make_agent("served-react", "react", model="served"))
    with session_scope() as session:
        spec = attempt_spec(session, run_id, 1)
    assert spec.model is not None and spec.model.managed and spec.model.gpus == 2
