"""A client for Anthropic's Messages API (`POST /v1/messages`).

Differences from the OpenAI format that this module bridges: the system prompt is a top-level
`system` field; assistant tool calls are `tool_use` content blocks whose `input` is already an
object; tool results go back as `tool_result` blocks inside a *user* message (several results of
one turn share that message); roles must alternate, so consecutive user-side messages are merged.

Extended thinking (`CallOptions.thinking_budget_tokens`) takes the form the model's catalogue entry
names: budgeted, `thinking: {type: "enabled", budget_tokens: N}` with N < max_tokens (max_tokens is
raised to leave room for the answer) and the interleaved-thinking beta header when tools are
offered; or adaptive, `thinking: {type: "adaptive"}` with `output_config: {effort}` (effort from
the budget). With thinking on no temperature is sent. The answer's `thinking` and
`redacted_thinking` blocks ride on the assistant Message's `provider_blocks` and go back exactly as
received, before its text and `tool_use` blocks, as the API requires in a tool-use loop.

Prompt caching: one `cache_control` breakpoint ends the stable prefix (tools and system) and one
moves with the last block of the conversation, so each call reads the previous call's prefix.
Usage is split the API's way: `input_tokens` (uncached), `cache_creation_input_tokens`,
`cache_read_input_tokens`; all three count as the call's input tokens.
See https://docs.anthropic.com/en/docs/build-with-claude/extended-thinking and
https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching.
"""

from __future__ import annotations

import uuid
from typing import Any

from workers.providers.base import CallOptions, Message, ProviderError, ToolCall, ToolSpec
from workers.providers.config import ModelConfig
from workers.providers.http_client import HttpModelClient, Reply
from workers.providers.openai_compat import parse_arguments

DEFAULT_ANTHROPIC_BASE = "https://api.anthropic.com"
ANTHROPIC_VERSION = "2023-06-01"
INTERLEAVED_THINKING_BETA = "interleaved-thinking-2025-05-14"
THINKING_BLOCK_TYPES = ("thinking", "redacted_thinking")
# Visible answer room kept above a thinking budget when max_tokens has to be raised for it.
_ANSWER_TOKENS_OVER_BUDGET = 1024
# Adaptive thinking takes an effort level rather than a budget: the budget picks the level.
_EFFORT_BY_BUDGET = ((4096, "low"), (16384, "medium"))
_CACHE = {"type": "ephemeral"}


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

    def _payload(
        self, messages: list[Message], tools: list[ToolSpec], max_tokens: int, options: CallOptions
    ) -> dict[str, Any]:
        system, turns = encode_messages(messages)
        payload: dict[str, Any] = {"model": self._cfg.name, "max_tokens": max_tokens, "messages": turns}
        if system:
            payload["system"] = [{"type": "text", "text": system}]
        if tools:
            payload["tools"] = [
                {"name": t.name, "description": t.description, "input_schema": t.parameters} for t in tools
            ]
        if options.thinking_budget_tokens is not None:
            self._add_thinking(payload, options.thinking_budget_tokens)
        elif options.temperature is not None:
            # With thinking on the API refuses any temperature but its default.
            payload["temperature"] = options.temperature
        if options.prompt_caching:
            add_cache_breakpoints(payload)
        return payload

    def _add_thinking(self, payload: dict[str, Any], budget: int) -> None:
        if self.capabilities.thinking == "adaptive":
            payload["thinking"] = {"type": "adaptive"}
            effort = next((name for limit, name in _EFFORT_BY_BUDGET if budget < limit), "high")
            payload["output_config"] = {"effort": effort}
            return
        # Budgeted (also for models the catalogue does not know: the setting names a budget).
        payload["thinking"] = {"type": "enabled", "budget_tokens": budget}
        if payload["max_tokens"] <= budget:
            # The budget is part of max_tokens: keep room for the answer and its tool calls.
            payload["max_tokens"] = budget + _ANSWER_TOKENS_OVER_BUDGET

    def _request_headers(self, payload: dict[str, Any]) -> dict[str, str]:
        thinking = payload.get("thinking") or {}
        if thinking.get("type") == "enabled" and payload.get("tools"):
            # Budgeted models think between tool calls only with this beta (adaptive ones always do).
            return {"anthropic-beta": INTERLEAVED_THINKING_BETA}
        return {}

    def _decode(self, body: dict[str, Any], payload: dict[str, Any]) -> Reply:
        message, thinking = decode_reply(body)
        raw = body.get("usage") or {}
        uncached, written, read = (
            int(raw.get(k) or 0)
            for k in ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")
        )
        output_tokens = int(raw.get("output_tokens") or 0)
        served = body.get("model")
        return Reply(
            message,
            body.get("stop_reason"),
            uncached + written + read,
            output_tokens,
            cache_creation_input_tokens=written,
            cache_read_input_tokens=read,
            served_model=served[:200] if isinstance(served, str) else None,
            thinking=thinking,
        )


def add_cache_breakpoints(payload: dict[str, Any]) -> None:
    """Mark the end of the stable prefix (system, else the last tool) and the conversation's last
    block as cache breakpoints: two of the four the API allows."""
    prefix: list[dict[str, Any]] = payload.get("system") or payload.get("tools") or []
    if prefix:
        prefix[-1]["cache_control"] = dict(_CACHE)
    turns = payload.get("messages") or []
    if turns:
        # Thinking blocks cannot carry cache_control; the last user turn never has any.
        cacheable = [b for b in turns[-1]["content"] if b.get("type") not in THINKING_BLOCK_TYPES]
        if cacheable:
            cacheable[-1]["cache_control"] = dict(_CACHE)


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
    if msg.role == "assistant":
        # Thinking goes back first and untouched (copied: cache_control must not leak into them).
        blocks.extend(dict(b) for b in msg.provider_blocks if b.get("type") in THINKING_BLOCK_TYPES)
    if msg.content:
        blocks.append({"type": "text", "text": msg.content})
    if msg.role == "assistant":
        for call in msg.tool_calls:
            blocks.append({"type": "tool_use", "id": call.id, "name": call.name, "input": call.arguments})
    return blocks


def decode_reply(body: dict[str, Any]) -> tuple[Message, str]:
    """The assistant Message in a Messages API answer (text blocks joined, tool_use as ToolCalls,
    thinking blocks kept as they came in `provider_blocks`) and the thinking text shown."""
    content = body.get("content")
    if not isinstance(content, list):
        raise ProviderError("the answer has no content blocks (not a Messages reply)")
    texts: list[str] = []
    calls: list[ToolCall] = []
    kept: list[dict[str, Any]] = []
    thoughts: list[str] = []
    for block in content:
        if not isinstance(block, dict):
            continue
        if block.get("type") == "thinking":
            kept.append(block)
            thoughts.append(str(block.get("thinking", "")))
        elif block.get("type") == "redacted_thinking":
            kept.append(block)
            thoughts.append("[redacted thinking]")
        elif block.get("type") == "text":
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
    message = Message(role="assistant", content="".join(texts), tool_calls=calls, provider_blocks=kept)
    return message, "\n\n".join(thoughts)
