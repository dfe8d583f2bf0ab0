"""A client for Anthropic's Messages API (`POST /v1/messages`).

Differences from the OpenAI format that this module bridges: the system prompt is a top-level
`system` field; assistant tool calls are `tool_use` content blocks whose `input` is already an
object; tool results go back as `tool_result` blocks inside a *user* message (several results of
one turn share that message); roles must alternate, so consecutive user-side messages are merged.
Usage counts cache reads and writes as input tokens.
"""

from __future__ import annotations

import uuid
from typing import Any

from workers.providers.base import Message, ProviderError, ToolCall, ToolSpec
from workers.providers.config import ModelConfig
from workers.providers.http_client import HttpModelClient, Reply
from workers.providers.openai_compat import parse_arguments

DEFAULT_ANTHROPIC_BASE = "https://api.anthropic.com"
ANTHROPIC_VERSION = "2023-06-01"


def messages_url(base_url: str) -> str:
    """`{base}/v1/messages`, whether or not the base already ends in `/v1`."""
    base = base_url.rstrip("/")
    if base.endswith("/v1"):
        base = base[: -len("/v1")]
    return base + "/v1/messages"


class AnthropicClient(HttpModelClient):
    """ModelClient for the Anthropic Messages API."""

    reply_kind = "a Messages reply"

    def _url(self, cfg: ModelConfig) -> str:
        return messages_url(cfg.base_url or DEFAULT_ANTHROPIC_BASE)

    def _headers(self, key: str | None) -> dict[str, str]:
        headers = {"content-type": "application/json", "anthropic-version": ANTHROPIC_VERSION}
        if key:
            headers["x-api-key"] = key
        return headers

    def _payload(self, messages: list[Message], tools: list[ToolSpec], max_tokens: int) -> dict[str, Any]:
        system, turns = encode_messages(messages)
        payload: dict[str, Any] = {"model": self._cfg.name, "max_tokens": max_tokens, "messages": turns}
        if system:
            payload["system"] = system
        if tools:
            payload["tools"] = [
                {"name": t.name, "description": t.description, "input_schema": t.parameters} for t in tools
            ]
        return payload

    def _decode(self, body: dict[str, Any], payload: dict[str, Any]) -> Reply:
        message = decode_reply(body)
        raw = body.get("usage") or {}
        input_tokens = sum(
            int(raw.get(k) or 0)
            for k in ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")
        )
        output_tokens = int(raw.get("output_tokens") or 0)
        return Reply(message, body.get("stop_reason"), input_tokens, output_tokens)


def encode_messages(messages: list[Message]) -> tuple[str, list[dict[str, Any]]]:
    """Split out the system prompt and turn the rest into alternating Anthropic turns."""
    system_parts: list[str] = []
    turns: list[dict[str, Any]] = []
    for msg in messages:
        if msg.role == "system":
            system_parts.append(msg.content)
            continue
        role = "assistant" if msg.role == "assistant" else "user"
        blocks = _blocks(msg)
        if not blocks:
            continue
        if turns and turns[-1]["role"] == role:
            turns[-1]["content"].extend(blocks)
        else:
            turns.append({"role": role, "content": blocks})
    return "\n\n".join(system_parts), turns


def _blocks(msg: Message) -> list[dict[str, Any]]:
    if msg.role == "tool":
        return [{"type": "tool_result", "tool_use_id": msg.tool_call_id, "content": msg.content}]
    blocks: list[dict[str, Any]] = []
    if msg.content:
        blocks.append({"type": "text", "text": msg.content})
    if msg.role == "assistant":
        for call in msg.tool_calls:
            blocks.append({"type": "tool_use", "id": call.id, "name": call.name, "input": call.arguments})
    return blocks


def decode_reply(body: dict[str, Any]) -> Message:
    """The assistant Message in a Messages API answer (text blocks joined, tool_use as ToolCalls)."""
    content = body.get("content")
    if not isinstance(content, list):
        raise ProviderError("the answer has no content blocks (not a Messages reply)")
    texts: list[str] = []
    calls: list[ToolCall] = []
    for block in content:
        if not isinstance(block, dict):
            continue
        if block.get("type") == "text":
            texts.append(str(block.get("text", "")))
        elif block.get("type") == "tool_use":
            arguments, error = parse_arguments(block.get("input"))
            calls.append(
                ToolCall(
                    id=str(block.get("id") or f"toolu_{uuid.uuid4().hex[:12]}"),
                    name=str(block.get("name") or ""),
                    arguments=arguments,
                    arguments_error=error,
                )
            )
    return Message(role="assistant", content="".join(texts), tool_calls=calls)
