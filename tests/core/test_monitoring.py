"""The monitoring snapshot (core/services/monitoring.py) on SQLite and PostgreSQL with rows in every
state: runs by status, running batches, backlog ages, stale heartbeats, overdue messages, waiting
scorings and analyses; queue depths from a real Redis, an unreachable broker, the in-process queue;
and the same numbers as Prometheus gauges."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path
from typing import Any

import pytest

import core.queue
from core.db import session_scope
from core.models import AnalysisResult, Batch
from core.models_baselining import EVENT_SANDBOX, BaseliningAttempt, BaseliningEvent
from core.queue import QUEUE_ANALYSIS, QUEUE_RUNS, CeleryQueue, InProcessQueue, JobMessage, register_job
from core.services.monitoring import BROKER_QUEUES, UNACKED_KEY, SystemStatus, system_status
from core.services.monitoring_metrics import prometheus_text
from core.settings import Settings
from tests.factories import make_agent, make_run, make_task

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture(params=["postgresql", "sqlite"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """The session's PostgreSQL (emptied), or a new migrated SQLite file; no broker."""
    if request.param == "postgresql":
        return Settings(database_url=request.getfixturevalue("db"), data_dir=tmp_path / "data")
    from core.migrate import upgrade

    url = f"sqlite:///{(tmp_path / 'horizon.db').as_posix()}"
    upgrade(url=url)
    return Settings(database_url=url, data_dir=tmp_path / "data")


def _ago(seconds: float) -> dt.datetime:
    return NOW - dt.timedelta(seconds=seconds)


def _world(settings: Settings) -> None:
    """Runs in every state over three batches (one running, one cancelled, one finished), waiting
    scorings (one live, scored by the server) and analyses."""
    make_task("hello", settings=settings)
    agent = make_agent("oracle", settings=settings)
    with session_scope(settings) as s:
        batches = [
            Batch(name=n, cancelled_at=_ago(60) if n == "cancelled" else None)
            for n in ("live", "cancelled", "done")
        ]
        s.add_all(batches)
        s.flush()
        live, cancelled, done = (b.id for b in batches)

    slots = iter(range(100))  # a batch has one run per (agent, task version, repeat)

    def run(batch: int | None, status: str, **columns: Any) -> None:
        make_run(
            "hello",
            agent,
            batch_id=batch,
            repeat_index=next(slots),
            status=status,
            settings=settings,
            **columns,
        )

    # Queued: created 2 h ago and never sent (overdue), 10 min ago and sent just now.
    run(live, "queued", created_at=_ago(7200), enqueued_at=None)
    run(live, "queued", created_at=_ago(600), enqueued_at=_ago(5))
    # Running: one alive, two silent (heartbeats 5 min and 30 min old; stale after 60 s).
    run(live, "running", created_at=_ago(900), heartbeat_at=_ago(10))
    run(None, "running", created_at=_ago(900), heartbeat_at=_ago(300))
    run(live, "running", created_at=_ago(2000), heartbeat_at=_ago(1800))
    run(cancelled, "cancelled")
    run(done, "completed")
    run(done, "infra_error")
    with session_scope(settings) as s:
        waiting = BaseliningAttempt(
            task_id="hello", task_version=1, baseliner="ann", status="scoring", submitted_at=_ago(4000)
        )
        fresh = BaseliningAttempt(
            task_id="hello", task_version=1, baseliner="bob", status="scoring", submitted_at=_ago(20)
        )
        live_attempt = BaseliningAttempt(
            task_id="hello", task_version=1, baseliner="cy", status="scoring", submitted_at=_ago(9000)
        )
        s.add_all([waiting, fresh, live_attempt])
        s.flush()
        s.add(BaseliningEvent(attempt_id=live_attempt.id, kind=EVENT_SANDBOX))
        s.add_all(
            [
                AnalysisResult(status="queued", created_at=_ago(120)),
                AnalysisResult(status="queued", created_at=_ago(30)),
                AnalysisResult(status="running", created_at=_ago(300)),
                AnalysisResult(status="done", created_at=_ago(900)),
            ]
        )


def _snapshot(settings: Settings, **kwargs: bool) -> SystemStatus:
    with session_scope(settings) as s:
        return system_status(s, settings, now=NOW, **kwargs)


def test_counts_and_ages_of_every_state(backend: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    # A process that never started the in-process queue (earlier tests in this one may have).
    monkeypatch.setattr(core.queue, "_queues", {})
    _world(backend)
    snap = _snapshot(backend)

    assert snap.runs == {"queued": 2, "running": 3, "completed": 1, "infra_error": 1, "cancelled": 1}
    assert snap.batches_running == 1  # the cancelled one and the finished one are not
    assert (snap.queued_runs.count, snap.queued_runs.oldest_age_s) == (2, 7200.0)
    assert snap.overdue_queued_runs == 1
    assert (snap.stale_running_runs.count, snap.stale_running_runs.oldest_age_s) == (2, 1800.0)
    # The live attempt is the web server's to score, not a job's.
    assert (snap.scoring_waiting.count, snap.scoring_waiting.oldest_age_s) == (2, 4000.0)
    assert (snap.analyses_queued.count, snap.analyses_queued.oldest_age_s) == (2, 120.0)
    assert snap.analyses_running == 1
    assert (snap.stale_after_s, snap.requeue_after_s) == (60.0, 3600.0)
    # No broker and not the server's process: the in-process queue is not this process's to count.
    assert snap.mode == "embedded" and snap.broker == "embedded"
    (queue,) = snap.queues
    assert queue.messages is None and "horizon serve" in queue.note


def test_an_empty_database_has_zeros_and_no_ages(backend: Settings) -> None:
    snap = _snapshot(backend, jobs_here=True)
    assert set(snap.runs.values()) == {0} and snap.batches_running == 0
    for backlog in (snap.queued_runs, snap.stale_running_runs, snap.scoring_waiting, snap.analyses_queued):
        assert (backlog.count, backlog.oldest_age_s) == (0, None)
    assert snap.queues[0].messages == 0  # the server's process, before its first job


def test_queue_depths_come_from_the_broker(db: str, redis_url: str) -> None:
    import redis

    settings = Settings(database_url=db, redis_url=redis_url)
    client = redis.Redis.from_url(redis_url)
    client.delete(*BROKER_QUEUES, UNACKED_KEY)
    sender = CeleryQueue(settings)
    try:
        for i in range(7):
            sender.send(JobMessage("runs.execute", (i,), QUEUE_RUNS))
        for i in range(3):
            sender.send(JobMessage("analyses.fit", (i,), QUEUE_ANALYSIS))
        snap = _snapshot(settings)
    finally:
        client.delete(*BROKER_QUEUES, UNACKED_KEY)
        client.close()
    assert snap.mode == "distributed" and snap.broker == "ok"
    assert {q.name: q.messages for q in snap.queues} == {"default": 0, "runs": 7, "gpu": 0, "analysis": 3}
    assert snap.reserved_messages == 0
    text = prometheus_text(snap)
    assert 'horizon_queue_messages{queue="runs"} 7\n' in text
    assert "horizon_broker_up 1\n" in text and "horizon_reserved_messages 0\n" in text


def test_an_unreachable_broker_is_reported_not_raised(db: str) -> None:
    settings = Settings(database_url=db, redis_url="redis://127.0.0.1:1/0")
    snap = _snapshot(settings)
    assert snap.broker.startswith("error: ")
    assert [q.messages for q in snap.queues] == [None] * len(BROKER_QUEUES)
    assert snap.reserved_messages is None
    text = prometheus_text(snap)
    assert "horizon_broker_up 0\n" in text and "horizon_queue_messages{" not in text


def test_the_in_process_queue_counts_its_unfinished_jobs(monkeypatch: pytest.MonkeyPatch, db: str) -> None:
    from core import queue

    pool = InProcessQueue(workers=1)
    monkeypatch.setitem(queue._queues, "embedded", pool)
    release = threading.Event()
    register_job("test.block", lambda: release.wait(10))
    for _ in range(3):  # one runs, two wait behind it
        pool.send(JobMessage("test.block", (), QUEUE_RUNS))
    settings = Settings(database_url=db)
    try:
        assert _snapshot(settings).queues[0].messages == 3
    finally:
        release.set()
    assert pool.wait_idle(10)
    assert _snapshot(settings).queues[0].messages == 0


def test_gauges_carry_every_number(backend: Settings) -> None:
    _world(backend)
    text = prometheus_text(_snapshot(backend))
    for line in (
        'horizon_runs{status="running"} 3',
        'horizon_runs{status="cancelled"} 1',
        "horizon_batches_running 1",
        "horizon_queued_runs 2",
        "horizon_queued_runs_oldest_age_seconds 7200",
        "horizon_overdue_queued_runs 1",
        "horizon_stale_running_runs 2",
        "horizon_stale_running_runs_oldest_age_seconds 1800",
        "horizon_scoring_waiting 2",
        "horizon_analyses_queued_oldest_age_seconds 120",
        "horizon_analyses_running 1",
    ):
        assert f"\n{line}\n" in text, line
    assert "# TYPE horizon_runs gauge" in text and text.endswith("\n")
    # Every sample line is `name[{labels}] number`.
    for line in text.splitlines():
        if not line.startswith("#"):
            float(line.rsplit(" ", 1)[1])
