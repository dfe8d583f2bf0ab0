"""Appending transcript events: one row per event, keyed by (run, attempt, seq).

Writing is idempotent: an event already stored under its key is left as it is (ON CONFLICT DO
NOTHING), so a worker may write an attempt's events live, retry a batch whose commit it never saw
acknowledged, and write the whole transcript again when the attempt ends, and each event is
stored once. See docs/architecture.md (transcripts).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from core.models import TranscriptEvent

# Rows per INSERT: a long transcript is written in bounded statements.
CHUNK_ROWS = 2000
# The width of `transcript_events.kind`.
MAX_KIND_CHARS = 40
_KEY = ["run_id", "attempt", "seq"]
# The kind of the dict that holds an entry that was not one (as migration 0009 wrote them too).
WRAPPED_KIND = "value"


def event_row(run_id: int, attempt: int, seq: int, event: Any) -> dict[str, Any]:
    """One event as its row; an entry that is not a dict is kept inside one (`unwrapped`)."""
    if not isinstance(event, dict):
        event = {"kind": WRAPPED_KIND, "value": event}
    kind = str(event.get("kind") or "event")[:MAX_KIND_CHARS]
    return {"run_id": run_id, "attempt": attempt, "seq": seq, "kind": kind, "event": event}


def unwrapped(event: Any) -> Any:
    """A stored event as it was written: the entry that was not a dict, out of its wrapper."""
    if isinstance(event, dict) and event.get("kind") == WRAPPED_KIND and set(event) == {"kind", "value"}:
        return event["value"]
    return event


def append_events(session: Session, run_id: int, attempt: int, events: Iterable[tuple[int, Any]]) -> None:
    """Store the (seq, event) pairs of one attempt, skipping the seqs already stored."""
    rows = [event_row(run_id, attempt, seq, event) for seq, event in events]
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(TranscriptEvent).on_conflict_do_nothing(index_elements=_KEY)
    for start in range(0, len(rows), CHUNK_ROWS):
        session.execute(statement, rows[start : start + CHUNK_ROWS])
