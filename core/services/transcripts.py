"""Reading a run's transcript a page at a time.

A transcript is one JSON array in `run_transcripts.events`; a long run may hold hundreds of
thousands of events (tens of megabytes). Decoding all of it for every view took seconds and starved
the server, so the database cuts the page (`json_array_elements` on PostgreSQL, `json_each` on
SQLite) and only that page is decoded. Every event read is bounded again (`core.json_bounds`):
rows written before events were bounded may hold arguments nested hundreds deep or megabytes
long, which must not break a page or an encoder.

Every page is read for someone (`reader`): one who may not see the task's answers
(`core.services.tasks.may_see_private`) gets it through `redact_answers`, for the API and the web
page alike.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from core.json_bounds import bound_json
from core.models import RunTranscript, Task
from core.ownership import Actor
from core.services.runs import get_run
from core.services.tasks import may_see_private

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
# The scaffold that runs the task's reference solution (workers/scaffolds/oracle.py).
ORACLE_SCAFFOLD = "oracle"
# Events of an oracle run that hold nothing of the solution: ids, limits, timings, the score.
_ORACLE_PUBLIC_KINDS = frozenset(
    {"task_start", "sandbox_ready", "agent_start", "agent_end", "stop", "score", "task_end", "cancelled"}
)
# Fields of a hidden event kept as they are: what happened and when, never what was said.
_KEPT_FIELDS = frozenset({"kind", "t", "seq", "exit_code", "timed_out", "duration_s", "reason", "role"})

# One pass over the array (decompressed and parsed once): the count and the page's events.
_PG_PAGE = """
SELECT t.attempt, count(x.n), json_agg(x.value ORDER BY x.n) FILTER (WHERE x.n > :start AND x.n <= :end)
FROM run_transcripts t LEFT JOIN LATERAL json_array_elements(
  CASE WHEN json_typeof(t.events) = 'array' THEN t.events ELSE '[]'::json END
) WITH ORDINALITY AS x(value, n) ON true
WHERE t.run_id = :run_id GROUP BY t.attempt
"""
_SQLITE_TOTAL = """
SELECT attempt, CASE WHEN json_type(events) = 'array' THEN json_array_length(events) ELSE 0 END
FROM run_transcripts WHERE run_id = :run_id
"""
_SQLITE_PAGE = """
SELECT x.value, x.type FROM run_transcripts t,
  json_each(CASE WHEN json_type(t.events) = 'array' THEN t.events ELSE '[]' END) AS x
WHERE t.run_id = :run_id AND x.key >= :start AND x.key < :end ORDER BY x.key
"""


@dataclass(frozen=True)
class TranscriptPage:
    """A slice of a run's transcript events and where the next slice starts."""

    run_id: int
    attempt: int | None
    total: int
    offset: int
    events: list[Any]

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
    HIDDEN_SOLUTION. The cut sizes (`*_original_chars`, `*_bytes`) of hidden texts go too."""
    shown: list[Any] = []
    for event in events:
        kind = event.get("kind") if isinstance(event, dict) else None
        if kind == "scorer" or (kind == "infra_error" and event.get("reason") == "scorer"):
            shown.append(_hidden(event, HIDDEN_SCORER))
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
) -> TranscriptPage:
    """Events `offset` to `offset + limit` of the run's transcript (fewer when they are large),
    each bounded and, unless `reader` may see the task's answers, redacted (`redact_answers`);
    NotFound for an unknown run, an empty page for a run without a transcript."""
    run = get_run(session, run_id)
    page = _raw_page(session, run_id, offset, limit)
    task = session.get(Task, run.task_id)
    if task is not None and may_see_private(task, reader):
        return page
    events = redact_answers(page.events, oracle=run.agent.scaffold == ORACLE_SCAFFOLD)
    return TranscriptPage(page.run_id, page.attempt, page.total, page.offset, events)


def _raw_page(session: Session, run_id: int, offset: int, limit: int) -> TranscriptPage:
    limit = max(1, min(limit, MAX_PAGE_EVENTS))
    params = {"run_id": run_id, "start": offset, "end": offset + limit}
    if session.get_bind().dialect.name == "postgresql":
        found = session.execute(text(_PG_PAGE), params).first()
        if found is None:
            return TranscriptPage(run_id, None, 0, offset, [])
        attempt, total, raw = found[0], found[1], found[2] or []
    else:
        found = session.execute(text(_SQLITE_TOTAL), params).first()
        if found is None:
            return TranscriptPage(run_id, None, 0, offset, [])
        attempt, total = found
        raw = []
        if offset < total:
            raw = [_sqlite_value(v, kind) for v, kind in session.execute(text(_SQLITE_PAGE), params)]
    events: list[Any] = []
    size = 0
    for event in raw:
        bounded = bound_json(event)
        size += len(json.dumps(bounded))
        if events and size > MAX_PAGE_CHARS:
            break
        events.append(bounded)
    return TranscriptPage(run_id, attempt, total, offset, events)


def summary_events(session: Session, run_id: int, total: int) -> list[Any] | None:
    """Every event of a transcript short enough to summarise whole (bounded), else None. Not
    redacted: only totals come out of it (`web.transcript.summarize`), never an event's text."""
    if total > MAX_SUMMARY_EVENTS:
        return None
    row = session.get(RunTranscript, run_id)
    if row is None or not isinstance(row.events, list):
        return []
    return [bound_json(e) for e in row.events]


def _sqlite_value(value: Any, kind: str) -> Any:
    # json_each gives containers as JSON text and scalars as SQL values.
    if kind in ("object", "array"):
        return json.loads(value)
    if kind in ("true", "false"):
        return kind == "true"
    return value
