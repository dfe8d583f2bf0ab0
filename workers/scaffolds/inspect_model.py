"""Horizon's provider layer as an Inspect model: `horizon/<model>` (docs/agents.md, "Inspect agents").

An Inspect agent's `generate()` lands in `HorizonModelAPI.generate`, which translates Inspect's
chat messages and tool definitions into Horizon's provider-neutral ones, makes the call through the
attempt's metered client (`InspectAttempt.complete`: the same client, meter, limits and retries
as the built-in scaffolds) and translates the answer back. The transcript gets what a built-in
scaffold writes: `message` for the system prompt, the task and any other message the agent adds,
`model` for each reply (tokens, dollars, timings, served model), `tool_call` for each call it asks
for and `tool_output` for each result the agent sends back.

What does not translate: non-text content (images, audio) is replaced by a note, `tool_choice` is
not sent (Horizon's clients let the model choose), and of Inspect's generation settings only
`max_tokens`, `temperature`, `seed` and `reasoning_effort` apply (over the agent's own settings).
Thinking blocks the provider signs (Anthropic's) travel with their assistant message in its
metadata, so the model gets them back as the built-in scaffolds send them.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import anyio
from inspect_ai.model import (
    ChatCompletionChoice,
    ChatMessage,
    ChatMessageAssistant,
    ChatMessageSystem,
    ChatMessageTool,
    Content,
    ContentReasoning,
    ContentText,
    GenerateConfig,
    ModelAPI,
    ModelOutput,
    ModelUsage,
    StopReason,
    modelapi,
)
from inspect_ai.tool import ToolCall as InspectToolCall
from inspect_ai.tool import ToolChoice, ToolInfo

from workers.providers.base import CallOptions, Completion, Message, ToolCall, ToolSpec
from workers.scaffolds.inspect_attempt import InspectAttempt, current_attempt
from workers.transcript import call_record, model_event

# Inspect's model provider name: agents reach the attempt's model as `horizon/<its name>`.
PROVIDER = "horizon"
# Where an assistant message keeps its provider's opaque blocks (signed thinking).
BLOCKS_KEY = "horizon_provider_blocks"
# Inspect limits concurrent calls per provider with one semaphore per process; Horizon's own
# clients and rate limits do that job, so it is set out of reach.
MAX_CONNECTIONS = 10_000
_FINISH_REASONS: dict[str, StopReason] = {
    "stop": "stop",
    "end_turn": "stop",
    "stop_sequence": "stop",
    "length": "max_tokens",
    "max_tokens": "max_tokens",
    "tool_calls": "tool_calls",
    "tool_use": "tool_calls",
    "content_filter": "content_filter",
    "refusal": "content_filter",
}


@modelapi(name=PROVIDER)
class HorizonModelAPI(ModelAPI):
    """Inspect's model interface in front of the current attempt's model client."""

    def __init__(
        self,
        model_name: str,
        base_url: str | None = None,
        api_key: str | None = None,
        config: GenerateConfig = GenerateConfig(),
        **model_args: Any,
    ) -> None:
        # No endpoint and no key here: the attempt's client has both.
        super().__init__(model_name=model_name, config=config)

    async def generate(
        self,
        input: list[ChatMessage],
        tools: list[ToolInfo],
        tool_choice: ToolChoice,
        config: GenerateConfig,
    ) -> ModelOutput:
        """One call of the attempt's model (see the module docstring)."""
        attempt = current_attempt()
        if attempt is None:
            raise RuntimeError("horizon/ models answer only inside a Horizon attempt of an inspect agent")
        if self.model_name != attempt.model.model_name:
            raise RuntimeError(
                f"this attempt's model is horizon/{attempt.model.model_name}, not horizon/{self.model_name}"
            )
        record_new_messages(attempt, input)
        messages = [horizon_message(m) for m in input]
        specs = [ToolSpec(t.name, t.description, t.parameters.model_dump(exclude_none=True)) for t in tools]
        completion = await anyio.to_thread.run_sync(
            attempt.complete, messages, specs, config.max_tokens, call_options(attempt.options, config)
        )
        if completion is None:
            # Too long for the context window: Inspect's way of saying so lets the agent trim.
            return ModelOutput.from_content(self.model_name, "", stop_reason="model_length")
        output = model_output(completion, self.model_name)
        record_reply(attempt, completion, output)
        # As for the built-in scaffolds, `submit` is not an action: the limit never stops an answer.
        attempt.count_actions(sum(1 for c in completion.message.tool_calls if c.name != "submit"))
        return output

    def max_connections(self) -> int:
        """Out of reach: Horizon's clients bound their own concurrency."""
        return MAX_CONNECTIONS

    def connection_key(self) -> str:
        """One key for every attempt: nothing is shared but the (unreached) bound."""
        return PROVIDER


def call_options(base: CallOptions, config: GenerateConfig) -> CallOptions:
    """The agent's settings, with the generation settings the Inspect agent gave over them."""
    changes: dict[str, Any] = {}
    if config.temperature is not None:
        changes["temperature"] = float(config.temperature)
    if config.seed is not None:
        changes["seed"] = int(config.seed)
    if config.reasoning_effort is not None:
        changes["reasoning_effort"] = str(config.reasoning_effort)
    return replace(base, **changes)


def message_text(message: ChatMessage) -> str:
    """A message's text, with a note in place of each part that is not text."""
    if isinstance(message.content, str):
        return message.content
    parts = []
    for part in message.content:
        if isinstance(part, ContentText):
            parts.append(part.text)
        elif not isinstance(part, ContentReasoning):
            parts.append(f"[{part.type} content omitted: Horizon sends text only]")
    return "\n".join(parts)


def horizon_message(message: ChatMessage) -> Message:
    """An Inspect chat message as Horizon's provider-neutral message."""
    text = message_text(message)
    if isinstance(message, ChatMessageAssistant):
        blocks = (message.metadata or {}).get(BLOCKS_KEY)
        return Message(
            role="assistant",
            content=text,
            tool_calls=[
                ToolCall(id=c.id, name=c.function, arguments=dict(c.arguments), arguments_error=c.parse_error)
                for c in message.tool_calls or []
            ],
            provider_blocks=list(blocks) if isinstance(blocks, list) else [],
        )
    if isinstance(message, ChatMessageTool):
        if message.error is not None:
            text = f"Error: {message.error.message}" + (f"\n{text}" if text else "")
        return Message(role="tool", content=text, tool_call_id=message.tool_call_id)
    return Message(role="system" if isinstance(message, ChatMessageSystem) else "user", content=text)


def model_output(completion: Completion, model_name: str) -> ModelOutput:
    """Horizon's completion as Inspect's model output."""
    reply = completion.message
    calls = [
        InspectToolCall(id=c.id, function=c.name, arguments=c.arguments, parse_error=c.arguments_error)
        for c in reply.tool_calls
    ]
    content: str | list[Content] = reply.content
    if completion.thinking:
        content = [ContentReasoning(reasoning=completion.thinking), ContentText(text=reply.content)]
    message = ChatMessageAssistant(
        content=content,
        tool_calls=calls or None,
        model=model_name,
        source="generate",
        metadata={BLOCKS_KEY: reply.provider_blocks} if reply.provider_blocks else None,
    )
    usage = completion.usage
    stop_reason = _FINISH_REASONS.get(completion.finish_reason or "", "unknown")
    if calls:
        stop_reason = "tool_calls"
    return ModelOutput(
        model=completion.served_model or model_name,
        choices=[ChatCompletionChoice(message=message, stop_reason=stop_reason)],
        usage=ModelUsage(
            input_tokens=usage.input_tokens,
            output_tokens=usage.output_tokens,
            total_tokens=usage.input_tokens + usage.output_tokens,
            input_tokens_cache_read=usage.cache_read_input_tokens or None,
            input_tokens_cache_write=usage.cache_creation_input_tokens or None,
            reasoning_tokens=usage.reasoning_tokens or None,
            total_cost=usage.cost_usd,
        ),
        time=completion.duration_s,
    )


def record_new_messages(attempt: InspectAttempt, messages: list[ChatMessage]) -> None:
    """Add the messages the transcript does not have yet: the prompt and task, the results of tool
    calls, and anything else the agent added to its conversation."""
    transcript = attempt.ctx.transcript
    for message in messages:
        if message.id is None or message.id in attempt.recorded:
            continue
        attempt.recorded.add(message.id)
        if isinstance(message, ChatMessageTool):
            transcript.add(
                "tool_output",
                id=message.tool_call_id,
                name=message.function,
                output=message_text(message),
                error=message.error.message if message.error is not None else None,
            )
        elif isinstance(message, ChatMessageAssistant):
            calls = [call_record(c) for c in horizon_message(message).tool_calls]
            transcript.add("message", role="assistant", content=message_text(message), tool_calls=calls)
        else:
            transcript.add("message", role=message.role, content=message_text(message))


def record_reply(attempt: InspectAttempt, completion: Completion, output: ModelOutput) -> None:
    """The `model` event of one reply and a `tool_call` event for each call it asks for."""
    if output.message.id is not None:
        attempt.recorded.add(output.message.id)
    event = model_event(completion, attempt.model.model_name)
    attempt.ctx.transcript.add("model", **event)
    for call in event["tool_calls"]:
        attempt.ctx.transcript.add("tool_call", **call)
