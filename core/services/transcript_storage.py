"""Where an attempt's transcript is kept once it ends: rows, an archived blob, or removed.

While an attempt runs its events are rows of `transcript_events` (read live). With
`HORIZON_TRANSCRIPT_ARCHIVE` on, an ended attempt's events move into one blob of the transcript
archive (`core.transcript_archive`) and a `transcript_archives` row points at it. The move is
crash-safe: the blob is written whole first (temporary file, fsync, rename), then one transaction
writes the pointer and deletes the rows; a crash between the two leaves the rows (read as before)
and a stray blob that the next archiving of that attempt replaces. Never a lost transcript.

The retention policy (`prune_transcripts`) removes the transcripts of ended attempts that are not
their run's last (with `transcript_retention_all`, of every ended attempt) once they are older
than `transcript_retention_days`; the pointer row then says `removed`, and scores, tokens and
costs stay on the run and its attempt rows. Readers (`core.services.transcripts`) ask
`attempt_source` and read rows or blob alike, so pages, exports and the API show the same events.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.db import session_scope
from core.models import Run, RunAttempt, TranscriptArchive, TranscriptEvent, utcnow
from core.settings import Settings, get_settings
from core.states import FINAL_RUN_STATUSES
from core.transcript_archive import (
    ArchiveError,
    BlobStore,
    FilesystemStore,
    blob_key,
    decode_events,
    encode_events,
)

log = logging.getLogger(__name__)

ARCHIVED = "archived"
REMOVED = "removed"
# What the run page says in place of a transcript the retention policy removed.
REMOVED_NOTICE = "transcript removed by retention policy"
# Decoded blobs kept in memory for paging (a page reads one blob; the next page the same one).
_CACHE_BLOBS = 4
_CACHE_MAX_BLOB_BYTES = 16 * 1024 * 1024
# How often beat (or the embedded server) archives left-over rows and applies the retention policy.
MAINTENANCE_INTERVAL_S = 3600.0
# Attempts one retention pass looks at: a periodic job does a bounded amount of work each time.
PRUNE_BATCH = 5000


@dataclass(frozen=True)
class AttemptSource:
    """Where one attempt's events are: `rows`, `archived` (in the blob `key`) or `removed`."""

    kind: str
    key: str | None = None
    events: int = 0
    blob_sha256: str | None = None


@dataclass(frozen=True)
class PruneReport:
    """What a retention pass removed (or, dry, would remove)."""

    attempts: int
    events: int
    blobs: int
    blob_bytes: int
    dry_run: bool


def blob_store(settings: Settings) -> BlobStore:
    """The transcript archive of these settings (the filesystem under the data folder by default)."""
    return FilesystemStore(settings.transcript_archive_root)


def settings_of(session: Session) -> Settings:
    """The settings a session was opened with (`core.db.session_scope`), else the process's."""
    found = session.info.get("settings")
    return found if isinstance(found, Settings) else get_settings()


# ---------------------------------------------------------------- reading


def attempt_source(session: Session, run_id: int, attempt: int) -> AttemptSource:
    """Where the attempt's events are kept."""
    pointer = session.scalar(
        select(TranscriptArchive).where(
            TranscriptArchive.run_id == run_id, TranscriptArchive.attempt == attempt
        )
    )
    if pointer is None:
        return AttemptSource("rows")
    return AttemptSource(pointer.state, pointer.key, pointer.events, pointer.blob_sha256)


def stored_attempts(session: Session, run_id: int) -> list[int]:
    """The run's attempts that have a transcript in rows, archived or removed, oldest first."""
    in_rows = session.scalars(
        select(TranscriptEvent.attempt)
        .where(TranscriptEvent.run_id == run_id)
        .group_by(TranscriptEvent.attempt)
    )
    moved = session.scalars(select(TranscriptArchive.attempt).where(TranscriptArchive.run_id == run_id))
    return sorted({*in_rows, *moved})


_cache: OrderedDict[tuple[str, str | None], list[Any]] = OrderedDict()
_cache_lock = threading.Lock()


def archived_events(session: Session, source: AttemptSource) -> list[Any]:
    """Every event of an archived attempt, in seq order; ArchiveError for a missing blob or one
    that is not the blob written (its SHA-256 differs)."""
    assert source.key is not None
    cache_key = (source.key, source.blob_sha256)
    with _cache_lock:
        if cache_key in _cache:
            _cache.move_to_end(cache_key)
            return _cache[cache_key]
    blob = blob_store(settings_of(session)).get(source.key)
    if source.blob_sha256 is not None and hashlib.sha256(blob).hexdigest() != source.blob_sha256:
        raise ArchiveError(f"transcript blob {source.key} is not the one archived (SHA-256 differs)")
    events = decode_events(blob)
    if len(blob) <= _CACHE_MAX_BLOB_BYTES:
        with _cache_lock:
            _cache[cache_key] = events
            while len(_cache) > _CACHE_BLOBS:
                _cache.popitem(last=False)
    return events


def attempt_events(session: Session, run_id: int, attempt: int) -> list[Any]:
    """Every stored event of one attempt in seq order, from rows or the archive (none once removed)."""
    source = attempt_source(session, run_id, attempt)
    if source.kind == REMOVED:
        return []
    if source.kind == ARCHIVED:
        return list(archived_events(session, source))
    rows = session.scalars(
        select(TranscriptEvent.event)
        .where(TranscriptEvent.run_id == run_id, TranscriptEvent.attempt == attempt)
        .order_by(TranscriptEvent.seq)
    )
    return list(rows)


# ---------------------------------------------------------------- archiving


def archive_attempt(settings: Settings, run_id: int, attempt: int) -> bool:
    """Move one ended attempt's events from rows into one blob; True when moved. Nothing happens
    for an attempt without rows or already moved; the rows stay when they changed meanwhile."""
    with session_scope(settings) as session:
        if attempt_source(session, run_id, attempt).kind != "rows":
            return False
        events = list(
            session.scalars(
                select(TranscriptEvent.event)
                .where(TranscriptEvent.run_id == run_id, TranscriptEvent.attempt == attempt)
                .order_by(TranscriptEvent.seq)
            )
        )
    if not events:
        return False
    blob = encode_events(events)
    key = blob_key(run_id, attempt)
    # The blob first, whole: a crash before the rows are deleted leaves both, and rows are read.
    blob_store(settings).put(key, blob)
    try:
        return _swap_rows_for_pointer(settings, run_id, attempt, key, blob, len(events))
    except IntegrityError:  # another process archived or pruned it first
        return False


def _swap_rows_for_pointer(
    settings: Settings, run_id: int, attempt: int, key: str, blob: bytes, count: int
) -> bool:
    """In one transaction: the pointer row in, the attempt's rows out (if they are still the
    `count` rows the blob holds)."""
    of_attempt = (TranscriptEvent.run_id == run_id) & (TranscriptEvent.attempt == attempt)
    with session_scope(settings) as session:
        now_rows = session.scalar(select(func.count()).select_from(TranscriptEvent).where(of_attempt))
        if now_rows != count:
            log.warning(
                "run %s attempt %s: transcript changed while archiving; kept in rows", run_id, attempt
            )
            return False
        session.add(
            TranscriptArchive(
                run_id=run_id,
                attempt=attempt,
                state=ARCHIVED,
                key=key,
                events=count,
                blob_bytes=len(blob),
                blob_sha256=hashlib.sha256(blob).hexdigest(),
            )
        )
        session.flush()
        session.execute(delete(TranscriptEvent).where(of_attempt))
    return True


def archive_ended_attempt(settings: Settings, run_id: int, attempt: int) -> None:
    """`archive_attempt` when archiving is on, for a worker whose attempt just ended: a failure is
    logged, never raised (the transcript stays in rows and is read from there)."""
    if not settings.transcript_archive:
        return
    try:
        archive_attempt(settings, run_id, attempt)
    except Exception as exc:  # the attempt's result is stored; its rows still hold the transcript
        log.warning("run %s attempt %s: transcript not archived (kept in rows): %s", run_id, attempt, exc)


def archive_pending(settings: Settings, limit: int = PRUNE_BATCH) -> int:
    """Archive ended attempts whose events are still rows (archiving was off, or a worker
    crashed before it archived); returns how many were moved."""
    with session_scope(settings) as session:
        pending = list(
            session.execute(
                select(RunAttempt.run_id, RunAttempt.attempt)
                .where(RunAttempt.finished_at.is_not(None))
                .where(
                    select(TranscriptEvent.id)
                    .where(
                        TranscriptEvent.run_id == RunAttempt.run_id,
                        TranscriptEvent.attempt == RunAttempt.attempt,
                    )
                    .exists()
                )
                .order_by(RunAttempt.id)
                .limit(limit)
            )
        )
    return sum(archive_attempt(settings, run_id, attempt) for run_id, attempt in pending)


# ---------------------------------------------------------------- retention


def prune_transcripts(
    settings: Settings, *, dry_run: bool = False, now: dt.datetime | None = None, limit: int = PRUNE_BATCH
) -> PruneReport:
    """Remove the transcripts the retention policy no longer keeps (at most `limit` attempts a
    pass); `dry_run` only counts them. Nothing when `transcript_retention_days` is unset."""
    if settings.transcript_retention_days is None:
        return PruneReport(0, 0, 0, 0, dry_run)
    cutoff = (now or utcnow()) - dt.timedelta(days=settings.transcript_retention_days)
    with session_scope(settings) as session:
        candidates = _expired_attempts(session, cutoff, settings.transcript_retention_all, limit)
        counts = _row_counts(session, {run_id for run_id, _ in candidates})
        pointers = _pointers(session, candidates)
        doomed: list[tuple[int, int, int, TranscriptArchive | None]] = []
        for run_id, attempt in candidates:
            pointer = pointers.get((run_id, attempt))
            rows = counts.get((run_id, attempt), 0)
            if pointer is None and rows == 0:
                continue  # no transcript was ever stored
            doomed.append((run_id, attempt, rows, pointer))
        report = PruneReport(
            attempts=len(doomed),
            events=sum(rows + (p.events if p is not None else 0) for _, _, rows, p in doomed),
            blobs=sum(1 for *_, p in doomed if p is not None and p.key),
            blob_bytes=sum(p.blob_bytes for *_, p in doomed if p is not None),
            dry_run=dry_run,
        )
        if dry_run:
            return report
        blobs = [p.key for *_, p in doomed if p is not None and p.key]
        for run_id, attempt, rows, pointer in doomed:
            if rows:
                session.execute(
                    delete(TranscriptEvent).where(
                        TranscriptEvent.run_id == run_id, TranscriptEvent.attempt == attempt
                    )
                )
            if pointer is None:
                pointer = TranscriptArchive(run_id=run_id, attempt=attempt, events=rows, blob_bytes=0)
                session.add(pointer)
            pointer.state, pointer.key, pointer.removed_at = REMOVED, None, utcnow()
    # Blobs go only once the pointers say `removed`: a crash before leaves a stray blob, no hole.
    store = blob_store(settings)
    for key in blobs:
        store.delete(key)
    return report


def _expired_attempts(
    session: Session, cutoff: dt.datetime, every_attempt: bool, limit: int
) -> list[tuple[int, int]]:
    """Ended attempts older than `cutoff` whose transcript the policy removes, not yet removed."""
    not_last = RunAttempt.attempt < Run.attempt
    ended_last = (RunAttempt.attempt == Run.attempt) & Run.status.in_([s.value for s in FINAL_RUN_STATUSES])
    removed = (
        select(TranscriptArchive.id)
        .where(
            TranscriptArchive.run_id == RunAttempt.run_id,
            TranscriptArchive.attempt == RunAttempt.attempt,
            TranscriptArchive.state == REMOVED,
        )
        .exists()
    )
    query = (
        select(RunAttempt.run_id, RunAttempt.attempt)
        .join(Run, Run.id == RunAttempt.run_id)
        .where(RunAttempt.finished_at.is_not(None), RunAttempt.finished_at < cutoff, ~removed)
        .where((not_last | ended_last) if every_attempt else not_last)
        .order_by(RunAttempt.id)
        .limit(limit)
    )
    return [(run_id, attempt) for run_id, attempt in session.execute(query)]


def _row_counts(session: Session, run_ids: Iterable[int]) -> dict[tuple[int, int], int]:
    ids = sorted(run_ids)
    counts: dict[tuple[int, int], int] = {}
    for start in range(0, len(ids), 1000):
        rows = session.execute(
            select(TranscriptEvent.run_id, TranscriptEvent.attempt, func.count())
            .where(TranscriptEvent.run_id.in_(ids[start : start + 1000]))
            .group_by(TranscriptEvent.run_id, TranscriptEvent.attempt)
        )
        counts.update({(run_id, attempt): n for run_id, attempt, n in rows})
    return counts


def _pointers(session: Session, attempts: list[tuple[int, int]]) -> dict[tuple[int, int], TranscriptArchive]:
    ids = sorted({run_id for run_id, _ in attempts})
    wanted = set(attempts)
    found: dict[tuple[int, int], TranscriptArchive] = {}
    for start in range(0, len(ids), 1000):
        for pointer in session.scalars(
            select(TranscriptArchive).where(TranscriptArchive.run_id.in_(ids[start : start + 1000]))
        ):
            if (pointer.run_id, pointer.attempt) in wanted:
                found[(pointer.run_id, pointer.attempt)] = pointer
    return found
