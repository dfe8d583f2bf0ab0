"""Live, per-attempt transcripts: events stored as they happen, read through the API and the run
page while the attempt runs, each attempt keeping its own, a database outage survived.

The writer (`workers.transcript_store.LiveTranscript`) is driven by a real `Transcript`, against
the test PostgreSQL database (and a private cluster stopped and started for the outage); the last
test runs a whole attempt in Docker, held mid-way by its listener.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from core.db import session_scope
from core.models import Run, TranscriptEvent
from core.schemas import RunResult
from core.services import runs as run_svc
from core.services.transcripts import HIDDEN_SCORER
from core.settings import Settings
from core.states import RunStatus, StopReason
from tests.factories import make_agent, make_batch, make_task, make_token
from tests.support.processes import wait_until
from workers.transcript import Transcript
from workers.transcript_store import LiveTranscript

HOSTILE = "<script>alert(1)</script>"


@pytest.fixture
def settings(db: str) -> Settings:
    return Settings(database_url=db, max_attempts=3)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    from api.app import create_app

    with TestClient(create_app(settings)) as c:
        yield c


def _headers(role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token(role)}"}


def _running_run(settings: Settings) -> tuple[int, int]:
    make_task("t1", settings=settings)
    agent = make_agent("null-agent", "null", settings=settings)
    _, (run_id,) = make_batch([agent], ["t1"], settings=settings)
    with session_scope(settings) as s:
        attempt = run_svc.claim_run(s, run_id, "test-worker")
    assert attempt is not None
    return run_id, attempt


def _stored(settings: Settings, run_id: int) -> list[tuple[int, int]]:
    with session_scope(settings) as s:
        rows = s.execute(
            select(TranscriptEvent.attempt, TranscriptEvent.seq)
            .where(TranscriptEvent.run_id == run_id)
            .order_by(TranscriptEvent.attempt, TranscriptEvent.seq)
        )
        return [(attempt, seq) for attempt, seq in rows]


def _page(client: TestClient, run_id: int, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    r = client.get(f"/api/runs/{run_id}/transcript", params=params, headers=headers)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def _result(events: list[dict[str, Any]]) -> RunResult:
    return RunResult(StopReason.SUBMITTED, 1.0, 1, 10, 5, 0.001, events)


def test_a_running_attempts_events_are_read_live_and_stored_once(
    client: TestClient, settings: Settings
) -> None:
    run_id, attempt = _running_run(settings)
    viewer, admin = _headers("viewer"), _headers("admin")
    writer = LiveTranscript(run_id, attempt, settings, flush_interval_s=0.2)
    transcript = Transcript(listener=writer)
    transcript.add("task_start", task_id="t1")
    transcript.add("model", content=HOSTILE)
    transcript.add("scorer", command="python3 score.py", stdout="expected 42", stderr="", exit_code=0)

    # Within about a flush interval, the API shows them, live, while the run is still running.
    wait_until(lambda: _page(client, run_id, viewer)["total"] == 3, 10, "the live events")
    page = _page(client, run_id, viewer)
    assert (page["attempt"], page["attempts"], page["live"]) == (attempt, [1], True)
    assert page["next_offset"] is None
    assert [e["kind"] for e in page["events"]] == ["task_start", "model", "scorer"]
    assert [e["seq"] for e in page["events"]] == [0, 1, 2]
    assert page["events"][1]["content"] == HOSTILE
    # The answers stay hidden from a viewer on a live page too; an admin reads them.
    assert page["events"][2]["command"] == page["events"][2]["stdout"] == HIDDEN_SCORER
    assert _page(client, run_id, admin)["events"][2]["stdout"] == "expected 42"

    # The run page polls from the events it shows: only the new ones come, rendered as escaped HTML.
    html = client.get(f"/runs/{run_id}").text
    assert f'data-live-url="/runs/{run_id}/transcript/events?attempt={attempt}"' in html
    assert 'data-offset="3"' in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    transcript.add("tool_output", output=HOSTILE + " and more")
    wait_until(lambda: _page(client, run_id, viewer)["total"] == 4, 10, "the fourth event")
    live = client.get(f"/runs/{run_id}/transcript/events", params={"attempt": attempt, "offset": 3})
    assert live.status_code == 200 and live.headers["cache-control"] == "no-store"
    polled = live.json()
    assert (polled["total"], polled["offset"], polled["live"]) == (4, 3, True)
    (fragment,) = polled["events"]
    assert 'data-kind="tool_output"' in fragment and "#3" in fragment
    assert "&lt;script&gt;alert(1)&lt;/script&gt; and more" in fragment and "<script>" not in fragment
    # The viewer's page of the live endpoint is redacted like the API's.
    scorer = client.get(f"/runs/{run_id}/transcript/events", params={"attempt": attempt, "offset": 2})
    assert "expected 42" not in scorer.text and "admins see the scorer]" in scorer.text

    # The attempt ends: the writer is closed and the whole transcript written with the result;
    # nothing is stored twice, and the page is no longer live.
    transcript.add("task_end", score=1.0)
    assert writer.close() and writer.written == 5
    with session_scope(settings) as s:
        assert run_svc.finish_run(s, run_id, attempt, _result(transcript.events))
    assert _stored(settings, run_id) == [(attempt, seq) for seq in range(5)]
    page = _page(client, run_id, viewer)
    assert (page["total"], page["live"]) == (5, False)
    assert "data-live-url" not in client.get(f"/runs/{run_id}").text


def test_every_attempt_keeps_its_own_transcript(client: TestClient, settings: Settings) -> None:
    run_id, first = _running_run(settings)
    viewer = _headers("viewer")
    # Attempt 1: its sandbox is lost; some events are written live, the rest with the failure.
    writer = LiveTranscript(run_id, first, settings, flush_interval_s=0.1)
    one = Transcript(listener=writer)
    one.add("task_start", task_id="t1")
    one.add("model", content="first try")
    assert writer.close()
    one.add("infra_error", reason="sandbox", message="sandbox lost")  # after the writer closed
    with session_scope(settings) as s:
        status = run_svc.record_infra_failure(s, run_id, first, "sandbox lost", settings, one.events)
    assert status == RunStatus.QUEUED
    # Attempt 2 runs to the end; while it runs the page shows it, with attempt 1 still listed.
    with session_scope(settings) as s:
        second = run_svc.claim_run(s, run_id, "test-worker")
    assert second == 2
    page = _page(client, run_id, viewer)
    assert (page["attempt"], page["attempts"], page["total"], page["live"]) == (2, [1], 0, True)
    two = Transcript(listener=LiveTranscript(run_id, second, settings, flush_interval_s=0.1))
    two.add("task_start", task_id="t1")
    two.add("submission", answer="hello")
    with session_scope(settings) as s:
        assert run_svc.finish_run(s, run_id, second, _result(two.events))

    assert _stored(settings, run_id) == [(1, 0), (1, 1), (1, 2), (2, 0), (2, 1)]
    latest = _page(client, run_id, viewer)
    assert (latest["attempt"], latest["attempts"], latest["live"]) == (2, [1, 2], False)
    assert [e["kind"] for e in latest["events"]] == ["task_start", "submission"]
    earlier = _page(client, run_id, viewer, attempt=1)
    assert [e["kind"] for e in earlier["events"]] == ["task_start", "model", "infra_error"]
    assert (earlier["attempt"], earlier["live"]) == (1, False)
    # An attempt without events is an empty page; a bad attempt number is refused.
    assert _page(client, run_id, viewer, attempt=7)["events"] == []
    for bad in ("0", "-1", "x", "1.5", str(2**40)):
        r = client.get(f"/api/runs/{run_id}/transcript", params={"attempt": bad}, headers=viewer)
        assert r.status_code == 422, (bad, r.text)
    # The run page shows the latest attempt and links to the other.
    html = client.get(f"/runs/{run_id}").text
    assert f'href="/runs/{run_id}?attempt=1"' in html and "submission" in html.lower()
    html = client.get(f"/runs/{run_id}", params={"attempt": 1}).text
    assert f'href="/runs/{run_id}?attempt=2"' in html and "sandbox lost" in html
    assert client.get(f"/runs/{run_id}", params={"attempt": 0}).status_code == 422


def test_the_writer_survives_a_database_outage_and_loses_nothing() -> None:
    from core.migrate import upgrade
    from tests.reliability.support import PostgresServer

    reason = PostgresServer.available()
    if reason:
        pytest.skip(reason)
    server = PostgresServer().start()
    try:
        url = server.create_database()
        upgrade(url=url)
        settings = Settings(database_url=url, stale_after_s=30)
        run_id, attempt = _running_run(settings)
        writer = LiveTranscript(run_id, attempt, settings, flush_interval_s=0.1)
        transcript = Transcript(listener=writer)
        for i in range(3):
            transcript.add("message", content=f"before {i}")
        wait_until(lambda: writer.written == 3, 10, "the first events")

        server.stop()
        # The attempt goes on while the database is away: nothing raises, the events wait.
        for i in range(3):
            transcript.add("message", content=f"during {i}")
        wait_until(lambda: writer.pending == 3, 5, "the queued events")
        threading.Event().wait(1.5)  # a few failed writes
        assert writer.written == 3 and writer.pending == 3
        server.start()
        transcript.add("message", content="after")
        assert writer.close()
        assert writer.written == 7 and writer.pending == 0
        assert _stored(settings, run_id) == [(attempt, seq) for seq in range(7)]
        with session_scope(settings) as s:
            count = s.scalar(select(func.count()).select_from(TranscriptEvent))
            run = s.get(Run, run_id)
            assert count == 7 and run is not None and run.status == RunStatus.RUNNING
    finally:
        from core.db import dispose_engines

        dispose_engines()
        server.close()


@pytest.mark.docker
@pytest.mark.timeout(300)
def test_a_worker_attempt_is_read_live_while_it_is_held_mid_way(
    client: TestClient, settings: Settings, docker_backend: Any
) -> None:
    """A real attempt (the `null` scaffold in a Docker sandbox) held at `agent_start` by its
    listener: what it did so far is readable, live; once let go it completes, each event once."""
    from workers.run_executor import execute_claimed_run

    make_task("t1", settings=settings)
    agent = make_agent("null-agent", "null", settings=settings)
    _, (run_id,) = make_batch([agent], ["t1"], settings=settings)
    viewer = _headers("viewer")
    held, release = threading.Event(), threading.Event()

    def hold(event: dict[str, Any]) -> None:
        if event["kind"] == "agent_start":
            held.set()
            release.wait(60)

    outcome: list[str | None] = []
    worker = threading.Thread(target=lambda: outcome.append(execute_claimed_run(run_id, settings, hold)))
    worker.start()
    try:
        assert held.wait(120), "the attempt never reached agent_start"

        def shown() -> list[str]:
            return [e["kind"] for e in _page(client, run_id, viewer)["events"]]

        wait_until(lambda: "agent_start" in shown(), 10, "the held attempt's events")
        page = _page(client, run_id, viewer)
        assert (page["attempt"], page["live"]) == (1, True)
        assert shown()[:2] == ["task_start", "sandbox_ready"] and shown()[-1] == "agent_start"
    finally:
        release.set()
        worker.join(120)
    assert outcome == [RunStatus.COMPLETED]
    page = _page(client, run_id, viewer)
    kinds = [e["kind"] for e in page["events"]]
    assert page["live"] is False and kinds[-1] == "task_end" and "score" in kinds
    assert _stored(settings, run_id) == [(1, seq) for seq in range(page["total"])]
