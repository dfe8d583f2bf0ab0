"""A GPU task's runs go to the `gpu` queue wherever `execute_run` is sent: when the batch is
created, on an infrastructure retry, after the reaper, and when lost messages are re-sent; a CPU
task's go to `runs` (`core.services.routing`). Inside one rolled-back transaction per test: the
messages a commit would send are read from the session."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from core.errors import Conflict
from core.models import Run, utcnow
from core.queue import QUEUE_GPU, QUEUE_RUNS, JobMessage
from core.services import runs as run_svc
from core.services.routing import queue_of_run, queues_of_runs
from core.settings import Settings, get_settings
from core.states import JobName, RunStatus
from tests.factories import make_agent, make_batch, make_model, make_task
from tests.support.gpu_workers import announce_fake, empty_gpu_registry  # noqa: F401  # fixture

pytestmark = pytest.mark.usefixtures("empty_gpu_registry")


@pytest.fixture
def settings(db: str) -> Settings:
    return Settings(database_url=db, max_attempts=3, stale_after_s=60, requeue_after_s=600)


def _sent(session: Session) -> list[JobMessage]:
    return list(session.info.pop("horizon_jobs", []))


def _queues(messages: list[JobMessage]) -> dict[int, str]:
    return {m.args[0]: m.queue for m in messages if m.name == JobName.EXECUTE_RUN}


@pytest.fixture
def runs(session: Session) -> tuple[int, int]:
    """One run of a GPU task and one of a CPU task (the batch accepted: a GPU worker is seen)."""
    announce_fake(get_settings(), "gpu-host", 81559)
    make_task("gpu-task", session=session, limits={"gpus": 1})
    make_task("cpu-task", session=session)
    make_agent("oracle", session=session)
    _, (gpu_run, cpu_run) = make_batch(["oracle"], ["gpu-task", "cpu-task"], session=session)
    return gpu_run, cpu_run


def test_on_create(session: Session, runs: tuple[int, int]) -> None:
    gpu_run, cpu_run = runs
    assert _queues(_sent(session)) == {gpu_run: QUEUE_GPU, cpu_run: QUEUE_RUNS}
    assert queue_of_run(session, gpu_run) == QUEUE_GPU and queue_of_run(session, cpu_run) == QUEUE_RUNS


def test_on_an_infrastructure_retry(session: Session, runs: tuple[int, int], settings: Settings) -> None:
    _sent(session)
    for run_id in runs:
        attempt = run_svc.claim_run(session, run_id, "w1")
        assert attempt == 1
        assert run_svc.record_infra_failure(session, run_id, attempt, "gone", settings) == RunStatus.QUEUED
    assert _queues(_sent(session)) == {runs[0]: QUEUE_GPU, runs[1]: QUEUE_RUNS}


def test_after_the_reaper(session: Session, runs: tuple[int, int], settings: Settings) -> None:
    _sent(session)
    for run_id in runs:
        run_svc.claim_run(session, run_id, "dead-worker")
    old = utcnow() - dt.timedelta(seconds=settings.stale_after_s + 1)
    session.execute(update(Run).where(Run.id.in_(runs)).values(heartbeat_at=old))
    assert sorted(run_svc.reap_stale_runs(session, settings)) == sorted(runs)
    assert _queues(_sent(session)) == {runs[0]: QUEUE_GPU, runs[1]: QUEUE_RUNS}


def test_when_lost_messages_are_sent_again(
    session: Session, runs: tuple[int, int], settings: Settings
) -> None:
    _sent(session)
    assert run_svc.requeue_lost_runs(session, settings, broker_lost=True) == sorted(runs)
    assert _queues(_sent(session)) == {runs[0]: QUEUE_GPU, runs[1]: QUEUE_RUNS}


def test_a_managed_model_on_a_cpu_task_still_goes_to_the_gpu_queue(session: Session) -> None:
    make_model("local", managed=True, session=session)
    make_agent("served", scaffold="react", model="local", session=session)
    make_task("cpu-task", session=session)
    _, (run_id,) = make_batch(["served"], ["cpu-task"], session=session)
    assert _queues(_sent(session)) == {run_id: QUEUE_GPU}


def test_many_runs_are_routed_in_chunks(session: Session) -> None:
    announce_fake(get_settings(), "gpu-host", 81559)
    make_task("gpu-task", session=session, limits={"gpus": 1})
    for name in ("a1", "a2", "a3"):
        make_agent(name, session=session)
    _, run_ids = make_batch(["a1", "a2", "a3"], ["gpu-task"], repeats=700, session=session)
    queues = queues_of_runs(session, run_ids)
    assert len(queues) == 2100 and set(queues.values()) == {QUEUE_GPU}


def test_without_a_gpu_worker_the_batch_is_refused(session: Session) -> None:
    make_task("gpu-task", session=session, limits={"gpus": 1})
    make_agent("oracle", session=session)
    with pytest.raises(Conflict, match="GPU workers seen: none"):
        make_batch(["oracle"], ["gpu-task"], session=session)
    assert _sent(session) == []


def test_a_managed_model_s_gpus_count_on_the_same_host(session: Session) -> None:
    make_model("big", managed=True, gpus=2, session=session)
    make_agent("served", scaffold="react", model="big", session=session)
    make_task("gpu-task", session=session, limits={"gpus": 1})
    announce_fake(get_settings(), "two-gpus", 81559, 81559)
    with pytest.raises(Conflict, match="task 'gpu-task' run by agent 'served' needs 1 GPU and 2 more"):
        make_batch(["served"], ["gpu-task"], session=session)
    announce_fake(get_settings(), "three-gpus", 81559, 81559, 81559)
    _, (run_id,) = make_batch(["served"], ["gpu-task"], session=session)
    assert _queues(_sent(session)) == {run_id: QUEUE_GPU}
