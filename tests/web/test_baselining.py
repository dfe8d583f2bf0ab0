"""Human baselining: timer events and active time on the server, pages, and scoring in a sandbox."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.deps import Caller
from core.auth import create_token
from core.db import session_scope
from core.models import ApiToken, HumanBaseline, Task
from core.models_baselining import BaseliningAttempt
from core.services import baselining as svc
from core.settings import Settings
from tests.factories import make_task
from tests.web.conftest import csrf_token, sign_in
from workers.baseline_scoring import score_attempt
from workers.sandbox.docker.backend import DockerBackend

T0 = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def test_active_time_excludes_pauses() -> None:
    events = [("start", at(0)), ("pause", at(60)), ("resume", at(100)), ("submit", at(130))]
    assert svc.active_seconds(events) == 90
    # An open interval counts up to `now`, and only when `now` is given.
    running = [("start", at(0)), ("pause", at(10)), ("resume", at(20))]
    assert svc.active_seconds(running, now=at(25)) == 15
    assert svc.active_seconds(running) == 10
    # Repeated transitions are not double-counted; naive timestamps are read as UTC.
    noisy = [("start", at(0)), ("start", at(5)), ("pause", at(10)), ("pause", at(50)), ("submit", at(70))]
    assert svc.active_seconds(noisy) == 10
    naive = [("start", at(0).replace(tzinfo=None)), ("submit", at(42).replace(tzinfo=None))]
    assert svc.active_seconds(naive) == 42
    assert svc.active_seconds([]) == 0


def post(client: TestClient, path: str, **data: str) -> object:
    return client.post(path, data={**data, "csrf_token": csrf_token(client)}, follow_redirects=False)


def start(client: TestClient, task_id: str) -> int:
    r = post(client, "/baselining/start", task_id=task_id)
    assert r.status_code == 303, r.text  # type: ignore[attr-defined]
    found = re.search(r"/baselining/attempts/(\d+)$", r.headers["location"])  # type: ignore[attr-defined]
    assert found
    return int(found.group(1))


def attempt_row(attempt_id: int) -> BaseliningAttempt:
    with session_scope() as s:
        row = svc.get_attempt(s, attempt_id)
        s.expunge_all()
        return row


def test_timer_flow_through_the_pages(submitter_client: TestClient) -> None:
    make_task("hello", environment={"files": {"notes.txt": "some data\n"}})
    page = submitter_client.get("/baselining/tasks/hello")
    assert "Start the clock" in page.text and "Write hello" not in page.text  # instructions only once started
    attempt_id = start(submitter_client, "hello")
    page = submitter_client.get(f"/baselining/attempts/{attempt_id}")
    assert "Write hello into answer.txt." in page.text and 'data-running="1"' in page.text
    assert submitter_client.get(f"/baselining/attempts/{attempt_id}/files/notes.txt").text == "some data\n"

    assert post(submitter_client, f"/baselining/attempts/{attempt_id}/pause").status_code == 303  # type: ignore[attr-defined]
    page = submitter_client.get(f"/baselining/attempts/{attempt_id}")
    assert 'data-running="0"' in page.text and "Resume" in page.text
    # Pausing twice changes nothing; the state endpoint says the clock is stopped.
    post(submitter_client, f"/baselining/attempts/{attempt_id}/pause")
    state = submitter_client.get(f"/baselining/attempts/{attempt_id}/state").json()
    assert state["status"] == "paused" and not state["running"]

    post(submitter_client, f"/baselining/attempts/{attempt_id}/resume")
    r = post(submitter_client, f"/baselining/attempts/{attempt_id}/submit", answer="hello")
    assert r.status_code == 303  # type: ignore[attr-defined]
    row = attempt_row(attempt_id)
    kinds = [e.kind for e in row.events]
    assert kinds == ["start", "pause", "resume", "submit"]
    # The stored active time is the server's: start->pause plus resume->submit, from its own stamps.
    start_at, pause_at, resume_at, submit_at = (e.at for e in row.events)
    expected = (pause_at - start_at).total_seconds() + (submit_at - resume_at).total_seconds()
    assert row.active_seconds == pytest.approx(expected, abs=1e-6)
    assert row.status == "scoring" and row.answer == "hello" and row.baseliner == "test submitter"
    page = submitter_client.get(f"/baselining/attempts/{attempt_id}")
    assert "Scoring your answer" in page.text and 'data-status="scoring"' in page.text

    # Submitting again is a conflict, shown as a page; nothing changes.
    r = post(submitter_client, f"/baselining/attempts/{attempt_id}/submit", answer="again")
    assert r.status_code == 409  # type: ignore[attr-defined]
    assert attempt_row(attempt_id).answer == "hello"


def test_only_the_person_timing_may_act(client: TestClient) -> None:
    make_task("hello")
    sign_in(client, "submitter")
    attempt_id = start(client, "hello")
    # The attempt belongs to another token from now on (the name still matches: names prove nothing).
    with session_scope() as s:
        row = s.get(BaseliningAttempt, attempt_id)
        assert row is not None
        other, _ = create_token(s, "someone else", "submitter")
        row.token_id = other.id
    assert client.get(f"/baselining/attempts/{attempt_id}").status_code == 403
    assert client.get(f"/baselining/attempts/{attempt_id}/state").status_code == 403
    for action in ("pause", "heartbeat", "submit", "abandon"):
        assert post(client, f"/baselining/attempts/{attempt_id}/{action}").status_code == 403  # type: ignore[attr-defined]
    assert attempt_row(attempt_id).status == "active" and len(attempt_row(attempt_id).events) == 1
    sign_in(client, "admin")
    assert post(client, f"/baselining/attempts/{attempt_id}/pause").status_code == 303  # type: ignore[attr-defined]
    sign_in(client, "viewer")
    assert client.get("/baselining").status_code == 403


def test_abandon_stores_nothing(submitter_client: TestClient) -> None:
    make_task("hello")
    attempt_id = start(submitter_client, "hello")
    post(submitter_client, f"/baselining/attempts/{attempt_id}/abandon")
    assert attempt_row(attempt_id).status == "abandoned"
    assert "nothing was stored" in submitter_client.get(f"/baselining/attempts/{attempt_id}").text
    with session_scope() as s:
        assert s.scalars(select(HumanBaseline).where(HumanBaseline.source == "timed")).all() == []


def _ann() -> Caller:
    """A submitter token named ann (made once per test database)."""
    with session_scope() as s:
        row = s.scalar(select(ApiToken).where(ApiToken.name == "ann"))
        if row is None:
            row, _ = create_token(s, "ann", "submitter")
        return Caller("ann", "submitter", row.id)


def _submitted(task_id: str, answer: str) -> int:
    ann = _ann()
    with session_scope() as s:
        attempt = svc.start_attempt(s, task_id, "ann", token_id=ann.token_id)
        attempt_id = attempt.id
    with session_scope() as s:
        svc.pause_attempt(s, attempt_id, ann)
    with session_scope() as s:
        svc.resume_attempt(s, attempt_id, ann)
    with session_scope() as s:
        svc.submit_attempt(s, attempt_id, ann, answer)
    return attempt_id


def test_no_sandbox_leaves_the_attempt_pending(db: str) -> None:
    make_task("hello")
    attempt_id = _submitted("hello", "hello")
    settings = Settings(database_url=db, docker_host="unix:///nonexistent/docker.sock")
    assert score_attempt(attempt_id, settings) == "pending"
    row = attempt_row(attempt_id)
    assert row.baseline_id is None and "no sandbox is available" in row.message
    with session_scope() as s:
        assert s.scalars(select(HumanBaseline).where(HumanBaseline.baseliner == "ann")).all() == []
    # It can be scored again later; scoring an attempt that is not waiting does nothing.
    with session_scope() as s:
        svc.rescore_attempt(s, attempt_id, _ann())
    assert attempt_row(attempt_id).status == "scoring"
    assert score_attempt(attempt_id, settings) == "pending"
    assert score_attempt(attempt_id, settings) == "pending"


SCORER = (
    "import pathlib\n"
    "work = pathlib.Path('submission.txt').read_text().strip()\n"
    "copy = pathlib.Path('/scorer/submission.txt').read_text().strip()\n"
    "print(1 if work == copy == 'hello' else 0)\n"
)


@pytest.mark.docker
def test_scoring_in_a_sandbox_stores_a_baseline(db: str, docker_backend: DockerBackend) -> None:
    make_task(
        "hello",
        scorer={"command": "python3 /scorer/score.py", "files": {"score.py": SCORER}},
        limits={"cpus": 1, "memory_mb": 256, "pids": 64, "disk_mb": 32},
    )
    settings = Settings(database_url=db)
    good = _submitted("hello", "hello\n")
    bad = _submitted("hello", "goodbye")
    assert score_attempt(good, settings, backend=docker_backend) == "scored"
    assert score_attempt(bad, settings, backend=docker_backend) == "scored"
    # Delivered twice: the second delivery finds nothing to score.
    assert score_attempt(good, settings, backend=docker_backend) == "scored"
    with session_scope() as s:
        rows = {a.id: a for a in s.scalars(select(BaseliningAttempt))}
        baselines = {b.id: b for b in s.scalars(select(HumanBaseline).where(HumanBaseline.source == "timed"))}
        assert len(baselines) == 2
        for attempt_id, succeeded in ((good, True), (bad, False)):
            attempt = rows[attempt_id]
            baseline = baselines[attempt.baseline_id]  # type: ignore[index]
            assert attempt.succeeded is succeeded and baseline.succeeded is succeeded
            assert baseline.minutes == pytest.approx(
                max(attempt.active_seconds or 0, svc.MIN_ACTIVE_SECONDS) / 60
            )
            assert baseline.baseliner == "ann" and baseline.task_version == 1
            assert baseline.attempt_id == attempt_id and baseline.recorded_by == "ann"
        task = s.get(Task, "hello")
        assert task is not None and task.human_minutes_source == "baseline"
        assert task.human_minutes == pytest.approx(baselines[rows[good].baseline_id].minutes)  # type: ignore[index]
    assert docker_backend.managed_containers() == []


@pytest.mark.docker
def test_a_broken_scorer_is_an_error_not_a_failure(db: str, docker_backend: DockerBackend) -> None:
    make_task("broken", scorer={"command": "echo no score here"}, limits={"memory_mb": 256, "disk_mb": 32})
    attempt_id = _submitted("broken", "hello")
    assert score_attempt(attempt_id, Settings(database_url=db), backend=docker_backend) == "error"
    row = attempt_row(attempt_id)
    assert row.baseline_id is None and "the task's scorer failed" in row.message
    # The scorer's output is the task's answers: the person timing the attempt never reads it.
    assert "no score here" not in row.message and "worker's log" in row.message
