"""Timed human baselining: start, pause, resume and submit an attempt; store the scored result.

Every transition is a timer event stamped with the server's clock. The active time is the sum of
the intervals between a start or resume and the next pause, submit or abandon, so pauses never
count and nothing the browser says about durations is trusted. A submitted answer is scored by the
`baselines.score_attempt` job in a sandbox (`workers/baseline_scoring.py`); its result becomes a
human baseline of source `timed` (`core.services.tasks.add_timed_baseline`), which nobody else can
make. An attempt started with a live sandbox (`start_attempt(open_sandbox=...)`, an event of kind
`sandbox`) is worked on and scored in that sandbox by the web server instead
(`core.live_sandbox`); it is submitted only while its clock runs.

Honesty rules:
- an attempt belongs to the token that started it (`token_id`), never to a name; only that token
  or an admin may time, read or submit it;
- every transition is one guarded UPDATE (`... WHERE status IN (...)`, checking the row count), so
  concurrent clicks make one transition on SQLite and PostgreSQL alike; `human_baselines.attempt_id`
  is unique as a backstop;
- the page sends a heartbeat every minute while visible; a running attempt without one (or a
  transition) for HORIZON_BASELINE_IDLE_PAUSE_S counts as paused from its last sign of life, and
  the clock stops when the active time reaches MAX_HUMAN_MINUTES. Reads show this at once; the next
  transition or the `baselines.pause_idle` job stores it as a pause event;
- every submitted attempt ends in a final state with a message: scored, pending or error.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session, object_session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from core.errors import Conflict, InvalidInput, NotFound
from core.models import HumanBaseline, TaskVersion, utcnow
from core.models_baselining import (
    EVENT_ABANDON,
    EVENT_PAUSE,
    EVENT_RESUME,
    EVENT_SANDBOX,
    EVENT_START,
    EVENT_SUBMIT,
    BaseliningAttempt,
    BaseliningEvent,
)
from core.ownership import Actor, check_owner
from core.queue import enqueue_after_commit
from core.services.runs import sent_overdue
from core.services.tasks import add_timed_baseline, current_version, get_task
from core.settings import Settings, get_settings
from core.states import OPEN_ATTEMPT_STATUSES, AttemptStatus, JobName
from core.taskspec import MAX_HUMAN_MINUTES

# What earlier versions wrote before a scoring failure's details (which may quote the scorer).
_OLD_DETAILS = "not with the answer: "

MAX_ANSWER_CHARS = 100_000
# A baseline needs a positive duration; an answer submitted within the same second as the start
# is recorded as one second of work.
MIN_ACTIVE_SECONDS = 1.0
# The clock stops here: no human time is longer (core/taskspec.py).
MAX_ACTIVE_SECONDS = MAX_HUMAN_MINUTES * 60.0

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


def _running_since(events: Iterable[tuple[str, dt.datetime]]) -> dt.datetime | None:
    """When the interval still open began (None when the clock is stopped)."""
    since: dt.datetime | None = None
    for kind, at in events:
        if kind in _OPENING and since is None:
            since = _utc(at)
        elif kind in _CLOSING:
            since = None
    return since


def idle_pause_s(session: Session | None) -> float:
    """HORIZON_BASELINE_IDLE_PAUSE_S of the session's deployment (the process's by default)."""
    settings = (session.info.get("settings") if session is not None else None) or get_settings()
    return float(settings.baseline_idle_pause_s)


@dataclass(frozen=True)
class AutoPause:
    """A pause a running attempt is due without anyone asking: when it took effect, and why."""

    at: dt.datetime
    reason: str


def auto_pause(attempt: BaseliningAttempt, now: dt.datetime, idle_s: float) -> AutoPause | None:
    """The pause `attempt` is due at `now`, if any: the idle one (from the page's last sign of
    life, once it is older than `idle_s`) or the limit (when the active time reached
    MAX_ACTIVE_SECONDS), whichever came first. None for an attempt that is not running."""
    if attempt.status != AttemptStatus.ACTIVE:
        return None
    events = [(e.kind, _utc(e.at)) for e in attempt.events]
    since = _running_since(events)
    if since is None:
        return None
    now = _utc(now)
    due: list[AutoPause] = []
    seen = max(_utc(attempt.last_seen_at), since) if attempt.last_seen_at is not None else since
    if (now - seen).total_seconds() > idle_s:
        due.append(
            AutoPause(
                seen,
                f"Paused automatically: the page sent no sign of life for {idle_s / 60:g} minutes, "
                f"so the clock stopped at its last one ({seen:%Y-%m-%d %H:%M:%S} UTC). "
                "Resume to continue.",
            )
        )
    limit_at = since + dt.timedelta(seconds=max(0.0, MAX_ACTIVE_SECONDS - active_seconds(events)))
    if limit_at <= now:
        due.append(AutoPause(limit_at, _LIMIT_MESSAGE))
    return min(due, key=lambda p: p.at) if due else None


_LIMIT_MESSAGE = (
    f"The clock stopped at the limit of {MAX_HUMAN_MINUTES:,} minutes (30 days) of active time: "
    "submit the answer (its time is stored at the limit, and says so) or abandon the attempt."
)


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
    at_limit: bool  # the active time reached the limit: the clock cannot run again


def unscorable_message(reason: str) -> str:
    """What the person timing an attempt reads when the task or the sandbox failed while scoring
    (`reason`: the worker's failure reason). Never the failure's details: they may quote the task's
    scorer, which only the task's owner and admins read; the worker logs them."""
    what = "the task's scorer failed" if reason == "scorer" else f"the task or the sandbox failed ({reason})"
    return (
        f"the answer could not be scored: {what}, not because of the answer; "
        "an admin can see the details in the worker's log"
    )


def _shown_message(message: str) -> str:
    # Rows written by earlier versions end a scoring failure with its details: cut them.
    cut = message.find(_OLD_DETAILS)
    return message if cut < 0 else message[: cut + len(_OLD_DETAILS)] + "[details in the worker's log]"


def timer_state(attempt: BaseliningAttempt, now: dt.datetime | None = None) -> TimerState:
    """The attempt's state at `now` (default: the server's clock), with any pause it is due
    (idle page, limit) applied, whether or not that pause is stored yet."""
    now = now or utcnow()
    status, message = attempt.status, _shown_message(attempt.message)
    events = [(e.kind, e.at) for e in attempt.events]
    due = auto_pause(attempt, now, idle_pause_s(object_session(attempt)))
    if due is not None:
        status, message = AttemptStatus.PAUSED, due.reason
        events.append((EVENT_PAUSE, due.at))
    if attempt.active_seconds is not None:
        seconds = attempt.active_seconds
    else:
        seconds = active_seconds(events, now)
    baseline_minutes = attempt.active_seconds / 60 if attempt.active_seconds is not None else None
    return TimerState(
        attempt_id=attempt.id,
        status=status,
        active_seconds=seconds,
        running=status == AttemptStatus.ACTIVE,
        server_time=now,
        score=attempt.score,
        succeeded=attempt.succeeded,
        minutes=baseline_minutes,
        message=message,
        at_limit=seconds >= MAX_ACTIVE_SECONDS,
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
    session: Session, *, token_id: int | None = None, task_id: str | None = None, limit: int = 100
) -> list[BaseliningAttempt]:
    """Recent attempts, newest first, optionally of one token or one task."""
    stmt = select(BaseliningAttempt).order_by(BaseliningAttempt.id.desc()).limit(limit)
    if token_id is not None:
        stmt = stmt.where(BaseliningAttempt.token_id == token_id)
    if task_id is not None:
        stmt = stmt.where(BaseliningAttempt.task_id == task_id)
    return list(session.scalars(stmt))


def check_attempt_owner(attempt: BaseliningAttempt, actor: Actor) -> None:
    """Only the token that started the attempt, or an admin, may see or time it (403)."""
    check_owner(attempt.token_id, actor, "baselining attempt")


def _move(
    session: Session, attempt: BaseliningAttempt, from_statuses: Iterable[str], **values: object
) -> bool:
    """Set `values` only if the attempt is still in one of `from_statuses`: one guarded UPDATE,
    atomic on SQLite and PostgreSQL alike. False (and the row reloaded) when another request
    moved the attempt first."""
    result = session.execute(
        update(BaseliningAttempt)
        .where(BaseliningAttempt.id == attempt.id, BaseliningAttempt.status.in_(tuple(from_statuses)))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(attempt)
        return False
    for key, value in values.items():
        set_committed_value(attempt, key, value)
    return True


def _add_event(
    session: Session, attempt: BaseliningAttempt, kind: str, at: dt.datetime | None = None
) -> BaseliningEvent:
    event = BaseliningEvent(kind=kind, at=at or utcnow())
    attempt.events.append(event)
    session.flush()
    return event


def settle(session: Session, attempt: BaseliningAttempt, now: dt.datetime | None = None) -> bool:
    """Store the pause a running attempt is due (idle page, limit), stamped when it took effect.
    True when one was stored."""
    due = auto_pause(attempt, now or utcnow(), idle_pause_s(session))
    if due is None or not _move(
        session, attempt, (AttemptStatus.ACTIVE,), status=AttemptStatus.PAUSED, message=due.reason
    ):
        return False
    _add_event(session, attempt, EVENT_PAUSE, at=due.at)
    return True


def _owned(session: Session, attempt_id: int, actor: Actor) -> BaseliningAttempt:
    """The attempt, locked (PostgreSQL), checked against `actor`, with any due pause stored."""
    attempt = get_attempt(session, attempt_id, lock=True)
    check_attempt_owner(attempt, actor)
    settle(session, attempt)
    return attempt


def _conflict(attempt: BaseliningAttempt, wanted: str) -> Conflict:
    return Conflict(f"attempt {attempt.id} is {attempt.status}; {wanted}")


def is_live(attempt: BaseliningAttempt) -> bool:
    """Whether the attempt's work happens in a live sandbox held by the web server (scored there)."""
    return any(e.kind == EVENT_SANDBOX for e in attempt.events)


def start_attempt(
    session: Session,
    task_id: str,
    baseliner: str,
    *,
    token_id: int | None,
    open_sandbox: Callable[[BaseliningAttempt, TaskVersion], None] | None = None,
) -> BaseliningAttempt:
    """Start timing `baseliner` (the name shown) with token `token_id` (the owner) on the task's
    current version. With `open_sandbox`, the attempt's live sandbox is opened first (the row
    exists, so the sandbox is labelled with its id) and the clock starts once it is up: building
    and starting it is never the person's time. Whatever `open_sandbox` raises leaves nothing
    stored (the caller's transaction rolls back; the reaper removes any sandbox)."""
    if not baseliner.strip():
        raise InvalidInput("a baselining attempt needs the name of the person")
    if token_id is None:
        raise InvalidInput("a baselining attempt belongs to a token: sign in with your own token")
    task = get_task(session, task_id)
    version = current_version(task)
    attempt = BaseliningAttempt(
        task_id=task.id,
        task_version=version.version,
        baseliner=baseliner,
        token_id=token_id,
        status=AttemptStatus.ACTIVE,
        message="",
        last_seen_at=utcnow(),
    )
    session.add(attempt)
    session.flush()
    if open_sandbox is not None:
        open_sandbox(attempt, version)
        _add_event(session, attempt, EVENT_SANDBOX)
    now = utcnow()
    attempt.last_seen_at = now
    _add_event(session, attempt, EVENT_START, at=now)
    return attempt


def pause_attempt(session: Session, attempt_id: int, actor: Actor) -> BaseliningAttempt:
    """Stop the clock; pausing a paused attempt changes nothing."""
    attempt = _owned(session, attempt_id, actor)
    if attempt.status == AttemptStatus.PAUSED:
        return attempt
    if not _move(session, attempt, (AttemptStatus.ACTIVE,), status=AttemptStatus.PAUSED, message=""):
        if attempt.status == AttemptStatus.PAUSED:
            return attempt
        raise _conflict(attempt, "only a running attempt can be paused")
    _add_event(session, attempt, EVENT_PAUSE)
    return attempt


def resume_attempt(session: Session, attempt_id: int, actor: Actor) -> BaseliningAttempt:
    """Restart the clock; resuming a running attempt changes nothing."""
    attempt = _owned(session, attempt_id, actor)
    if attempt.status == AttemptStatus.ACTIVE:
        return attempt
    if attempt.status != AttemptStatus.PAUSED:
        raise _conflict(attempt, "only a paused attempt can be resumed")
    if active_seconds((e.kind, e.at) for e in attempt.events) >= MAX_ACTIVE_SECONDS:
        raise Conflict(_LIMIT_MESSAGE)
    now = utcnow()
    resumed = _move(
        session, attempt, (AttemptStatus.PAUSED,), status=AttemptStatus.ACTIVE, message="", last_seen_at=now
    )
    if not resumed:
        if attempt.status == AttemptStatus.ACTIVE:
            return attempt
        raise _conflict(attempt, "only a paused attempt can be resumed")
    _add_event(session, attempt, EVENT_RESUME, at=now)
    return attempt


def heartbeat(session: Session, attempt_id: int, actor: Actor) -> BaseliningAttempt:
    """The person's page is alive: a running attempt keeps counting. A heartbeat after the idle
    time revives nothing (the pause is stored first); the person resumes by hand."""
    attempt = _owned(session, attempt_id, actor)
    if attempt.status == AttemptStatus.ACTIVE:
        _move(session, attempt, (AttemptStatus.ACTIVE,), last_seen_at=utcnow())
    return attempt


def submit_attempt(session: Session, attempt_id: int, actor: Actor, answer: str) -> BaseliningAttempt:
    """Stop the clock for good, fix the active time from the events and send the scoring job.
    Of concurrent submits exactly one wins; the others get 409."""
    if len(answer) > MAX_ANSWER_CHARS:
        raise InvalidInput(f"the answer is {len(answer):,} characters; the limit is {MAX_ANSWER_CHARS:,}")
    attempt = _owned(session, attempt_id, actor)
    if attempt.status not in OPEN_ATTEMPT_STATUSES:
        raise _conflict(attempt, "it was already submitted or abandoned")
    live = is_live(attempt)
    if live and attempt.status != AttemptStatus.ACTIVE:
        # The sandbox is locked while the clock is stopped: resuming comes first.
        raise _conflict(attempt, "resume it to submit (a paused attempt's sandbox is locked)")
    now = utcnow()
    seconds = active_seconds([*((e.kind, e.at) for e in attempt.events), (EVENT_SUBMIT, now)])
    at_limit = seconds >= MAX_ACTIVE_SECONDS
    message = "waiting for the scorer"
    if at_limit:
        message += f" (the active time stopped at the limit of {MAX_HUMAN_MINUTES:,} minutes)"
    won = _move(
        session,
        attempt,
        OPEN_ATTEMPT_STATUSES,
        status=AttemptStatus.SCORING,
        active_seconds=min(seconds, MAX_ACTIVE_SECONDS),
        answer=answer,
        submitted_at=now,
        message=message,
    )
    if not won:
        raise _conflict(attempt, "it was already submitted or abandoned")
    _add_event(session, attempt, EVENT_SUBMIT, at=now)
    if not live:
        _send_scoring(session, attempt, now)
    # A live attempt is scored in its own sandbox by the web server, once this commits
    # (`core.live_sandbox.LiveSandboxes.score`).
    return attempt


def abandon_attempt(session: Session, attempt_id: int, actor: Actor) -> BaseliningAttempt:
    """Give up on an attempt: nothing is stored as a baseline."""
    attempt = _owned(session, attempt_id, actor)
    if attempt.status not in OPEN_ATTEMPT_STATUSES:
        raise _conflict(attempt, "only an open attempt can be abandoned")
    now = utcnow()
    seconds = active_seconds([*((e.kind, e.at) for e in attempt.events), (EVENT_ABANDON, now)])
    won = _move(
        session,
        attempt,
        OPEN_ATTEMPT_STATUSES,
        status=AttemptStatus.ABANDONED,
        active_seconds=min(seconds, MAX_ACTIVE_SECONDS),
        message="abandoned; not stored as a baseline",
    )
    if not won:
        raise _conflict(attempt, "only an open attempt can be abandoned")
    _add_event(session, attempt, EVENT_ABANDON, at=now)
    return attempt


def rescore_attempt(session: Session, attempt_id: int, actor: Actor) -> BaseliningAttempt:
    """Send the scoring job again for an attempt left pending or whose scorer failed."""
    attempt = _owned(session, attempt_id, actor)
    if is_live(attempt):
        # Its work was in a sandbox that is gone after scoring: nothing is left to score again.
        raise _conflict(attempt, "its work was in its own sandbox, which is gone; it cannot be scored again")
    retriable = (AttemptStatus.PENDING, AttemptStatus.ERROR)
    if not _move(session, attempt, retriable, status=AttemptStatus.SCORING, message="waiting for the scorer"):
        raise _conflict(attempt, "only pending or failed scoring is retried")
    _send_scoring(session, attempt, utcnow())
    return attempt


def pause_idle_attempts(session: Session, now: dt.datetime | None = None) -> list[int]:
    """Store the due pauses of every running attempt (the periodic `baselines.pause_idle` job);
    returns the ids paused."""
    now = now or utcnow()
    running = session.scalars(
        select(BaseliningAttempt)
        .where(BaseliningAttempt.status == AttemptStatus.ACTIVE)
        .options(selectinload(BaseliningAttempt.events))
    )
    return [attempt.id for attempt in list(running) if settle(session, attempt, now)]


def _send_scoring(session: Session, attempt: BaseliningAttempt, now: dt.datetime) -> None:
    """Send the scoring job once this commits, stamping when (the lost-message sweep reads it)."""
    attempt.scoring_enqueued_at = now
    session.flush()
    enqueue_after_commit(session, JobName.SCORE_ATTEMPT, attempt.id)


def waiting_for_scoring_job() -> Select[int]:
    """The ids of attempts in `scoring` that the scoring job scores, in order. Live attempts are
    left out: the web server scores them in their own sandbox, never through the job."""
    live = select(BaseliningEvent.attempt_id).where(BaseliningEvent.kind == EVENT_SANDBOX)
    return (
        select(BaseliningAttempt.id)
        .where(BaseliningAttempt.status == AttemptStatus.SCORING, BaseliningAttempt.id.not_in(live))
        .order_by(BaseliningAttempt.id)
    )


def scoring_overdue(settings: Settings, now: dt.datetime, *, broker_lost: bool = False) -> Any:
    """The condition on a waiting attempt whose scoring message may be lost: the same rule as a
    queued run's (`core.services.runs.sent_overdue`). `horizon doctor` counts with it too."""
    return sent_overdue(BaseliningAttempt.scoring_enqueued_at, settings, now, broker_lost=broker_lost)


def resend_scoring_attempts(
    session: Session,
    settings: Settings | None = None,
    *,
    broker_lost: bool = True,
    now: dt.datetime | None = None,
) -> list[int]:
    """Send the scoring job again, once this commits, for attempts still `scoring` whose message
    may be lost, so no submitted attempt waits for good: with `broker_lost` (an in-process queue
    that stopped, a broker that forgot its data) every one, otherwise those whose last message is
    older than `requeue_after_s` (the periodic `runs.requeue_lost` sweep). Duplicates are
    harmless: the job scores only an attempt that is still `scoring`, and the baseline is stored
    once. Returns the ids."""
    settings = settings or get_settings()
    now = now or utcnow()
    overdue = scoring_overdue(settings, now, broker_lost=broker_lost)
    ids = list(session.scalars(waiting_for_scoring_job().where(overdue)))
    if ids:
        session.execute(
            update(BaseliningAttempt)
            .where(BaseliningAttempt.id.in_(ids), BaseliningAttempt.status == AttemptStatus.SCORING)
            .values(scoring_enqueued_at=now)
            .execution_options(synchronize_session=False)
        )
    for attempt_id in ids:
        enqueue_after_commit(session, JobName.SCORE_ATTEMPT, attempt_id)
    return ids


def paused_for(attempt: BaseliningAttempt, now: dt.datetime | None = None) -> float | None:
    """Seconds since the stored pause of a paused attempt (None unless it is paused)."""
    if attempt.status != AttemptStatus.PAUSED:
        return None
    pauses = [_utc(e.at) for e in attempt.events if e.kind == EVENT_PAUSE]
    return (_utc(now or utcnow()) - pauses[-1]).total_seconds() if pauses else None


def expire_attempt(session: Session, attempt_id: int, message: str) -> bool:
    """End an open attempt whose live sandbox was removed (paused too long, or lost): abandoned,
    with `message`; nothing is stored as a baseline. False when it was no longer open."""
    attempt = get_attempt(session, attempt_id, lock=True)
    settle(session, attempt)
    if attempt.status not in OPEN_ATTEMPT_STATUSES:
        return False
    now = utcnow()
    seconds = active_seconds([*((e.kind, e.at) for e in attempt.events), (EVENT_ABANDON, now)])
    if not _move(
        session,
        attempt,
        OPEN_ATTEMPT_STATUSES,
        status=AttemptStatus.ABANDONED,
        active_seconds=min(seconds, MAX_ACTIVE_SECONDS),
        message=message,
    ):
        return False
    _add_event(session, attempt, EVENT_ABANDON, at=now)
    return True


# ---------------------------------------------------------------- used by the scoring job


def record_score(session: Session, attempt_id: int, score: float, threshold: float) -> HumanBaseline | None:
    """Store the score and the timed baseline, once: None if the attempt is not being scored
    (a duplicate delivery of the job, or a retry that lost the race), or if its time cannot be a
    baseline (then it ends as `error` with the reason)."""
    attempt = get_attempt(session, attempt_id, lock=True)
    if attempt.status != AttemptStatus.SCORING or attempt.active_seconds is None:
        return None
    succeeded = score >= threshold
    seconds = max(attempt.active_seconds, MIN_ACTIVE_SECONDS)
    scored = {"score": score, "succeeded": succeeded, "scored_at": utcnow()}
    if seconds > MAX_ACTIVE_SECONDS:
        # Only attempts submitted before the clock stopped at the limit: a final state, never
        # `scoring` for good.
        _move(
            session,
            attempt,
            (AttemptStatus.SCORING,),
            status=AttemptStatus.ERROR,
            message=(
                f"not stored as a baseline: {seconds / 60:,.1f} minutes of active time is more than "
                f"the limit of {MAX_HUMAN_MINUTES:,} minutes (score {score:g})"
            ),
            **scored,
        )
        return None
    at_limit = seconds >= MAX_ACTIVE_SECONDS
    verdict = "succeeded" if succeeded else "did not succeed"
    message = f"{verdict}: score {score:g} (threshold {threshold:g})"
    if at_limit:
        message += f"; the active time stopped at the limit of {MAX_HUMAN_MINUTES:,} minutes"
    # The guarded update claims the attempt; the unique attempt_id on the baseline is the backstop.
    if not _move(
        session, attempt, (AttemptStatus.SCORING,), status=AttemptStatus.SCORED, message=message, **scored
    ):
        return None
    notes = (
        f"Timed in Horizon (baselining attempt {attempt.id}): active time from server-side timer "
        f"events; score {score:g} against threshold {threshold:g}."
    )
    if at_limit:
        notes += f" The clock stopped at the limit of {MAX_HUMAN_MINUTES:,} minutes: a lower bound."
    baseline = add_timed_baseline(
        session,
        attempt.task_id,
        attempt_id=attempt.id,
        token_id=attempt.token_id,
        baseliner=attempt.baseliner,
        minutes=seconds / 60.0,
        succeeded=succeeded,
        notes=notes,
        recorded_at=attempt.submitted_at,
        task_version=attempt.task_version,
    )
    attempt.baseline_id = baseline.id
    session.flush()
    return baseline


def record_unscored(session: Session, attempt_id: int, status: str, message: str) -> bool:
    """Leave the attempt `pending` (no sandbox) or `error` (the scorer failed), with a message.
    False when the attempt is no longer being scored."""
    if status not in (AttemptStatus.PENDING, AttemptStatus.ERROR):
        raise ValueError(f"unscored status must be pending or error, not {status!r}")
    result = session.execute(
        update(BaseliningAttempt)
        .where(BaseliningAttempt.id == attempt_id, BaseliningAttempt.status == AttemptStatus.SCORING)
        .values(status=status, message=message[:10_000])
    )
    session.flush()
    return bool(result.rowcount)  # type: ignore[attr-defined]
