"""The run lifecycle rules that keep work from being lost or counted twice (`core.services.runs`),
called directly on PostgreSQL inside one rolled-back transaction per test.

A claim is one guarded update, so a second claim of the same run gets nothing; a heartbeat, a
result and an infrastructure failure are accepted only from the attempt that owns the run; a run
whose heartbeat went stale is re-queued with the next attempt, or ends as infra_error once
`max_attempts` is spent. Nothing here commits, so no queue message is sent: the messages a commit
would send are read from the session.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from core.errors import Conflict
from core.models import Run, Task, utcnow
from core.ownership import Operator
from core.queue import QUEUE_GPU, QUEUE_RUNS, JobMessage
from core.schemas import RunResult
from core.services import runs as run_svc
from core.settings import Settings
from core.states import JobName, RunStatus, StopReason
from tests.factories import make_agent, make_batch, make_model, make_run, make_task


@pytest.fixture
def settings(db: str) -> Settings:
    return Settings(database_url=db, max_attempts=3, stale_after_s=60, requeue_after_s=600)


def _queued(session: Session, repeats: int = 1, *, agent: str = "oracle") -> list[int]:
    if session.get(Task, "t1") is None:
        make_task("t1", session=session)
    _, run_ids = make_batch([agent], ["t1"], repeats, session=session)
    return run_ids


def _messages(session: Session) -> list[JobMessage]:
    """The queue messages this transaction would send on commit."""
    return list(session.info.get("horizon_jobs", []))


def _row(session: Session, run_id: int) -> Run:
    session.expire_all()
    run = session.get(Run, run_id)
    assert run is not None
    return run


def _age_heartbeat(session: Session, run_id: int, seconds: float) -> None:
    old = utcnow() - dt.timedelta(seconds=seconds)
    session.execute(update(Run).where(Run.id == run_id).values(heartbeat_at=old))


def _result(score: float, tokens: int = 100, cost: float = 0.5) -> RunResult:
    return RunResult(
        stop_reason=StopReason.SUBMITTED,
        score_cont=score,
        score_binarized=int(score >= 0.5),
        tokens_in=tokens,
        tokens_out=tokens // 2,
        cost_usd=cost,
        transcript=[{"type": "submit", "score": score}],
    )


@pytest.fixture
def oracle(session: Session) -> int:
    return make_agent("oracle", session=session)


def test_a_queued_run_is_claimed_once(session: Session, oracle: int) -> None:
    (run_id,) = _queued(session)
    assert run_svc.claim_run(session, run_id, "w1") == 1
    # A redelivered message (or a second worker) finds nothing to claim.
    assert run_svc.claim_run(session, run_id, "w2") is None
    run = _row(session, run_id)
    assert (run.status, run.attempt, run.worker) == (RunStatus.RUNNING, 1, "w1")
    assert run.started_at is not None and run.heartbeat_at == run.started_at


def test_only_the_owning_attempt_keeps_the_heartbeat(session: Session, oracle: int) -> None:
    (run_id,) = _queued(session)
    attempt = run_svc.claim_run(session, run_id, "w1")
    assert attempt == 1
    _age_heartbeat(session, run_id, 30)
    assert run_svc.heartbeat(session, run_id, attempt)
    assert _row(session, run_id).heartbeat_at > utcnow() - dt.timedelta(seconds=5)  # type: ignore[operator]
    assert not run_svc.heartbeat(session, run_id, attempt + 1)  # not an attempt that exists
    assert not run_svc.heartbeat(session, run_id, attempt - 1)
    run_svc.cancel_run(session, run_id, actor=Operator())
    # Cancelled: the worker's next heartbeat tells it to stop.
    assert not run_svc.heartbeat(session, run_id, attempt)


def test_a_stale_heartbeat_is_requeued_with_the_next_attempt(
    session: Session, oracle: int, settings: Settings
) -> None:
    stale_id, fresh_id = _queued(session, repeats=2)
    assert run_svc.claim_run(session, stale_id, "dead-worker") == 1
    assert run_svc.claim_run(session, fresh_id, "live-worker") == 1
    _age_heartbeat(session, stale_id, settings.stale_after_s + 1)
    _age_heartbeat(session, fresh_id, settings.stale_after_s - 10)
    session.info.pop("horizon_jobs", None)  # the batch's own messages

    assert run_svc.reap_stale_runs(session, settings) == [stale_id]
    run = _row(session, stale_id)
    assert (run.status, run.attempt, run.heartbeat_at, run.finished_at) == (RunStatus.QUEUED, 1, None, None)
    assert run.error == "attempt 1: worker stopped sending heartbeats (presumed dead)"
    assert run.enqueued_at is not None
    assert _messages(session) == [JobMessage(JobName.EXECUTE_RUN, (stale_id,), QUEUE_RUNS)]
    assert _row(session, fresh_id).status == RunStatus.RUNNING
    # Reaping again finds nothing; the next claim is attempt 2.
    assert run_svc.reap_stale_runs(session, settings) == []
    assert run_svc.claim_run(session, stale_id, "w2") == 2


def test_a_stale_run_of_a_managed_model_goes_back_to_the_gpu_queue(
    session: Session, settings: Settings
) -> None:
    make_model("local", managed=True, session=session)
    make_agent("gpu-agent", scaffold="react", model="local", session=session)
    (run_id,) = _queued(session, agent="gpu-agent")
    assert _messages(session) == [JobMessage(JobName.EXECUTE_RUN, (run_id,), QUEUE_GPU)]
    session.info.pop("horizon_jobs")
    run_svc.claim_run(session, run_id, "gpu-worker")
    _age_heartbeat(session, run_id, settings.stale_after_s + 1)
    assert run_svc.reap_stale_runs(session, settings) == [run_id]
    assert _messages(session) == [JobMessage(JobName.EXECUTE_RUN, (run_id,), QUEUE_GPU)]


def test_a_stale_run_on_its_last_attempt_ends_as_infra_error(
    session: Session, oracle: int, settings: Settings
) -> None:
    make_task("t1", session=session)
    run_id = make_run(
        "t1",
        oracle,
        session=session,
        status=RunStatus.RUNNING,
        attempt=settings.max_attempts,
        heartbeat_age_s=settings.stale_after_s + 1,
    )
    assert run_svc.reap_stale_runs(session, settings) == [run_id]
    run = _row(session, run_id)
    assert (run.status, run.attempt) == (RunStatus.INFRA_ERROR, settings.max_attempts)
    assert run.finished_at is not None and "presumed dead" in (run.error or "")
    assert _messages(session) == []


def test_a_result_from_an_old_attempt_is_refused_and_overwrites_nothing(
    session: Session, oracle: int, settings: Settings
) -> None:
    (run_id,) = _queued(session)
    assert run_svc.claim_run(session, run_id, "slow-worker") == 1
    _age_heartbeat(session, run_id, settings.stale_after_s + 1)
    run_svc.reap_stale_runs(session, settings)
    assert run_svc.claim_run(session, run_id, "w2") == 2

    # The worker presumed dead wakes up with attempt 1's result: discarded.
    assert not run_svc.finish_run(session, run_id, 1, _result(1.0))
    run = _row(session, run_id)
    assert (run.status, run.score_cont, run.tokens_in, run.finished_at) == (RunStatus.RUNNING, None, 0, None)
    assert run_svc.transcript_of(session, run_id) is None
    assert run_svc.record_infra_failure(session, run_id, 1, "late failure", settings) is None
    assert _row(session, run_id).status == RunStatus.RUNNING

    assert run_svc.finish_run(session, run_id, 2, _result(0.0, tokens=40, cost=0.25))
    run = _row(session, run_id)
    assert (run.status, run.stop_reason, run.score_cont, run.score_binarized) == (
        RunStatus.COMPLETED,
        StopReason.SUBMITTED,
        0.0,
        0,
    )
    assert (run.tokens_in, run.tokens_out, run.cost_usd, run.error) == (40, 20, 0.25, None)
    assert run_svc.transcript_of(session, run_id, attempt=2) == [{"type": "submit", "score": 0.0}]
    assert run_svc.transcript_of(session, run_id, attempt=1) is None


def test_a_result_is_written_once(session: Session, oracle: int) -> None:
    (run_id,) = _queued(session)
    attempt = run_svc.claim_run(session, run_id, "w1")
    assert attempt is not None
    assert run_svc.finish_run(session, run_id, attempt, _result(1.0, tokens=10, cost=0.1))
    finished_at = _row(session, run_id).finished_at
    # The same attempt delivered twice (a redelivered message that ran again) counts once.
    assert not run_svc.finish_run(session, run_id, attempt, _result(0.0, tokens=999, cost=9.0))
    run = _row(session, run_id)
    assert (run.score_cont, run.tokens_in, run.cost_usd, run.finished_at) == (1.0, 10, 0.1, finished_at)
    assert not run_svc.heartbeat(session, run_id, attempt)
    assert run_svc.claim_run(session, run_id, "w2") is None


def test_infra_failures_requeue_until_max_attempts_then_end_as_infra_error(
    session: Session, oracle: int, db: str
) -> None:
    settings = Settings(database_url=db, max_attempts=2, infra_retry_delay_s=10)
    (run_id,) = _queued(session)
    session.info.pop("horizon_jobs")

    assert run_svc.claim_run(session, run_id, "w1") == 1
    before = utcnow()
    assert (
        run_svc.record_infra_failure(session, run_id, 1, "docker daemon gone", settings) == RunStatus.QUEUED
    )
    run = _row(session, run_id)
    assert (run.status, run.heartbeat_at, run.error) == (
        RunStatus.QUEUED,
        None,
        "attempt 1: docker daemon gone",
    )
    # The retry is held back (not taken at once by a worker whose daemon is still failing), and
    # the lost-message sweep counts from when it is due.
    assert _messages(session) == [JobMessage(JobName.EXECUTE_RUN, (run_id,), QUEUE_RUNS, delay_s=10.0)]
    assert run.enqueued_at is not None and run.enqueued_at >= before + dt.timedelta(seconds=10)

    assert run_svc.claim_run(session, run_id, "w2") == 2
    transcript = [{"type": "error", "message": "sandbox lost"}]
    assert (
        run_svc.record_infra_failure(session, run_id, 2, "again", settings, transcript)
        == RunStatus.INFRA_ERROR
    )
    run = _row(session, run_id)
    assert (run.status, run.attempt, run.error) == (RunStatus.INFRA_ERROR, 2, "attempt 2: again")
    assert run.finished_at is not None and run.score_cont is None
    assert len(_messages(session)) == 1  # no message for a run that has ended
    assert run_svc.transcript_of(session, run_id) == transcript  # the latest attempt's
    assert run_svc.claim_run(session, run_id, "w3") is None


def test_cancelled_runs_cannot_be_claimed_or_finished(
    session: Session, oracle: int, settings: Settings
) -> None:
    queued_id, running_id = _queued(session, repeats=2)
    attempt = run_svc.claim_run(session, running_id, "w1")
    assert attempt == 1
    for run_id in (queued_id, running_id):
        assert run_svc.cancel_run(session, run_id, actor=Operator()).status == RunStatus.CANCELLED
    assert run_svc.claim_run(session, queued_id, "w2") is None
    assert not run_svc.finish_run(session, running_id, attempt, _result(1.0))
    assert run_svc.record_infra_failure(session, running_id, attempt, "late", settings) is None
    _age_heartbeat(session, running_id, settings.stale_after_s + 1)
    assert run_svc.reap_stale_runs(session, settings) == []
    assert {_row(session, i).status for i in (queued_id, running_id)} == {RunStatus.CANCELLED}
    assert _row(session, running_id).score_cont is None
    with pytest.raises(Conflict):
        run_svc.cancel_run(session, queued_id, actor=Operator())


def test_requeue_lost_sends_queued_runs_whose_message_may_be_lost(
    session: Session, oracle: int, settings: Settings
) -> None:
    old_id, fresh_id, running_id = _queued(session, repeats=3)
    run_svc.claim_run(session, running_id, "w1")
    now = utcnow()
    old = now - dt.timedelta(seconds=settings.requeue_after_s + 1)
    session.execute(update(Run).where(Run.id.in_((old_id, running_id))).values(enqueued_at=old))
    session.info.pop("horizon_jobs")

    assert run_svc.requeue_lost_runs(session, settings, now=now) == [old_id]
    assert _row(session, old_id).enqueued_at == now
    assert _messages(session) == [JobMessage(JobName.EXECUTE_RUN, (old_id,), QUEUE_RUNS)]
    # The broker restarted without its data: every queued run gets one, a running run never.
    assert run_svc.requeue_lost_runs(session, settings, broker_lost=True, now=now) == [old_id, fresh_id]


def test_the_infra_retry_delay_doubles_per_attempt_and_is_capped() -> None:
    settings = Settings(infra_retry_delay_s=10)
    assert [settings.infra_retry_delay(a) for a in (1, 2, 3, 6)] == [10.0, 20.0, 40.0, 300.0]
    assert Settings(infra_retry_delay_s=0).infra_retry_delay(3) == 0.0
