"""The OpenAI-compatible client against a real scripted HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.states import StopReason
from tests.fakes.local_sandbox import LocalSandbox
from tests.fakes.scripted_openai import ScriptedModelServer
from workers.providers.anthropic import AnthropicClient, messages_url
from workers.providers.base import (
    ContextWindowExceeded,
    Message,
    ProviderError,
    ProviderOutage,
    ToolCall,
    ToolSpec,
)
from workers.providers.capabilities import ModelCapabilities
from workers.providers.config import ModelConfig
from workers.providers.factory import make_client
from workers.providers.openai_compat import OpenAICompatClient, chat_completions_url
from workers.providers.transport import RetryPolicy, parse_retry_after
from workers.scaffolds.base import AgentLimits, ScaffoldContext, ScaffoldResult
from workers.scaffolds.react import ReactScaffold
from workers.transcript import Transcript

BASH = ToolSpec(
    name="bash",
    description="run a command",
    parameters={"type": "object", "properties": {"command": {"type": "string"}}, "required": ["command"]},
)
KEY_ENV = "HORIZON_TEST_PROVIDER_KEY"
SECRET = "sk-test-9f8e7d6c5b4a3210-secret"


def fast_retry(**kwargs: object) -> RetryPolicy:
    defaults: dict[str, object] = {"max_attempts": 4, "base_delay_s": 0.01, "max_delay_s": 0.05}
    defaults.update(kwargs)
    return RetryPolicy(**defaults)  # type: ignore[arg-type]


def client_for(server: ScriptedModelServer, **cfg_kwargs: object) -> OpenAICompatClient:
    retry = cfg_kwargs.pop("retry", None) or fast_retry()
    cfg = ModelConfig(name="scripted-model", provider="openai", base_url=server.base_url, **cfg_kwargs)  # type: ignore[arg-type]
    client = make_client(cfg, retry=retry)  # type: ignore[arg-type]
    assert isinstance(client, OpenAICompatClient)
    return client


def ask(client: OpenAICompatClient | AnthropicClient, text: str = "list files") -> list[Message]:
    return [Message(role="system", content="You are a test agent."), Message(role="user", content=text)]


def test_tool_calls_usage_and_cost_are_parsed() -> None:
    step = {
        "tool_calls": [{"id": "call_1", "name": "bash", "arguments": {"command": "ls -la"}}],
        "usage": {"prompt_tokens": 1000, "completion_tokens": 50},
    }
    with ScriptedModelServer([step]) as server:
        client = client_for(server, input_price_per_mtok=2.0, output_price_per_mtok=8.0)
        completion = client.complete(ask(client), [BASH], max_tokens=321)

    msg = completion.message
    assert msg.role == "assistant"
    assert msg.tool_calls == [ToolCall(id="call_1", name="bash", arguments={"command": "ls -la"})]
    assert completion.usage.input_tokens == 1000
    assert completion.usage.output_tokens == 50
    assert completion.usage.cost_usd == pytest.approx((1000 * 2.0 + 50 * 8.0) / 1e6)
    assert completion.finish_reason == "tool_calls"
    body = server.completion_requests[0]["body"]
    assert body["model"] == "scripted-model"
    assert body["max_tokens"] == 321
    assert body["messages"][0] == {"role": "system", "content": "You are a test agent."}
    assert body["tool_choice"] == "auto"
    assert body["tools"][0]["type"] == "function"
    assert body["tools"][0]["function"]["name"] == "bash"
    assert body["tools"][0]["function"]["parameters"]["required"] == ["command"]


def test_conversation_with_tool_results_is_encoded_for_the_wire() -> None:
    with ScriptedModelServer([{"content": "done"}]) as server:
        client = client_for(server)
        history = ask(client) + [
            Message(
                role="assistant",
                content="",
                tool_calls=[ToolCall(id="c1", name="bash", arguments={"command": "pwd"})],
            ),
            Message(role="tool", content="exit code: 0\n/home/agent", tool_call_id="c1"),
        ]
        completion = client.complete(history, [BASH], max_tokens=64)

    assert completion.message.content == "done"
    assert completion.message.tool_calls == []
    sent = server.completion_requests[0]["body"]["messages"]
    assert sent[2]["role"] == "assistant"
    assert sent[2]["content"] == ""  # not null: llama.cpp's server rejects null
    assert sent[2]["tool_calls"][0]["function"] == {"name": "bash", "arguments": '{"command": "pwd"}'}
    assert sent[3] == {"role": "tool", "tool_call_id": "c1", "content": "exit code: 0\n/home/agent"}


def test_server_estimated_usage_grows_with_the_prompt() -> None:
    with ScriptedModelServer([{"content": "a"}, {"content": "b"}]) as server:
        client = client_for(server)
        short = client.complete(ask(client, "hi"), [], max_tokens=8)
        long = client.complete(ask(client, "hi " * 400), [], max_tokens=8)
    assert 0 < short.usage.input_tokens < long.usage.input_tokens
    assert short.usage.output_tokens > 0


def test_missing_usage_is_estimated_from_the_text() -> None:
    with ScriptedModelServer([{"content": "word " * 40, "omit_usage": True}]) as server:
        client = client_for(server, input_price_per_mtok=1.0, output_price_per_mtok=1.0)
        completion = client.complete(ask(client, "hi " * 100), [], max_tokens=64)
    assert completion.usage.input_tokens >= 75  # 300+ characters of prompt
    assert completion.usage.output_tokens == len("word " * 40) // 4
    assert completion.usage.cost_usd > 0


def test_5xx_then_success_is_retried() -> None:
    script: list[dict[str, Any]] = [
        {"status": 500, "error": "boom"},
        {"status": 503, "error": "busy"},
        {"content": "ok"},
    ]
    with ScriptedModelServer(script) as server:
        client = client_for(server)
        completion = client.complete(ask(client), [BASH], max_tokens=16)
    assert completion.message.content == "ok"
    assert len(server.completion_requests) == 3


def test_persistent_5xx_raises_outage_after_all_attempts() -> None:
    with ScriptedModelServer([{"status": 500, "error": "internal failure", "repeat": 10}]) as server:
        client = client_for(server, retry=fast_retry(max_attempts=4))
        # A status and a fixed reason, never the endpoint's body (it is readable by anyone).
        with pytest.raises(ProviderOutage, match="HTTP 500 from the model endpoint"):
            client.complete(ask(client), [BASH], max_tokens=16)
    assert len(server.completion_requests) == 4


def test_429_honours_retry_after() -> None:
    sleeps: list[float] = []

    def recording_sleep(seconds: float) -> None:
        sleeps.append(seconds)
        time.sleep(seconds)

    script: list[dict[str, Any]] = [
        {"status": 429, "error": "rate limited", "headers": {"Retry-After": "1"}},
        {"content": "ok"},
    ]
    with ScriptedModelServer(script) as server:
        client = client_for(server, retry=fast_retry(sleep=recording_sleep))
        completion = client.complete(ask(client), [BASH], max_tokens=16)
    assert completion.message.content == "ok"
    assert sleeps and sleeps[0] >= 1.0  # the backoff alone would be at most 0.01 s
    first, second = server.completion_requests
    assert second["received_at"] - first["received_at"] >= 1.0


def test_retry_after_parsing() -> None:
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("0.5") == 0.5
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    http_date = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 30))
    seconds = parse_retry_after(http_date)
    assert seconds is not None and 25 <= seconds <= 31


def test_timeout_is_retried() -> None:
    with ScriptedModelServer([{"content": "slow", "delay_s": 2.0}, {"content": "fast"}]) as server:
        client = client_for(server, retry=fast_retry(request_timeout_s=0.3))
        completion = client.complete(ask(client), [BASH], max_tokens=16)
    assert completion.message.content == "fast"
    assert len(server.completion_requests) == 2


def test_connection_refused_becomes_outage() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again before the client connects
    cfg = ModelConfig(name="m", base_url=f"http://127.0.0.1:{port}/v1")
    client = make_client(cfg, retry=fast_retry(max_attempts=3))
    with pytest.raises(ProviderOutage, match="connection failed"):
        client.complete([Message(role="user", content="hi")], [], max_tokens=4)


def test_malformed_tool_call_json_is_not_an_outage() -> None:
    step = {
        "tool_calls": [
            {"id": "bad", "name": "bash", "arguments_raw": '{"command": "ls'},
            {"id": "list", "name": "bash", "arguments_raw": '["ls"]'},
            {"id": "good", "name": "bash", "arguments": {"command": "pwd"}},
            {"id": "newline", "name": "bash", "arguments_raw": '{"command": "echo a\nb"}'},
        ]
    }
    with ScriptedModelServer([step]) as server:
        client = client_for(server)
        completion = client.complete(ask(client), [BASH], max_tokens=16)
    bad, as_list, good, raw_newline = completion.message.tool_calls
    assert bad.arguments == {} and bad.arguments_error is not None and "not valid JSON" in bad.arguments_error
    assert as_list.arguments_error is not None and "JSON object" in as_list.arguments_error
    assert good.arguments == {"command": "pwd"} and good.arguments_error is None
    # A raw newline inside a string is accepted: the meaning is clear.
    assert raw_newline.arguments == {"command": "echo a\nb"} and raw_newline.arguments_error is None


def test_bad_request_raises_provider_error_with_server_message_without_retry() -> None:
    with ScriptedModelServer([{"status": 400, "error": "tools[0].function.name is invalid"}]) as server:
        client = client_for(server)
        with pytest.raises(ProviderError, match="HTTP 400 from the model endpoint") as info:
            client.complete(ask(client), [BASH], max_tokens=16)
    assert not isinstance(info.value, ProviderOutage)
    assert "tools[0]" not in str(info.value)  # the server's message goes to the worker's log only
    assert len(server.completion_requests) == 1


def test_prompt_too_long_raises_context_window_exceeded() -> None:
    with ScriptedModelServer([{"content": "never"}], context_window=50) as server:
        client = client_for(server)
        with pytest.raises(ContextWindowExceeded, match="context window"):
            client.complete(ask(client, "word " * 200), [BASH], max_tokens=16)


def test_api_key_is_sent_but_never_in_errors(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv(KEY_ENV, SECRET)
    script: list[dict[str, Any]] = [
        {"content": "hello"},
        {"status": 403, "error": f"Key {SECRET} has no access to this model"},
    ]
    with ScriptedModelServer(script, api_key=SECRET) as server:
        client = client_for(server, api_key_env=KEY_ENV)
        assert client.complete(ask(client), [], max_tokens=8).message.content == "hello"
        with pytest.raises(ProviderError) as info:
            client.complete(ask(client), [], max_tokens=8)
    assert server.completion_requests[0]["headers"]["authorization"] == f"Bearer {SECRET}"
    assert SECRET not in str(info.value) and "HTTP 403" in str(info.value)
    # The worker's log keeps the server's message for the operator, scrubbed of the key.
    assert "[redacted]" in caplog.text and SECRET not in caplog.text
    assert SECRET not in repr(client.__dict__)


def test_wrong_key_is_rejected_by_the_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(KEY_ENV, "sk-wrong-key-000000")
    with ScriptedModelServer([{"content": "never"}], api_key=SECRET) as server:
        client = client_for(server, api_key_env=KEY_ENV)
        with pytest.raises(ProviderError, match="HTTP 401"):
            client.complete(ask(client), [], max_tokens=8)


def test_api_key_from_secret_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    key_file = tmp_path / "key"
    key_file.write_text(SECRET + "\n")
    monkeypatch.delenv(KEY_ENV, raising=False)
    monkeypatch.setenv(f"{KEY_ENV}_FILE", str(key_file))
    with ScriptedModelServer([{"content": "hello"}], api_key=SECRET) as server:
        client = client_for(server, api_key_env=KEY_ENV)
        assert client.complete(ask(client), [], max_tokens=8).message.content == "hello"


def test_missing_api_key_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    monkeypatch.delenv(f"{KEY_ENV}_FILE", raising=False)
    with pytest.raises(ProviderError, match=KEY_ENV):
        make_client(ModelConfig(name="m", base_url="http://127.0.0.1:9/v1", api_key_env=KEY_ENV))


def _max_parallel(concurrency: int, callers: int) -> int:
    with ScriptedModelServer([{"content": "ok", "delay_s": 0.4, "repeat": callers}]) as server:
        clients = [
            make_client(
                ModelConfig(name="m", base_url=server.base_url), retry=fast_retry(), concurrency=concurrency
            )
            for _ in range(callers)
        ]
        barrier = threading.Barrier(callers)
        errors: list[BaseException] = []

        def call(c: object) -> None:
            barrier.wait()
            try:
                c.complete([Message(role="user", content="hi")], [], max_tokens=4)  # type: ignore[attr-defined]
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=call, args=(c,)) for c in clients]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert not errors
    assert len(server.completion_requests) == callers
    return server.max_in_flight


def test_concurrency_limit_is_shared_by_all_clients_of_an_endpoint() -> None:
    # Separate clients of one endpoint share one process-wide semaphore.
    assert _max_parallel(concurrency=2, callers=6) <= 2
    # The same load without a tight limit does overlap, so the check above can fail.
    assert _max_parallel(concurrency=6, callers=6) > 2


def test_url_forms() -> None:
    assert chat_completions_url("http://h:8000") == "http://h:8000/v1/chat/completions"
    assert chat_completions_url("http://h:8000/v1/") == "http://h:8000/v1/chat/completions"
    assert (
        chat_completions_url("https://example.com/v1beta/openai")
        == "https://example.com/v1beta/openai/chat/completions"
    )
    assert messages_url("https://example.com") == "https://example.com/v1/messages"
    assert messages_url("https://example.com/v1") == "https://example.com/v1/messages"


def test_factory_picks_the_provider() -> None:
    openai = make_client(ModelConfig(name="m", provider="openai", base_url="http://127.0.0.1:9"))
    anthropic = make_client(ModelConfig(name="m", provider="anthropic", base_url="http://127.0.0.1:9"))
    assert isinstance(openai, OpenAICompatClient)
    assert isinstance(anthropic, AnthropicClient)
    assert openai.model_name == "m" and openai.context_window == 8192
    with pytest.raises(ProviderError, match="unknown provider"):
        make_client(ModelConfig(name="m", provider="bogus"))
    with pytest.raises(ProviderError, match="managed"):
        make_client(ModelConfig(name="m", managed=True, server_template="x"))


def test_scripted_server_runs_as_a_standalone_process(tmp_path: Path) -> None:
    script = tmp_path / "script.json"
    script.write_text(json.dumps([{"tool_calls": [{"name": "bash", "arguments": {"command": "ls"}}]}]))
    log = tmp_path / "requests.jsonl"
    repo_root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.scripted_openai", "--port", "0", "--script", str(script)]
        + ["--loop", "--requests-log", str(log)],
        cwd=repo_root,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("listening on http://127.0.0.1:")
        root = line.split()[-1]
        assert httpx.get(f"{root}/v1/models").json()["data"][0]["id"] == "scripted-model"
        client = make_client(ModelConfig(name="m", base_url=root), retry=fast_retry())
        for _ in range(2):  # --loop starts the script over
            reply = client.complete([Message(role="user", content="go")], [BASH], max_tokens=8)
            assert reply.message.tool_calls[0].arguments == {"command": "ls"}
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    logged = [json.loads(x) for x in log.read_text().splitlines()]
    assert [r["method"] for r in logged] == ["GET", "POST", "POST"]
    assert logged[1]["body"]["messages"] == [{"role": "user", "content": "go"}]


# -- reasoning models, generation settings and what each call records --------------------------


def run_react(
    server: ScriptedModelServer, workdir: Path, model: str, settings: dict[str, Any]
) -> tuple[ScaffoldResult, Transcript]:
    """The react scaffold on `model` at `server`, as a run would make it from an agent's settings."""
    cfg = ModelConfig(name=model, base_url=server.base_url, context_window=200_000).for_agent(settings)
    client = make_client(cfg, retry=fast_retry())
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


REASONING_SCRIPT: list[dict[str, Any]] = [
    {
        "tool_calls": [{"name": "bash", "arguments": {"command": "echo hello"}}],
        "usage": {
            "prompt_tokens": 2048,
            "completion_tokens": 40,
            "cached_tokens": 1024,
            "reasoning_tokens": 300,
        },
    },
    {"tool_calls": [{"name": "submit", "arguments": {"answer": "hello"}}]},
]


def test_the_stand_in_refuses_what_openai_refuses_for_a_reasoning_model() -> None:
    # What every run on o3 did before the capability table: max_tokens, and an agent's temperature.
    with ScriptedModelServer([{"content": "never"}]) as server:
        # The client as it was: the plain OpenAI-compatible form for every model.
        plain = make_client(
            ModelConfig(name="o3", base_url=server.base_url, capabilities=ModelCapabilities())
        )
        for body in (
            {"model": "o3", "messages": [], "max_tokens": 16},
            {"model": "o3", "messages": [], "max_completion_tokens": 16, "temperature": 0.2},
            {"model": "gpt-4o", "messages": [], "max_tokens": 16, "reasoning_effort": "high"},
        ):
            r = httpx.post(server.base_url + "/chat/completions", json=body)
            assert r.status_code == 400
            error = r.json()["error"]
            assert error["code"] == (
                "unsupported_value" if "temperature" in body else "unsupported_parameter"
            )
            assert error["param"] in body
        with pytest.raises(ProviderError, match="HTTP 400"):
            plain.complete([Message(role="user", content="hi")], [BASH], max_tokens=16)
        # The default temperature is the one value a reasoning model accepts.
        ok = {"model": "o3", "messages": [], "max_completion_tokens": 16, "temperature": 1}
        assert httpx.post(server.base_url + "/chat/completions", json=ok).status_code == 200


def test_reasoning_model_runs_through_react_with_its_own_parameters(tmp_path: Path) -> None:
    settings = {"reasoning_effort": "high", "temperature": 0.2, "seed": 7, "max_output_tokens": 4000}
    with ScriptedModelServer(REASONING_SCRIPT) as server:
        result, transcript = run_react(server, tmp_path / "work", "o3", settings)

    assert result.stop_reason == StopReason.SUBMITTED and result.submission == "hello"
    for request in server.completion_requests:
        body = request["body"]
        assert body["model"] == "o3"
        assert body["max_completion_tokens"] == 4000 and "max_tokens" not in body
        assert body["reasoning_effort"] == "high"
        assert "temperature" not in body  # a reasoning model answers any but its default with 400
        assert body["seed"] == 7
    first, second = [e for e in transcript.events if e["kind"] == "model"]
    assert first["model"] == "o3" and first["served_model"] == "o3-2025-04-16"
    assert first["input_tokens"] == 2048 and first["cache_read_input_tokens"] == 1024
    # Reasoning is billed as output: a part of completion_tokens, recorded beside it.
    assert first["output_tokens"] == 340 and first["reasoning_tokens"] == 300
    assert second["served_model"] == "o3-2025-04-16" and second["reasoning_tokens"] == 64
    assert result.output_tokens == first["output_tokens"] + second["output_tokens"]


def test_a_reasoning_models_output_default_comes_from_its_catalogue_entry() -> None:
    with ScriptedModelServer([{"content": "x"}]) as server:
        assert client_for(server).max_output_tokens == 1024  # unknown id: the old default
        o3 = make_client(ModelConfig(name="o3-2025-04-16", base_url=server.base_url))
        assert o3.max_output_tokens == 100_000  # type: ignore[attr-defined]
        own = make_client(ModelConfig(name="o3", base_url=server.base_url, max_output_tokens=512))
        assert own.max_output_tokens == 512  # type: ignore[attr-defined]


def test_temperature_and_seed_are_sent_to_a_plain_model(tmp_path: Path) -> None:
    settings = {"temperature": 0.2, "seed": 7, "reasoning_effort": "high"}
    with ScriptedModelServer(REASONING_SCRIPT) as server:
        result, transcript = run_react(server, tmp_path / "work", "gpt-4o", settings)

    assert result.stop_reason == StopReason.SUBMITTED
    body = server.completion_requests[0]["body"]
    assert body["temperature"] == 0.2 and body["seed"] == 7
    assert "max_tokens" in body and "max_completion_tokens" not in body
    assert "reasoning_effort" not in body  # gpt-4o answers it with 400
    model_events = [e for e in transcript.events if e["kind"] == "model"]
    assert model_events[0]["served_model"] == "gpt-4o" and model_events[0]["reasoning_tokens"] == 300


def test_an_agent_may_declare_an_unknown_model_a_reasoning_model(tmp_path: Path) -> None:
    # A reasoning model behind an OpenAI-compatible server under a name the catalogue does not know.
    capabilities = {"reasoning": True, "temperature": False, "max_tokens_param": "max_completion_tokens"}
    settings = {"model_capabilities": capabilities, "reasoning_effort": "low", "temperature": 0.5}
    with ScriptedModelServer(REASONING_SCRIPT) as server:
        result, _ = run_react(server, tmp_path / "work", "o4-custom-finetune", settings)

    assert result.stop_reason == StopReason.SUBMITTED
    body = server.completion_requests[0]["body"]
    assert body["reasoning_effort"] == "low" and "temperature" not in body and "max_tokens" not in body


def test_hostile_usage_details_are_bounded() -> None:
    step = {"content": "x", "usage": {"prompt_tokens": 10, "completion_tokens": 5, "cached_tokens": 10**30}}
    with ScriptedModelServer([step, {"content": "y", "omit_usage": True}]) as server:
        client = client_for(server)
        completion = client.complete(ask(client), [], max_tokens=8)
        # Never more cached than prompt tokens, whatever the endpoint says.
        assert completion.usage.cache_read_input_tokens == 10
        bare = client.complete(ask(client), [], max_tokens=8)
        assert bare.usage.cache_read_input_tokens == 0 and bare.usage.reasoning_tokens == 0


def test_automatic_caching_reports_the_shared_prefix() -> None:
    long_task = "explain this log line by line\n" * 400
    with ScriptedModelServer([{"content": "a"}, {"content": "b"}]) as server:
        client = client_for(server)
        first = client.complete(ask(client, long_task), [], max_tokens=8)
        again = ask(client, long_task) + [
            Message(role="assistant", content="a"),
            Message(role="user", content="more"),
        ]
        second = client.complete(again, [], max_tokens=8)
    assert first.usage.cache_read_input_tokens == 0
    assert second.usage.cache_read_input_tokens >= 1024
    assert second.usage.cache_read_input_tokens % 128 == 0
    assert second.usage.cache_read_input_tokens <= second.usage.input_tokens
