"""Attacks on id bounds, web sessions and analysis isolation (security issue, items 7, 8 and 11).

(a) Ids and versions past 2^31-1 (Integer columns), offsets and pages past 64 bits, and values
    below range are refused at the edge on SQLite and on PostgreSQL: 404 or 422, never a 5xx; web
    pages answer as pages.
(b) A session cookie copied before sign-out, or before its token is revoked, signs nobody in.
(c) In embedded mode a long analysis never delays a run job (analyses have their own pool).
(d) A submitter's bootstrap is capped (422); (e) an analysis can be cancelled by its requester or
    an admin (not another submitter, not a viewer), and its running fit stops within seconds.
(f) With Redis, analyses go to their own `analysis` queue, which the run workers never consume.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from core.db import session_scope
from core.models import AnalysisResult, ApiToken, Batch
from core.models import WebSession as WebSessionRow
from core.queue import QUEUE_RUNS, InProcessQueue, JobMessage, get_queue, register_job
from core.settings import Settings, get_settings
from tests.reliability.support import RedisServer, tiny_task
from tests.support.processes import wait_until
from tests.web.conftest import csrf_token, sign_in_with

OUT_OF_RANGE = (2**31, 2**63, 2**64, -1, 0)
BIGGEST = 2**31 - 1  # the largest id an Integer column holds on every backend: no row has it (404)


def _token(settings: Settings, role: str) -> tuple[str, int]:
    from core.auth import create_token

    with session_scope(settings) as s:
        # Token names are unique: number each of a test's tokens.
        count = s.scalar(select(func.count()).select_from(ApiToken)) or 0
        row, secret = create_token(s, f"attack {role} {count + 1}", role)
        return secret, row.id


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


# ---------------------------------------------------------------- (a) id and offset bounds


def _api_id_requests(x: int) -> list[tuple[str, str, Any]]:
    return [
        ("GET", f"/api/runs/{x}", None),
        ("GET", f"/api/runs/{x}/transcript", None),
        ("POST", f"/api/runs/{x}/cancel", None),
        ("GET", f"/api/batches/{x}", None),
        ("POST", f"/api/batches/{x}/cancel", None),
        ("GET", f"/api/models/{x}", None),
        ("PATCH", f"/api/models/{x}", {}),
        ("GET", f"/api/agents/{x}", None),
        ("GET", f"/api/analyses/{x}", None),
        ("POST", f"/api/analyses/{x}/cancel", None),
        ("POST", f"/api/tokens/{x}/revoke", None),
        ("GET", f"/api/tasks/bounds/versions/{x}", None),
        ("DELETE", f"/api/tasks/bounds/baselines/{x}", None),
    ]


def _web_id_requests(x: int) -> list[tuple[str, str]]:
    return [
        ("GET", f"/runs/{x}"),
        ("GET", f"/batches/{x}"),
        ("GET", f"/batches/{x}/progress"),
        ("GET", f"/baselining/attempts/{x}"),
        ("GET", f"/baselining/attempts/{x}/state"),
        ("POST", f"/batches/{x}/cancel"),
        ("POST", f"/baselining/attempts/{x}/pause"),
    ]


def test_ids_offsets_and_pages_out_of_range_are_refused_on_every_backend(backend: Settings) -> None:
    from api.app import create_app

    admin, _ = _token(backend, "admin")
    with TestClient(create_app(backend)) as api, TestClient(create_app(backend)) as web:
        headers = _bearer(admin)
        assert api.post("/api/tasks", json=tiny_task("bounds", ["b"]), headers=headers).status_code == 201
        sign_in_with(web, admin)
        csrf = csrf_token(web, "/runs")
        for x in (*OUT_OF_RANGE, BIGGEST):
            want = {404} if x == BIGGEST else {422}
            for method, path, body in _api_id_requests(x):
                r = api.request(method, path, json=body, headers=headers)
                assert r.status_code in want, f"{method} {path}: {r.status_code} {r.text[:200]}"
                assert r.json()["detail"]
            for method, path in _web_id_requests(x):
                data = {"csrf_token": csrf} if method == "POST" else None
                r = web.request(method, path, data=data, follow_redirects=False)
                assert r.status_code in want, f"page {method} {path}: {r.status_code} {r.text[:200]}"
                if not path.endswith(("/progress", "/state")):
                    assert r.headers["content-type"].startswith("text/html"), path  # a page, not JSON
        for resource in ("runs", "batches", "tasks", "analyses"):
            for offset in (2**63, 2**64, -1):
                r = api.get(f"/api/{resource}?offset={offset}", headers=headers)
                assert r.status_code == 422, f"{resource} offset {offset}: {r.status_code} {r.text[:200]}"
            r = api.get(f"/api/{resource}?offset={2**62}&limit=5", headers=headers)
            assert r.status_code == 200 and r.json()["items"] == [], r.text[:200]
        assert api.get(f"/api/runs?batch_id={2**63}", headers=headers).status_code == 422
        # A name of digits too big for an id is looked up as a name: an empty page, not an overflow.
        assert api.get(f"/api/runs?agent={2**64}", headers=headers).status_code == 200
        for page in ("/runs", "/batches", "/tasks"):
            for number in (2**63, 2**64, 0, -1):
                r = web.get(f"{page}?page={number}")
                assert r.status_code == 422 and r.headers["content-type"].startswith("text/html"), page
            assert web.get(f"{page}?page=1000000").status_code == 200
        assert web.get(f"/runs?batch={2**64}").status_code == 200  # not an id: no filter match
        # Ids in request bodies.
        for bad in (2**63, 2**64, 0, -1):
            r = api.post("/api/batches", json={"agents": [bad], "tasks": ["bounds"]}, headers=headers)
            assert r.status_code == 422, r.text
            r = api.post(
                "/api/agents", json={"name": "a", "scaffold": "oracle", "model": bad}, headers=headers
            )
            assert r.status_code == 422, r.text
            baseline = {"baseliner": "b", "minutes": 3, "succeeded": True, "task_version": bad}
            r = api.post("/api/tasks/bounds/baselines", json=baseline, headers=headers)
            assert r.status_code == 422, r.text
        r = api.post("/api/batches", json={"agents": [BIGGEST], "tasks": ["bounds"]}, headers=headers)
        assert r.status_code == 404, r.text
        r = web.post(
            "/schedule",
            data={"agents": str(2**64), "tasks": "bounds", "repeats": "1", "csrf_token": csrf},
            follow_redirects=False,
        )
        assert r.status_code == 422, r.text[:300]  # the form again, saying what is wrong


# ---------------------------------------------------------------- (b) sessions end on the server


@pytest.fixture
def pg_settings(db: str, tmp_path: Path) -> Settings:
    return Settings(database_url=db, data_dir=tmp_path / "data", admin_token="boot-" + "x" * 30)


def _batches(settings: Settings) -> int:
    with session_scope(settings) as s:
        return int(s.scalar(select(func.count()).select_from(Batch)) or 0)


def _replay(settings: Settings, cookie: str, csrf: str) -> tuple[int, int]:
    """A fresh browser with the copied cookie: (GET /schedule status, POST /schedule status)."""
    from api.app import create_app
    from web.auth import COOKIE_NAME

    with TestClient(create_app(settings)) as thief:
        thief.cookies.set(COOKIE_NAME, cookie)
        page = thief.get("/schedule", follow_redirects=False)
        form = {"name": "stolen", "agents": "x", "tasks": "x", "repeats": "1", "csrf_token": csrf}
        post = thief.post("/schedule", data=form, follow_redirects=False)
        if post.status_code == 303:
            assert post.headers["location"].startswith("/signin"), post.headers["location"]
        return page.status_code, post.status_code


def test_a_cookie_copied_before_sign_out_is_refused_after_it(pg_settings: Settings) -> None:
    from api.app import create_app
    from web.auth import COOKIE_NAME

    secret, _ = _token(pg_settings, "submitter")
    with TestClient(create_app(pg_settings)) as browser:
        sign_in_with(browser, secret)
        assert browser.get("/schedule", follow_redirects=False).status_code == 200
        csrf = csrf_token(browser, "/schedule")
        copied = browser.cookies[COOKIE_NAME]
        assert secret not in copied
        assert _replay(pg_settings, copied, csrf)[0] == 200  # the copy works while signed in
        r = browser.post("/signout", data={"csrf_token": csrf}, follow_redirects=False)
        assert r.status_code == 303
        assert browser.get("/schedule", follow_redirects=False).status_code == 303
    page, post = _replay(pg_settings, copied, csrf)
    assert page == 303  # treated as anonymous: sent to the sign-in page
    assert post in (303, 403)  # the form POST is refused
    assert _batches(pg_settings) == 0
    with session_scope(pg_settings) as s:
        rows = list(s.scalars(select(WebSessionRow)))
        assert len(rows) == 1 and rows[0].ended_at is not None
        assert secret not in rows[0].id_hash


def test_revoking_a_token_ends_its_web_sessions(pg_settings: Settings) -> None:
    from api.app import create_app
    from web.auth import COOKIE_NAME

    secret, token_id = _token(pg_settings, "submitter")
    admin, _ = _token(pg_settings, "admin")
    with TestClient(create_app(pg_settings)) as browser:
        sign_in_with(browser, secret)
        csrf = csrf_token(browser, "/schedule")
        copied = browser.cookies[COOKIE_NAME]
        r = browser.post(f"/api/tokens/{token_id}/revoke", headers=_bearer(admin))
        assert r.status_code == 200, r.text
        assert browser.get("/schedule", follow_redirects=False).status_code == 303
    page, post = _replay(pg_settings, copied, csrf)
    assert page == 303 and post in (303, 403)
    with session_scope(pg_settings) as s:
        assert all(row.ended_at is not None for row in s.scalars(select(WebSessionRow)))


def test_an_expired_session_and_the_bootstrap_admin_token_sign_nobody_in(pg_settings: Settings) -> None:
    from api.app import create_app

    secret, _ = _token(pg_settings, "submitter")
    with TestClient(create_app(pg_settings)) as browser:
        sign_in_with(browser, secret)
        with session_scope(pg_settings) as s:
            for row in s.scalars(select(WebSessionRow)):
                row.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        assert browser.get("/schedule", follow_redirects=False).status_code == 303
        assert pg_settings.admin_token
        r = browser.post(
            "/signin",
            data={"token": pg_settings.admin_token, "csrf_token": csrf_token(browser), "next": "/"},
            follow_redirects=False,
        )
        assert r.status_code == 401 and "API only" in r.text


# ---------------------------------------------------------------- (c, d, e) analyses


_started: dict[str, float] = {}


def _mark_started(key: str) -> None:
    _started[key] = time.monotonic()


register_job("tests.mark_started", _mark_started)


@pytest.fixture
def embedded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, worker_jobs: None
) -> Iterator[tuple[TestClient, Settings]]:
    """`horizon serve` in embedded mode: SQLite in a data dir, the in-process queue, jobs reading
    the same settings from the environment. Runs an analysis can fit are imported (simulated)."""
    from analysis.simulate import agents_on_trend, simulate_runs, synthetic_suite
    from api.app import create_app
    from core.migrate import upgrade
    from core.services.imports import import_runs

    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("HORIZON_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    settings = get_settings()
    assert settings.embedded_queue and settings.effective_database_url.startswith("sqlite")
    upgrade(settings)
    releases = {f"agent-{year}": dt.date(year, 6, 1) for year in range(2020, 2025)}
    rng = np.random.default_rng(3)
    suite = synthetic_suite(rng, n_families=15, max_minutes=960)
    agents = agents_on_trend(releases, doubling_days=200, anchor_p50=30.0, anchor_date=dt.date(2023, 1, 1))
    with session_scope(settings) as s:
        import_runs(s, simulate_runs(suite, agents, repeats=3, rng=rng), "simulated", releases)
    with TestClient(create_app(settings)) as client:
        try:
            yield client, settings
        finally:
            # Nothing long may outlive the test on the process's shared in-process queue.
            with session_scope(settings) as s:
                for row in s.scalars(
                    select(AnalysisResult).where(AnalysisResult.status.in_(("queued", "running")))
                ):
                    row.status = "cancelled"
            queue = get_queue(settings)
            assert isinstance(queue, InProcessQueue)
            assert queue.wait_idle(timeout=60)
    get_settings.cache_clear()


def _status(settings: Settings, analysis_id: int) -> str:
    with session_scope(settings) as s:
        row = s.get(AnalysisResult, analysis_id)
        assert row is not None
        return row.status


def _long_analysis(client: TestClient, headers: dict[str, str]) -> int:
    r = client.post("/api/analyses", json={"bootstrap": 100_000, "solver": "sklearn"}, headers=headers)
    assert r.status_code == 202, r.text
    return int(r.json()["id"])


def test_a_long_analysis_never_delays_a_run_job(embedded: tuple[TestClient, Settings]) -> None:
    client, settings = embedded
    admin, _ = _token(settings, "admin")
    first = _long_analysis(client, _bearer(admin))
    second = _long_analysis(client, _bearer(admin))
    wait_until(lambda: _status(settings, first) == "running", 30, "the first analysis to start")
    time.sleep(1.0)
    assert _status(settings, second) == "queued"  # one analysis slot: the second waits for it
    queue = get_queue(settings)
    _started.clear()
    sent = time.monotonic()
    for key in ("run-a", "run-b"):  # both run slots
        queue.send(JobMessage("tests.mark_started", (key,), QUEUE_RUNS))
    wait_until(lambda: {"run-a", "run-b"} <= set(_started), 5, "run jobs to start beside the analysis")
    assert max(_started["run-a"], _started["run-b"]) - sent < 3.0
    assert _status(settings, first) == "running"


def test_submitter_bootstrap_is_capped_and_admin_is_not(embedded: tuple[TestClient, Settings]) -> None:
    client, settings = embedded
    submitter, _ = _token(settings, "submitter")
    admin, _ = _token(settings, "admin")
    cap = settings.analysis_max_bootstrap_submitter
    r = client.post("/api/analyses", json={"bootstrap": cap + 1}, headers=_bearer(submitter))
    assert r.status_code == 422 and f"at most {cap}" in r.json()["detail"], r.text
    r = client.post(
        "/api/analyses", json={"bootstrap": 100_000, "solver": "sklearn"}, headers=_bearer(submitter)
    )
    assert r.status_code == 422
    with session_scope(settings) as s:
        assert s.scalar(select(func.count()).select_from(AnalysisResult)) == 0
    r = client.post("/api/analyses", json={"bootstrap": 10}, headers=_bearer(submitter))
    assert r.status_code == 202 and r.json()["created_by_token_id"] is not None
    r = client.post("/api/analyses", json={"bootstrap": 100_001}, headers=_bearer(admin))
    assert r.status_code == 422  # the schema's maximum holds for admins too
    analysis_id = _long_analysis(client, _bearer(admin))
    assert client.post(f"/api/analyses/{analysis_id}/cancel", headers=_bearer(admin)).status_code == 200


def test_cancel_stops_a_running_analysis_and_only_its_requester_or_an_admin_may(
    embedded: tuple[TestClient, Settings],
) -> None:
    client, settings = embedded
    admin, _ = _token(settings, "admin")
    owner, owner_id = _token(settings, "submitter")
    other, _ = _token(settings, "submitter")
    viewer, _ = _token(settings, "viewer")
    # The owner's fit is long enough (sklearn, at the submitter cap) to still run when cancelled.
    cap = settings.analysis_max_bootstrap_submitter
    body = {"bootstrap": cap, "solver": "sklearn"}
    r = client.post("/api/analyses", json=body, headers=_bearer(owner))
    assert r.status_code == 202, r.text
    mine = int(r.json()["id"])
    assert r.json()["created_by_token_id"] == owner_id
    wait_until(lambda: _status(settings, mine) == "running", 30, "the analysis to start")
    for secret in (other, viewer):
        r = client.post(f"/api/analyses/{mine}/cancel", headers=_bearer(secret))
        assert r.status_code == 403, r.text
    assert client.post(f"/api/analyses/{mine}/cancel").status_code == 401
    assert _status(settings, mine) == "running"

    def progress() -> int:
        with session_scope(settings) as s:
            row = s.get(AnalysisResult, mine)
            assert row is not None
            return row.progress_done

    r = client.post(f"/api/analyses/{mine}/cancel", headers=_bearer(owner))
    assert r.status_code == 200 and r.json()["status"] == "cancelled", r.text
    # The fit stops at its next progress check: the queue is idle again within seconds.
    queue = get_queue(settings)
    assert isinstance(queue, InProcessQueue)
    assert queue.wait_idle(timeout=10), "the cancelled fit did not stop within 10 s"
    assert _status(settings, mine) == "cancelled"
    assert progress() < cap
    r = client.get(f"/api/analyses/{mine}")
    assert r.json()["status"] == "cancelled" and r.json()["result"] is None
    # Cancelling again is a no-op; an admin may cancel anyone's; a finished one cannot be.
    assert client.post(f"/api/analyses/{mine}/cancel", headers=_bearer(owner)).status_code == 200
    theirs = _long_analysis(client, _bearer(admin))
    r = client.post(f"/api/analyses/{theirs}/cancel", headers=_bearer(owner))
    assert r.status_code == 403
    assert client.post(f"/api/analyses/{theirs}/cancel", headers=_bearer(admin)).status_code == 200
    r = client.post("/api/analyses", json={"bootstrap": 5}, headers=_bearer(owner))
    quick = int(r.json()["id"])
    wait_until(lambda: _status(settings, quick) == "done", 30, "a quick analysis to finish")
    assert client.post(f"/api/analyses/{quick}/cancel", headers=_bearer(owner)).status_code == 409


def test_distributed_analyses_go_to_their_own_queue_which_run_workers_never_consume(
    db: str, private_redis: RedisServer, tmp_path: Path
) -> None:
    """With Redis, an analysis is a message on the `analysis` list and a run one on `runs`; the
    plain `horizon worker` and Compose's run workers consume only `default,runs`, and Compose's
    analysis worker only `analysis`, so a long fit never holds a slot a run waits for."""
    import inspect

    import redis
    import yaml

    from api.app import create_app
    from cli.main import worker
    from core.queue import QUEUE_ANALYSIS

    broker = redis.Redis.from_url(private_redis.url())
    broker.flushall()
    settings = Settings(database_url=db, redis_url=private_redis.url(), data_dir=tmp_path / "data")
    submitter, _ = _token(settings, "submitter")
    headers = _bearer(submitter)
    with TestClient(create_app(settings)) as api:
        assert api.post("/api/tasks", json=tiny_task("queues", ["q"]), headers=headers).status_code == 201
        model = {"name": "m", "base_url": "http://127.0.0.1:9/v1"}
        assert api.post("/api/models", json=model, headers=headers).status_code == 201
        agent = {"name": "a", "scaffold": "oracle", "model": "m"}
        assert api.post("/api/agents", json=agent, headers=headers).status_code == 201
        r = api.post("/api/batches", json={"agents": ["a"], "tasks": ["queues"]}, headers=headers)
        assert r.status_code == 201, r.text
        r = api.post("/api/analyses", json={"bootstrap": 10}, headers=headers)
        assert r.status_code == 202, r.text
    # Celery's Redis transport keeps one list per queue.
    assert broker.llen(QUEUE_ANALYSIS) == 1
    assert broker.llen(QUEUE_RUNS) == 1 and broker.llen("default") == 0

    default_queues = inspect.signature(worker).parameters["queues"].default.default
    assert set(default_queues.split(",")) == {"default", "runs"}
    compose = yaml.safe_load((Path(__file__).resolve().parents[2] / "docker-compose.yml").read_text())
    consumed = {}
    for name, service in compose["services"].items():
        command = service.get("command") or []
        if command[:2] == ["horizon", "worker"]:
            consumed[name] = set(command[command.index("--queues") + 1].split(","))
    assert consumed == {"worker": {"default", "runs"}, "analysis-worker": {QUEUE_ANALYSIS}}
