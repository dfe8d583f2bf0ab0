"""A run's transcript: every model message, tool call and command output, in order, with timings.

Long texts are truncated to keep rows bounded; the original size is kept next to the cut text so a
reader knows what is missing. Every value is bounded in depth and size (`core.json_bounds`), since
much of it is the model's own output. Secrets (provider keys) are scrubbed from every string added.
A whole transcript may be capped too (`max_events`, `max_bytes`; HORIZON_TRANSCRIPT_MAX_EVENTS and
_MAX_BYTES): at the cap one `transcript_truncated` event is recorded, and after it only the
attempt's closing events (`CLOSING_KINDS`: how it ended and was scored).
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from core.json_bounds import MAX_TEXT, bound_json, cut_text
from workers.providers.base import Completion, ToolCall

DEFAULT_MAX_TEXT = MAX_TEXT
# Events recorded past a transcript's cap: how the attempt ended and how it was scored.
CLOSING_KINDS = frozenset({"agent_end", "stop", "scorer", "score", "task_end", "infra_error", "cancelled"})
TRUNCATED_KIND = "transcript_truncated"


def truncate(text: str, limit: int = DEFAULT_MAX_TEXT) -> tuple[str, int, bool]:
    """Keep the head and tail of `text` within `limit` characters (see `core.json_bounds.cut_text`)."""
    return cut_text(text, limit)


def call_record(call: ToolCall) -> dict[str, Any]:
    """A tool call as transcript events record it."""
    return {
        "id": call.id,
        "name": call.name,
        "arguments": call.arguments,
        "arguments_error": call.arguments_error,
    }


def model_event(completion: Completion, model_name: str) -> dict[str, Any]:
    """The fields of the `model` event that records one reply of `model_name`.

    One definition for every place that records a reply (the react and terminal scaffolds, Inspect
    agents, the model proxy of in-sandbox agents), so the run page and the spend figures read the
    same fields whichever kind of agent made the call; a caller may add fields of its own.
    """
    usage = completion.usage
    return {
        "role": "assistant",
        "content": completion.message.content,
        "tool_calls": [call_record(c) for c in completion.message.tool_calls],
        "input_tokens": usage.input_tokens,
        "output_tokens": usage.output_tokens,
        "cost_usd": usage.cost_usd,
        "duration_s": round(completion.duration_s, 3),
        "finish_reason": completion.finish_reason,
        "model": model_name,
        "served_model": completion.served_model,
        "thinking": completion.thinking,
        "uncached_input_tokens": usage.uncached_input_tokens,
        "cache_read_input_tokens": usage.cache_read_input_tokens,
        "cache_creation_input_tokens": usage.cache_creation_input_tokens,
        "reasoning_tokens": usage.reasoning_tokens,
    }


class Transcript:
    """Collects transcript events; thread-safe; optionally forwards each event to a listener."""

    def __init__(
        self,
        max_text: int = DEFAULT_MAX_TEXT,
        secrets: Iterable[str] = (),
        listener: Callable[[dict[str, Any]], None] | None = None,
        *,
        max_events: int | None = None,
        max_bytes: int | None = None,
    ) -> None:
        self.events: list[dict[str, Any]] = []
        self._max_text = max_text
        self._max_events = max_events
        self._max_bytes = max_bytes
        self._bytes = 0
        self.truncated = False
        # Events left out past the cap.
        self.dropped = 0
        self._secrets = [s for s in secrets if s and len(s) >= 6]
        self._listener = listener
        self._lock = threading.Lock()
        self._t0 = time.monotonic()

    @classmethod
    def scrubbing_env(cls, env_names: Iterable[str | None], **kwargs: Any) -> Transcript:
        """A transcript that scrubs the values of the named environment variables."""
        secrets = [os.environ.get(n, "") for n in env_names if n]
        return cls(secrets=secrets, **kwargs)

    def _clean(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "[redacted]")
        return text

    def add(self, kind: str, **data: Any) -> None:
        """Record one event. String fields longer than the limit are truncated with their size kept;
        nested values are bounded (`core.json_bounds.bound_json`), secrets scrubbed everywhere."""
        event: dict[str, Any] = {"kind": kind, "t": round(time.monotonic() - self._t0, 3)}
        for key, value in data.items():
            if isinstance(value, str):
                value, size, cut = truncate(self._clean(value), self._max_text)
                if cut:
                    event[f"{key}_original_chars"] = size
            event[key] = value
        # One bound for the whole event: its fields share the size budget.
        event = bound_json(event, max_text=self._max_text, clean=self._clean)
        with self._lock:
            # Measured only under a byte cap: serialising every event costs time for nothing else.
            size = len(json.dumps(event, ensure_ascii=False)) if self._max_bytes is not None else 0
            if kind not in CLOSING_KINDS and self._over_cap(size):
                if self.truncated:
                    self.dropped += 1
                    return
                self.truncated = True
                self.dropped += 1
                event = {
                    "kind": TRUNCATED_KIND,
                    "t": event["t"],
                    "max_events": self._max_events,
                    "max_bytes": self._max_bytes,
                    "note": "transcript cap reached: later events are left out, except how the attempt ended",
                }
            self._bytes += size
            event["seq"] = len(self.events)
            self.events.append(event)
        if self._listener is not None:
            self._listener(event)

    def _over_cap(self, size: int) -> bool:
        """Whether recording one more event of `size` bytes would pass a cap (room is kept for
        the truncation marker itself)."""
        if self._max_events is not None and len(self.events) + 1 >= self._max_events:
            return True
        return self._max_bytes is not None and self._bytes + size > self._max_bytes
