"""Health checks asked for from the task page and the API (core/services/health_requests.py).

Who may ask (the task's owner, admins), the refusals (placeholder tasks, a check already pending,
the per-token quota), what the page shows while one is pending, that a pending request is never
read as an outcome, and one real check of a bundled task through the embedded queue in Docker.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from core.db import session_scope
from core.models import TaskHealthCheck
from core.services.analyses import unhealthy_version_ids
from core.services.health_requests import OUTCOMES, pending_check
from core.settings import Settings
from tests.factories import make_task, make_token, task_body
from tests.web.conftest import post_form, sign_in_with
from web.queries import latest_health_check

REPO = Path(__file__).resolve().parents[2]


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _markers() -> list[TaskHealthCheck]:
    with session_scope() as s:
        return list(s.scalars(select(TaskHealthCheck).where(~OUTCOMES).order_by(TaskHealthCheck.id)))


def _owned_task(client: TestClient, token: str, task_id: str, **overrides: Any) -> str:
    r = client.post("/api/tasks", json=task_body(task_id, **overrides), headers=_bearer(token))
    assert r.status_code == 201, r.text
    return task_id


def test_api_owner_queues_a_check_others_are_refused(client: TestClient) -> None:
    alice, bob, viewer = make_token("submitter"), make_token("submitter"), make_token("viewer")
    _owned_task(client, alice, "alices")
    before = _markers()
    assert client.post("/api/tasks/alices/health-check").status_code == 401
    for token, why in ((bob, "owner"), (viewer, "needs submitter")):
        r = client.post("/api/tasks/alices/health-check", headers=_bearer(token))
        assert r.status_code == 403 and why in r.json()["detail"], r.text
    assert client.post("/api/tasks/nope/health-check", headers=_bearer(alice)).status_code == 404
    assert _markers() == before == []

    r = client.post("/api/tasks/alices/health-check", headers=_bearer(alice))
    assert r.status_code == 202, r.text
    body = r.json()
    assert body["task_id"] == "alices" and body["version"] == 1 and body["status"] == "queued"
    # A second request while this one is pending: 409, and no second marker.
    r = client.post("/api/tasks/alices/health-check", headers=_bearer(alice))
    assert r.status_code == 409 and "already queued" in r.json()["detail"], r.text
    markers = _markers()
    assert len(markers) == 1 and markers[0].details["requested_by"] is not None
    # A pending request is no outcome: not the page's latest check, not an unhealthy version.
    with session_scope() as s:
        assert latest_health_check(s, "alices") is None
        assert unhealthy_version_ids(s) == set()
        pending = pending_check(s, "alices")
        assert pending is not None and pending.state == "queued" and pending.version == 1


def test_admin_checks_tasks_without_owner_and_placeholders_are_refused(client: TestClient) -> None:
    admin, submitter = make_token("admin"), make_token("submitter")
    make_task("folder-task")
    assert client.post("/api/tasks/folder-task/health-check", headers=_bearer(submitter)).status_code == 403
    assert client.post("/api/tasks/folder-task/health-check", headers=_bearer(admin)).status_code == 202
    for tag in ("imported", "no-sandbox"):
        make_task(f"placeholder-{tag}", tags=[tag])
        r = client.post(f"/api/tasks/placeholder-{tag}/health-check", headers=_bearer(admin))
        assert r.status_code == 409 and "cannot be checked here" in r.json()["detail"], r.text
    assert len(_markers()) == 1


def test_quota_per_token_and_expired_requests_stop_counting(client: TestClient) -> None:
    alice = make_token("submitter")
    for n in range(4):
        _owned_task(client, alice, f"t{n}")
    for n in range(3):
        assert client.post(f"/api/tasks/t{n}/health-check", headers=_bearer(alice)).status_code == 202
    r = client.post("/api/tasks/t3/health-check", headers=_bearer(alice))
    assert r.status_code == 429 and "HORIZON_QUOTA_HEALTH_CHECKS" in r.json()["detail"], r.text
    # A request whose message was lost stops counting once it expires, and is replaced.
    with session_scope() as s:
        lost = s.scalars(select(TaskHealthCheck).where(~OUTCOMES).order_by(TaskHealthCheck.id)).first()
        assert lost is not None
        past = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)).isoformat()
        lost.details = {**lost.details, "expires_at": past}
        lost_id = lost.id
    assert client.post("/api/tasks/t3/health-check", headers=_bearer(alice)).status_code == 202
    assert client.post("/api/tasks/t0/health-check", headers=_bearer(alice)).status_code == 429
    with session_scope() as s:
        assert pending_check(s, "t0") is None
    # A worker that finds its request replaced does nothing.
    from workers.task_checks import run_requested_check

    with session_scope() as s:
        s.delete(s.get(TaskHealthCheck, lost_id))
    assert run_requested_check(lost_id) == "gone"


def test_web_button_pending_notice_and_refusals(client: TestClient) -> None:
    alice, bob = make_token("submitter"), make_token("submitter")
    _owned_task(client, alice, "pages/one")
    make_task("ext", tags=["imported"])

    r = client.post("/tasks/pages/one/health-check", data={}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/signin")

    sign_in_with(client, bob)
    assert "Run health check" not in client.get("/tasks/pages/one").text
    r = post_form(client, "/tasks/pages/one/health-check", {}, follow_redirects=False)
    assert r.status_code == 403 and _markers() == []

    client.cookies.clear()
    sign_in_with(client, alice)
    page = client.get("/tasks/pages/one").text
    assert "Run health check" in page and "health-pending" not in page
    r = post_form(client, "/tasks/pages/one/health-check", {}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/tasks/pages/one?health=queued#health"
    page = client.get(r.headers["location"]).text
    assert "Health check queued" in page and "Run health check" not in page
    r = post_form(client, "/tasks/pages/one/health-check", {}, follow_redirects=False)
    assert r.status_code == 409 and "already queued" in r.text
    assert len(_markers()) == 1

    client.cookies.clear()
    sign_in_with(client, make_token("admin"))
    page = client.get("/tasks/ext").text
    assert "cannot be checked here" in page and "Run health check" not in page
    r = post_form(client, "/tasks/ext/health-check", {}, follow_redirects=False)
    assert r.status_code == 409 and "cannot be checked here" in r.text


@pytest.mark.docker
def test_the_button_runs_a_real_check_and_the_page_shows_it(
    db: str,
    tmp_path: Path,
    docker_backend: Any,
    worker_jobs: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from api.app import create_app
    from core.queue import InProcessQueue, get_queue
    from core.services.task_sync import sync_tree

    monkeypatch.setenv("HORIZON_SANDBOX_INSTANCE", docker_backend.instance)
    shutil.copytree(REPO / "tasks" / "lookup" / "read-token", tmp_path / "folders" / "lookup" / "read-token")
    settings = Settings(database_url=db, data_dir=tmp_path / "data")
    with session_scope(settings) as s:
        sync_tree(s, tmp_path / "folders")
    with TestClient(create_app(settings)) as client:
        sign_in_with(client, make_token("admin"))
        assert "No health check yet" in client.get("/tasks/read-token").text
        r = post_form(client, "/tasks/read-token/health-check", {}, follow_redirects=False)
        assert r.status_code == 303, r.text
        queue = get_queue(settings)
        assert isinstance(queue, InProcessQueue)
        assert queue.wait_idle(timeout=300), "the check did not finish in 5 minutes"
        page = client.get("/tasks/read-token").text
    assert "health-pending" not in page and "Run health check" in page
    assert '<span class="badge healthy">healthy</span>' in page
    with session_scope(settings) as s:
        rows = list(s.scalars(select(TaskHealthCheck)))
        assert len(rows) == 1 and rows[0].healthy and not rows[0].flaky
        details = rows[0].details
        assert details["task_id"] == "read-token" and len(details["oracle"]) == 3
        assert details["null"]["score_binarized"] == 0
    assert docker_backend.managed_containers() == []
