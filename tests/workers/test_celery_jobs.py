"""Real Celery workers on real Redis and PostgreSQL: job delivery, idempotency, crash recovery."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import redis
from sqlalchemy import func, select

from core.db import session_scope
from core.models import HumanBaseline, Run, Task, TaskFamily
from core.queue import CeleryQueue, JobMessage
from core.settings import Settings
from core.states import RunStatus
from tests.factories import make_agent, make_run, make_task
from tests.support.processes import Proc, start_worker, wait_until


@pytest.fixture
def env(db: str, redis_url: str) -> dict[str, str]:
    redis.Redis.from_url(redis_url).flushdb()
    return {
        "DATABASE_URL": db,
        "REDIS_URL": redis_url,
        "HORIZON_VISIBILITY_TIMEOUT_S": "4",
        "HORIZON_UNACKED_RESTORE_INTERVAL_S": "1",
        "HORIZON_MAX_ATTEMPTS": "3",
    }


@pytest.fixture
def queue(env: dict[str, str]) -> CeleryQueue:
    return CeleryQueue(
        Settings(database_url=env["DATABASE_URL"], redis_url=env["REDIS_URL"], visibility_timeout_s=4)
    )


@pytest.fixture
def workers() -> Iterator[list[Proc]]:
    started: list[Proc] = []
    yield started
    for proc in started:
        proc.stop()


def test_worker_recomputes_human_time(env: dict[str, str], queue: CeleryQueue, workers: list[Proc]) -> None:
    make_task("t1", baselines=[])
    with session_scope() as s:
        # Written behind the service's back, so only the job can bring the cache up to date.
        for minutes in (2.0, 8.0):
            s.add(
                HumanBaseline(task_id="t1", baseliner="p", minutes=minutes, succeeded=True, source="baseline")
            )
    workers.append(start_worker(env, "w-human-time"))
    queue.send(JobMessage("human_time.recompute", ("t1",), "default"))
    queue.send(JobMessage("human_time.recompute", ("t1",), "default"))  # idempotent: twice is fine

    def done() -> bool:
        with session_scope() as s:
            task = s.get(Task, "t1")
            return task is not None and task.human_minutes is not None

    wait_until(done, 60, "the worker to recompute human time")
    with session_scope() as s:
        task = s.get(Task, "t1")
        assert task is not None
        assert task.human_minutes == pytest.approx(4.0)
        assert task.human_minutes_source == "baseline" and task.n_successful_baselines == 2


def _running_run(attempt: int, heartbeat_age_s: float) -> int:
    with session_scope() as s:
        if s.get(Task, "t-run") is None:
            make_task("t-run", baselines=[], session=s)
        agent_id = make_agent(f"a{attempt}", "null", session=s)
        return make_run(
            "t-run",
            agent_id,
            session=s,
            status=RunStatus.RUNNING,
            attempt=attempt,
            heartbeat_age_s=heartbeat_age_s,
        )


@pytest.mark.parametrize(("attempt", "expected"), [(1, RunStatus.QUEUED), (3, RunStatus.INFRA_ERROR)])
def test_worker_reaps_stale_runs(
    env: dict[str, str], queue: CeleryQueue, workers: list[Proc], attempt: int, expected: str
) -> None:
    run_id = _running_run(attempt, heartbeat_age_s=3600)
    fresh_id = _running_run(attempt + 10, heartbeat_age_s=0) if attempt == 1 else None
    # Only the default queue: the re-queued run's execute message waits untouched in `runs`.
    workers.append(start_worker(env, "w-reaper", queues="default"))
    queue.send(JobMessage("runs.reap_stale", (), "default"))

    def reaped() -> bool:
        with session_scope() as s:
            run = s.get(Run, run_id)
            return run is not None and run.status != RunStatus.RUNNING

    wait_until(reaped, 60, "the stale run to be reaped")
    with session_scope() as s:
        run = s.get(Run, run_id)
        assert run is not None and run.status == expected
        assert run.attempt == attempt  # the next claim increments it
        assert "heartbeat" in (run.error or "")
        if fresh_id is not None:
            fresh = s.get(Run, fresh_id)
            assert fresh is not None and fresh.status == RunStatus.RUNNING  # a live run is left alone
    if expected == RunStatus.QUEUED:
        # The reaper re-sent the run to the runs queue (not consumed by this worker); the message
        # is published just after the commit that the status check above already sees.
        client = redis.Redis.from_url(env["REDIS_URL"])
        wait_until(lambda: client.llen("runs") == 1, 10, "the re-queued run's message")


def test_job_survives_a_killed_worker(env: dict[str, str], queue: CeleryQueue, workers: list[Proc]) -> None:
    client = redis.Redis.from_url(env["REDIS_URL"])
    first = start_worker(env, "w-victim", include="tests.support.slow_jobs")
    workers.append(first)
    queue.send(JobMessage("tests.slow_create_family", ("fam-kill", 8.0), "default"))
    wait_until(lambda: client.llen("executions:fam-kill") == 1, 60, "the job to start")
    first.kill()  # SIGKILL mid-job: the message was not acknowledged

    workers.append(start_worker(env, "w-rescuer", include="tests.support.slow_jobs"))
    wait_until(lambda: client.llen("completions:fam-kill") >= 1, 120, "the job to run again and complete")
    assert client.llen("executions:fam-kill") >= 2
    with session_scope() as s:
        assert s.scalar(select(func.count()).select_from(TaskFamily).where(TaskFamily.id == "fam-kill")) == 1
