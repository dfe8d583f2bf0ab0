"""Transcript events (`core.models.TranscriptEvent` rows) shaped for the viewer.

Each event is a dict with `kind`, `t` (seconds since the attempt started), `seq` and fields that
depend on the kind (see `workers/transcript.py` and the scaffolds). Known kinds get a title and
their main texts as blocks; every other field, and every unknown kind, is shown as a key/value
list, so nothing in a transcript is hidden from the reader.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from core.services.transcript_append import unwrapped
from web import format as fmt

# kind -> (title, css class, fields shown as text blocks)
KNOWN: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "task_start": ("Attempt started", "meta", ()),
    "sandbox_ready": ("Sandbox ready", "meta", ()),
    "agent_start": ("Agent started", "meta", ()),
    "message": ("Message", "message", ("content",)),
    "model": ("Model reply", "model", ("content",)),
    "nudge": ("Nudge", "message", ("content",)),
    "tool_call": ("Tool call", "tool", ()),
    "tool_output": ("Tool output", "output", ("output",)),
    "command": ("Command", "tool", ("command", "stdout", "stderr")),
    "submission": ("Submission", "submit", ("answer",)),
    "submit": ("Submission", "submit", ("submission",)),
    "program_start": ("Program started", "meta", ()),
    "program_end": ("Program ended", "output", ("stdout", "stderr")),
    "proxy_stop": ("Model proxy stopped", "warn", ("message",)),
    "agent_end": ("Agent finished", "meta", ()),
    "stop": ("Stopped", "meta", ()),
    "scorer": ("Scorer", "score", ("command", "stdout", "stderr")),
    "score": ("Score", "score", ()),
    "task_end": ("Attempt finished", "meta", ()),
    "context_trimmed": ("Context trimmed", "warn", ()),
    "context_exceeded": ("Context exceeded", "warn", ("message",)),
    "error": ("Error", "error", ("message",)),
    "infra_error": ("Infrastructure error", "error", ("message",)),
    "teardown_error": ("Teardown error", "warn", ("message",)),
    "cancelled": ("Cancelled", "warn", ("error",)),
}
_HIDDEN = {"kind", "t", "seq"}


@dataclass(frozen=True)
class Block:
    """One labelled piece of an event's text; `cut_from` is its length before it was shortened."""

    label: str
    text: str
    cut_from: int | None = None


@dataclass(frozen=True)
class ToolCallView:
    """A tool call as the viewer shows it: the tool's name, its arguments and any error."""

    name: str
    arguments: str
    error: str | None


@dataclass(frozen=True)
class EventView:
    """One transcript event shaped for the viewer: its title, style and blocks of text."""

    seq: int | None
    t: float | None
    kind: str
    title: str
    css: str
    blocks: list[Block] = field(default_factory=list)
    tool_calls: list[ToolCallView] = field(default_factory=list)
    fields: list[tuple[str, str]] = field(default_factory=list)
    known: bool = True


@dataclass(frozen=True)
class TranscriptSummary:
    """Totals over a whole transcript: events, duration, tokens, cost and model calls."""

    events: int
    duration_s: float | None
    input_tokens: int
    output_tokens: int
    cost_usd: float
    model_calls: int
    tool_calls: int
    timings: dict[str, Any]


def _show(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        return fmt.number(value, 4)
    try:
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    except (TypeError, ValueError):
        return repr(value)


def _tool_call(data: Any) -> ToolCallView:
    if not isinstance(data, dict):
        return ToolCallView("?", _show(data), None)
    arguments = data.get("arguments")
    if (
        isinstance(arguments, dict)
        and set(arguments) == {"command"}
        and isinstance(arguments["command"], str)
    ):
        shown = arguments["command"]
    elif isinstance(arguments, dict | list):
        shown = json.dumps(arguments, ensure_ascii=False, indent=2)
    else:
        shown = _show(arguments)
    error = data.get("arguments_error")
    return ToolCallView(str(data.get("name", "?")), shown, str(error) if error else None)


def event_view(event: Any) -> EventView:
    """One event for display; a non-dict entry is shown as raw JSON."""
    event = unwrapped(event)
    if not isinstance(event, dict):
        return EventView(
            None, None, "?", "Unreadable event", "unknown", fields=[("value", _show(event))], known=False
        )
    kind = str(event.get("kind", "?"))
    t = event.get("t")
    seq = event.get("seq")
    title, css, text_fields = KNOWN.get(kind, (kind.replace("_", " ").capitalize(), "unknown", ()))
    if kind == "message" and event.get("role"):
        title = f"{str(event['role']).capitalize()} message"
    blocks = []
    for name in text_fields:
        value = event.get(name)
        if value:
            cut = event.get(f"{name}_original_chars")
            blocks.append(Block(name, _show(value), cut if isinstance(cut, int) else None))
        elif value == "" and css == "submit":
            blocks.append(Block(name, "(empty answer)"))
    calls = []
    if kind == "model":
        calls = [_tool_call(c) for c in event.get("tool_calls") or []]
    elif kind == "tool_call":
        calls = [_tool_call(event)]
    used = set(text_fields) | {f"{n}_original_chars" for n in text_fields} | _HIDDEN
    if kind == "model":
        used.add("tool_calls")
    if kind == "tool_call":
        used |= {"name", "arguments", "arguments_error"}
    extra = [(k, _show(v)) for k, v in event.items() if k not in used and v is not None and v != ""]
    return EventView(
        seq=seq if isinstance(seq, int) else None,
        t=float(t) if isinstance(t, int | float) and fmt.is_number(t) else None,
        kind=kind,
        title=title,
        css=css,
        blocks=blocks,
        tool_calls=calls,
        fields=extra,
        known=kind in KNOWN,
    )


def summarize(events: list[Any]) -> TranscriptSummary:
    """Totals over the transcript: tokens and cost of model calls, tool calls, duration, timings."""
    dicts = [e for e in events if isinstance(e, dict)]
    models = [e for e in dicts if e.get("kind") == "model"]
    times = [float(e["t"]) for e in dicts if fmt.is_number(e.get("t"))]
    end = next((e for e in reversed(dicts) if e.get("kind") == "task_end"), None)
    raw_timings = end.get("timings") if end is not None else None
    timings: dict[str, Any] = raw_timings if isinstance(raw_timings, dict) else {}

    def total(key: str) -> float:
        return sum(float(e[key]) for e in models if fmt.is_number(e.get(key)))

    return TranscriptSummary(
        events=len(events),
        duration_s=max(times) if times else None,
        input_tokens=int(total("input_tokens")),
        output_tokens=int(total("output_tokens")),
        cost_usd=total("cost_usd"),
        model_calls=len(models),
        tool_calls=sum(1 for e in dicts if e.get("kind") == "tool_call")
        + sum(1 for e in dicts if e.get("kind") == "command"),
        timings=timings,
    )
