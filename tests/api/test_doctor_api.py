"""GET /api/system/doctor: admins read the drift report; it changes nothing (repair is the
command line's); viewers and submitters are refused (403), anonymous callers too (401)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import text

from core.db import session_scope
from tests.factories import make_agent, make_run, make_task


def test_admins_read_the_report_and_nothing_is_repaired(client: TestClient, admin: dict[str, str]) -> None:
    make_task("hello")
    run_id = make_run("hello", make_agent("oracle"), status="queued")
    with session_scope() as s:
        s.execute(text("UPDATE tasks SET n_successful_baselines = 4 WHERE id = 'hello'"))

    for _ in range(2):  # a read: the second answer is the first
        r = client.get("/api/system/doctor", headers=admin)
        assert r.status_code == 200, r.text
        report = r.json()
        assert (report["drifted"], report["waiting"], report["repair"]) == (1, 1, False)
        checks = {c["kind"]: c for c in report["checks"]}
        human = checks["task_human_time"]
        assert human["examples"][0]["id"] == "hello"
        assert human["examples"][0]["stored"]["n_successful_baselines"] == 4
        assert human["examples"][0]["derived"]["n_successful_baselines"] == 0
        assert human["repaired"] == 0
        assert checks["queued_run_message_overdue"]["examples"][0]["id"] == str(run_id)
    with session_scope() as s:
        assert s.execute(text("SELECT n_successful_baselines FROM tasks")).scalar_one() == 4


def test_everyone_but_admins_is_refused(
    client: TestClient, submitter: dict[str, str], viewer: dict[str, str]
) -> None:
    for headers, status in (
        (submitter, 403),
        (viewer, 403),
        ({}, 401),
        ({"Authorization": "Bearer hzn_x"}, 401),
    ):
        r = client.get("/api/system/doctor", headers=headers)
        assert r.status_code == status, r.text
        assert r.json()["detail"]
        assert "checks" not in r.json()
