"""OpenAI Chat Completions as the proxy speaks it: `POST /v1/chat/completions`.

Requests: `messages` (system, developer, user, assistant with `tool_calls`, tool), function
`tools`, `max_tokens` or `max_completion_tokens`, `temperature`, `seed`, `reasoning_effort`,
`stream` with `stream_options.include_usage`. Only text content is taken (images and audio are
refused), one choice (`n` other than 1 is refused); the legacy `functions` field is refused. Other
fields (`tool_choice`, `stop`, `response_format`, ...) are not forwarded and are named in the
call's transcript event. Replies are a `chat.completion` or, with `stream: true`, its
`chat.completion.chunk` events ending in `data: [DONE]`
(https://platform.openai.com/docs/api-reference/chat).
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

from workers.model_proxy import wire
from workers.model_proxy.wire import BadRequest, ProxyRequest
from workers.providers.base import Completion, Message, ToolCall, ToolSpec
from workers.providers.openai_compat import parse_arguments

ROLES = ("system", "developer", "user", "assistant", "tool")
MAX_TOOL_CALLS = 128
# Fields this module reads; every other one is reported as not forwarded.
_READ = frozenset(
    {
        "model",
        "messages",
        "tools",
        "max_tokens",
        "max_completion_tokens",
        "temperature",
        "seed",
        "reasoning_effort",
        "stream",
        "stream_options",
        "n",
    }
)
# Finish reasons of other formats, as Chat Completions names them.
_FINISH = {
    "stop": "stop",
    "end_turn": "stop",
    "stop_sequence": "stop",
    "completed": "stop",
    "length": "length",
    "max_tokens": "length",
    "max_output_tokens": "length",
    "incomplete": "length",
    "tool_calls": "tool_calls",
    "tool_use": "tool_calls",
    "content_filter": "content_filter",
    "refusal": "content_filter",
}


class OpenAIChatWire:
    """The Chat Completions format (implements `wire.Wire`)."""

    name = "openai_chat"

    def parse(self, body: dict[str, Any]) -> ProxyRequest:
        """The request in `body` (see the module docstring), or BadRequest."""
        if "functions" in body:
            raise BadRequest("the legacy `functions` field is not supported; send `tools`")
        n = wire.optional_int(body, "n", 1, 1_000)
        if n not in (None, 1):
            raise BadRequest("n must be 1: the proxy answers with one choice")
        raw_messages = wire.require_list(body.get("messages"), "messages", wire.MAX_MESSAGES)
        if not raw_messages:
            raise BadRequest("messages must not be empty")
        messages = [_message(wire.require_dict(m, f"messages[{i}]"), i) for i, m in enumerate(raw_messages)]
        tools = [
            _tool(t, i)
            for i, t in enumerate(wire.require_list(body.get("tools") or [], "tools", wire.MAX_TOOLS))
        ]
        max_tokens = wire.optional_int(body, "max_completion_tokens", 1, wire.MAX_OUTPUT_TOKENS_ASKED)
        if max_tokens is None:
            max_tokens = wire.optional_int(body, "max_tokens", 1, wire.MAX_OUTPUT_TOKENS_ASKED)
        sampling: dict[str, Any] = {}
        temperature = wire.optional_number(body, "temperature", 0.0, 2.0)
        if temperature is not None:
            sampling["temperature"] = temperature
        seed = wire.optional_int(body, "seed", -(2**63), 2**63 - 1)
        if seed is not None:
            sampling["seed"] = seed
        effort = body.get("reasoning_effort")
        if effort is not None:
            if not isinstance(effort, str) or not 0 < len(effort) <= 32:
                raise BadRequest("reasoning_effort must be a short string")
            sampling["reasoning_effort"] = effort
        stream_options = body.get("stream_options") or {}
        include_usage = bool(wire.require_dict(stream_options, "stream_options").get("include_usage"))
        return ProxyRequest(
            messages=messages,
            tools=tools,
            max_tokens=max_tokens,
            requested_model=wire.model_name(body),
            stream=wire.stream_flag(body),
            include_usage=include_usage,
            sampling=sampling,
            ignored=tuple(sorted(str(k)[:64] for k in body if k not in _READ))[:20],
        )

    def reply(self, completion: Completion, model: str) -> dict[str, Any]:
        """A `chat.completion` carrying `completion`."""
        message: dict[str, Any] = {"role": "assistant", "content": completion.message.content}
        calls = _tool_calls(completion.message.tool_calls)
        if calls:
            message["tool_calls"] = calls
            message["content"] = completion.message.content or None
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [
                {"index": 0, "message": message, "finish_reason": finish_reason(completion), "logprobs": None}
            ],
            "usage": usage(completion),
        }

    def stream(self, completion: Completion, model: str, request: ProxyRequest) -> bytes:
        """The answer as `chat.completion.chunk` events: the text, the tool calls, the finish
        reason, the usage when `stream_options.include_usage` asked for it, then `[DONE]`."""
        head: dict[str, Any] = {"id": f"chatcmpl-{uuid.uuid4().hex}", "object": "chat.completion.chunk"}
        head |= {"created": int(time.time()), "model": model}

        def chunk(delta: dict[str, Any], finish: str | None = None) -> bytes:
            choice = {"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}
            return wire.sse_event({**head, "choices": [choice]})

        parts = [chunk({"role": "assistant", "content": completion.message.content})]
        for index, call in enumerate(_tool_calls(completion.message.tool_calls)):
            parts.append(chunk({"tool_calls": [{"index": index, **call}]}))
        parts.append(chunk({}, finish_reason(completion)))
        if request.include_usage:
            parts.append(wire.sse_event({**head, "choices": [], "usage": usage(completion)}))
        parts.append(wire.sse_event("[DONE]"))
        return b"".join(parts)

    def error(self, kind: str, message: str) -> dict[str, Any]:
        """OpenAI's error body: `{"error": {"message", "type", "param", "code"}}`."""
        kinds = {
            wire.BAD_REQUEST: ("invalid_request_error", None),
            wire.UNAUTHORIZED: ("invalid_request_error", "invalid_api_key"),
            wire.NOT_FOUND: ("invalid_request_error", "not_found"),
            wire.TOO_LARGE: ("invalid_request_error", "request_too_large"),
            # The real API's answer once the account's quota is spent.
            wire.LIMIT_REACHED: ("insufficient_quota", "insufficient_quota"),
            wire.CONTEXT_EXCEEDED: ("invalid_request_error", "context_length_exceeded"),
            wire.UNAVAILABLE: ("server_error", "service_unavailable"),
            wire.BUSY: ("rate_limit_error", "rate_limit_exceeded"),
        }
        error_type, code = kinds.get(kind, ("invalid_request_error", None))
        return {"error": {"message": message, "type": error_type, "param": None, "code": code}}


def finish_reason(completion: Completion) -> str:
    """The completion's finish reason as Chat Completions names it."""
    named = _FINISH.get(completion.finish_reason or "")
    if named is not None:
        return named
    return "tool_calls" if completion.message.tool_calls else "stop"


def usage(completion: Completion) -> dict[str, Any]:
    """The call's usage the way Chat Completions reports it (cached and reasoning parts inside)."""
    used = completion.usage
    return {
        "prompt_tokens": used.input_tokens,
        "completion_tokens": used.output_tokens,
        "total_tokens": used.input_tokens + used.output_tokens,
        "prompt_tokens_details": {"cached_tokens": used.cache_read_input_tokens},
        "completion_tokens_details": {"reasoning_tokens": used.reasoning_tokens},
    }


def _tool_calls(calls: list[ToolCall]) -> list[dict[str, Any]]:
    # A call whose arguments were malformed goes back as `{}`, as the built-in client resends it.
    return [
        {
            "id": call.id,
            "type": "function",
            "function": {"name": call.name, "arguments": json.dumps(call.arguments)},
        }
        for call in calls
    ]


def _message(raw: dict[str, Any], index: int) -> Message:
    role = raw.get("role")
    if role not in ROLES:
        raise BadRequest(f"messages[{index}].role must be one of {', '.join(ROLES)}")
    content = _text(raw.get("content"), f"messages[{index}].content")
    if role == "tool":
        call_id = raw.get("tool_call_id")
        if not isinstance(call_id, str) or not call_id:
            raise BadRequest(f"messages[{index}].tool_call_id must be a non-empty string")
        return Message(role="tool", content=content, tool_call_id=call_id)
    calls: list[ToolCall] = []
    if role == "assistant" and raw.get("tool_calls"):
        where = f"messages[{index}].tool_calls"
        for k, call in enumerate(wire.require_list(raw["tool_calls"], where, MAX_TOOL_CALLS)):
            calls.append(_tool_call(wire.require_dict(call, f"{where}[{k}]"), f"{where}[{k}]"))
    return Message(role="system" if role == "developer" else str(role), content=content, tool_calls=calls)


def _text(content: Any, where: str) -> str:
    """A message's text: a string, or the joined `text` parts of a list (other parts refused)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    parts = wire.require_list(content, where, wire.MAX_MESSAGES)
    texts = []
    for k, part in enumerate(parts):
        part = wire.require_dict(part, f"{where}[{k}]")
        if part.get("type") != "text" or not isinstance(part.get("text"), str):
            raise BadRequest(
                f"{where}[{k}] is of type {str(part.get('type'))[:40]!r}: the proxy forwards text only"
            )
        texts.append(part["text"])
    return "".join(texts)


def _tool_call(raw: dict[str, Any], where: str) -> ToolCall:
    function = wire.require_dict(raw.get("function"), f"{where}.function")
    call_id = raw.get("id")
    if not isinstance(call_id, str) or not call_id:
        raise BadRequest(f"{where}.id must be a non-empty string")
    arguments, error = parse_arguments(function.get("arguments"))
    return ToolCall(
        id=call_id,
        name=wire.tool_name(function.get("name"), f"{where}.function.name"),
        arguments=arguments,
        arguments_error=error,
    )


def _tool(raw: Any, index: int) -> ToolSpec:
    where = f"tools[{index}]"
    tool = wire.require_dict(raw, where)
    if tool.get("type", "function") != "function":
        raise BadRequest(f"{where}.type must be 'function'")
    function = wire.require_dict(tool.get("function"), f"{where}.function")
    description = function.get("description") or ""
    if not isinstance(description, str):
        raise BadRequest(f"{where}.function.description must be a string")
    parameters = function.get("parameters") or {"type": "object", "properties": {}}
    return ToolSpec(
        name=wire.tool_name(function.get("name"), f"{where}.function.name"),
        description=description,
        parameters=wire.require_dict(parameters, f"{where}.function.parameters"),
    )
