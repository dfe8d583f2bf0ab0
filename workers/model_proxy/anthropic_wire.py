"""Anthropic's Messages API as the proxy speaks it: `POST /v1/messages`.

Requests: `system` (a string or text blocks), `messages` of `user` and `assistant` turns whose
content is a string or blocks (`text`, `tool_use`, `tool_result`, and `thinking` /
`redacted_thinking`, which go back to the model untouched), custom `tools` with an
`input_schema`, `max_tokens` (required), `temperature`, `thinking: {type: "enabled",
budget_tokens}` and `stream`. Images, documents and Anthropic's server tools are refused; other
fields (`tool_choice`, `stop_sequences`, `metadata`, ...) are not forwarded and are named in the
call's transcript event; `cache_control` marks are dropped (Horizon's client sets its own). Replies
are a `message` or, with `stream: true`, its events from `message_start` to `message_stop`
(https://docs.anthropic.com/en/api/messages, .../api/messages-streaming).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from workers.model_proxy import wire
from workers.model_proxy.wire import BadRequest, ProxyRequest
from workers.providers.anthropic import THINKING_BLOCK_TYPES
from workers.providers.base import Completion, Message, ToolCall, ToolSpec
from workers.providers.openai_compat import parse_arguments

MAX_BLOCKS = 10_000
_READ = frozenset({"model", "messages", "system", "tools", "max_tokens", "temperature", "thinking", "stream"})
# Finish reasons of other formats, as the Messages API names them.
_STOP = {
    "end_turn": "end_turn",
    "stop": "end_turn",
    "completed": "end_turn",
    "stop_sequence": "stop_sequence",
    "max_tokens": "max_tokens",
    "length": "max_tokens",
    "max_output_tokens": "max_tokens",
    "incomplete": "max_tokens",
    "tool_use": "tool_use",
    "tool_calls": "tool_use",
    "refusal": "refusal",
    "content_filter": "refusal",
}


class AnthropicMessagesWire:
    """The Messages API format (implements `wire.Wire`)."""

    name = "anthropic_messages"

    def parse(self, body: dict[str, Any]) -> ProxyRequest:
        """The request in `body` (see the module docstring), or BadRequest."""
        max_tokens = wire.optional_int(body, "max_tokens", 1, wire.MAX_OUTPUT_TOKENS_ASKED)
        if max_tokens is None:
            raise BadRequest("max_tokens is required")
        messages: list[Message] = []
        system = _system(body.get("system"))
        if system:
            messages.append(Message(role="system", content=system))
        turns = wire.require_list(body.get("messages"), "messages", wire.MAX_MESSAGES)
        if not turns:
            raise BadRequest("messages must not be empty")
        for i, turn in enumerate(turns):
            messages.extend(_turn(wire.require_dict(turn, f"messages[{i}]"), i))
        tools = [
            _tool(t, i)
            for i, t in enumerate(wire.require_list(body.get("tools") or [], "tools", wire.MAX_TOOLS))
        ]
        sampling: dict[str, Any] = {}
        temperature = wire.optional_number(body, "temperature", 0.0, 1.0)
        if temperature is not None:
            sampling["temperature"] = temperature
        thinking = body.get("thinking")
        if thinking is not None:
            thinking = wire.require_dict(thinking, "thinking")
            if thinking.get("type") == "enabled":
                budget = wire.optional_int(thinking, "budget_tokens", 1024, wire.MAX_OUTPUT_TOKENS_ASKED)
                if budget is None:
                    raise BadRequest("thinking.budget_tokens is required when thinking is enabled")
                sampling["thinking_budget_tokens"] = budget
        return ProxyRequest(
            messages=messages,
            tools=tools,
            max_tokens=max_tokens,
            requested_model=wire.model_name(body),
            stream=wire.stream_flag(body),
            # The stream's message_start and message_delta events always carry usage.
            include_usage=True,
            sampling=sampling,
            ignored=tuple(sorted(str(k)[:64] for k in body if k not in _READ))[:20],
        )

    def reply(self, completion: Completion, model: str) -> dict[str, Any]:
        """A `message` carrying `completion`."""
        return {
            "id": f"msg_{uuid.uuid4().hex[:24]}",
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": content_blocks(completion),
            "stop_reason": stop_reason(completion),
            "stop_sequence": None,
            "usage": usage(completion),
        }

    def stream(self, completion: Completion, model: str, request: ProxyRequest) -> bytes:
        """The answer as Messages stream events: `message_start`, each block's start, delta and
        stop, `message_delta` with the stop reason and output tokens, `message_stop`."""
        whole = self.reply(completion, model)
        start = {**whole, "content": [], "stop_reason": None}
        start["usage"] = {**whole["usage"], "output_tokens": 0}
        parts = [wire.sse_event({"type": "message_start", "message": start}, "message_start")]
        for index, block in enumerate(whole["content"]):
            parts.extend(_block_events(index, block))
        delta = {
            "type": "message_delta",
            "delta": {"stop_reason": whole["stop_reason"], "stop_sequence": None},
            "usage": {"output_tokens": whole["usage"]["output_tokens"]},
        }
        parts.append(wire.sse_event(delta, "message_delta"))
        parts.append(wire.sse_event({"type": "message_stop"}, "message_stop"))
        return b"".join(parts)

    def error(self, kind: str, message: str) -> dict[str, Any]:
        """Anthropic's error body: `{"type": "error", "error": {"type", "message"}}`."""
        types = {
            wire.BAD_REQUEST: "invalid_request_error",
            wire.UNAUTHORIZED: "authentication_error",
            wire.NOT_FOUND: "not_found_error",
            wire.TOO_LARGE: "request_too_large",
            wire.LIMIT_REACHED: "rate_limit_error",
            wire.CONTEXT_EXCEEDED: "invalid_request_error",
            wire.UNAVAILABLE: "overloaded_error",
            wire.BUSY: "rate_limit_error",
        }
        return {"type": "error", "error": {"type": types.get(kind, "api_error"), "message": message}}


def content_blocks(completion: Completion) -> list[dict[str, Any]]:
    """The reply's blocks: thinking as the model wrote it (Anthropic's only), text, tool uses."""
    message = completion.message
    blocks = [dict(b) for b in message.provider_blocks if b.get("type") in THINKING_BLOCK_TYPES]
    if message.content:
        blocks.append({"type": "text", "text": message.content})
    for call in message.tool_calls:
        blocks.append({"type": "tool_use", "id": call.id, "name": call.name, "input": call.arguments})
    return blocks


def stop_reason(completion: Completion) -> str:
    """The completion's finish reason as the Messages API names it."""
    named = _STOP.get(completion.finish_reason or "")
    if named is not None:
        return named
    return "tool_use" if completion.message.tool_calls else "end_turn"


def usage(completion: Completion) -> dict[str, int]:
    """The call's usage the Messages API's way: uncached input apart from cache writes and reads."""
    used = completion.usage
    return {
        "input_tokens": used.uncached_input_tokens,
        "output_tokens": used.output_tokens,
        "cache_creation_input_tokens": used.cache_creation_input_tokens,
        "cache_read_input_tokens": used.cache_read_input_tokens,
    }


def _block_events(index: int, block: dict[str, Any]) -> list[bytes]:
    kind = block["type"]
    if kind == "text":
        start: dict[str, Any] = {"type": "text", "text": ""}
        deltas = [{"type": "text_delta", "text": block["text"]}]
    elif kind == "tool_use":
        start = {"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}
        deltas = [{"type": "input_json_delta", "partial_json": json.dumps(block["input"])}]
    elif kind == "thinking":
        start = {"type": "thinking", "thinking": ""}
        deltas = [{"type": "thinking_delta", "thinking": str(block.get("thinking", ""))}]
        if block.get("signature"):
            deltas.append({"type": "signature_delta", "signature": str(block["signature"])})
    else:  # redacted_thinking comes whole in its start event
        start, deltas = block, []
    events = [
        wire.sse_event(
            {"type": "content_block_start", "index": index, "content_block": start}, "content_block_start"
        )
    ]
    for delta in deltas:
        events.append(
            wire.sse_event(
                {"type": "content_block_delta", "index": index, "delta": delta}, "content_block_delta"
            )
        )
    events.append(wire.sse_event({"type": "content_block_stop", "index": index}, "content_block_stop"))
    return events


def _system(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return "\n\n".join(
        _text_block(b, f"system[{i}]") for i, b in enumerate(wire.require_list(value, "system", MAX_BLOCKS))
    )


def _text_block(raw: Any, where: str) -> str:
    block = wire.require_dict(raw, where)
    if block.get("type") != "text" or not isinstance(block.get("text"), str):
        raise BadRequest(f"{where} is of type {str(block.get('type'))[:40]!r}: the proxy forwards text only")
    return str(block["text"])


def _blocks(content: Any, where: str) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    return [
        wire.require_dict(b, f"{where}[{k}]")
        for k, b in enumerate(wire.require_list(content, where, MAX_BLOCKS))
    ]


def _turn(raw: dict[str, Any], index: int) -> list[Message]:
    """One turn as Horizon messages: a user turn's tool results first (as `tool` messages), then
    its text; an assistant turn's text, tool uses and thinking blocks as one message."""
    role = raw.get("role")
    where = f"messages[{index}].content"
    blocks = _blocks(raw.get("content"), where)
    if role == "user":
        results: list[Message] = []
        texts: list[str] = []
        for k, block in enumerate(blocks):
            if block.get("type") == "tool_result":
                results.append(_tool_result(block, f"{where}[{k}]"))
            else:
                texts.append(_text_block(block, f"{where}[{k}]"))
        text = "".join(texts)
        return results + ([Message(role="user", content=text)] if text or not results else [])
    if role != "assistant":
        raise BadRequest(f"messages[{index}].role must be 'user' or 'assistant'")
    texts, calls, kept = [], [], []
    for k, block in enumerate(blocks):
        kind = block.get("type")
        if kind in THINKING_BLOCK_TYPES:
            kept.append(block)
        elif kind == "tool_use":
            calls.append(_tool_use(block, f"{where}[{k}]"))
        else:
            texts.append(_text_block(block, f"{where}[{k}]"))
    return [Message(role="assistant", content="".join(texts), tool_calls=calls, provider_blocks=kept)]


def _tool_use(block: dict[str, Any], where: str) -> ToolCall:
    call_id = block.get("id")
    if not isinstance(call_id, str) or not call_id:
        raise BadRequest(f"{where}.id must be a non-empty string")
    arguments, error = parse_arguments(block.get("input") if isinstance(block.get("input"), dict) else {})
    return ToolCall(
        id=call_id,
        name=wire.tool_name(block.get("name"), f"{where}.name"),
        arguments=arguments,
        arguments_error=error,
    )


def _tool_result(block: dict[str, Any], where: str) -> Message:
    call_id = block.get("tool_use_id")
    if not isinstance(call_id, str) or not call_id:
        raise BadRequest(f"{where}.tool_use_id must be a non-empty string")
    content = block.get("content")
    if content is None:
        text = ""
    elif isinstance(content, str):
        text = content
    else:
        parts = wire.require_list(content, f"{where}.content", MAX_BLOCKS)
        text = "".join(_text_block(p, f"{where}.content[{i}]") for i, p in enumerate(parts))
    if block.get("is_error") is True:
        text = f"[error] {text}"
    return Message(role="tool", content=text, tool_call_id=call_id)


def _tool(raw: Any, index: int) -> ToolSpec:
    where = f"tools[{index}]"
    tool = wire.require_dict(raw, where)
    if tool.get("type") not in (None, "custom"):
        raise BadRequest(
            f"{where} is a server tool ({str(tool.get('type'))[:40]!r}); the proxy forwards custom tools only"
        )
    description = tool.get("description") or ""
    if not isinstance(description, str):
        raise BadRequest(f"{where}.description must be a string")
    schema = tool.get("input_schema") or {"type": "object", "properties": {}}
    return ToolSpec(
        name=wire.tool_name(tool.get("name"), f"{where}.name"),
        description=description,
        parameters=wire.require_dict(schema, f"{where}.input_schema"),
    )
