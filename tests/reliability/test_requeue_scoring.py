"""Lost baseline-scoring messages are re-sent on a timer, like runs' (`runs.requeue_lost`).

On PostgreSQL and SQLite, with a private Redis and no workers: a submitted attempt whose last
scoring message is older than `requeue_after_s` (or was never stamped) gets one more, once; a
fresh one gets none; `horizon doctor` counts only the overdue ones; and the duplicate messages
that this leaves in the queue, delivered at once, score the attempt once and store one baseline.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Mapping
from typing import cast

import pytest
import redis
from sqlalchemy import select, update

from api.deps import Caller
from core.auth import create_token
from core.db import session_scope
from core.models import HumanBaseline, utcnow
from core.models_baselining import BaseliningAttempt
from core.queue import _REGISTRY, InProcessQueue, get_queue
from core.schemas import TaskCreate
from core.services import baselining as svc
from core.services import tasks
from core.services.doctor_waiting import check_waiting_scorings
from core.settings import Settings
from core.states import JobName
from core.taskspec import EnvironmentSpec, ResourceLimits
from tests.fakes.local_sandbox import LocalSandbox
from tests.reliability.support import RedisServer, tiny_task
from workers.baseline_scoring import score_attempt
from workers.requeue import SENTINEL_KEY, requeue_lost, resend_overdue_scorings
from workers.sandbox.base import ExecResult, SandboxBackend

TASK = "requeue/scoring"
SCORER = 'if [ "$(cat submission.txt)" = ok ]; then echo 1; else echo 0; fi'


class _Sandbox(LocalSandbox):
    """A local sandbox whose `/scorer` folder lives under its work directory."""

    def exec(self, command: str, timeout_s: float, user: str | None = None) -> ExecResult:
        return super().exec(command.replace("/scorer/", "scorer/"), timeout_s, user)

    def put_files(self, files: Mapping[str, str | bytes], dest_dir: str) -> None:
        super().put_files(files, dest_dir.lstrip("/") if dest_dir.startswith("/scorer") else dest_dir)


class _Backend:
    """Local sandboxes instead of Docker: the scoring job's own code runs, the scorer in `sh`."""

    name = "local"

    def ensure_image(self, env: EnvironmentSpec) -> str:
        return "local"

    def create(self, image: str, *, limits: ResourceLimits, workdir: str, **_: object) -> _Sandbox:
        return _Sandbox()

    def reap_orphans(self, alive: object) -> list[str]:
        return []

    def close(self) -> None:
        pass


LOCAL = cast(SandboxBackend, _Backend())


def _scoring_messages(broker: redis.Redis) -> list[str]:
    """The argument lists of the scoring messages waiting in the default queue."""
    headers = [json.loads(m)["headers"] for m in broker.lrange("default", 0, -1)]
    return [h["argsrepr"] for h in headers if h["task"] == JobName.SCORE_ATTEMPT.value]


def _submitted(settings: Settings, actor: Caller, answer: str) -> int:
    with session_scope(settings) as s:
        attempt_id = svc.start_attempt(s, TASK, "alice", token_id=actor.token_id).id
    with session_scope(settings) as s:
        svc.submit_attempt(s, attempt_id, actor, answer)
    return attempt_id


def test_an_overdue_scoring_message_is_sent_again_once_and_scored_once(
    backend: Settings, private_redis: RedisServer
) -> None:
    broker = redis.Redis.from_url(private_redis.url())
    broker.flushall()
    broker.set(SENTINEL_KEY, "1")  # the broker kept its data: only the timer re-sends
    settings = Settings(
        database_url=backend.database_url,
        redis_url=private_redis.url(),
        data_dir=backend.data_dir,
        requeue_after_s=600,
    )
    with session_scope(settings) as s:
        tasks.create_task(s, TaskCreate.model_validate(tiny_task(TASK, ["rq"], scorer={"command": SCORER})))
        row, _ = create_token(s, "alice", "submitter")
        alice = Caller("alice", "submitter", row.id)
    old, never, fresh = (_submitted(settings, alice, "ok") for _ in range(3))
    # One message each, sent after the commit and stamped.
    assert sorted(_scoring_messages(broker)) == sorted(f"[{i}]" for i in (old, never, fresh))
    with session_scope(settings) as s:
        stamps = {a.id: a.scoring_enqueued_at for a in s.scalars(select(BaseliningAttempt))}
        assert all(stamp is not None for stamp in stamps.values())

    # `old` was last sent 601 s ago, `never` has no stamp (from before migration 0016).
    long_ago = utcnow() - dt.timedelta(seconds=601)
    with session_scope(settings) as s:
        s.execute(
            update(BaseliningAttempt).where(BaseliningAttempt.id == old).values(scoring_enqueued_at=long_ago)
        )
        s.execute(
            update(BaseliningAttempt).where(BaseliningAttempt.id == never).values(scoring_enqueued_at=None)
        )
    with session_scope(settings) as s:
        doctor = check_waiting_scorings(s, settings, repair=False)
        assert (doctor.checked, doctor.drifted) == (3, 2)
        assert sorted(int(e.id) for e in doctor.examples) == sorted([old, never])

    broker.delete("default")
    assert requeue_lost(settings) == []  # no run re-sent; the scorings are
    assert sorted(_scoring_messages(broker)) == sorted(f"[{i}]" for i in (old, never))
    with session_scope(settings) as s:
        attempt = s.get(BaseliningAttempt, old)
        assert attempt is not None and attempt.scoring_enqueued_at is not None
        assert attempt.scoring_enqueued_at.replace(tzinfo=dt.UTC) > long_ago.replace(tzinfo=dt.UTC)
        assert check_waiting_scorings(s, settings, repair=False).drifted == 0
    # Re-sent once: the next sweep finds nothing overdue.
    assert requeue_lost(settings) == []
    assert len(_scoring_messages(broker)) == 2

    # `old` now has two messages (the first, then the re-sent one), delivered at once: the
    # scorer may run twice, the attempt is scored once and one baseline is stored.
    results: list[str] = []
    deliveries = [
        threading.Thread(target=lambda: results.append(score_attempt(old, settings, backend=LOCAL)))
        for _ in range(2)
    ]
    for thread in deliveries:
        thread.start()
    for thread in deliveries:
        thread.join(120)
    assert results == ["scored", "scored"]
    assert score_attempt(old, settings, backend=LOCAL) == "scored"  # a late third delivery
    with session_scope(settings) as s:
        attempt = s.get(BaseliningAttempt, old)
        assert attempt is not None and attempt.succeeded is True and attempt.baseline_id is not None
        baselines = s.scalars(select(HumanBaseline).where(HumanBaseline.attempt_id == old)).all()
        assert [b.id for b in baselines] == [attempt.baseline_id]


def test_the_embedded_server_resends_an_overdue_scoring(
    backend: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In embedded mode (in-process queue, no beat) `horizon serve`'s periodic sweep re-sends a
    scoring message older than `requeue_after_s`, once, and leaves a fresh one alone."""
    delivered: list[int] = []
    monkeypatch.setitem(_REGISTRY, JobName.SCORE_ATTEMPT, delivered.append)  # delivered, then dropped
    settings = backend.model_copy(update={"requeue_after_s": 600})
    with session_scope(settings) as s:
        tasks.create_task(s, TaskCreate.model_validate(tiny_task(TASK, ["rq"], scorer={"command": SCORER})))
        row, _ = create_token(s, "alice", "submitter")
        alice = Caller("alice", "submitter", row.id)
    old, fresh = (_submitted(settings, alice, "ok") for _ in range(2))
    queue = get_queue(settings)
    assert isinstance(queue, InProcessQueue) and queue.wait_idle(30)
    assert sorted(delivered) == [old, fresh]

    with session_scope(settings) as s:
        s.execute(
            update(BaseliningAttempt)
            .where(BaseliningAttempt.id == old)
            .values(scoring_enqueued_at=utcnow() - dt.timedelta(seconds=601))
        )
    assert resend_overdue_scorings(settings) == [old]
    assert resend_overdue_scorings(settings) == []
    assert queue.wait_idle(30)
    assert sorted(delivered) == [old, old, fresh]
