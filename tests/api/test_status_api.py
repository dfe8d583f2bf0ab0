"""GET /api/system/status and /api/system/metrics: counts only, so any reader gets them (a token
only when reads need one); the server reports its own in-process queue; the metrics are gauges in
Prometheus's text format."""

from __future__ import annotations

from fastapi.testclient import TestClient

from core.settings import Settings
from tests.factories import make_agent, make_run, make_task


def _world() -> None:
    make_task("hello")
    agent = make_agent("oracle")
    make_run("hello", agent, status="queued")
    make_run("hello", agent, status="running", heartbeat_age_s=3600)
    make_run("hello", agent, status="completed")


def test_readers_get_the_snapshot(client: TestClient, viewer: dict[str, str]) -> None:
    _world()
    for headers in ({}, viewer):  # reads are public by default
        r = client.get("/api/system/status", headers=headers)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["runs"] == {"queued": 1, "running": 1, "completed": 1, "infra_error": 0, "cancelled": 0}
        assert body["stale_running_runs"]["count"] == 1
        assert body["stale_running_runs"]["oldest_age_s"] >= 3600
        assert body["overdue_queued_runs"] == 1  # never sent: the factory writes the row only
        # The server runs the embedded mode's jobs: its queue is counted, not unknown.
        assert body["mode"] == "embedded"
        assert body["queues"] == [{"name": "in-process", "messages": 0, "note": body["queues"][0]["note"]}]


def test_metrics_are_prometheus_text(client: TestClient) -> None:
    _world()
    r = client.get("/api/system/metrics")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert 'horizon_runs{status="queued"} 1\n' in r.text
    assert "horizon_stale_running_runs 1\n" in r.text
    assert 'horizon_queue_messages{queue="in-process"} 0\n' in r.text


def test_a_token_is_needed_when_reads_need_one(db: str, viewer: dict[str, str]) -> None:
    from api.app import create_app

    with TestClient(create_app(Settings(database_url=db, read_requires_token=True))) as c:
        for path in ("/api/system/status", "/api/system/metrics"):
            refused = c.get(path)
            assert refused.status_code == 401 and refused.json()["detail"]
            assert c.get(path, headers=viewer).status_code == 200
