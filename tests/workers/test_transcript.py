"""The `model` event every recorder of a reply writes (workers.transcript.model_event)."""

from __future__ import annotations

from workers.providers.base import Completion, Message, ToolCall, Usage
from workers.transcript import Transcript, call_record, model_event


def _reply() -> Completion:
    calls = [
        ToolCall("c1", "bash", {"command": "ls"}),
        ToolCall("c2", "bash", {}, arguments_error="Expecting value: line 1 column 1"),
    ]
    usage = Usage(
        input_tokens=1000,
        output_tokens=120,
        cost_usd=0.0051,
        cache_creation_input_tokens=200,
        cache_read_input_tokens=300,
        reasoning_tokens=40,
    )
    return Completion(
        message=Message("assistant", "looking", tool_calls=calls),
        usage=usage,
        duration_s=1.23456,
        finish_reason="tool_calls",
        served_model="m-2025-01-01",
        thinking="list the files first",
    )


def test_a_model_event_records_the_reply_its_usage_and_its_calls() -> None:
    completion = _reply()
    assert model_event(completion, "m") == {
        "role": "assistant",
        "content": "looking",
        "tool_calls": [
            {"id": "c1", "name": "bash", "arguments": {"command": "ls"}, "arguments_error": None},
            {
                "id": "c2",
                "name": "bash",
                "arguments": {},
                "arguments_error": "Expecting value: line 1 column 1",
            },
        ],
        "input_tokens": 1000,
        "output_tokens": 120,
        "cost_usd": 0.0051,
        "duration_s": 1.235,
        "finish_reason": "tool_calls",
        "model": "m",
        "served_model": "m-2025-01-01",
        "thinking": "list the files first",
        "uncached_input_tokens": 500,  # 1000 read, less 200 written to and 300 read from the cache
        "cache_read_input_tokens": 300,
        "cache_creation_input_tokens": 200,
        "reasoning_tokens": 40,
    }
    calls = completion.message.tool_calls
    assert model_event(completion, "m")["tool_calls"] == [call_record(c) for c in calls]


def test_a_recorded_model_event_keeps_every_field_and_scrubs_secrets() -> None:
    secret = "sk-live-0123456789"
    completion = _reply()
    leaky = Completion(
        message=Message("assistant", f"the key is {secret}"), usage=completion.usage, duration_s=0.5
    )
    transcript = Transcript(secrets=[secret])
    transcript.add("model", **model_event(leaky, "m"), call=3)
    (event,) = transcript.events
    assert event["kind"] == "model" and event["call"] == 3
    assert set(model_event(leaky, "m")) <= set(event)
    assert event["content"] == "the key is [redacted]" and event["tool_calls"] == []
