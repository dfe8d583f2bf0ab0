"""The model proxy on its Unix socket, in front of a real provider client and a scripted server.

No sandbox here (tests/workers/test_sandbox_program_docker.py has those): requests come from an
HTTP client on the socket, as the relay forwards them. Both wire formats are answered in their own
shape (JSON and SSE), every call is metered and recorded, and whatever breaks a bound or a limit is
refused without reaching the model.
"""

from __future__ import annotations

import json
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.states import StopReason
from tests.fakes.scripted_openai import ScriptedModelServer
from workers.metering import AttemptMeter, MeteredClient
from workers.model_proxy.server import MAX_JSON_DEPTH, ModelProxy, ProxyBounds
from workers.providers.config import ModelConfig
from workers.providers.factory import make_client
from workers.providers.transport import RetryPolicy
from workers.scaffolds.base import AgentLimits
from workers.transcript import Transcript

TOKEN = "hzp-test-token-0123456789"
REAL_KEY_ENV = "HORIZON_TEST_PROXY_REAL_KEY"
REAL_KEY = "sk-real-key-never-in-the-sandbox-42"
OPENAI_AUTH = {"authorization": f"Bearer {TOKEN}"}
ANTHROPIC_AUTH = {"x-api-key": TOKEN, "anthropic-version": "2023-06-01"}
BASH_TOOL = {
    "type": "function",
    "function": {
        "name": "bash",
        "description": "run a command",
        "parameters": {"type": "object", "properties": {"command": {"type": "string"}}},
    },
}


class Proxied:
    """A proxy on a socket before a scripted server, with a client that speaks to it."""

    def __init__(self, server: ScriptedModelServer, limits: AgentLimits, bounds: ProxyBounds) -> None:
        self.server = server
        self.meter = AttemptMeter()
        cfg = ModelConfig(
            name="proxied-model",
            base_url=server.base_url,
            api_key_env=REAL_KEY_ENV,
            input_price_per_mtok=3.0,
            output_price_per_mtok=15.0,
            max_output_tokens=512,
        )
        inner = make_client(cfg, retry=RetryPolicy(max_attempts=1))
        self.transcript = Transcript(secrets=[REAL_KEY])
        self.folder = Path(tempfile.mkdtemp(prefix="hzp-"))
        self.socket = self.folder / "model.sock"
        self.proxy = ModelProxy(
            MeteredClient(inner, self.meter),
            limits=limits,
            transcript=self.transcript,
            token=TOKEN,
            bounds=bounds,
        )
        self.proxy.start(self.socket)
        self.http = httpx.Client(
            transport=httpx.HTTPTransport(uds=str(self.socket)), base_url="http://sandbox"
        )

    def chat(self, body: dict[str, Any], headers: dict[str, str] | None = None) -> httpx.Response:
        return self.http.post(
            "/v1/chat/completions", json=body, headers=OPENAI_AUTH if headers is None else headers
        )

    def messages(self, body: dict[str, Any], headers: dict[str, str] | None = None) -> httpx.Response:
        return self.http.post(
            "/v1/messages", json=body, headers=ANTHROPIC_AUTH if headers is None else headers
        )

    def kinds(self) -> list[str]:
        return [e["kind"] for e in self.transcript.events]

    def close(self) -> None:
        self.http.close()
        self.proxy.close()


@pytest.fixture
def proxied(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv(REAL_KEY_ENV, REAL_KEY)
    made: list[Proxied] = []

    def start(
        script: list[dict[str, Any]], limits: AgentLimits | None = None, bounds: ProxyBounds | None = None
    ) -> Proxied:
        server = ScriptedModelServer(script, api_key=REAL_KEY).start()
        proxied = Proxied(server, limits or AgentLimits(), bounds or ProxyBounds())
        made.append(proxied)
        return proxied

    yield start
    for p in made:
        p.close()
        p.server.stop()


def _sse(text: str) -> list[tuple[str | None, str]]:
    """(event, data) pairs of a server-sent event stream."""
    events = []
    for block in text.strip().split("\n\n"):
        event = None
        data = ""
        for line in block.splitlines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                data = line[6:]
        events.append((event, data))
    return events


def test_an_openai_call_is_answered_metered_and_recorded(proxied: Any) -> None:
    p = proxied(
        [
            {
                "tool_calls": [{"name": "bash", "arguments": {"command": "ls"}}],
                "usage": {"prompt_tokens": 1000, "completion_tokens": 100},
            }
        ]
    )
    body = {
        "model": "whatever-the-agent-says",
        "messages": [
            {"role": "system", "content": "be brief"},
            {"role": "user", "content": [{"type": "text", "text": "look"}]},
        ],
        "tools": [BASH_TOOL],
        "max_tokens": 100_000,
        "temperature": 0.5,
        "tool_choice": "auto",
    }
    answer = p.chat(body)
    assert answer.status_code == 200, answer.text
    reply = answer.json()
    assert reply["object"] == "chat.completion" and reply["choices"][0]["finish_reason"] == "tool_calls"
    call = reply["choices"][0]["message"]["tool_calls"][0]
    assert call["function"]["name"] == "bash" and json.loads(call["function"]["arguments"]) == {
        "command": "ls"
    }
    assert reply["usage"]["prompt_tokens"] == 1000 and reply["usage"]["completion_tokens"] == 100
    # The real model was called with the real key, the agent's model and a bounded max_tokens.
    sent = p.server.completion_requests[0]
    assert sent["headers"]["authorization"] == f"Bearer {REAL_KEY}"
    assert sent["body"]["model"] == "proxied-model" and sent["body"]["max_tokens"] == 512
    assert sent["body"]["temperature"] == 0.5
    # Metered as the built-in scaffolds are: 1000 * $3/M + 100 * $15/M.
    assert p.meter.tokens_in == 1000 and p.meter.tokens_out == 100 and p.meter.model_calls == 1
    assert p.meter.cost_usd == pytest.approx(0.0045) and p.proxy.cost_usd == pytest.approx(0.0045)
    model_events = [e for e in p.transcript.events if e["kind"] == "model"]
    assert p.kinds() == ["message", "message", "model"]
    assert model_events[0]["requested_model"] == "whatever-the-agent-says"
    assert model_events[0]["wire"] == "openai_chat" and model_events[0]["not_forwarded"] == ["tool_choice"]
    assert REAL_KEY not in json.dumps(p.transcript.events)


def test_an_openai_stream_is_chunks_usage_and_done(proxied: Any) -> None:
    p = proxied([{"content": "hello there"}])
    body = {
        "messages": [{"role": "user", "content": "hi"}],
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    answer = p.chat(body)
    assert answer.status_code == 200 and answer.headers["content-type"] == "text/event-stream"
    events = _sse(answer.text)
    assert events[-1] == (None, "[DONE]")
    chunks = [json.loads(data) for _, data in events[:-1]]
    assert (
        "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
        == "hello there"
    )
    assert [c["choices"][0]["finish_reason"] for c in chunks if c["choices"]][-1] == "stop"
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["completion_tokens"] > 0


def test_an_anthropic_conversation_goes_through_and_streams_back(proxied: Any) -> None:
    p = proxied([{"content": "done", "tool_calls": [{"name": "bash", "arguments": {"command": "pwd"}}]}])
    body = {
        "model": "claude-whatever",
        "max_tokens": 200,
        "system": [{"type": "text", "text": "be brief", "cache_control": {"type": "ephemeral"}}],
        "tools": [{"name": "bash", "description": "run", "input_schema": {"type": "object"}}],
        "messages": [
            {"role": "user", "content": "look around"},
            {
                "role": "assistant",
                "content": [
                    {"type": "tool_use", "id": "toolu_1", "name": "bash", "input": {"command": "ls"}}
                ],
            },
            {
                "role": "user",
                "content": [
                    {"type": "tool_result", "tool_use_id": "toolu_1", "content": "a.txt"},
                    {"type": "text", "text": "go on"},
                ],
            },
        ],
        "stream": True,
    }
    answer = p.messages(body)
    assert answer.status_code == 200, answer.text
    events = _sse(answer.text)
    names = [e for e, _ in events]
    assert names[0] == "message_start" and names[-2:] == ["message_delta", "message_stop"]
    blocks = [json.loads(d)["content_block"] for e, d in events if e == "content_block_start"]
    assert [b["type"] for b in blocks] == ["text", "tool_use"] and blocks[1]["name"] == "bash"
    deltas = [json.loads(d)["delta"] for e, d in events if e == "content_block_delta"]
    assert deltas[0]["text"] == "done" and json.loads(deltas[1]["partial_json"]) == {"command": "pwd"}
    assert json.loads(events[-2][1])["delta"]["stop_reason"] == "tool_use"
    # Upstream (an OpenAI-compatible model here) got the conversation with its tool result.
    sent = p.server.completion_requests[0]["body"]["messages"]
    assert [m["role"] for m in sent] == ["system", "user", "assistant", "tool", "user"]
    assert sent[3] == {"role": "tool", "tool_call_id": "toolu_1", "content": "a.txt"}
    # Only what is new since the last reply is recorded as messages.
    recorded = [e["content"] for e in p.transcript.events if e["kind"] == "message"]
    assert recorded == ["a.txt", "go on"]


def test_an_anthropic_reply_without_stream_is_a_message(proxied: Any) -> None:
    p = proxied([{"content": "four"}])
    answer = p.messages({"max_tokens": 50, "messages": [{"role": "user", "content": "2+2?"}]})
    assert answer.status_code == 200
    reply = answer.json()
    assert reply["type"] == "message" and reply["content"] == [{"type": "text", "text": "four"}]
    assert reply["stop_reason"] == "end_turn" and reply["usage"]["input_tokens"] > 0


@pytest.mark.parametrize(
    "headers",
    [{}, {"authorization": "Bearer wrong"}, {"x-api-key": REAL_KEY}, {"authorization": TOKEN}],
)
def test_a_caller_without_the_attempts_token_is_refused(proxied: Any, headers: dict[str, str]) -> None:
    p = proxied([{"content": "never"}])
    body = {"messages": [{"role": "user", "content": "hi"}]}
    answer = p.chat(body, headers=headers)
    assert answer.status_code == 401 and answer.json()["error"]["code"] == "invalid_api_key"
    answer = p.messages({"max_tokens": 5, **body}, headers=headers)
    assert answer.status_code == 401 and answer.json()["error"]["type"] == "authentication_error"
    assert p.http.get("/v1/models", headers=headers).status_code == 401
    assert p.server.completion_requests == [] and p.meter.model_calls == 0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"messages": []}, "must not be empty"),
        (
            {"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}]},
            "text only",
        ),
        ({"messages": [{"role": "user", "content": "hi"}], "n": 2}, "n must be 1"),
        ({"messages": [{"role": "wizard", "content": "hi"}]}, "role must be one of"),
        ({"messages": [{"role": "tool", "content": "x"}]}, "tool_call_id"),
        ({"messages": [{"role": "user", "content": "hi"}], "functions": []}, "legacy"),
        ({"messages": [{"role": "user", "content": "hi"}], "max_tokens": -1}, "max_tokens"),
        ({"messages": [{"role": "user", "content": "hi"}], "tools": [{"type": "retrieval"}]}, "function"),
        ({"messages": "hi"}, "must be an array"),
    ],
)
def test_malformed_openai_requests_are_refused_with_400(
    proxied: Any, body: dict[str, Any], message: str
) -> None:
    p = proxied([{"content": "never"}])
    answer = p.chat(body)
    assert answer.status_code == 400, answer.text
    error = answer.json()["error"]
    assert error["type"] == "invalid_request_error" and message in error["message"]
    assert p.server.completion_requests == []


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"messages": [{"role": "user", "content": "hi"}]}, "max_tokens is required"),
        (
            {"max_tokens": 5, "messages": [{"role": "user", "content": [{"type": "image", "source": {}}]}]},
            "text only",
        ),
        (
            {
                "max_tokens": 5,
                "messages": [{"role": "user", "content": "hi"}],
                "tools": [{"type": "web_search_20250305", "name": "web_search"}],
            },
            "server tool",
        ),
        ({"max_tokens": 5, "messages": [{"role": "system", "content": "hi"}]}, "'user' or 'assistant'"),
        (
            {
                "max_tokens": 5,
                "thinking": {"type": "enabled"},
                "messages": [{"role": "user", "content": "hi"}],
            },
            "budget_tokens",
        ),
    ],
)
def test_malformed_anthropic_requests_are_refused_with_400(
    proxied: Any, body: dict[str, Any], message: str
) -> None:
    p = proxied([{"content": "never"}])
    answer = p.messages(body)
    assert answer.status_code == 400, answer.text
    assert answer.json()["type"] == "error" and message in answer.json()["error"]["message"]
    assert p.server.completion_requests == []


def test_oversized_unframed_and_hostile_bodies_are_refused_unread(proxied: Any) -> None:
    p = proxied([{"content": "never"}], bounds=ProxyBounds(max_body_bytes=4096))
    big = {"messages": [{"role": "user", "content": "x" * 10_000}]}
    answer = p.chat(big)
    assert answer.status_code == 413 and answer.json()["error"]["code"] == "request_too_large"
    answer = p.messages({"max_tokens": 5, **big})
    assert answer.status_code == 413 and answer.json()["error"]["type"] == "request_too_large"
    # Chunked bodies carry no length the proxy can check before reading: refused.
    chunks = iter([b'{"messages": [', b"]}"])
    answer = p.http.post("/v1/chat/completions", content=chunks, headers=OPENAI_AUTH)
    assert answer.status_code == 411
    deep = "[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1)
    answer = p.http.post(
        "/v1/chat/completions", content=deep, headers={**OPENAI_AUTH, "content-type": "application/json"}
    )
    assert answer.status_code == 400 and "nested" in answer.json()["error"]["message"]
    for raw in (b"not json", b"\xff\xfe", b"[1, 2]"):
        assert p.http.post("/v1/chat/completions", content=raw, headers=OPENAI_AUTH).status_code == 400
    assert p.http.post("/v1/completions", json={}, headers=OPENAI_AUTH).status_code == 404
    assert p.http.post("/v1/chat/completions/../../etc", json={}, headers=OPENAI_AUTH).status_code == 404
    assert p.server.completion_requests == []


def test_the_token_limit_withholds_the_crossing_reply_and_stops(proxied: Any) -> None:
    step = {"content": "working", "usage": {"prompt_tokens": 600, "completion_tokens": 50}}
    p = proxied([step, step, step], limits=AgentLimits(token_limit=1000))
    body = {"messages": [{"role": "user", "content": "go"}]}
    assert p.chat(body).status_code == 200
    crossing = p.chat(body)
    assert crossing.status_code == 429 and crossing.json()["error"]["code"] == "insufficient_quota"
    assert p.proxy.stop_reason == StopReason.TOKEN_LIMIT and p.proxy.stopped.is_set()
    again = p.messages({"max_tokens": 5, **body})
    assert again.status_code == 429 and again.json()["error"]["type"] == "rate_limit_error"
    # Two calls reached the model (the second was paid for, so it counts), the third none.
    assert len(p.server.completion_requests) == 2
    assert (p.proxy.input_tokens, p.proxy.output_tokens) == (1200, 100) and p.meter.model_calls == 2
    # Never more output asked for than the budget has left: 1000 - 650.
    assert p.server.completion_requests[1]["body"]["max_tokens"] == 350
    assert "proxy_stop" in p.kinds()


def test_the_cost_limit_stops_the_calls(proxied: Any) -> None:
    step = {"content": "costly", "usage": {"prompt_tokens": 1000, "completion_tokens": 1000}}
    p = proxied([step, step, step], limits=AgentLimits(cost_limit_usd=0.02))
    body = {"messages": [{"role": "user", "content": "go"}]}
    # $0.018 each: the first is answered, the second crosses the limit (withheld), the third is
    # refused before it reaches the model.
    assert [p.chat(body).status_code for _ in range(3)] == [200, 429, 429]
    assert p.proxy.stop_reason == StopReason.COST_LIMIT and len(p.server.completion_requests) == 2
    assert p.proxy.cost_usd == pytest.approx(0.036) == p.meter.cost_usd


def test_the_number_of_calls_is_bounded(proxied: Any) -> None:
    p = proxied([{"content": "ok", "repeat": 5}], bounds=ProxyBounds(max_calls=2))
    body = {"messages": [{"role": "user", "content": "go"}]}
    assert [p.chat(body).status_code for _ in range(3)] == [200, 200, 429]
    assert p.proxy.stop_reason == StopReason.AGENT_ERROR and len(p.server.completion_requests) == 2


def test_a_provider_failure_ends_the_attempt_as_ours(proxied: Any) -> None:
    p = proxied([{"status": 401, "error": "bad key"}])
    answer = p.chat({"messages": [{"role": "user", "content": "go"}]})
    assert answer.status_code == 503 and answer.json()["error"]["type"] == "server_error"
    assert "bad key" not in answer.text
    assert p.proxy.failure is not None and p.proxy.stopped.is_set() and p.proxy.stop_reason is None


def test_a_prompt_too_long_is_the_programs_to_handle(proxied: Any) -> None:
    p = proxied([{"content": "fits"}])
    p.server.context_window = 10
    answer = p.chat({"messages": [{"role": "user", "content": "x" * 400}]})
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "context_length_exceeded"
    assert not p.proxy.stopped.is_set() and "context_exceeded" in p.kinds()


def test_connections_past_the_bound_are_closed(proxied: Any) -> None:
    p = proxied([{"content": "ok"}], bounds=ProxyBounds(max_connections=2, read_timeout_s=5))
    held = []
    for _ in range(2):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(str(p.socket))
        held.append(s)
    extra = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    extra.settimeout(5)
    extra.connect(str(p.socket))
    extra.sendall(b"GET /v1/models HTTP/1.1\r\nHost: x\r\n\r\n")
    try:
        answered = extra.recv(100)
    except ConnectionResetError:  # closed before it read the request
        answered = b""
    assert answered == b""  # closed unanswered
    extra.close()
    for s in held:
        s.close()
    # Once they are gone, calls are served again.
    p.http.close()
    p.http = httpx.Client(transport=httpx.HTTPTransport(uds=str(p.socket)), base_url="http://sandbox")
    assert p.http.get("/v1/models", headers=OPENAI_AUTH).json()["data"][0]["id"] == "proxied-model"


def test_the_socket_is_removed_on_close(proxied: Any) -> None:
    p = proxied([])
    assert p.socket.exists() and oct(p.socket.stat().st_mode & 0o777) == "0o666"
    p.proxy.close()
    p.proxy.close()
    assert not p.socket.exists()
