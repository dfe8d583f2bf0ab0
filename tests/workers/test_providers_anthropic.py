"""The Anthropic Messages API client against the scripted server's `/v1/messages` handler."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from core.states import StopReason
from tests.fakes.local_sandbox import LocalSandbox
from tests.fakes.scripted_anthropic import MAX_CACHE_BREAKPOINTS, ScriptedAnthropicServer, prompt_blocks
from tests.fakes.scripted_openai import ScriptedModelServer
from workers.providers.anthropic import (
    ANTHROPIC_VERSION,
    INTERLEAVED_THINKING_BETA,
    AnthropicClient,
    encode_messages,
)
from workers.providers.base import (
    CallOptions,
    Message,
    ProviderError,
    ProviderOutage,
    ToolCall,
    ToolSpec,
)
from workers.providers.config import DEFAULT_MAX_OUTPUT_TOKENS, ModelConfig
from workers.providers.factory import make_client
from workers.providers.transport import RetryPolicy
from workers.scaffolds.base import AgentLimits, ScaffoldContext, ScaffoldResult
from workers.scaffolds.react import ReactScaffold
from workers.transcript import Transcript

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
    assert body["system"] == [{"type": "text", "text": "Be brief.", "cache_control": {"type": "ephemeral"}}]
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


# -- against the strict stand-in (tests/fakes/scripted_anthropic.py) -------------------------------


def strict_client(server: ScriptedAnthropicServer, name: str = "claude-sonnet-4-5") -> AnthropicClient:
    cfg = ModelConfig(name=name, provider="anthropic", base_url=server.root_url, context_window=200_000)
    client = make_client(cfg, retry=RetryPolicy(max_attempts=3, base_delay_s=0.01, max_delay_s=0.02))
    assert isinstance(client, AnthropicClient)
    return client


def react_run(
    server: ScriptedAnthropicServer, tmp_path: Path, settings: dict[str, Any], name: str = "claude-sonnet-4-5"
) -> tuple[ScaffoldResult, Transcript]:
    transcript = Transcript()
    box = LocalSandbox(tmp_path / "work")
    try:
        ctx = ScaffoldContext(
            instructions="Create out.txt containing hello, then submit the word it contains.",
            sandbox=box,
            model=strict_client(server, name),
            limits=AgentLimits(),
            transcript=transcript,
            solution=None,
            heartbeat=lambda: None,
        )
        return ReactScaffold(settings).run(ctx), transcript
    finally:
        box.close()


def bash_step(command: str, **extra: Any) -> dict[str, Any]:
    return {"tool_calls": [{"name": "bash", "arguments": {"command": command}}], **extra}


SUBMIT_HELLO = {"tool_calls": [{"name": "submit", "arguments": {"answer": "hello"}}]}


def cache_marked(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [b for b in prompt_blocks(body) if "cache_control" in b]


def test_react_with_thinking_keeps_signed_blocks_across_tool_turns(tmp_path: Path) -> None:
    script = [
        bash_step("echo hello > out.txt", thinking="I should write the file first."),
        bash_step("cat out.txt", redacted=True),
        bash_step("ls"),
        SUBMIT_HELLO,
    ]
    with ScriptedAnthropicServer(script, min_cache_tokens=100) as server:
        # 1,000 output tokens is below the budget: the client raises max_tokens above it.
        result, transcript = react_run(
            server, tmp_path, {"thinking_budget_tokens": 2048, "max_output_tokens": 1000}
        )

    # The fake refuses (400) any turn whose signed thinking block was dropped or altered.
    assert server.rejections == []
    assert result.stop_reason == StopReason.SUBMITTED and result.submission == "hello"
    assert len(server.requests) == 4
    for request in server.requests:
        body = request["body"]
        assert body["thinking"] == {"type": "enabled", "budget_tokens": 2048}
        assert body["max_tokens"] == 2048 + 1024
        assert "temperature" not in body
        assert request["headers"]["anthropic-beta"] == INTERLEAVED_THINKING_BETA
        # Stable prefix (system) and moving tail (last block): two breakpoints, never over four.
        marked = cache_marked(body)
        assert len(marked) == 2 <= MAX_CACHE_BREAKPOINTS
        assert "cache_control" in body["system"][-1]
        assert "cache_control" in body["messages"][-1]["content"][-1]
    last = server.bodies[-1]["messages"]
    assistants = [m["content"] for m in last if m["role"] == "assistant"]
    assert [[b["type"] for b in blocks] for blocks in assistants] == [
        ["thinking", "tool_use"],
        ["thinking", "redacted_thinking", "tool_use"],
        ["thinking", "tool_use"],
    ]
    assert assistants[0][0]["thinking"] == "I should write the file first."

    models = [e for e in transcript.events if e["kind"] == "model"]
    assert models[0]["thinking"] == "I should write the file first."
    assert "[redacted thinking]" in models[1]["thinking"]
    assert {m["served_model"] for m in models} == {"claude-scripted-20261101"}
    assert {m["model"] for m in models} == {"claude-sonnet-4-5"}
    for event, usage in zip(models, server.usages, strict=True):
        assert event["uncached_input_tokens"] == usage["input_tokens"]
        assert event["cache_creation_input_tokens"] == usage["cache_creation_input_tokens"]
        assert event["cache_read_input_tokens"] == usage["cache_read_input_tokens"]
        assert event["input_tokens"] == sum(
            usage[k] for k in ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens")
        )
        assert event["output_tokens"] == usage["output_tokens"]
    reads = [m["cache_read_input_tokens"] for m in models]
    assert reads[0] == 0 and models[0]["cache_creation_input_tokens"] > 0
    assert reads[1] < reads[2] < reads[3]  # the repeated prefix is read from the cache, growing
    assert all(m["uncached_input_tokens"] < m["cache_read_input_tokens"] for m in models[1:])


def test_dropping_the_thinking_block_is_refused_like_the_real_api() -> None:
    with ScriptedAnthropicServer([bash_step("ls"), SUBMIT_HELLO]) as server:
        client = strict_client(server)
        options = CallOptions(thinking_budget_tokens=1024)
        first = client.complete([Message(role="user", content="go")], [BASH], 4096, options)
        (call,) = first.message.tool_calls
        stripped = Message(role="assistant", content=first.message.content, tool_calls=[call])
        history = [Message(role="user", content="go"), stripped]
        history.append(Message(role="tool", content="a.txt", tool_call_id=call.id))
        with pytest.raises(ProviderError, match="HTTP 400"):
            client.complete(history, [BASH], 4096, options)
        # A forged signature fails the same way; the block as received passes.
        forged = dict(first.message.provider_blocks[0], thinking="something else")
        history[1] = Message(role="assistant", tool_calls=[call], provider_blocks=[forged])
        with pytest.raises(ProviderError, match="HTTP 400"):
            client.complete(history, [BASH], 4096, options)
        history[1] = first.message
        assert client.complete(history, [BASH], 4096, options).message.tool_calls[0].name == "submit"
    assert len(server.rejections) == 2
    assert all("expected thinking or redacted_thinking" in r for r in server.rejections)


def test_adaptive_models_get_the_adaptive_form_and_refuse_the_budgeted_one() -> None:
    script = [{"content": "done"}, {"content": "done"}]
    with ScriptedAnthropicServer(script, adaptive_only=("claude-opus-4-7", "claude-next")) as server:
        options = CallOptions(thinking_budget_tokens=8000, temperature=0.2)
        adaptive = strict_client(server, "claude-opus-4-7").complete(
            [Message(role="user", content="hi")], [BASH], 2000, options
        )
        assert adaptive.thinking and adaptive.message.content == "done"
        # A model the catalogue does not know gets the budgeted form, which this one refuses.
        with pytest.raises(ProviderError, match="HTTP 400"):
            strict_client(server, "claude-next").complete(
                [Message(role="user", content="hi")], [], 2000, options
            )
    sent = server.requests[0]
    assert sent["body"]["thinking"] == {"type": "adaptive"}
    assert sent["body"]["output_config"] == {"effort": "medium"}
    assert sent["body"]["max_tokens"] == 2000  # no budget to make room for
    assert "temperature" not in sent["body"] and "anthropic-beta" not in sent["headers"]
    assert server.rejections == [
        "thinking.type.enabled: not supported on this model; use thinking.type.adaptive"
    ]


def test_temperature_without_thinking_and_the_served_model_id() -> None:
    with ScriptedAnthropicServer([{"content": "ok"}], served_model="claude-sonnet-4-5-20250929") as server:
        reply = strict_client(server).complete(
            [Message(role="user", content="hi")], [], 100, CallOptions(temperature=0.0)
        )
    assert reply.served_model == "claude-sonnet-4-5-20250929"
    body = server.bodies[0]
    assert body["temperature"] == 0.0 and "thinking" not in body and body["model"] == "claude-sonnet-4-5"


def test_rate_limit_with_retry_after_is_retried() -> None:
    script: list[dict[str, Any]] = [
        {"status": 429, "error": "rate limited", "headers": {"retry-after": "0"}},
        {"content": "ok"},
    ]
    with ScriptedAnthropicServer(script) as server:
        reply = strict_client(server).complete([Message(role="user", content="hi")], [], 100)
    assert reply.message.content == "ok" and len(server.requests) == 2


@pytest.mark.parametrize(
    ("change", "refusal"),
    [
        ({"max_tokens": None}, "max_tokens: Field required"),
        ({"thinking": {"type": "enabled", "budget_tokens": 512}}, "budget_tokens: must be >= 1024"),
        ({"thinking": {"type": "enabled", "budget_tokens": 4096}}, "greater than thinking.budget_tokens"),
        (
            {"system": [{"type": "text", "text": "s", "cache_control": {"type": "ephemeral"}}] * 5},
            "maximum of 4",
        ),
        ({"thinking": {"type": "enabled", "budget_tokens": 1024}, "temperature": 0.5}, "temperature"),
    ],
)
def test_the_stand_in_refuses_what_the_real_api_refuses(change: dict[str, Any], refusal: str) -> None:
    body: dict[str, Any] = {
        "model": "claude-sonnet-4-5",
        "max_tokens": 2048,
        "messages": [{"role": "user", "content": "hi"}],
        **change,
    }
    with ScriptedAnthropicServer([{"content": "unused"}]) as server:
        response = httpx.post(
            server.root_url + "/v1/messages", json=body, headers={"anthropic-version": ANTHROPIC_VERSION}
        )
    assert response.status_code == 400
    assert refusal in server.rejections[0]


def test_output_tokens_default_from_the_catalogue(tmp_path: Path) -> None:
    def client(name: str, **kwargs: Any) -> int:
        cfg = ModelConfig(name=name, provider="anthropic", base_url="http://127.0.0.1:9", **kwargs)
        return AnthropicClient(cfg).max_output_tokens

    assert client("claude-opus-4-1-20250805") == 32000
    assert client("claude-sonnet-4-5") == 64000
    assert client("claude-unknown") == DEFAULT_MAX_OUTPUT_TOKENS == 1024
    assert client("claude-sonnet-4-5", max_output_tokens=500) == 500
    with ScriptedAnthropicServer([SUBMIT_HELLO]) as server:
        result, _ = react_run(server, tmp_path, {}, name="claude-opus-4-1-20250805")
    assert result.stop_reason == StopReason.SUBMITTED
    assert server.bodies[0]["max_tokens"] == 32000
