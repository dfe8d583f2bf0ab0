"""Timed human baselining: start, pause, resume and submit an attempt; store the scored result.

Every transition is a timer event stamped with the server's clock. The active time is the sum of
the intervals between a start or resume and the next pause, submit or abandon, so pauses never
count and nothing the browser says about durations is trusted. A submitted answer is scored by the
`baselines.score_attempt` job in a sandbox (`workers/baseline_scoring.py`); its result becomes a
human baseline (source `baseline`) through `core.services.tasks.add_baseline`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from core.models import HumanBaseline, utcnow
from core.models_baselining import (
    ATTEMPT_ABANDONED,
    ATTEMPT_ACTIVE,
    ATTEMPT_ERROR,
    ATTEMPT_PAUSED,
    ATTEMPT_PENDING,
    ATTEMPT_SCORED,
    ATTEMPT_SCORING,
    EVENT_ABANDON,
    EVENT_PAUSE,
    EVENT_RESUME,
    EVENT_START,
    EVENT_SUBMIT,
    OPEN_STATUSES,
    BaseliningAttempt,
    BaseliningEvent,
)
from core.queue import enqueue_after_commit
from core.schemas import BaselineCreate
from core.services.tasks import add_baseline, current_version, get_task

JOB_SCORE_ATTEMPT = "baselines.score_attempt"
MAX_ANSWER_CHARS = 100_000
# A baseline needs a positive duration; an answer submitted within the same second as the start
# is recorded as one second of work.
MIN_ACTIVE_SECONDS = 1.0

_OPENING = (EVENT_START, EVENT_RESUME)
_CLOSING = (EVENT_PAUSE, EVENT_SUBMIT, EVENT_ABANDON)


def _utc(value: dt.datetime) -> dt.datetime:
    # SQLite hands back naive datetimes; every stored time is UTC.
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def active_seconds(events: Iterable[tuple[str, dt.datetime]], now: dt.datetime | None = None) -> float:
    """Seconds of active time from (kind, server time) events in the order they were accepted.

    Intervals run from a `start` or `resume` to the next `pause`, `submit` or `abandon`; an
    interval still open counts up to `now` (when given) and is otherwise left out. Repeated
    opening or closing events (which the service never writes) are ignored rather than
    double-counted.
    """
    total = 0.0
    running_since: dt.datetime | None = None
    for kind, at in events:
        at = _utc(at)
        if kind in _OPENING and running_since is None:
            running_since = at
        elif kind in _CLOSING and running_since is not None:
            total += max(0.0, (at - running_since).total_seconds())
            running_since = None
    if running_since is not None and now is not None:
        total += max(0.0, (_utc(now) - running_since).total_seconds())
    return total


@dataclass(frozen=True)
class TimerState:
    """What a timer page shows: status, active seconds so far and whether the clock runs."""

    attempt_id: int
    status: str
    active_seconds: float
    running: bool
    server_time: dt.datetime
    score: float | None
    succeeded: bool | None
    minutes: float | None
    message: str


def timer_state(attempt: BaseliningAttempt, now: dt.datetime | None = None) -> TimerState:
    """The attempt's state at `now` (default: the server's clock)."""
    now = now or utcnow()
    if attempt.active_seconds is not None:
        seconds = attempt.active_seconds
    else:
        seconds = active_seconds(((e.kind, e.at) for e in attempt.events), now)
    baseline_minutes = attempt.active_seconds / 60 if attempt.active_seconds is not None else None
    return TimerState(
        attempt_id=attempt.id,
        status=attempt.status,
        active_seconds=seconds,
        running=attempt.status == ATTEMPT_ACTIVE,
        server_time=now,
        score=attempt.score,
        succeeded=attempt.succeeded,
        minutes=baseline_minutes,
        message=attempt.message,
    )


def get_attempt(session: Session, attempt_id: int, *, lock: bool = False) -> BaseliningAttempt:
    """The attempt with its events; `lock` takes a row lock so concurrent clicks serialise."""
    stmt = (
        select(BaseliningAttempt)
        .where(BaseliningAttempt.id == attempt_id)
        .options(selectinload(BaseliningAttempt.events))
    )
    if lock:
        stmt = stmt.with_for_update(of=BaseliningAttempt)
    attempt = session.scalar(stmt)
    if attempt is None:
        raise NotFound(f"no baselining attempt {attempt_id}")
    return attempt


def list_attempts(
    session: Session, *, baseliner: str | None = None, task_id: str | None = None, limit: int = 100
) -> list[BaseliningAttempt]:
    """Recent attempts, newest first, optionally of one person or one task."""
    stmt = select(BaseliningAttempt).order_by(BaseliningAttempt.id.desc()).limit(limit)
    if baseliner is not None:
        stmt = stmt.where(BaseliningAttempt.baseliner == baseliner)
    if task_id is not None:
        stmt = stmt.where(BaseliningAttempt.task_id == task_id)
    return list(session.scalars(stmt))


def _check_owner(attempt: BaseliningAttempt, actor: str, is_admin: bool) -> None:
    if attempt.baseliner != actor and not is_admin:
        raise PermissionDenied(f"attempt {attempt.id} belongs to someone else; only they can time it")


def _add_event(session: Session, attempt: BaseliningAttempt, kind: str) -> BaseliningEvent:
    event = BaseliningEvent(kind=kind, at=utcnow())
    attempt.events.append(event)
    session.flush()
    return event


def start_attempt(session: Session, task_id: str, baseliner: str) -> BaseliningAttempt:
    """Start timing `baseliner` on the task's current version (the clock runs from now)."""
    if not baseliner.strip():
        raise InvalidInput("a baselining attempt needs the name of the person")
    task = get_task(session, task_id)
    attempt = BaseliningAttempt(
        task_id=task.id,
        task_version=current_version(task).version,
        baseliner=baseliner,
        status=ATTEMPT_ACTIVE,
        message="",
    )
    session.add(attempt)
    session.flush()
    _add_event(session, attempt, EVENT_START)
    return attempt


def pause_attempt(session: Session, attempt_id: int, actor: str, is_admin: bool = False) -> BaseliningAttempt:
    """Stop the clock; pausing a paused attempt changes nothing."""
    attempt = get_attempt(session, attempt_id, lock=True)
    _check_owner(attempt, actor, is_admin)
    if attempt.status == ATTEMPT_PAUSED:
        return attempt
    if attempt.status != ATTEMPT_ACTIVE:
        raise Conflict(f"attempt {attempt_id} is {attempt.status}; only a running attempt can be paused")
    _add_event(session, attempt, EVENT_PAUSE)
    attempt.status = ATTEMPT_PAUSED
    session.flush()
    return attempt


def resume_attempt(
    session: Session, attempt_id: int, actor: str, is_admin: bool = False
) -> BaseliningAttempt:
    """Restart the clock; resuming a running attempt changes nothing."""
    attempt = get_attempt(session, attempt_id, lock=True)
    _check_owner(attempt, actor, is_admin)
    if attempt.status == ATTEMPT_ACTIVE:
        return attempt
    if attempt.status != ATTEMPT_PAUSED:
        raise Conflict(f"attempt {attempt_id} is {attempt.status}; only a paused attempt can be resumed")
    _add_event(session, attempt, EVENT_RESUME)
    attempt.status = ATTEMPT_ACTIVE
    session.flush()
    return attempt


def submit_attempt(
    session: Session, attempt_id: int, actor: str, answer: str, is_admin: bool = False
) -> BaseliningAttempt:
    """Stop the clock for good, fix the active time from the events and send the scoring job."""
    if len(answer) > MAX_ANSWER_CHARS:
        raise InvalidInput(f"the answer is {len(answer):,} characters; the limit is {MAX_ANSWER_CHARS:,}")
    attempt = get_attempt(session, attempt_id, lock=True)
    _check_owner(attempt, actor, is_admin)
    if attempt.status not in OPEN_STATUSES:
        raise Conflict(f"attempt {attempt_id} is {attempt.status}; it was already submitted or abandoned")
    event = _add_event(session, attempt, EVENT_SUBMIT)
    attempt.active_seconds = active_seconds((e.kind, e.at) for e in attempt.events)
    attempt.answer = answer
    attempt.submitted_at = event.at
    attempt.status = ATTEMPT_SCORING
    attempt.message = "waiting for the scorer"
    session.flush()
    enqueue_after_commit(session, JOB_SCORE_ATTEMPT, attempt.id)
    return attempt


def abandon_attempt(
    session: Session, attempt_id: int, actor: str, is_admin: bool = False
) -> BaseliningAttempt:
    """Give up on an attempt: nothing is stored as a baseline."""
    attempt = get_attempt(session, attempt_id, lock=True)
    _check_owner(attempt, actor, is_admin)
    if attempt.status not in OPEN_STATUSES:
        raise Conflict(f"attempt {attempt_id} is {attempt.status}; only an open attempt can be abandoned")
    _add_event(session, attempt, EVENT_ABANDON)
    attempt.active_seconds = active_seconds((e.kind, e.at) for e in attempt.events)
    attempt.status = ATTEMPT_ABANDONED
    attempt.message = "abandoned; not stored as a baseline"
    session.flush()
    return attempt


def rescore_attempt(
    session: Session, attempt_id: int, actor: str, is_admin: bool = False
) -> BaseliningAttempt:
    """Send the scoring job again for an attempt left pending or whose scorer failed."""
    attempt = get_attempt(session, attempt_id, lock=True)
    _check_owner(attempt, actor, is_admin)
    if attempt.status not in (ATTEMPT_PENDING, ATTEMPT_ERROR):
        raise Conflict(f"attempt {attempt_id} is {attempt.status}; only pending or failed scoring is retried")
    attempt.status = ATTEMPT_SCORING
    attempt.message = "waiting for the scorer"
    session.flush()
    enqueue_after_commit(session, JOB_SCORE_ATTEMPT, attempt.id)
    return attempt


# ---------------------------------------------------------------- used by the scoring job


def record_score(session: Session, attempt_id: int, score: float, threshold: float) -> HumanBaseline | None:
    """Store the score and the human baseline, once: None if the attempt is not being scored
    (a duplicate delivery of the job, or a retry that lost the race)."""
    attempt = get_attempt(session, attempt_id, lock=True)
    if attempt.status != ATTEMPT_SCORING or attempt.active_seconds is None:
        return None
    succeeded = score >= threshold
    seconds = max(attempt.active_seconds, MIN_ACTIVE_SECONDS)
    baseline = add_baseline(
        session,
        attempt.task_id,
        BaselineCreate(
            baseliner=attempt.baseliner,
            minutes=seconds / 60.0,
            succeeded=succeeded,
            source="baseline",
            notes=(
                f"Timed in Horizon (baselining attempt {attempt.id}): active time from server-side "
                f"timer events; score {score:g} against threshold {threshold:g}."
            ),
            recorded_at=attempt.submitted_at,
            task_version=attempt.task_version,
        ),
    )
    attempt.score = score
    attempt.succeeded = succeeded
    attempt.baseline_id = baseline.id
    attempt.status = ATTEMPT_SCORED
    attempt.scored_at = utcnow()
    verdict = "succeeded" if succeeded else "did not succeed"
    attempt.message = f"{verdict}: score {score:g} (threshold {threshold:g})"
    session.flush()
    return baseline


def record_unscored(session: Session, attempt_id: int, status: str, message: str) -> bool:
    """Leave the attempt `pending` (no sandbox) or `error` (the scorer failed), with a message.
    False when the attempt is no longer being scored."""
    if status not in (ATTEMPT_PENDING, ATTEMPT_ERROR):
        raise ValueError(f"unscored status must be pending or error, not {status!r}")
    result = session.execute(
        update(BaseliningAttempt)
        .where(BaseliningAttempt.id == attempt_id, BaseliningAttempt.status == ATTEMPT_SCORING)
        .values(status=status, message=message[:10_000])
    )
    session.flush()
    return bool(result.rowcount)  # type: ignore[attr-defined]
