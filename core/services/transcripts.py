"""Reading a run's transcript a page at a time.

A transcript is a run's `transcript_events` rows, one per event, keyed by (run, attempt, seq):
every attempt keeps its own, and a running attempt's events are appended as they happen
(`workers.transcript_store`), so a page of a running attempt is live. A long run may hold hundreds
of thousands of events, so a page reads only its rows (ordered by seq) and a count. Every event
read is bounded again (`core.json_bounds`): rows written before events were bounded may hold
arguments nested hundreds deep or megabytes long, which must not break a page or an encoder.

An ended attempt's events may have moved out of the rows into the transcript archive, or been
removed by the retention policy (`core.services.transcript_storage`): a page reads whichever holds
them, so it is the same page either way; a removed transcript reads as an empty page marked
`removed`.

Every page is read for someone (`reader`): one who may not see the task's answers
(`core.services.tasks.may_see_private`) gets it through `redact_answers`, for the API and the web
page alike.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from core.json_bounds import bound_json
from core.models import Run, Task, TranscriptEvent
from core.ownership import Actor
from core.services.runs import get_run
from core.services.tasks import may_see_private
from core.services.transcript_storage import (
    REMOVED,
    archived_events,
    attempt_events,
    attempt_source,
    stored_attempts,
)
from core.states import RunStatus
from core.transcript_archive import ArchiveError

log = logging.getLogger(__name__)

# Events one page may ask for, and the default.
MAX_PAGE_EVENTS = 1000
DEFAULT_PAGE_EVENTS = 500
# Characters of one page in all (as JSON); a page stops early when its events are large.
MAX_PAGE_CHARS = 4_000_000
# Transcripts of at most this many events are summarised whole (a 500-turn react run has ~2,500).
MAX_SUMMARY_EVENTS = 5000

# What a reader who may not see the task's answers gets in place of their texts.
HIDDEN_SCORER = "[hidden: only the task's owner and admins see the scorer]"
HIDDEN_SOLUTION = "[hidden: only the task's owner and admins see the reference solution]"
HIDDEN_SERVICE = "[hidden: only the task's owner and admins see a task service's output]"
# The scaffold that runs the task's reference solution (workers/scaffolds/oracle.py).
ORACLE_SCAFFOLD = "oracle"
# Events of an oracle run that hold nothing of the solution: ids, limits, timings, the score.
_ORACLE_PUBLIC_KINDS = frozenset(
    {"task_start", "sandbox_ready", "agent_start", "agent_end", "stop", "score", "task_end", "cancelled"}
)
# Fields of a hidden event kept as they are: what happened and when, never what was said.
_KEPT_FIELDS = frozenset({"kind", "t", "seq", "exit_code", "timed_out", "duration_s", "reason", "role"})


@dataclass(frozen=True)
class TranscriptPage:
    """A slice of one attempt's transcript and where the next slice starts; `attempts` are the
    run's attempts that have events, `live` whether this attempt is still running (its
    transcript still growing)."""

    run_id: int
    attempt: int | None
    total: int
    offset: int
    events: list[Any]
    attempts: list[int] = field(default_factory=list)
    live: bool = False
    removed: bool = False

    @property
    def next_offset(self) -> int | None:
        """Where the next page starts, or None after the last event."""
        end = self.offset + len(self.events)
        return end if end < self.total else None

    def as_json(self) -> dict[str, Any]:
        """The page as the API returns it."""
        return {
            "run_id": self.run_id,
            "attempt": self.attempt,
            "attempts": self.attempts,
            "live": self.live,
            "removed": self.removed,
            "total": self.total,
            "offset": self.offset,
            "next_offset": self.next_offset,
            "events": self.events,
        }


def redact_answers(events: list[Any], *, oracle: bool) -> list[Any]:
    """The events as a reader who may not see the task's answers reads them. The scorer's command,
    stdout and stderr (and the message of an infra_error the scorer caused, which older rows wrote
    with its output) become HIDDEN_SCORER; its exit code, timing and the score stay. In an `oracle`
    run every event but the public kinds (the solution's command, its output, its submission,
    anything a future oracle adds) keeps only its kind, timing and status fields, the texts
    HIDDEN_SOLUTION. The cut sizes (`*_original_chars`, `*_bytes`) of hidden texts go too. A
    failed task service's output (workers/task_services.py) becomes HIDDEN_SERVICE."""
    shown: list[Any] = []
    for event in events:
        kind = event.get("kind") if isinstance(event, dict) else None
        if kind == "scorer" or (kind == "infra_error" and event.get("reason") == "scorer"):
            shown.append(_hidden(event, HIDDEN_SCORER))
        elif kind == "service" and isinstance(event, dict) and "output" in event:
            # A failed service's log may show how the task checks answers; the rest is public.
            shown.append({**event, "output": HIDDEN_SERVICE})
        elif oracle and kind not in _ORACLE_PUBLIC_KINDS:
            shown.append(_hidden(event, HIDDEN_SOLUTION) if isinstance(event, dict) else HIDDEN_SOLUTION)
        else:
            shown.append(event)
    return shown


def _hidden(event: dict[str, Any], marker: str) -> dict[str, Any]:
    kept = {k: v for k, v in event.items() if k in _KEPT_FIELDS and not isinstance(v, dict | list)}
    hidden = [k for k in event if k not in _KEPT_FIELDS and not k.endswith(("_original_chars", "_bytes"))]
    return {**kept, **dict.fromkeys(hidden, marker)}


def transcript_page(
    session: Session,
    run_id: int,
    offset: int = 0,
    limit: int = DEFAULT_PAGE_EVENTS,
    *,
    reader: Actor,
    attempt: int | None = None,
) -> TranscriptPage:
    """Events `offset` to `offset + limit` of one attempt's transcript (fewer when they are
    large), each bounded and, unless `reader` may see the task's answers, redacted
    (`redact_answers`). `attempt` defaults to the running attempt of a running run, else the
    latest attempt that has events. NotFound for an unknown run; an empty page for a run without
    a transcript or an attempt without events."""
    run = get_run(session, run_id)
    attempts = attempts_with_events(session, run_id)
    running = current_attempt(run)
    if attempt is None:
        attempt = running or (attempts[-1] if attempts else None)
    total, events = _raw_page(session, run_id, attempt, offset, limit)
    task = session.get(Task, run.task_id)
    if task is None or not may_see_private(task, reader):
        events = redact_answers(events, oracle=run.agent.scaffold == ORACLE_SCAFFOLD)
    live = attempt is not None and attempt == running
    removed = attempt is not None and attempt_source(session, run_id, attempt).kind == REMOVED
    return TranscriptPage(run_id, attempt, total, offset, events, attempts, live, removed)


def current_attempt(run: Run) -> int | None:
    """The attempt still running (its transcript still growing), or None."""
    return run.attempt if run.status == RunStatus.RUNNING and run.attempt > 0 else None


def attempts_with_events(session: Session, run_id: int) -> list[int]:
    """The run's attempts that have a transcript (in rows, archived, or removed), oldest first."""
    return stored_attempts(session, run_id)


def _of_attempt(run_id: int, attempt: int) -> ColumnElement[bool]:
    return (TranscriptEvent.run_id == run_id) & (TranscriptEvent.attempt == attempt)


def _raw_page(
    session: Session, run_id: int, attempt: int | None, offset: int, limit: int
) -> tuple[int, list[Any]]:
    """The attempt's event count and the page's events, bounded, cut at MAX_PAGE_CHARS."""
    if attempt is None:
        return 0, []
    limit = max(1, min(limit, MAX_PAGE_EVENTS))
    source = attempt_source(session, run_id, attempt)
    rows: Iterable[Any]
    if source.kind == REMOVED:
        return 0, []
    if source.kind == "rows":
        where = _of_attempt(run_id, attempt)
        total = session.scalar(select(func.count()).select_from(TranscriptEvent).where(where)) or 0
        if offset >= total:
            return total, []
        rows = session.scalars(
            select(TranscriptEvent.event)
            .where(where)
            .order_by(TranscriptEvent.seq)
            .offset(offset)
            .limit(limit)
        )
    else:
        try:
            archived = archived_events(session, source)
        except ArchiveError as exc:  # a blob lost or damaged outside Horizon: say so, never fail
            log.error("run %s attempt %s: archived transcript unreadable: %s", run_id, attempt, exc)
            return 0, []
        total, rows = len(archived), archived[offset : offset + limit]
    events: list[Any] = []
    size = 0
    for event in rows:
        bounded = bound_json(event)
        size += len(json.dumps(bounded))
        if events and size > MAX_PAGE_CHARS:
            break
        events.append(bounded)
    return total, events


def summary_events(session: Session, run_id: int, attempt: int | None, total: int) -> list[Any] | None:
    """Every event of one attempt's transcript when it is short enough to summarise whole
    (bounded), else None. Not redacted: only totals come out of it (`web.transcript.summarize`),
    never an event's text."""
    if total > MAX_SUMMARY_EVENTS:
        return None
    if attempt is None:
        return []
    try:
        return [bound_json(e) for e in attempt_events(session, run_id, attempt)]
    except ArchiveError:  # logged by the page's read of the same blob
        return []
