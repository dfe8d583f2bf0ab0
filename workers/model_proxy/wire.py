"""What the proxy's two wire formats share: the parsed request and the refusals.

A request body is the agent program's own text, so every field is checked before use and every
list is bounded; a body that breaks a rule is refused with a `BadRequest`, which the server
answers with 400 in the format the program spoke, and nothing is sent to the model.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Protocol

from workers.providers.base import Completion, Message, ToolSpec

# Bounds on one request, beside the body size the server enforces.
MAX_MESSAGES = 10_000
MAX_TOOLS = 256
MAX_TOOL_NAME_CHARS = 128
MAX_MODEL_NAME_CHARS = 200
MAX_OUTPUT_TOKENS_ASKED = 10_000_000

# Refusal kinds, each answered with the status and error type the format uses for it.
BAD_REQUEST = "bad_request"
UNAUTHORIZED = "unauthorized"
NOT_FOUND = "not_found"
TOO_LARGE = "too_large"
LENGTH_REQUIRED = "length_required"
LIMIT_REACHED = "limit_reached"
CONTEXT_EXCEEDED = "context_exceeded"
UNAVAILABLE = "unavailable"
BUSY = "busy"

STATUS = {
    BAD_REQUEST: 400,
    UNAUTHORIZED: 401,
    NOT_FOUND: 404,
    TOO_LARGE: 413,
    LENGTH_REQUIRED: 411,
    LIMIT_REACHED: 429,
    CONTEXT_EXCEEDED: 400,
    UNAVAILABLE: 503,
    BUSY: 429,
}


class BadRequest(ValueError):
    """The request breaks a rule of its format or of the proxy (answered with 400)."""


@dataclass(frozen=True)
class ProxyRequest:
    """A model call as the agent program asked for it, in Horizon's provider-neutral form.

    `sampling` holds what the request set of temperature, seed, reasoning_effort and
    thinking_budget_tokens; the agent's own settings win over it (`server`). `ignored` names the
    request fields the proxy does not forward, for the transcript.
    """

    messages: list[Message]
    tools: list[ToolSpec]
    max_tokens: int | None
    requested_model: str
    stream: bool = False
    include_usage: bool = False
    sampling: dict[str, Any] = field(default_factory=dict)
    ignored: tuple[str, ...] = ()


class Wire(Protocol):
    """One wire format: requests in, replies and refusals out."""

    name: str

    def parse(self, body: dict[str, Any]) -> ProxyRequest:
        """The request in `body`, or BadRequest."""
        ...

    def reply(self, completion: Completion, model: str) -> dict[str, Any]:
        """The JSON answer carrying `completion`."""
        ...

    def stream(self, completion: Completion, model: str, request: ProxyRequest) -> bytes:
        """The same answer as a server-sent event stream (sent whole once the model answered)."""
        ...

    def error(self, kind: str, message: str) -> dict[str, Any]:
        """The format's error body for a refusal of `kind`."""
        ...


def require_dict(value: Any, what: str) -> dict[str, Any]:
    """`value` if it is a JSON object, else BadRequest naming `what`."""
    if not isinstance(value, dict):
        raise BadRequest(f"{what} must be an object")
    return value


def require_list(value: Any, what: str, limit: int) -> list[Any]:
    """`value` if it is a list of at most `limit` items, else BadRequest."""
    if not isinstance(value, list):
        raise BadRequest(f"{what} must be an array")
    if len(value) > limit:
        raise BadRequest(f"{what} has {len(value):,} items; the proxy takes at most {limit:,}")
    return value


def optional_int(body: dict[str, Any], key: str, low: int, high: int) -> int | None:
    """An integer field in [low, high], or None when absent or null."""
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise BadRequest(f"{key} must be an integer from {low} to {high:,}")
    return value


def optional_number(body: dict[str, Any], key: str, low: float, high: float) -> float | None:
    """A number field in [low, high], or None when absent or null."""
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise BadRequest(f"{key} must be a number from {low:g} to {high:g}")
    return float(value)


def tool_name(value: Any, what: str) -> str:
    """A tool's name: a non-empty string of bounded length."""
    if not isinstance(value, str) or not value or len(value) > MAX_TOOL_NAME_CHARS:
        raise BadRequest(f"{what} must be a non-empty string of at most {MAX_TOOL_NAME_CHARS} characters")
    return value


def model_name(body: dict[str, Any]) -> str:
    """The model the request names (recorded; the agent's own model answers whatever it says)."""
    value = body.get("model")
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > MAX_MODEL_NAME_CHARS:
        raise BadRequest(f"model must be a string of at most {MAX_MODEL_NAME_CHARS} characters")
    return value


def stream_flag(body: dict[str, Any]) -> bool:
    """The request's `stream` flag (absent: false)."""
    value = body.get("stream", False)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise BadRequest("stream must be true or false")
    return value


def sse_event(data: dict[str, Any] | str, event: str | None = None) -> bytes:
    """One server-sent event: an optional `event:` line and one `data:` line (JSON or text)."""
    payload = data if isinstance(data, str) else json.dumps(data, separators=(",", ":"))
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {payload}\n\n".encode()
