"""The transcript cap (HORIZON_TRANSCRIPT_MAX_EVENTS, _MAX_BYTES): one truncation marker at the
cap, the closing events kept after it, seqs without gaps, and the settings bounded."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from core.settings import Settings
from workers.transcript import TRUNCATED_KIND, Transcript


def _attempt(transcript: Transcript, turns: int, text: str = "x") -> None:
    """A flood of model turns, then how the attempt ended and was scored."""
    for i in range(turns):
        transcript.add("model", content=f"{i} {text}")
    transcript.add("stop", reason="submitted")
    transcript.add("scorer", stdout="1")
    transcript.add("score", score=1.0, binarized=1)
    transcript.add("task_end", stop_reason="submitted", score=1.0)


def test_event_cap_leaves_a_marker_and_keeps_the_closing_events() -> None:
    heard: list[dict[str, Any]] = []
    transcript = Transcript(max_events=10, listener=heard.append)
    _attempt(transcript, 1000)
    kinds = [e["kind"] for e in transcript.events]
    assert kinds == ["model"] * 9 + [TRUNCATED_KIND, "stop", "scorer", "score", "task_end"]
    assert [e["seq"] for e in transcript.events] == list(range(len(kinds)))
    assert transcript.truncated and transcript.dropped == 991
    assert transcript.events[9]["max_events"] == 10
    # The live writer hears exactly what is kept.
    assert heard == transcript.events


def test_byte_cap_bounds_the_stored_size() -> None:
    transcript = Transcript(max_bytes=20_000)
    _attempt(transcript, 500, text="y" * 1000)
    kept = sum(len(json.dumps(e, ensure_ascii=False)) for e in transcript.events)
    assert kept < 20_000 + 2_000  # the cap, plus the marker and the closing events
    assert [e["kind"] for e in transcript.events][-5:] == [
        TRUNCATED_KIND,
        "stop",
        "scorer",
        "score",
        "task_end",
    ]


def test_no_cap_keeps_everything() -> None:
    transcript = Transcript()
    _attempt(transcript, 300)
    assert len(transcript.events) == 304 and not transcript.truncated


@pytest.mark.parametrize(
    "field,value",
    [
        ("transcript_max_events", 0),
        ("transcript_max_events", -5),
        ("transcript_max_bytes", 10),
        ("transcript_retention_days", -1),
    ],
)
def test_settings_refuse_out_of_range_values(field: str, value: int) -> None:
    with pytest.raises(ValidationError):
        Settings.model_validate({field: value})
