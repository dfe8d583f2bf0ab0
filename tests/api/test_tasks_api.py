"""Tasks, versions and baselines through the REST API against real PostgreSQL."""

from __future__ import annotations

import math

from fastapi.testclient import TestClient

from tests.factories import task_body


def test_create_read_list_task(client: TestClient, submitter: dict[str, str]) -> None:
    r = client.post("/api/tasks", json=task_body(), headers=submitter)
    assert r.status_code == 201, r.text
    task = r.json()
    assert task["id"] == "fix-bug"
    assert task["current_version"] == 1
    assert task["version"]["version"] == 1
    assert len(task["version"]["content_hash"]) == 64
    assert task["human_time"] == {"minutes": None, "source": None, "n_successful_baselines": 0}

    assert client.get("/api/tasks/fix-bug").json()["title"] == "Fix the off-by-one bug"
    page = client.get("/api/tasks", params={"q": "OFF-BY"}).json()
    assert [t["id"] for t in page["items"]] == ["fix-bug"] and page["total"] == 1
    assert client.get("/api/tasks", params={"tag": "nope"}).json()["total"] == 0
    assert client.get("/api/tasks", params={"tag": "easy"}).json()["total"] == 1


def test_task_ids_with_slashes(client: TestClient, submitter: dict[str, str]) -> None:
    r = client.post("/api/tasks", json=task_body("family/task-1"), headers=submitter)
    assert r.status_code == 201, r.text
    assert client.get("/api/tasks/family/task-1").json()["id"] == "family/task-1"
    r = client.post(
        "/api/tasks/family/task-1/baselines",
        json={"baseliner": "ana", "minutes": 3, "succeeded": True},
        headers=submitter,
    )
    assert r.status_code == 201, r.text
    assert len(client.get("/api/tasks/family/task-1/baselines").json()) == 1


def test_content_change_creates_new_version_and_keeps_old(
    client: TestClient, submitter: dict[str, str]
) -> None:
    client.post("/api/tasks", json=task_body(), headers=submitter)
    r = client.patch("/api/tasks/fix-bug", json={"title": "Renamed", "tags": ["x"]}, headers=submitter)
    assert r.status_code == 200
    assert r.json()["current_version"] == 1 and r.headers["X-Horizon-New-Version"] == "false"

    r = client.patch("/api/tasks/fix-bug", json={"instructions": "New words."}, headers=submitter)
    assert r.json()["current_version"] == 2 and r.headers["X-Horizon-New-Version"] == "true"
    r = client.patch(
        "/api/tasks/fix-bug",
        json={"scorer": {"command": "python3 /scorer/s2.py", "threshold": 0.5}},
        headers=submitter,
    )
    assert r.json()["current_version"] == 3
    # Sending the same content again changes nothing.
    r = client.patch("/api/tasks/fix-bug", json={"instructions": "New words."}, headers=submitter)
    assert r.json()["current_version"] == 3

    versions = client.get("/api/tasks/fix-bug/versions").json()
    assert [v["version"] for v in versions] == [1, 2, 3]
    assert versions[0]["instructions"] == "Make `python3 check.py` print OK."
    assert versions[2]["scorer"]["threshold"] == 0.5
    assert client.get("/api/tasks/fix-bug/versions/1").json()["instructions"].startswith("Make")


def test_human_time_from_baselines(client: TestClient, submitter: dict[str, str]) -> None:
    client.post("/api/tasks", json=task_body(), headers=submitter)

    def add(**b: object) -> None:
        r = client.post("/api/tasks/fix-bug/baselines", json=b, headers=submitter)
        assert r.status_code == 201, r.text

    add(baseliner="est", minutes=30, succeeded=True, source="estimate", notes="author's guess")
    ht = client.get("/api/tasks/fix-bug").json()["human_time"]
    assert ht == {"minutes": 30.0, "source": "estimate", "n_successful_baselines": 0}

    add(baseliner="ana", minutes=8, succeeded=True)
    add(baseliner="bo", minutes=32, succeeded=True)
    add(baseliner="cy", minutes=500, succeeded=False)  # failed attempts do not count
    ht = client.get("/api/tasks/fix-bug").json()["human_time"]
    assert ht["source"] == "baseline" and ht["n_successful_baselines"] == 2
    assert math.isclose(ht["minutes"], 16.0)  # geometric mean of 8 and 32

    baselines = client.get("/api/tasks/fix-bug/baselines").json()
    assert {b["recorded_by"] for b in baselines} == {"test submitter"}  # who recorded, not who is named
    bo = next(b for b in baselines if b["baseliner"] == "bo")
    assert client.delete(f"/api/tasks/fix-bug/baselines/{bo['id']}", headers=submitter).status_code == 204
    assert math.isclose(client.get("/api/tasks/fix-bug").json()["human_time"]["minutes"], 8.0)
    # Deletion is soft: gone from the lists, kept for audit.
    assert bo["id"] not in {b["id"] for b in client.get("/api/tasks/fix-bug/baselines").json()}
    audit = client.get("/api/tasks/fix-bug/baselines", params={"include_deleted": "true"}).json()
    deleted = next(b for b in audit if b["id"] == bo["id"])
    assert deleted["deleted_at"] is not None and deleted["deleted_by"] == "test submitter"


def test_timed_and_recorded_baselines_both_count() -> None:
    """Both are one person's attempt: the geometric mean of the successful ones, deleted ones out."""
    from core.models import HumanBaseline, utcnow
    from core.services.human_time import derive_human_time

    def row(source: str, minutes: float, succeeded: bool = True, deleted: bool = False) -> HumanBaseline:
        return HumanBaseline(
            source=source, minutes=minutes, succeeded=succeeded, deleted_at=utcnow() if deleted else None
        )

    rows = [row("timed", 4), row("baseline", 16), row("timed", 1000, succeeded=False)]
    rows += [row("baseline", 0.02, deleted=True), row("estimate", 3)]
    derived = derive_human_time(rows)
    assert derived is not None
    assert derived.source == "baseline" and derived.n_successful_baselines == 2
    assert math.isclose(derived.minutes, 8.0)
    fallback = derive_human_time([row("timed", 4, deleted=True), row("estimate", 3)])
    assert fallback is not None and fallback.minutes == 3
    assert derive_human_time([row("timed", 4, succeeded=False)]) is None


def test_bad_task_input_is_explained_and_changes_nothing(
    client: TestClient, submitter: dict[str, str]
) -> None:
    client.post("/api/tasks", json=task_body(), headers=submitter)
    before = client.get("/api/tasks/fix-bug").json()

    r = client.post("/api/tasks", json=task_body("bad id!"), headers=submitter)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "id"

    r = client.post("/api/tasks", json=task_body("x", scorer={"threshold": 2}), headers=submitter)
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert {"scorer.command", "scorer.threshold"} <= fields

    r = client.post("/api/tasks", json=task_body(), headers=submitter)
    assert r.status_code == 409 and "already exists" in r.json()["detail"]

    r = client.patch("/api/tasks/fix-bug", json={"instructions": ""}, headers=submitter)
    assert r.status_code == 422
    r = client.patch("/api/tasks/fix-bug", json={"colour": "red"}, headers=submitter)
    assert r.status_code == 422 and "unknown field" in r.json()["detail"]
    r = client.post(
        "/api/tasks/fix-bug/baselines",
        json={"baseliner": "a", "minutes": -1, "succeeded": True},
        headers=submitter,
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "minutes"
    r = client.post(
        "/api/tasks/fix-bug/baselines",
        json={"baseliner": "a", "minutes": 3, "succeeded": True, "task_version": 9},
        headers=submitter,
    )
    assert r.status_code == 404 and "no version 9" in r.json()["detail"]
    r = client.post(
        "/api/tasks/fix-bug",
        json={"environment": {"files": {"../escape": "x"}}},
        headers=submitter,
    )
    assert r.status_code in (404, 405, 422)
    r = client.patch(
        "/api/tasks/fix-bug", json={"environment": {"files": {"../escape": "x"}}}, headers=submitter
    )
    assert r.status_code == 422 and "relative" in r.json()["detail"]

    assert client.get("/api/tasks/fix-bug").json() == before
    assert client.get("/api/tasks").json()["total"] == 1
    assert client.get("/api/tasks/nope").status_code == 404


def test_task_environment_must_build_on_the_base_image(client: TestClient, submitter: dict[str, str]) -> None:
    body = task_body("img", environment={"dockerfile": "FROM ubuntu:24.04\nRUN true\n"})
    r = client.post("/api/tasks", json=body, headers=submitter)
    assert r.status_code == 422 and "FROM horizon-base" in r.text
    assert client.get("/api/tasks").json()["total"] == 0
    good = task_body("img", environment={"dockerfile": "FROM horizon-base\nRUN echo ok > /tmp/x\n"})
    assert client.post("/api/tasks", json=good, headers=submitter).status_code == 201
