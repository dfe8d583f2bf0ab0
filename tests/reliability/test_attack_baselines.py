"""Attacks on human baselines and timed baselining (shared-by-a-team issue, items 2, 4 and 5).

(a) Nobody deletes another's baseline (403, row unchanged); the recorder may, softly: the row is
    kept with who deleted it and when, left out of lists and of the task's human time.
(b) Nobody posts a `timed` baseline; a manual one names its recorder, so a forged name shows.
(c) Another token cannot read, time or submit someone's attempt, whatever its name.
(d) 8 parallel submits of one attempt store exactly one baseline, on SQLite and PostgreSQL.
(e) An attempt open past the limit stops at it and ends in a final state with a message; a
    scoring failure ends in `error`, never `scoring` for good; a lost scoring message is sent
    again (embedded start, broker-loss sweep).
(f) A page that stops sending heartbeats stops the clock at its last one.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from functools import partial
from typing import Any

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.deps import Caller
from core.auth import create_token
from core.db import session_scope
from core.errors import Conflict, PermissionDenied
from core.models import HumanBaseline, Task, utcnow
from core.models_baselining import BaseliningAttempt
from core.queue import _REGISTRY, InProcessQueue, get_queue
from core.services import baselining as svc
from core.settings import Settings
from core.states import JobName
from core.taskspec import MAX_HUMAN_MINUTES
from tests.reliability.support import RedisServer, tiny_task
from tests.web.conftest import csrf_token, sign_in_with
from workers.baseline_scoring import score_attempt
from workers.requeue import requeue_lost

TASK = "attack/honest-time"


def _people(settings: Settings) -> dict[str, tuple[str, Caller]]:
    """Tokens alice, bob (submitters) and root (admin): name -> (secret, caller)."""
    people = {}
    with session_scope(settings) as s:
        for name, role in (("alice", "submitter"), ("bob", "submitter"), ("root", "admin")):
            row, secret = create_token(s, name, role)
            people[name] = (secret, Caller(name, role, row.id))
    return people


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def _make_task(settings: Settings, api: TestClient, secret: str) -> None:
    """The task (with an estimate of 1 minute, which real baselines replace in human time)."""
    assert api.post("/api/tasks", json=tiny_task(TASK, ["b"]), headers=_bearer(secret)).status_code == 201


def _human_time(api: TestClient) -> dict[str, Any]:
    return api.get(f"/api/tasks/{TASK}").json()["human_time"]  # type: ignore[no-any-return]


def _row(settings: Settings, baseline_id: int) -> HumanBaseline:
    with session_scope(settings) as s:
        row = s.get(HumanBaseline, baseline_id)
        assert row is not None
        s.expunge(row)
        return row


# ---------------------------------------------------------------- (a), (b) baselines by hand


def test_baselines_name_their_recorder_and_only_the_recorder_deletes(backend: Settings) -> None:
    from api.app import create_app

    people = _people(backend)
    alice, bob, root = (people[n][0] for n in ("alice", "bob", "root"))
    with TestClient(create_app(backend)) as api:
        _make_task(backend, api, alice)
        url = f"/api/tasks/{TASK}/baselines"
        r = api.post(
            url, json={"baseliner": "alice", "minutes": 40, "succeeded": True}, headers=_bearer(alice)
        )
        assert r.status_code == 201 and r.json()["recorded_by"] == "alice", r.text
        mine = r.json()["id"]
        r = api.post(
            url, json={"baseliner": "carol", "minutes": 10, "succeeded": True}, headers=_bearer(alice)
        )
        other = r.json()["id"]
        assert _human_time(api)["minutes"] == pytest.approx(20.0)  # geometric mean of 40 and 10

        # (b) a forged name shows its recorder; a timed source cannot be posted at all.
        r = api.post(
            url, json={"baseliner": "alice", "minutes": 0.02, "succeeded": True}, headers=_bearer(bob)
        )
        assert r.status_code == 201 and r.json()["baseliner"] == "alice" and r.json()["recorded_by"] == "bob"
        forged = r.json()["id"]
        for body in (
            {"baseliner": "alice", "minutes": 5, "succeeded": True, "source": "timed"},
            {"baseliner": "alice", "minutes": 5, "succeeded": True, "attempt_id": 1},
            {"baseliner": "alice", "minutes": 5, "succeeded": True, "recorded_by": "alice"},
        ):
            assert api.post(url, json=body, headers=_bearer(bob)).status_code == 422, body
        listed = [b for b in api.get(url).json() if b["source"] != "estimate"]  # the task's own estimate
        assert {b["id"]: b["recorded_by"] for b in listed} == {mine: "alice", other: "alice", forged: "bob"}
        assert all(b["source"] == "baseline" and b["attempt_id"] is None for b in listed)

        # (a) bob cannot delete alice's baseline: 403, the row is unchanged.
        before = _row(backend, mine)
        assert api.delete(f"{url}/{mine}", headers=_bearer(bob)).status_code == 403
        after = _row(backend, mine)
        assert after.deleted_at is None and after.deleted_by_token_id is None
        assert (after.minutes, after.baseliner, after.source) == (
            before.minutes,
            before.baseliner,
            before.source,
        )

        # Alice deletes hers: soft, kept for audit, out of the list and of human time.
        assert api.delete(f"{url}/{mine}", headers=_bearer(alice)).status_code == 204
        kept = _row(backend, mine)
        assert kept.deleted_at is not None and kept.deleted_by_token_id == people["alice"][1].token_id
        assert mine not in {b["id"] for b in api.get(url).json()}
        assert mine not in {b["id"] for b in api.get(f"/api/tasks/{TASK}").json()["baselines"]}
        audit = {b["id"]: b for b in api.get(url, params={"include_deleted": "true"}).json()}
        assert audit[mine]["deleted_at"] is not None and audit[mine]["deleted_by"] == "alice"
        ht = _human_time(api)
        assert ht["n_successful_baselines"] == 2
        assert ht["minutes"] == pytest.approx((10 * 0.02) ** 0.5)
        # Deleting it again finds nothing; an admin may delete bob's forgery.
        assert api.delete(f"{url}/{mine}", headers=_bearer(alice)).status_code == 404
        assert api.delete(f"{url}/{forged}", headers=_bearer(root)).status_code == 204
        assert _human_time(api)["minutes"] == pytest.approx(10.0)


# ---------------------------------------------------------------- (c) attempts belong to a token


def test_another_token_cannot_touch_an_attempt(backend: Settings) -> None:
    from api.app import create_app

    people = _people(backend)
    with session_scope(backend) as s:
        # A token that shares alice's name is impossible now; one with another id is the test.
        impostor, impostor_secret = create_token(s, "alice (second laptop)", "submitter")
    with TestClient(create_app(backend)) as api:
        _make_task(backend, api, people["alice"][0])
    with session_scope(backend) as s:
        attempt_id = svc.start_attempt(s, TASK, "alice", token_id=people["alice"][1].token_id).id
    with TestClient(create_app(backend)) as web:
        sign_in_with(web, impostor_secret)
        csrf = csrf_token(web, "/baselining")
        assert web.get(f"/baselining/attempts/{attempt_id}").status_code == 403
        assert web.get(f"/baselining/attempts/{attempt_id}/state").status_code == 403
        for action in ("pause", "resume", "heartbeat", "submit", "abandon", "rescore"):
            r = web.post(
                f"/baselining/attempts/{attempt_id}/{action}",
                data={"csrf_token": csrf, "answer": "forged"},
                follow_redirects=False,
            )
            assert r.status_code == 403, (action, r.status_code)
    with session_scope(backend) as s:
        row = svc.get_attempt(s, attempt_id)
        assert row.status == "active" and row.answer is None and [e.kind for e in row.events] == ["start"]
        # The same name with another token id is refused by the service too.
        alias = Caller("alice", "submitter", impostor.id)
        for refused in (svc.pause_attempt, svc.abandon_attempt, svc.heartbeat):
            with pytest.raises(PermissionDenied):
                refused(s, attempt_id, alias)


# ---------------------------------------------------------------- (d) parallel submits


def _parallel(n: int, fn: Callable[[], Any]) -> list[Any]:
    """Run `fn` in `n` threads released together; each result or exception."""
    barrier = threading.Barrier(n)
    results: list[Any] = [None] * n

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = fn()
        except Exception as exc:  # noqa: BLE001 - collected for the assertions
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def test_parallel_submits_store_one_baseline(backend: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    from api.app import create_app

    people = _people(backend)
    alice = people["alice"][1]
    # The scoring job, as a sandbox would answer: a score of 1, stored by the real service.
    scored: list[int] = []

    def fake_scoring(attempt_id: int) -> None:
        scored.append(attempt_id)
        with session_scope(backend) as s:
            svc.record_score(s, attempt_id, 1.0, 0.5)

    monkeypatch.setitem(_REGISTRY, JobName.SCORE_ATTEMPT, fake_scoring)
    with TestClient(create_app(backend)) as api:
        _make_task(backend, api, people["alice"][0])
    for _ in range(2):
        with session_scope(backend) as s:
            attempt_id = svc.start_attempt(s, TASK, "alice", token_id=alice.token_id).id

        def submit(attempt_id: int = attempt_id) -> str:
            with session_scope(backend) as s:
                return svc.submit_attempt(s, attempt_id, alice, "answer").status

        results = _parallel(8, submit)
        assert results.count("scoring") == 1, results
        assert all(isinstance(r, Conflict) for r in results if r != "scoring"), results
        queue = get_queue(backend)
        assert isinstance(queue, InProcessQueue)
        assert queue.wait_idle(30)
        # Duplicate deliveries of the job, in parallel too, store nothing more.
        _parallel(8, partial(fake_scoring, attempt_id))
        with session_scope(backend) as s:
            rows = s.scalars(select(HumanBaseline).where(HumanBaseline.attempt_id == attempt_id)).all()
            assert len(rows) == 1 and rows[0].source == "timed" and rows[0].recorded_by == "alice"
            attempt = svc.get_attempt(s, attempt_id)
            assert attempt.status == "scored" and attempt.baseline_id == rows[0].id
            assert [e.kind for e in attempt.events].count("submit") == 1
    with session_scope(backend) as s:
        task = s.get(Task, TASK)
        assert task is not None and task.n_successful_baselines == 2


# ---------------------------------------------------------------- (e) the limit, scoring failures


def _backdate(settings: Settings, attempt_id: int, started: dt.datetime, seen: dt.datetime | None) -> None:
    with session_scope(settings) as s:
        row = svc.get_attempt(s, attempt_id)
        row.events[0].at = started
        row.last_seen_at = seen


def test_an_attempt_open_past_the_limit_ends_in_a_final_state(backend: Settings) -> None:
    from api.app import create_app

    people = _people(backend)
    alice = people["alice"][1]
    with TestClient(create_app(backend)) as api:
        _make_task(backend, api, people["alice"][0])
    limit_s = MAX_HUMAN_MINUTES * 60
    # 70 days running, its page alive all along (heartbeats): the clock stopped at 30 days.
    with session_scope(backend) as s:
        attempt_id = svc.start_attempt(s, TASK, "alice", token_id=alice.token_id).id
    now = utcnow()
    _backdate(backend, attempt_id, now - dt.timedelta(days=70), now)
    with session_scope(backend) as s:
        state = svc.timer_state(svc.get_attempt(s, attempt_id))
        assert state.status == "paused" and state.at_limit and "limit" in state.message
        assert state.active_seconds == pytest.approx(limit_s)
    with session_scope(backend) as s, pytest.raises(Conflict, match="limit"):
        svc.resume_attempt(s, attempt_id, alice)
    with session_scope(backend) as s:
        svc.submit_attempt(s, attempt_id, alice, "answer")
    with session_scope(backend) as s:
        baseline = svc.record_score(s, attempt_id, 1.0, 0.5)
        assert baseline is not None and baseline.minutes == pytest.approx(MAX_HUMAN_MINUTES)
        assert "limit" in baseline.notes
    with session_scope(backend) as s:
        attempt = svc.get_attempt(s, attempt_id)
        assert attempt.status == "scored" and "limit" in attempt.message
        assert attempt.active_seconds == pytest.approx(limit_s)

    # An attempt submitted before the clock stopped at the limit (69.4 days of active time):
    # an error with the reason, not `scoring` for good, and no baseline.
    with session_scope(backend) as s:
        legacy = svc.start_attempt(s, TASK, "alice", token_id=alice.token_id)
        legacy.status, legacy.active_seconds, legacy.answer = "scoring", 69.4 * 86400, "old"
        legacy_id = legacy.id
    with session_scope(backend) as s:
        assert svc.record_score(s, legacy_id, 1.0, 0.5) is None
    with session_scope(backend) as s:
        attempt = svc.get_attempt(s, legacy_id)
        assert attempt.status == "error" and "more than the limit" in attempt.message
        assert s.scalars(select(HumanBaseline).where(HumanBaseline.attempt_id == legacy_id)).all() == []

    # A scorer that fails in an unexpected way ends the attempt as an error with a message.
    class Broken:
        def __getattr__(self, name: str) -> Any:
            raise RuntimeError("the sandbox backend broke")

    with session_scope(backend) as s:
        broken_id = svc.start_attempt(s, TASK, "alice", token_id=alice.token_id).id
    with session_scope(backend) as s:
        svc.submit_attempt(s, broken_id, alice, "answer")
    assert score_attempt(broken_id, backend, backend=Broken()) == "error"
    with session_scope(backend) as s:
        assert svc.get_attempt(s, broken_id).message


def test_a_lost_scoring_message_is_sent_again(
    backend: Settings, private_redis: RedisServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A submitted attempt whose scoring message was lost (an in-process queue that stopped, a
    broker that restarted empty) is not left `scoring` for good: the embedded server's start and
    the broker-loss sweep send it again, and it is scored once."""
    from api.app import create_app
    from cli.common import _resume_embedded_work

    people = _people(backend)
    secret, alice = people["alice"]
    with TestClient(create_app(backend)) as api:
        _make_task(backend, api, secret)
    lost: list[int] = []
    monkeypatch.setitem(_REGISTRY, JobName.SCORE_ATTEMPT, lost.append)  # delivered, then lost
    with session_scope(backend) as s:
        attempt_id = svc.start_attempt(s, TASK, "alice", token_id=alice.token_id).id
    with session_scope(backend) as s:
        svc.submit_attempt(s, attempt_id, alice, "answer")
    queue = get_queue(backend)
    assert isinstance(queue, InProcessQueue) and queue.wait_idle(30)
    assert lost == [attempt_id]
    with session_scope(backend) as s:
        assert svc.get_attempt(s, attempt_id).status == "scoring"

    # Distributed: the sweep that finds the broker emptied sends the scoring job again, once.
    broker = redis.Redis.from_url(private_redis.url())
    broker.flushall()
    distributed = Settings(
        database_url=backend.database_url, redis_url=private_redis.url(), data_dir=backend.data_dir
    )
    requeue_lost(distributed)
    messages = broker.lrange("default", 0, -1)
    assert len(messages) == 1 and JobName.SCORE_ATTEMPT.value.encode() in messages[0]
    requeue_lost(distributed)
    assert broker.llen("default") == 1
    broker.flushall()

    # Embedded: the server's start sends it again, and it is scored and stored once.
    def scoring(attempt_id: int) -> None:
        with session_scope(backend) as s:
            svc.record_score(s, attempt_id, 1.0, 0.5)

    monkeypatch.setitem(_REGISTRY, JobName.SCORE_ATTEMPT, scoring)
    _resume_embedded_work(backend)
    assert queue.wait_idle(30)
    with session_scope(backend) as s:
        attempt = svc.get_attempt(s, attempt_id)
        assert attempt.status == "scored" and attempt.baseline_id is not None
        assert len(s.scalars(select(HumanBaseline).where(HumanBaseline.attempt_id == attempt_id)).all()) == 1
        assert svc.resend_scoring_attempts(s) == []
    # A live attempt (scored by the web server in its own sandbox) is never sent to the job.
    with session_scope(backend) as s:
        live = svc.start_attempt(s, TASK, "alice", token_id=alice.token_id, open_sandbox=lambda a, v: None)
        live.status = "scoring"
    with session_scope(backend) as s:
        assert svc.resend_scoring_attempts(s) == []


# ---------------------------------------------------------------- (f) idle pages stop the clock


def test_idle_page_pauses_the_clock_at_its_last_heartbeat(backend: Settings) -> None:
    from api.app import create_app

    people = _people(backend)
    secret, alice = people["alice"]
    with TestClient(create_app(backend)) as api:
        _make_task(backend, api, secret)
    idle_s = backend.baseline_idle_pause_s
    with session_scope(backend) as s:
        attempt_id = svc.start_attempt(s, TASK, "alice", token_id=alice.token_id).id

    with TestClient(create_app(backend)) as web:
        sign_in_with(web, secret)
        csrf = csrf_token(web, f"/baselining/attempts/{attempt_id}")
        page = web.get(f"/baselining/attempts/{attempt_id}").text
        assert f'data-heartbeat-url="/baselining/attempts/{attempt_id}/heartbeat"' in page
        # A heartbeat from the page keeps the clock running and moves the last sign of life.
        r = web.post(f"/baselining/attempts/{attempt_id}/heartbeat", headers={"X-CSRF-Token": csrf})
        assert r.status_code == 200 and r.json()["running"] is True
        # Without the CSRF token the heartbeat is refused.
        assert web.post(f"/baselining/attempts/{attempt_id}/heartbeat").status_code == 403

        # Started 2 h ago, last heard of 90 minutes ago: 30 minutes count, then it is paused.
        now = utcnow()
        _backdate(backend, attempt_id, now - dt.timedelta(hours=2), now - dt.timedelta(minutes=90))
        state = web.get(f"/baselining/attempts/{attempt_id}/state").json()
        assert state["status"] == "paused" and state["running"] is False
        assert state["active_seconds"] == pytest.approx(1800, abs=2)
        assert "no sign of life" in state["message"]
        # A late heartbeat revives nothing: the pause is stored, stamped at the last sign.
        r = web.post(f"/baselining/attempts/{attempt_id}/heartbeat", headers={"X-CSRF-Token": csrf})
        assert r.json()["status"] == "paused" and r.json()["active_seconds"] == pytest.approx(1800, abs=2)
    with session_scope(backend) as s:
        row = svc.get_attempt(s, attempt_id)
        assert row.status == "paused" and [e.kind for e in row.events] == ["start", "pause"]
        pause_at = (
            row.events[1].at.replace(tzinfo=dt.UTC) if row.events[1].at.tzinfo is None else row.events[1].at
        )
        assert abs((pause_at - (now - dt.timedelta(minutes=90))).total_seconds()) < 1
    with session_scope(backend) as s:
        svc.resume_attempt(s, attempt_id, alice)
        svc.submit_attempt(s, attempt_id, alice, "answer")
    with session_scope(backend) as s:
        assert svc.get_attempt(s, attempt_id).active_seconds == pytest.approx(1800, abs=5)

    # The periodic job stores the pause of an attempt nobody looks at.
    with session_scope(backend) as s:
        quiet = svc.start_attempt(s, TASK, "alice", token_id=alice.token_id).id
    now = utcnow()
    _backdate(
        backend, quiet, now - dt.timedelta(seconds=idle_s + 600), now - dt.timedelta(seconds=idle_s + 60)
    )
    with session_scope(backend) as s:
        assert svc.pause_idle_attempts(s) == [quiet]
    with session_scope(backend) as s:
        row = svc.get_attempt(s, quiet)
        assert row.status == "paused" and "no sign of life" in row.message
        assert svc.timer_state(row).active_seconds == pytest.approx(540, abs=2)
        assert svc.pause_idle_attempts(s) == []
    with session_scope(backend) as s:
        assert s.scalars(select(BaseliningAttempt).where(BaseliningAttempt.status == "active")).all() == []
