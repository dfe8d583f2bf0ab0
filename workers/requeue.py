"""Re-sending queue messages that were lost, so that no queued run waits forever.

The database row is the truth and a Celery message only a nudge, but a nudge can be lost: Redis
restarted without persistence forgets every queued message, and a publish can fail after the rows
were committed. `runs.requeue_lost` (scheduled by beat) sends another message for such runs:

- a broker that lost its data is noticed through a sentinel key this job keeps in Redis: the sweep
  that finds the key gone (and sets it again, atomically) sends a new message for every queued run,
  every queued analysis and every baselining attempt waiting for its scorer;
- otherwise a queued run, or a baselining attempt waiting for its scoring job, whose last message
  is older than `HORIZON_REQUEUE_AFTER_S` gets one.

Duplicates are harmless: a run is claimed by one guarded update, and analysis and scoring jobs are
idempotent.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from core.db import session_scope
from core.services import analyses as analysis_svc
from core.services import baselining as baselining_svc
from core.services import runs as run_svc
from core.settings import Settings
from core.states import AnalysisStatus

if TYPE_CHECKING:
    from redis import Redis

log = logging.getLogger(__name__)

SENTINEL_KEY = "horizon:broker-sentinel"


def _redis(redis_url: str) -> Redis:
    import redis

    return redis.Redis.from_url(redis_url, socket_timeout=10)


def claim_broker_loss(redis_url: str) -> bool:
    """True when the sentinel key was missing (the broker restarted empty, or this is its first
    use), setting it in the same step: of sweeps running at once, exactly one handles the loss."""
    client = _redis(redis_url)
    try:
        return bool(client.set(SENTINEL_KEY, "1", nx=True))
    finally:
        client.close()


def release_broker_claim(redis_url: str) -> None:
    """Remove the sentinel key again, so that the next sweep retries a re-send that failed."""
    client = _redis(redis_url)
    try:
        client.delete(SENTINEL_KEY)
    finally:
        client.close()


def resend_overdue_scorings(settings: Settings) -> list[int]:
    """Re-send the scoring messages older than `HORIZON_REQUEUE_AFTER_S` (the embedded server's
    periodic sweep: its in-process queue has no broker to lose, but a job can still be dropped,
    e.g. one that found the database busy). Returns the attempt ids."""
    with session_scope(settings) as session:
        attempt_ids = baselining_svc.resend_scoring_attempts(session, settings, broker_lost=False)
    if attempt_ids:
        log.warning(
            "re-sent %d baselining scorings (no message for %g s)", len(attempt_ids), settings.requeue_after_s
        )
    return attempt_ids


def requeue_lost(settings: Settings) -> list[int]:
    """Send new messages for queued runs (and analyses and scorings) whose messages may be lost;
    see above.

    Returns the ids of the runs re-sent.
    """
    lost = bool(settings.redis_url) and claim_broker_loss(settings.redis_url or "")
    try:
        with session_scope(settings) as session:
            run_ids = run_svc.requeue_lost_runs(session, settings, broker_lost=lost)
            attempt_ids = baselining_svc.resend_scoring_attempts(session, settings, broker_lost=lost)
            analysis_ids: list[int] = []
            if lost:
                analysis_ids = analysis_svc.resend_analyses(session, (AnalysisStatus.QUEUED,))
    except BaseException:
        if lost and settings.redis_url:
            release_broker_claim(settings.redis_url)
        raise
    if run_ids or analysis_ids or attempt_ids:
        why = "the broker lost its data" if lost else f"no message for {settings.requeue_after_s:g} s"
        log.warning(
            "re-sent %d queued runs, %d analyses and %d baselining scorings (%s)",
            len(run_ids),
            len(analysis_ids),
            len(attempt_ids),
            why,
        )
    return run_ids
