"""The OpenAI Responses API client against the stand-in's `/v1/responses` on 127.0.0.1.

The stand-in (tests/fakes/scripted_openai.py) refuses what the real API refuses; the first tests
show that it does, so that the client's passing the later ones means something.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.states import StopReason, WireApi
from tests.fakes.local_sandbox import LocalSandbox
from tests.fakes.scripted_openai import ScriptedModelServer
from workers.providers.base import (
    CallOptions,
    ContextWindowExceeded,
    Message,
    ProviderError,
    ProviderOutage,
    ToolSpec,
)
from workers.providers.config import ModelConfig
from workers.providers.factory import make_client
from workers.providers.openai_compat import OpenAICompatClient
from workers.providers.openai_responses import OpenAIResponsesClient, responses_url
from workers.providers.transport import RetryPolicy
from workers.scaffolds.base import AgentLimits, ScaffoldContext, ScaffoldResult
from workers.scaffolds.react import ReactScaffold
from workers.transcript import Transcript

BASH = ToolSpec(
    name="bash",
    description="run a command",
    parameters={"type": "object", "properties": {"command": {"type": "string"}}, "required": ["command"]},
)
CANARY = "CANARY-endpoint-text-7f3a"
O3_OPTIONS = CallOptions(reasoning_effort="high", temperature=0.2, seed=7)


def fast_retry(**kwargs: Any) -> RetryPolicy:
    return RetryPolicy(**{"max_attempts": 4, "base_delay_s": 0.01, "max_delay_s": 0.05, **kwargs})


def responses_client(server: ScriptedModelServer, model: str = "o3", **cfg: Any) -> OpenAIResponsesClient:
    retry = cfg.pop("retry", None) or fast_retry()
    config = ModelConfig(name=model, base_url=server.base_url, wire_api=WireApi.RESPONSES, **cfg)
    client = make_client(config, retry=retry)
    assert isinstance(client, OpenAIResponsesClient)
    return client


def start() -> list[Message]:
    return [
        Message(role="system", content="You are a test agent."),
        Message(role="user", content="Find the answer."),
    ]


def bash(command: str, call_id: str, **extra: Any) -> dict[str, Any]:
    return {"tool_calls": [{"id": call_id, "name": "bash", "arguments": {"command": command}}], **extra}


def post(server: ScriptedModelServer, body: dict[str, Any]) -> httpx.Response:
    return httpx.post(server.base_url + "/responses", json=body)


def tool_turn(history: list[Message], reply: Message, output: str = "ok") -> None:
    """Append the model's reply and an answer to each of its calls, as a scaffold does."""
    history.append(reply)
    history.extend(Message(role="tool", content=output, tool_call_id=c.id) for c in reply.tool_calls)


# -- the stand-in enforces what the real API enforces --------------------------------------------


def test_the_stand_in_refuses_chat_completions_parameters_and_what_o3_refuses() -> None:
    base = {"model": "o3", "input": "hi", "store": False}
    chat_tool = {"type": "function", "function": {"name": "bash", "parameters": BASH.parameters}}
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({**base, "max_tokens": 16}, "max_tokens", "unsupported_parameter"),
        ({**base, "max_completion_tokens": 16}, "max_completion_tokens", "unsupported_parameter"),
        ({**base, "reasoning_effort": "high"}, "reasoning_effort", "unsupported_parameter"),
        ({**base, "seed": 7}, "seed", "unknown_parameter"),
        ({**base, "temperature": 0.2}, "temperature", "unsupported_parameter"),
        (
            {**base, "model": "gpt-4.1", "reasoning": {"effort": "high"}},
            "reasoning.effort",
            "unsupported_parameter",
        ),
        ({**base, "tools": [chat_tool]}, "tools[0].name", "missing_required_parameter"),
        # Function tools are strict unless told otherwise: a loose schema is refused.
        (
            {**base, "tools": [{"type": "function", "name": "bash", "parameters": BASH.parameters}]},
            "tools[0].parameters",
            "invalid_function_parameters",
        ),
    ]
    with ScriptedModelServer([{"content": "fine"}]) as server:
        for body, param, code in cases:
            r = post(server, body)
            assert r.status_code == 400, body
            assert r.json()["error"]["param"] == param and r.json()["error"]["code"] == code
        loose = {"type": "function", "name": "bash", "parameters": BASH.parameters, "strict": False}
        ok = post(server, {**base, "max_output_tokens": 16, "tools": [loose]})
        assert ok.status_code == 200, ok.text
        assert ok.json()["model"] == "o3-2025-04-16"


def test_the_stand_in_holds_function_calls_to_their_outputs_and_reasoning() -> None:
    request = {"model": "o3", "store": False, "include": ["reasoning.encrypted_content"]}
    with ScriptedModelServer([bash("ls", "call_a"), {"content": "x", "repeat": 5}]) as server:
        first = post(server, {**request, "input": "go"}).json()
        reasoning, call = first["output"]
        assert reasoning["type"] == "reasoning" and reasoning["encrypted_content"]
        assert call["type"] == "function_call" and call["call_id"] == "call_a"
        call_item = {k: call[k] for k in ("type", "call_id", "name", "arguments")}
        output = {"type": "function_call_output", "call_id": "call_a", "output": "file"}

        def answer(*items: dict[str, Any]) -> httpx.Response:
            return post(server, {**request, "input": [{"role": "user", "content": "go"}, *items]})

        # The function call without the reasoning item that came before it.
        r = answer(call_item, output)
        assert r.status_code == 400 and "required 'reasoning' item" in r.json()["error"]["message"]
        # The reasoning item without its encrypted content: nothing is stored with store=false.
        bare = {k: v for k, v in reasoning.items() if k != "encrypted_content"}
        assert answer(bare, call_item, output).status_code == 404
        # An output that answers no call, and a call left without its output.
        assert answer(output).status_code == 400
        assert answer(reasoning, call_item).status_code == 400
        assert answer(reasoning, call_item, output).status_code == 200


# -- the client -------------------------------------------------------------------------------


def test_a_tool_using_conversation_carries_its_reasoning_items() -> None:
    script = [
        bash("ls", "call_1", thinking="The files first."),
        {
            "tool_calls": [
                {"id": "call_2", "name": "bash", "arguments": {"command": "cat a"}},
                {"id": "call_3", "name": "bash", "arguments": {"command": "cat b"}},
            ],
            "content": "Reading both.",
            "thinking": "Two files matter.",
        },
        {"content": "The answer is 42."},
    ]
    with ScriptedModelServer(script) as server:
        client = responses_client(server, max_output_tokens=3000)
        history = start()
        first = client.complete(history, [BASH], max_tokens=2000, options=O3_OPTIONS)
        tool_turn(history, first.message)
        second = client.complete(history, [BASH], max_tokens=2000, options=O3_OPTIONS)
        tool_turn(history, second.message)
        last = client.complete(history, [BASH], max_tokens=2000, options=O3_OPTIONS)

    assert [c.id for c in first.message.tool_calls] == ["call_1"]
    assert first.message.tool_calls[0].arguments == {"command": "ls"}
    assert first.thinking == "The files first." and first.finish_reason == "tool_calls"
    assert second.message.content == "Reading both." and len(second.message.tool_calls) == 2
    assert last.message.content == "The answer is 42." and last.finish_reason == "stop"
    assert first.served_model == last.served_model == "o3-2025-04-16"
    # Each answer's reasoning item rides on its message, encrypted content and all.
    (kept,) = first.message.provider_blocks
    assert kept["type"] == "reasoning" and kept["encrypted_content"].startswith("gAAAA")

    bodies = [r["body"] for r in server.completion_requests]
    assert all(r["path"] == "/v1/responses" for r in server.completion_requests)
    for body in bodies:
        assert body["store"] is False and body["include"] == ["reasoning.encrypted_content"]
        assert body["reasoning"] == {"effort": "high", "summary": "auto"}
        assert body["max_output_tokens"] == 2000
        assert "temperature" not in body and "seed" not in body  # o3 refuses one; neither API has a seed
        assert body["instructions"] == "You are a test agent."
        assert body["tools"][0] == {
            "type": "function",
            "name": "bash",
            "description": "run a command",
            "parameters": BASH.parameters,
            "strict": False,
        }
    sent = bodies[2]["input"]
    kinds = [item.get("type", item.get("role")) for item in sent]
    assert kinds == [
        "user",
        "reasoning",
        "function_call",
        "function_call_output",
        "reasoning",
        "assistant",
        "function_call",
        "function_call",
        "function_call_output",
        "function_call_output",
    ]
    assert sent[1] == kept and sent[4] == second.message.provider_blocks[0]
    assert sent[2] == {
        "type": "function_call",
        "call_id": "call_1",
        "name": "bash",
        "arguments": '{"command": "ls"}',
    }
    assert sent[3] == {"type": "function_call_output", "call_id": "call_1", "output": "ok"}


def test_dropping_the_reasoning_items_gets_the_400_the_real_api_gives() -> None:
    with ScriptedModelServer([bash("ls", "call_1"), {"content": "never"}]) as server:
        client = responses_client(server)
        history = start()
        reply = client.complete(history, [BASH], max_tokens=500, options=O3_OPTIONS)
        reply.message.provider_blocks.clear()  # what a scaffold that lost them would send
        tool_turn(history, reply.message)
        with pytest.raises(ProviderError, match="HTTP 400 from the model endpoint") as info:
            client.complete(history, [BASH], max_tokens=500, options=O3_OPTIONS)
    assert "reasoning" not in str(info.value)  # the endpoint's words stay in the worker's log
    assert len(server.completion_requests) == 2


def test_usage_is_split_and_priced_by_its_parts() -> None:
    step = {
        "content": "done",
        "usage": {
            "prompt_tokens": 2048,
            "completion_tokens": 40,
            "cached_tokens": 1024,
            "reasoning_tokens": 300,
        },
    }
    with ScriptedModelServer([step]) as server:
        client = responses_client(server, input_price_per_mtok=2.0, output_price_per_mtok=8.0)
        completion = client.complete(start(), [], max_tokens=500)
    usage = completion.usage
    assert usage.input_tokens == 2048 and usage.cache_read_input_tokens == 1024
    assert usage.cache_creation_input_tokens == 0  # OpenAI bills no cache writes
    assert usage.output_tokens == 340 and usage.reasoning_tokens == 300
    # o3's cached input costs a quarter of its input price (workers/providers/capabilities.py).
    assert usage.cost_usd == pytest.approx((1024 * 2.0 + 1024 * 0.5 + 340 * 8.0) / 1e6)


def test_automatic_caching_is_reported_for_a_shared_prefix() -> None:
    long_task = "explain this log line by line\n" * 400
    with ScriptedModelServer([{"content": "a"}, {"content": "b"}]) as server:
        client = responses_client(server, model="gpt-4.1")
        history = [Message(role="system", content="Be brief."), Message(role="user", content=long_task)]
        first = client.complete(history, [], max_tokens=8)
        history += [Message(role="assistant", content="a"), Message(role="user", content="more")]
        second = client.complete(history, [], max_tokens=8)
    assert first.usage.cache_read_input_tokens == 0
    assert 1024 <= second.usage.cache_read_input_tokens <= second.usage.input_tokens


def test_a_plain_model_gets_its_temperature_and_no_reasoning_parameters() -> None:
    with ScriptedModelServer([{"content": "hi"}]) as server:
        client = responses_client(server, model="gpt-4.1")
        completion = client.complete(start(), [BASH], max_tokens=64, options=O3_OPTIONS)
    body = server.completion_requests[0]["body"]
    assert body["temperature"] == 0.2
    assert "reasoning" not in body and "include" not in body and "seed" not in body
    assert completion.message.provider_blocks == [] and completion.thinking == ""
    assert completion.usage.reasoning_tokens == 0


def test_reasoning_summaries_can_be_turned_off_for_an_unverified_organisation() -> None:
    with ScriptedModelServer([{"content": "hi"}]) as server:
        client = responses_client(server)
        client.complete(start(), [BASH], max_tokens=64, options=CallOptions(reasoning_summary=False))
    body = server.completion_requests[0]["body"]
    assert "summary" not in body["reasoning"] and body["include"] == ["reasoning.encrypted_content"]


def test_an_answer_cut_at_the_token_limit_is_a_length_finish() -> None:
    step = {"content": "partial", "incomplete": "max_output_tokens"}
    with ScriptedModelServer([step]) as server:
        completion = responses_client(server).complete(start(), [], max_tokens=16)
    assert completion.finish_reason == "length" and completion.message.content == "partial"


def test_a_prompt_over_the_context_window_is_context_window_exceeded() -> None:
    with ScriptedModelServer([{"content": "never"}], context_window=200) as server:
        client = responses_client(server)
        history = [*start(), Message(role="user", content="word " * 400)]
        with pytest.raises(ContextWindowExceeded, match="context window"):
            client.complete(history, [BASH], max_tokens=16)


def test_429_is_retried_after_the_servers_delay() -> None:
    sleeps: list[float] = []

    def recording_sleep(seconds: float) -> None:
        sleeps.append(seconds)
        time.sleep(seconds)

    script: list[dict[str, Any]] = [
        {"status": 429, "error": "rate limited", "headers": {"Retry-After": "1"}},
        {"content": "ok"},
    ]
    with ScriptedModelServer(script) as server:
        client = responses_client(server, retry=fast_retry(sleep=recording_sleep))
        assert client.complete(start(), [BASH], max_tokens=16).message.content == "ok"
    assert sleeps and sleeps[0] >= 1.0
    first, second = server.completion_requests
    assert second["received_at"] - first["received_at"] >= 1.0


def test_errors_carry_no_endpoint_text() -> None:
    script: list[dict[str, Any]] = [
        {"status": 400, "error": f"bad input {CANARY}"},
        {"status": 500, "error": f"internal {CANARY}", "repeat": 4},
    ]
    with ScriptedModelServer(script) as server:
        client = responses_client(server, retry=fast_retry(max_attempts=4))
        with pytest.raises(ProviderError) as rejected:
            client.complete(start(), [], max_tokens=16)
        with pytest.raises(ProviderOutage) as outage:
            client.complete(start(), [], max_tokens=16)
    assert "HTTP 400" in str(rejected.value) and "HTTP 500" in str(outage.value)
    assert CANARY not in str(rejected.value) + str(outage.value)


def test_an_answer_that_is_not_a_response_is_named_by_type_only() -> None:
    # The chat-completions shape sent back to a Responses request.
    body = {"choices": [{"message": {"content": CANARY}}], "status": "completed"}
    with ScriptedModelServer([]) as server:
        client = responses_client(server)
        with pytest.raises(ProviderError, match="no output items") as info:
            client._decode(body, {"input": []})
    assert CANARY not in str(info.value)


def test_the_factory_picks_the_wire_api() -> None:
    base = "http://127.0.0.1:9"
    assert isinstance(make_client(ModelConfig(name="m", base_url=base)), OpenAICompatClient)
    responses = make_client(ModelConfig(name="o3", base_url=base, wire_api=WireApi.RESPONSES))
    assert isinstance(responses, OpenAIResponsesClient) and responses.max_output_tokens == 100_000
    with pytest.raises(ProviderError, match="only for provider 'openai'"):
        make_client(ModelConfig(name="m", provider="anthropic", base_url=base, wire_api=WireApi.RESPONSES))
    assert responses_url("http://h:8000") == "http://h:8000/v1/responses"
    assert responses_url("https://api.openai.com/v1/") == "https://api.openai.com/v1/responses"


# -- end to end through the react scaffold -----------------------------------------------------


def run_react(
    server: ScriptedModelServer, workdir: Path, settings: dict[str, Any]
) -> tuple[ScaffoldResult, Transcript]:
    cfg = ModelConfig(name="o3", base_url=server.base_url, context_window=200_000, wire_api=WireApi.RESPONSES)
    client = make_client(cfg.for_agent(settings), retry=fast_retry())
    transcript = Transcript()
    sandbox = LocalSandbox(workdir)
    try:
        ctx = ScaffoldContext(
            instructions="Say hello, then submit it.",
            sandbox=sandbox,
            model=client,
            limits=AgentLimits(action_limit=5),
            transcript=transcript,
            solution=None,
            heartbeat=lambda: None,
        )
        return ReactScaffold(settings).run(ctx), transcript
    finally:
        sandbox.close()


def test_react_runs_a_responses_model_to_its_submission(tmp_path: Path) -> None:
    script = [
        bash("echo hello", "call_echo", thinking="Echo it first."),
        {"tool_calls": [{"name": "submit", "arguments": {"answer": "hello"}}], "thinking": "Now submit."},
    ]
    settings = {"reasoning_effort": "medium", "temperature": 0.3, "max_output_tokens": 4000}
    with ScriptedModelServer(script) as server:
        result, transcript = run_react(server, tmp_path / "work", settings)

    assert result.stop_reason == StopReason.SUBMITTED and result.submission == "hello"
    second = server.completion_requests[1]["body"]
    assert second["reasoning"]["effort"] == "medium" and second["max_output_tokens"] == 4000
    assert "temperature" not in second
    kinds = [item.get("type", item.get("role")) for item in second["input"]]
    assert kinds[-3:] == ["reasoning", "function_call", "function_call_output"]
    model_events = [e for e in transcript.events if e["kind"] == "model"]
    assert [e["thinking"] for e in model_events] == ["Echo it first.", "Now submit."]
    assert all(e["served_model"] == "o3-2025-04-16" and e["reasoning_tokens"] == 64 for e in model_events)


def test_by_turn_scripts_follow_each_responses_conversation() -> None:
    # Parallel conversations (end-to-end tests) each get the whole script, by their own turn.
    script = [bash("ls", "call_t"), {"content": "second turn"}]
    with ScriptedModelServer(script, by_turn=True) as server:
        client = responses_client(server)
        for _ in range(2):
            history = start()
            first = client.complete(history, [BASH], max_tokens=100)
            tool_turn(history, first.message)
            assert first.message.tool_calls[0].name == "bash"
            assert client.complete(history, [BASH], max_tokens=100).message.content == "second turn"
