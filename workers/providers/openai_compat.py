"""A client for any OpenAI-compatible chat endpoint (hosted APIs, vLLM, SGLang, llama.cpp server).

Wire format: POST `{base}/chat/completions` with `messages`, `tools` (function tools) and
`max_tokens`, or `max_completion_tokens` for reasoning models, which refuse `max_tokens` (see the
model's entry in workers/providers/capabilities.py); the answer's `choices[0].message` carries
`content` and `tool_calls`, whose `function.arguments` is a JSON string written by the model.
Such a string may be malformed: that is the model's mistake, not an outage, so it comes back as a
ToolCall with `arguments_error` set. The answer's `model` (the served snapshot) and its usage
details (cached prompt tokens, reasoning tokens) go into the Completion for the transcript.
"""

from __future__ import annotations

import json
import math
import re
import uuid
from typing import Any
from urllib.parse import urlparse

from core.json_bounds import MAX_ARGUMENTS_CHARS, MAX_ARGUMENTS_DEPTH, json_depth, value_depth
from workers.providers.base import CallOptions, Message, ProviderError, ToolCall, ToolSpec
from workers.providers.config import ModelConfig
from workers.providers.http_client import HttpModelClient, Reply

DEFAULT_OPENAI_BASE = "https://api.openai.com/v1"
_MAX_TOKEN_COUNT = 10**12
_VERSION_SEGMENT = re.compile(r"/v\d+[a-z0-9]*(?:/|$)")


def openai_url(base_url: str, route: str) -> str:
    """`{base}/{route}` for an OpenAI-style base URL with or without its version segment.

    `http://host:8000` and `http://host:8000/v1` both give `http://host:8000/v1/{route}`; bases
    with another version path (e.g. `/v1beta/openai`) are kept as they are.
    """
    base = base_url.rstrip("/")
    if not _VERSION_SEGMENT.search(urlparse(base).path):
        base += "/v1"
    return f"{base}/{route}"


def chat_completions_url(base_url: str) -> str:
    """The chat-completions URL for a base URL (see `openai_url`)."""
    return openai_url(base_url, "chat/completions")


def openai_headers(key: str | None) -> dict[str, str]:
    """JSON request headers, with the key (when set) as a bearer token."""
    headers = {"content-type": "application/json"}
    if key:
        headers["authorization"] = f"Bearer {key}"
    return headers


def estimate_tokens(text: str) -> int:
    """A rough token count (about four characters a token) for servers that omit usage."""
    return max(1, len(text) // 4) if text else 0


class OpenAICompatClient(HttpModelClient):
    """ModelClient for OpenAI-compatible endpoints."""

    reply_kind = "a chat completion"

    def _url(self, cfg: ModelConfig) -> str:
        return chat_completions_url(cfg.base_url or DEFAULT_OPENAI_BASE)

    def _headers(self, key: str | None) -> dict[str, str]:
        return openai_headers(key)

    def _payload(
        self, messages: list[Message], tools: list[ToolSpec], max_tokens: int, options: CallOptions
    ) -> dict[str, Any]:
        caps = self.capabilities
        payload: dict[str, Any] = {
            "model": self._cfg.name,
            "messages": [_encode_message(m) for m in messages],
            caps.max_tokens_param: max_tokens,
        }
        # Each setting goes only where the model takes it: a reasoning model answers a temperature
        # other than its default with 400, and a plain one answers `reasoning_effort` with 400.
        # The effort is an open set (minimal ... high, newer models add more): passed through as is.
        if options.reasoning_effort is not None and caps.reasoning:
            payload["reasoning_effort"] = options.reasoning_effort
        if options.temperature is not None and caps.temperature:
            payload["temperature"] = options.temperature
        if options.seed is not None:
            payload["seed"] = options.seed
        if tools:
            payload["tools"] = [_encode_tool(t) for t in tools]
            # OpenAI's default, but explicit: llama.cpp's function-calling format hides the tools
            # from the model unless a tool_choice is given.
            payload["tool_choice"] = "auto"
        return payload

    def _decode(self, body: dict[str, Any], payload: dict[str, Any]) -> Reply:
        message, finish_reason = _decode_choice(body)
        raw = body.get("usage") or {}
        input_tokens = token_count(raw.get("prompt_tokens"))
        output_tokens = token_count(raw.get("completion_tokens"))
        if input_tokens is None:
            input_tokens = estimate_tokens(json.dumps(payload["messages"]))
        if output_tokens is None:
            out_text = message.content + "".join(json.dumps(c.arguments) for c in message.tool_calls)
            output_tokens = estimate_tokens(out_text)
        # Both are parts of the totals above: cached prompt tokens of `prompt_tokens`, hidden
        # reasoning of `completion_tokens`.
        cached = token_count(usage_details(raw, "prompt_tokens_details").get("cached_tokens")) or 0
        reasoning = token_count(usage_details(raw, "completion_tokens_details").get("reasoning_tokens")) or 0
        served = body.get("model")
        return Reply(
            message,
            finish_reason,
            input_tokens,
            output_tokens,
            cache_read_input_tokens=min(cached, input_tokens),
            served_model=served[:200] if isinstance(served, str) and served else None,
            reasoning_tokens=min(reasoning, output_tokens),
        )


def token_count(value: Any) -> int | None:
    """A token count from an endpoint's usage, or None when it is not a finite number."""
    # Bounded and never negative: an endpoint's counts must not overflow a column or run backwards.
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return max(0, min(int(value), _MAX_TOKEN_COUNT))


def usage_details(usage: dict[str, Any], key: str) -> dict[str, Any]:
    """The `key` object of a usage object (`prompt_tokens_details`...), empty when absent."""
    value = usage.get(key)
    return value if isinstance(value, dict) else {}


def _encode_tool(tool: ToolSpec) -> dict[str, Any]:
    return {
        "type": "function",
        "function": {"name": tool.name, "description": tool.description, "parameters": tool.parameters},
    }


def _encode_message(msg: Message) -> dict[str, Any]:
    if msg.role == "tool":
        return {"role": "tool", "tool_call_id": msg.tool_call_id, "content": msg.content}
    out: dict[str, Any] = {"role": msg.role, "content": msg.content}
    if msg.role == "assistant" and msg.tool_calls:
        # An empty string, not null: llama.cpp's server rejects null content (with a 500).
        out["content"] = msg.content
        out["tool_calls"] = [
            {
                "id": call.id,
                "type": "function",
                # A call whose arguments were malformed is echoed as an empty object: resending
                # the broken text could make strict servers reject the whole conversation.
                "function": {"name": call.name, "arguments": json.dumps(call.arguments)},
            }
            for call in msg.tool_calls
        ]
    return out


def _decode_choice(body: dict[str, Any]) -> tuple[Message, str | None]:
    choices = body.get("choices")
    if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
        raise ProviderError("the answer has no choices (not a chat completion)")
    choice = choices[0]
    raw = choice.get("message") or {}
    content = raw.get("content")
    text = content if isinstance(content, str) else _join_content_parts(content)
    calls = [_decode_tool_call(c) for c in raw.get("tool_calls") or [] if isinstance(c, dict)]
    return Message(role="assistant", content=text, tool_calls=calls), choice.get("finish_reason")


def _join_content_parts(content: Any) -> str:
    # Some servers return content as a list of typed parts instead of a string.
    if isinstance(content, list):
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""


def _decode_tool_call(raw: dict[str, Any]) -> ToolCall:
    function = raw.get("function") or {}
    name = str(function.get("name") or "")
    call_id = str(raw.get("id") or f"call_{uuid.uuid4().hex[:12]}")
    arguments, error = parse_arguments(function.get("arguments"))
    return ToolCall(id=call_id, name=name, arguments=arguments, arguments_error=error)


def parse_arguments(raw: Any) -> tuple[dict[str, Any], str | None]:
    """Decode a tool call's arguments; on failure return ({}, a message the model can act on).

    Arguments are the model's own output, so they are bounded before they are parsed: at most
    MAX_ARGUMENTS_CHARS characters, nested at most MAX_ARGUMENTS_DEPTH deep (a cheap scan, since
    `json.loads` of deeper text raises RecursionError). Breaking a bound is the model's mistake,
    answered like any other malformed call.
    """
    if isinstance(raw, dict):
        # Already decoded (Anthropic's `input`): measured as it is.
        depth = value_depth(raw, MAX_ARGUMENTS_DEPTH)
        if depth > MAX_ARGUMENTS_DEPTH:
            return {}, _too_deep(depth)
        size = len(json.dumps(raw))
        if size > MAX_ARGUMENTS_CHARS:
            return {}, _too_long(size)
        return raw, None
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return {}, None
    if not isinstance(raw, str):
        return {}, f"arguments must be a JSON object, got {type(raw).__name__}"
    if len(raw) > MAX_ARGUMENTS_CHARS:
        return {}, _too_long(len(raw))
    depth = json_depth(raw)
    if depth > MAX_ARGUMENTS_DEPTH:
        return {}, _too_deep(depth)
    try:
        # strict=False accepts raw newlines and tabs inside strings, a common slip of models
        # whose meaning is unambiguous (seen from Gemma 3 270M on llama.cpp).
        value = json.loads(raw, strict=False, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        return {}, f"arguments are not valid JSON ({exc.msg} at position {exc.pos}): {raw[:200]!r}"
    except (ValueError, RecursionError) as exc:
        # An integer of over 4,300 digits, NaN or Infinity (not JSON), or a depth the scan missed.
        return {}, f"arguments are not valid JSON ({str(exc)[:200]})"
    if not isinstance(value, dict):
        return {}, f"arguments must be a JSON object, got {type(value).__name__}: {raw[:200]!r}"
    return value, None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _too_long(size: int) -> str:
    return (
        f"arguments are {size:,} characters long; the limit is {MAX_ARGUMENTS_CHARS:,} "
        "(write large contents in several smaller commands)"
    )


def _too_deep(depth: int) -> str:
    return f"arguments are nested {depth} levels deep; the limit is {MAX_ARGUMENTS_DEPTH}"
