"""The Anthropic Messages API client against the scripted server's `/v1/messages` handler."""

from __future__ import annotations

from typing import Any

import pytest

from tests.fakes.scripted_openai import ScriptedModelServer
from workers.providers.anthropic import ANTHROPIC_VERSION, AnthropicClient, encode_messages
from workers.providers.base import Message, ProviderError, ProviderOutage, ToolCall, ToolSpec
from workers.providers.config import ModelConfig
from workers.providers.factory import make_client
from workers.providers.transport import RetryPolicy

KEY_ENV = "HORIZON_TEST_ANTHROPIC_KEY"
SECRET = "sk-ant-test-0123456789abcdef"
BASH = ToolSpec(
    name="bash",
    description="run a command",
    parameters={"type": "object", "properties": {"command": {"type": "string"}}, "required": ["command"]},
)


def anthropic_client(server: ScriptedModelServer, **cfg_kwargs: object) -> AnthropicClient:
    cfg = ModelConfig(name="claude-test", provider="anthropic", base_url=server.root_url, **cfg_kwargs)  # type: ignore[arg-type]
    client = make_client(cfg, retry=RetryPolicy(max_attempts=3, base_delay_s=0.01, max_delay_s=0.02))
    assert isinstance(client, AnthropicClient)
    return client


def conversation() -> list[Message]:
    return [
        Message(role="system", content="Be brief."),
        Message(role="user", content="What is here?"),
        Message(
            role="assistant",
            content="Let me look.",
            tool_calls=[
                ToolCall(id="t1", name="bash", arguments={"command": "ls"}),
                ToolCall(id="t2", name="bash", arguments={"command": "pwd"}),
            ],
        ),
        Message(role="tool", content="a.txt", tool_call_id="t1"),
        Message(role="tool", content="/work", tool_call_id="t2"),
        Message(role="user", content="Continue."),
    ]


def test_tool_use_usage_cost_and_wire_format(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, SECRET)
    step = {
        "content": "Running it.",
        "tool_calls": [{"id": "toolu_9", "name": "bash", "arguments": {"command": "cat a.txt"}}],
        "usage": {"prompt_tokens": 2000, "completion_tokens": 100},
    }
    with ScriptedModelServer([step], api_key=SECRET) as server:
        client = anthropic_client(
            server, api_key_env=KEY_ENV, input_price_per_mtok=3.0, output_price_per_mtok=15.0
        )
        completion = client.complete(conversation(), [BASH], max_tokens=500)

    assert completion.message.content == "Running it."
    assert completion.message.tool_calls == [
        ToolCall(id="toolu_9", name="bash", arguments={"command": "cat a.txt"})
    ]
    assert completion.finish_reason == "tool_use"
    assert (completion.usage.input_tokens, completion.usage.output_tokens) == (2000, 100)
    assert completion.usage.cost_usd == pytest.approx((2000 * 3.0 + 100 * 15.0) / 1e6)

    request = server.completion_requests[0]
    assert request["path"] == "/v1/messages"
    assert request["headers"]["x-api-key"] == SECRET
    assert request["headers"]["anthropic-version"] == ANTHROPIC_VERSION
    body = request["body"]
    assert body["system"] == "Be brief."
    assert body["max_tokens"] == 500
    assert body["tools"] == [
        {"name": "bash", "description": "run a command", "input_schema": BASH.parameters}
    ]
    roles = [t["role"] for t in body["messages"]]
    assert roles == ["user", "assistant", "user"]  # alternating, system left out
    assistant_blocks = body["messages"][1]["content"]
    assert [b["type"] for b in assistant_blocks] == ["text", "tool_use", "tool_use"]
    results = body["messages"][2]["content"]
    # Both tool results and the following user text share one user turn.
    assert [b["type"] for b in results] == ["tool_result", "tool_result", "text"]
    assert results[0] == {"type": "tool_result", "tool_use_id": "t1", "content": "a.txt"}


def test_encode_messages_joins_system_prompts_and_skips_empty_turns() -> None:
    system, turns = encode_messages(
        [
            Message(role="system", content="one"),
            Message(role="system", content="two"),
            Message(role="user", content="hi"),
            Message(role="assistant", content=""),
        ]
    )
    assert system == "one\n\ntwo"
    assert turns == [{"role": "user", "content": [{"type": "text", "text": "hi"}]}]


def test_overloaded_is_retried_then_outage() -> None:
    script: list[dict[str, Any]] = [{"status": 529, "error": "Overloaded"}, {"content": "fine"}]
    with ScriptedModelServer(script) as server:
        client = anthropic_client(server)
        assert client.complete(conversation(), [BASH], max_tokens=10).message.content == "fine"
    with ScriptedModelServer([{"status": 529, "error": "Overloaded", "repeat": 5}]) as server:
        client = anthropic_client(server)
        with pytest.raises(ProviderOutage, match="HTTP 529 from the model endpoint"):
            client.complete(conversation(), [BASH], max_tokens=10)
        assert len(server.completion_requests) == 3


def test_bad_request_and_key_scrubbing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, SECRET)
    with ScriptedModelServer([{"status": 400, "error": f"bad key {SECRET}: messages.0 invalid"}]) as server:
        client = anthropic_client(server, api_key_env=KEY_ENV)
        with pytest.raises(ProviderError, match="HTTP 400 from the model endpoint") as info:
            client.complete(conversation(), [BASH], max_tokens=10)
    assert SECRET not in str(info.value)
    assert not isinstance(info.value, ProviderOutage)


def test_tool_input_that_is_not_an_object_sets_arguments_error() -> None:
    step = {"tool_calls": [{"id": "x", "name": "bash", "arguments_raw": "{not json"}]}
    with ScriptedModelServer([step]) as server:
        client = anthropic_client(server)
        (call,) = client.complete(conversation(), [BASH], max_tokens=10).message.tool_calls
    assert call.arguments == {}
    assert call.arguments_error is not None
