"""A client for OpenAI's Responses API (`POST /v1/responses`), chosen per model (`wire_api`).

Why a second OpenAI client: a reasoning model called through Chat Completions loses its reasoning
after every turn, since that API has no way to hand it back; the Responses API does. Chat
Completions stays the default, for every OpenAI-compatible server (vLLM, llama.cpp) and for
models that do not reason (docs/agents.md, "Providers").

Wire format (https://platform.openai.com/docs/api-reference/responses): the system prompt goes in
`instructions`; the conversation is a list of `input` items: messages (`{role, content}`), the
model's earlier `function_call` items (`call_id`, `name`, `arguments` as a JSON string) and their
`function_call_output` items (`call_id`, `output`), and the model's `reasoning` items. Function
tools are flat (`{type: "function", name, description, parameters}`) and strict by default, so
`strict: false` keeps the schemas as scaffolds write them. The reply limit is
`max_output_tokens`; `seed` does not exist here and is not sent.

Reasoning models (the model's catalogue entry, workers/providers/capabilities.py) get
`reasoning: {effort, summary: "auto"}` (no summary with `CallOptions.reasoning_summary` off: OpenAI
gives summaries only to verified organisations) and never a temperature. Requests go with `store: false`
(OpenAI keeps nothing between calls), so each answer's `reasoning` items are asked for with their
`encrypted_content` (`include`), kept as received in the assistant Message's `provider_blocks`,
and sent back in the next request before that turn's text and function calls: without them the
API answers a function call with 400. Their summaries are the Completion's `thinking`.

Usage is the API's: `input_tokens` (cached ones, `input_tokens_details.cached_tokens`, a part of
it; OpenAI caches by itself and bills no cache writes) and `output_tokens` (hidden reasoning,
`output_tokens_details.reasoning_tokens`, a part of it). An answer cut short by the token limit
(`status: "incomplete"`, reason `max_output_tokens`) has finish reason "length".
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from workers.providers.base import CallOptions, Message, ProviderError, ToolCall, ToolSpec
from workers.providers.config import ModelConfig
from workers.providers.http_client import HttpModelClient, Reply
from workers.providers.openai_compat import (
    DEFAULT_OPENAI_BASE,
    estimate_tokens,
    openai_headers,
    openai_url,
    parse_arguments,
    token_count,
    usage_details,
)

REASONING_ITEM = "reasoning"
ENCRYPTED_REASONING = "reasoning.encrypted_content"
# Incomplete reasons as the chat client's finish reasons.
_FINISH_BY_INCOMPLETE_REASON = {"max_output_tokens": "length", "content_filter": "content_filter"}


def responses_url(base_url: str) -> str:
    """`{base}/v1/responses`, whether or not the base already names its version."""
    return openai_url(base_url, "responses")


class OpenAIResponsesClient(HttpModelClient):
    """ModelClient for OpenAI's Responses API (stateless: `store: false`)."""

    reply_kind = "a Responses API answer"

    def _url(self, cfg: ModelConfig) -> str:
        return responses_url(cfg.base_url or DEFAULT_OPENAI_BASE)

    def _headers(self, key: str | None) -> dict[str, str]:
        return openai_headers(key)

    def _payload(
        self, messages: list[Message], tools: list[ToolSpec], max_tokens: int, options: CallOptions
    ) -> dict[str, Any]:
        caps = self.capabilities
        instructions, items = encode_input(messages)
        payload: dict[str, Any] = {
            "model": self._cfg.name,
            "input": items,
            "max_output_tokens": max_tokens,
            "store": False,
        }
        if instructions:
            payload["instructions"] = instructions
        # As in the chat client, each setting goes only where the model takes it.
        if caps.reasoning:
            reasoning: dict[str, Any] = {"summary": "auto"} if options.reasoning_summary else {}
            if options.reasoning_effort is not None:
                reasoning["effort"] = options.reasoning_effort
            payload["reasoning"] = reasoning
            payload["include"] = [ENCRYPTED_REASONING]
        if options.temperature is not None and caps.temperature:
            payload["temperature"] = options.temperature
        if tools:
            payload["tools"] = [
                {
                    "type": "function",
                    "name": t.name,
                    "description": t.description,
                    "parameters": t.parameters,
                    "strict": False,
                }
                for t in tools
            ]
            payload["tool_choice"] = "auto"
        return payload

    def _decode(self, body: dict[str, Any], payload: dict[str, Any]) -> Reply:
        status = body.get("status")
        if status == "failed":
            # The endpoint's error object is not repeated: a fixed text only.
            raise ProviderError(f"model {self._cfg.name!r}: the endpoint reports the response failed")
        message, thinking = decode_output(body)
        if status == "incomplete":
            details = body.get("incomplete_details")
            reason = str(details.get("reason") or "") if isinstance(details, dict) else ""
            finish: str | None = _FINISH_BY_INCOMPLETE_REASON.get(reason, "incomplete")
        else:
            finish = "tool_calls" if message.tool_calls else "stop"
        raw = body.get("usage") or {}
        input_tokens = token_count(raw.get("input_tokens"))
        output_tokens = token_count(raw.get("output_tokens"))
        if input_tokens is None:
            input_tokens = estimate_tokens(json.dumps(payload["input"]) + payload.get("instructions", ""))
        if output_tokens is None:
            out_text = message.content + "".join(json.dumps(c.arguments) for c in message.tool_calls)
            output_tokens = estimate_tokens(out_text)
        cached = token_count(usage_details(raw, "input_tokens_details").get("cached_tokens")) or 0
        reasoning = token_count(usage_details(raw, "output_tokens_details").get("reasoning_tokens")) or 0
        served = body.get("model")
        return Reply(
            message,
            finish,
            input_tokens,
            output_tokens,
            cache_read_input_tokens=min(cached, input_tokens),
            served_model=served[:200] if isinstance(served, str) and served else None,
            thinking=thinking,
            reasoning_tokens=min(reasoning, output_tokens),
        )


def encode_input(messages: list[Message]) -> tuple[str, list[dict[str, Any]]]:
    """The leading system messages as `instructions`, the rest as `input` items.

    A system message later in the conversation stays where it is (a `system` input message), so
    that the prompt's prefix, which OpenAI caches, does not change under it.
    """
    system: list[str] = []
    items: list[dict[str, Any]] = []
    for msg in messages:
        if msg.role == "system" and not items:
            system.append(msg.content)
        elif msg.role == "tool":
            items.append({"type": "function_call_output", "call_id": msg.tool_call_id, "output": msg.content})
        elif msg.role == "assistant":
            items.extend(_assistant_items(msg))
        else:
            items.append({"role": msg.role, "content": msg.content})
    return "\n\n".join(system), items


def _assistant_items(msg: Message) -> list[dict[str, Any]]:
    # Reasoning first, copied as received: it produced the text and calls that follow it.
    items = [dict(b) for b in msg.provider_blocks if b.get("type") == REASONING_ITEM]
    if msg.content:
        items.append({"role": "assistant", "content": msg.content})
    for call in msg.tool_calls:
        # Malformed arguments go back as an empty object, as in the chat client.
        items.append(
            {
                "type": "function_call",
                "call_id": call.id,
                "name": call.name,
                "arguments": json.dumps(call.arguments),
            }
        )
    return items


def decode_output(body: dict[str, Any]) -> tuple[Message, str]:
    """The assistant Message in a Responses answer (its output text joined, function calls as
    ToolCalls, reasoning items kept as received in `provider_blocks`) and the reasoning summaries."""
    output = body.get("output")
    if not isinstance(output, list):
        raise ProviderError("the answer has no output items (not a Responses API answer)")
    texts: list[str] = []
    calls: list[ToolCall] = []
    kept: list[dict[str, Any]] = []
    summaries: list[str] = []
    for item in output:
        if not isinstance(item, dict):
            continue
        kind = item.get("type")
        if kind == REASONING_ITEM:
            kept.append(item)
            summaries.extend(_texts(item.get("summary"), "summary_text"))
        elif kind == "message":
            texts.extend(_texts(item.get("content"), "output_text"))
            texts.extend(_texts(item.get("content"), "refusal", key="refusal"))
        elif kind == "function_call":
            arguments, error = parse_arguments(item.get("arguments"))
            calls.append(
                ToolCall(
                    id=str(item.get("call_id") or f"call_{uuid.uuid4().hex[:12]}"),
                    name=str(item.get("name") or ""),
                    arguments=arguments,
                    arguments_error=error,
                )
            )
    message = Message(role="assistant", content="".join(texts), tool_calls=calls, provider_blocks=kept)
    return message, "\n\n".join(s for s in summaries if s)


def _texts(parts: Any, kind: str, key: str = "text") -> list[str]:
    if not isinstance(parts, list):
        return []
    return [str(p.get(key) or "") for p in parts if isinstance(p, dict) and p.get("type") == kind]
