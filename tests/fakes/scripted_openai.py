"""A real HTTP model server on 127.0.0.1 that answers from a script, for tests.

It speaks the OpenAI chat-completions protocol (`POST /v1/chat/completions`, `GET /v1/models`) and
Anthropic's Messages API (`POST /v1/messages`), answering each request with the next step of a
script. A step is a JSON object:

    {"content": "text"}                                     plain assistant text
    {"tool_calls": [{"name": "bash", "arguments": {...}}]}  tool calls (content optional)
    {"tool_calls": [{"name": "bash", "arguments_raw": "{oops"}]}   malformed arguments, sent as is
    {"status": 500, "error": "boom", "headers": {"Retry-After": "1"}}   an HTTP error
    any step may add "delay_s" (sleep before answering), "repeat" (use the step n times),
    "usage" ({"prompt_tokens", "completion_tokens"} to override the estimate), "omit_usage": true
    (answer without usage, as some servers do) and "finish_reason".

With `context_window` set, a request whose estimated prompt plus `max_tokens` exceeds it gets the
400 answer vLLM gives. `max_in_flight` records the most requests served at once.

Chat completions are held to what OpenAI's API enforces, by the requested model id the way the
real server knows it (this is the stand-in's own list; the product reads its capability table):
a reasoning model (`o1`, `o3`, `o4-mini`, `gpt-5`... but not `gpt-5-chat`) answers `max_tokens`
with 400 `unsupported_parameter` and a temperature other than 1 with 400 `unsupported_value`; a
`gpt-4*` model answers `reasoning_effort` with 400 `unsupported_parameter`. Usage carries
`prompt_tokens_details.cached_tokens` (automatic caching: the prefix shared with an earlier
request, in 128-token steps, once a prompt has 1,024 tokens) and
`completion_tokens_details.reasoning_tokens` (part of `completion_tokens`; a step may set
`"usage": {"cached_tokens": n, "reasoning_tokens": n}`), and an alias is answered by a dated
snapshot id (`o3` -> `o3-2025-04-16`), as the real API does.

Token usage is estimated like a real server would report it (about four characters a token of the
request's messages and tools, and of the reply). Every request is recorded (path, headers, JSON
body, time received). When the script is used up the server answers 400 "script exhausted" unless
`loop` is set, in which case it starts over. With `by_turn` (`--by-turn`) the step is chosen by
the request's turn number (its count of assistant messages) instead of arrival order, so that many
conversations at once (parallel runs in end-to-end tests) each get the whole script.

In tests: `with ScriptedModelServer(script) as server: ... server.base_url ...`, or the
`scripted_server` fixture below. As a process (for end-to-end tests with real workers):

    python -m tests.fakes.scripted_openai --port 0 --script script.json [--loop] [--by-turn]
        [--requests-log F] [--api-key-env NAME]

prints `listening on http://127.0.0.1:PORT` once it accepts connections.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import signal
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

Step = dict[str, Any]


def expand_script(script: list[Step]) -> list[Step]:
    """The script with each `repeat: n` step written out n times."""
    steps: list[Step] = []
    for step in script:
        steps.extend([step] * int(step.get("repeat", 1)))
    return steps


def estimate_tokens(text: str) -> int:
    """About four characters a token, at least one for non-empty text."""
    return max(1, len(text) // 4) if text else 0


class ScriptedModelServer:
    """A threaded HTTP server answering model requests from a script."""

    def __init__(
        self,
        script: list[Step],
        *,
        port: int = 0,
        loop: bool = False,
        model: str = "scripted-model",
        api_key: str | None = None,
        requests_log: Path | None = None,
        context_window: int | None = None,
        by_turn: bool = False,
    ) -> None:
        self._steps = expand_script(script)
        self._next = 0
        self._loop = loop
        self.model = model
        self.api_key = api_key
        self._requests_log = requests_log
        self.context_window = context_window
        self.by_turn = by_turn
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self.requests: list[dict[str, Any]] = []
        # The latest serialised prompts, for OpenAI's automatic prompt caching.
        self.prompts: collections.deque[str] = collections.deque(maxlen=_CACHED_PROMPTS)
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def root_url(self) -> str:
        """`http://127.0.0.1:PORT`: the base for Anthropic-style clients."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:PORT/v1`: the base for OpenAI-style clients."""
        return self.root_url + "/v1"

    @property
    def completion_requests(self) -> list[dict[str, Any]]:
        """Recorded POST bodies of model calls (either protocol), in order."""
        return [r for r in self.requests if r["method"] == "POST"]

    def start(self) -> ScriptedModelServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="scripted-model",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def serve_forever(self) -> None:
        """Serve in the calling thread (standalone mode)."""
        self._httpd.serve_forever(poll_interval=0.05)

    def __enter__(self) -> ScriptedModelServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def record(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self.requests.append(entry)
            if self._requests_log is not None:
                with self._requests_log.open("a", encoding="utf-8") as f:
                    f.write(json.dumps(entry) + "\n")

    def enter(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def next_step(self, request: dict[str, Any] | None = None) -> Step | None:
        """The step for the next request, or None when the script is used up.

        With `by_turn`, the step is chosen by the number of assistant messages in the request
        rather than by arrival order, so parallel conversations each follow the script.
        """
        if self.by_turn:
            turn = sum(1 for m in (request or {}).get("messages", []) if m.get("role") == "assistant")
            if turn >= len(self._steps):
                if not self._loop or not self._steps:
                    return None
                turn %= len(self._steps)
            return self._steps[turn]
        with self._lock:
            if self._next >= len(self._steps):
                if not self._loop or not self._steps:
                    return None
                self._next = 0
            step = self._steps[self._next]
            self._next += 1
            return step

    @property
    def steps_left(self) -> int:
        with self._lock:
            return len(self._steps) - self._next


def _handler_for(server: ScriptedModelServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
            pass  # keep test output quiet

        def do_GET(self) -> None:
            server.record(self._entry(None))
            if self.path.rstrip("/") in ("/v1/models", "/models"):
                data = [{"id": server.model, "object": "model", "owned_by": "tests"}]
                self._send(200, {"object": "list", "data": data})
            else:
                self._send(404, {"error": {"message": f"no route {self.path}"}})

        def do_POST(self) -> None:
            server.enter()
            try:
                self._post()
            finally:
                server.leave()

        def _post(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw or b"{}")
            except json.JSONDecodeError:
                body = None
            server.record(self._entry(body))
            anthropic = self.path.rstrip("/").endswith("/messages")
            if not anthropic and not self.path.rstrip("/").endswith("/chat/completions"):
                self._send(404, {"error": {"message": f"no route {self.path}"}})
                return
            if not isinstance(body, dict):
                self._error(400, "request body is not a JSON object", anthropic)
                return
            if server.api_key is not None and not self._key_ok(anthropic):
                self._error(401, "invalid API key", anthropic)
                return
            refusal = None if anthropic else openai_refusal(body)
            if refusal is not None:
                self._send(400, {"error": {**refusal, "type": "invalid_request_error"}})
                return
            if server.context_window is not None:
                prompt_tokens = _prompt_tokens(body)
                wanted = prompt_tokens + int(body.get("max_tokens") or body.get("max_completion_tokens") or 0)
                if wanted > server.context_window:
                    # Worded like vLLM's answer, which clients recognise.
                    message = (
                        f"This model's maximum context length is {server.context_window} tokens. "
                        f"However, you requested {wanted} tokens ({prompt_tokens} in the messages)."
                    )
                    self._error(400, message, anthropic)
                    return
            step = server.next_step(body)
            if step is None:
                self._error(400, "script exhausted", anthropic)
                return
            if step.get("delay_s"):
                time.sleep(float(step["delay_s"]))
            if "status" in step:
                self._error(int(step["status"]), str(step.get("error", "scripted error")), anthropic, step)
                return
            reply = _anthropic_reply(server, body, step) if anthropic else _openai_reply(server, body, step)
            self._send(200, reply)

        def _key_ok(self, anthropic: bool) -> bool:
            if anthropic:
                return self.headers.get("x-api-key") == server.api_key
            return self.headers.get("authorization") == f"Bearer {server.api_key}"

        def _entry(self, body: Any) -> dict[str, Any]:
            return {
                "method": self.command,
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": body,
                "received_at": time.time(),
            }

        def _error(self, status: int, message: str, anthropic: bool, step: Step | None = None) -> None:
            if anthropic:
                payload: dict[str, Any] = {
                    "type": "error",
                    "error": {"type": "api_error", "message": message},
                }
            else:
                payload = {"error": {"message": message, "type": "scripted_error", "code": status}}
            self._send(status, payload, headers=(step or {}).get("headers"))

        def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, str(value))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test): nothing to answer

    return Handler


def _prompt_tokens(request: dict[str, Any]) -> int:
    prompt = json.dumps(request.get("messages", [])) + json.dumps(request.get("tools", []))
    return estimate_tokens(prompt + str(request.get("system", "")))


def _usage(request: dict[str, Any], reply_text: str, step: Step) -> tuple[int, int]:
    usage = step.get("usage", {})
    return (
        int(usage.get("prompt_tokens", _prompt_tokens(request))),
        int(usage.get("completion_tokens", max(1, estimate_tokens(reply_text)))),
    )


def _openai_reply(server: ScriptedModelServer, request: dict[str, Any], step: Step) -> dict[str, Any]:
    calls = []
    for call in step.get("tool_calls", []):
        arguments = (
            call["arguments_raw"] if "arguments_raw" in call else json.dumps(call.get("arguments", {}))
        )
        calls.append(
            {
                "id": call.get("id") or f"call_{uuid.uuid4().hex[:10]}",
                "type": "function",
                "function": {"name": call["name"], "arguments": arguments},
            }
        )
    content = step.get("content")
    message: dict[str, Any] = {"role": "assistant", "content": content if content or not calls else None}
    if calls:
        message["tool_calls"] = calls
    prompt_tokens, completion_tokens = _usage(request, json.dumps(message), step)
    requested = str(request.get("model", server.model))
    reasoning = int(step.get("usage", {}).get("reasoning_tokens", 64 if is_reasoning_model(requested) else 0))
    completion_tokens += reasoning  # billed as output, never shown
    cached = step.get("usage", {}).get("cached_tokens")
    if cached is None:
        cached = _cached_tokens(server, json.dumps(request.get("messages", [])), prompt_tokens)
    reply: dict[str, Any] = {
        "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": SNAPSHOTS.get(requested, requested),
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": step.get("finish_reason", "tool_calls" if calls else "stop"),
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
            "prompt_tokens_details": {"cached_tokens": int(cached), "audio_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": reasoning, "audio_tokens": 0},
        },
    }
    if step.get("omit_usage"):
        del reply["usage"]
    return reply


# What OpenAI's Chat Completions enforces per model (public API reference and its error answers).
_REASONING_PREFIXES = ("o1", "o3", "o4", "gpt-5")
SNAPSHOTS = {"o3": "o3-2025-04-16", "o4-mini": "o4-mini-2025-04-16", "gpt-5": "gpt-5-2025-08-07"}
# Automatic caching starts at 1,024 prompt tokens and grows in steps of 128.
_CACHE_MIN_TOKENS = 1024
_CACHE_STEP_TOKENS = 128
# How many recent prompts a new one is compared with (the cache is per conversation prefix).
_CACHED_PROMPTS = 16


def is_reasoning_model(model: str) -> bool:
    """Whether OpenAI's API treats `model` as a reasoning model (in this stand-in's list)."""
    name = model.lower()
    return name.startswith(_REASONING_PREFIXES) and "-chat" not in name


def openai_refusal(request: dict[str, Any]) -> dict[str, Any] | None:
    """The 400 error (message, param, code) the real API answers `request` with, or None."""
    model = str(request.get("model", ""))
    if is_reasoning_model(model):
        if "max_tokens" in request:
            return {
                "message": "Unsupported parameter: 'max_tokens' is not supported with this model. "
                "Use 'max_completion_tokens' instead.",
                "param": "max_tokens",
                "code": "unsupported_parameter",
            }
        temperature = request.get("temperature")
        if temperature is not None and temperature != 1:
            return {
                "message": f"Unsupported value: 'temperature' does not support {temperature} with this "
                "model. Only the default (1) value is supported.",
                "param": "temperature",
                "code": "unsupported_value",
            }
    elif model.lower().startswith("gpt-4") and "reasoning_effort" in request:
        return {
            "message": "Unsupported parameter: 'reasoning_effort' is not supported with this model.",
            "param": "reasoning_effort",
            "code": "unsupported_parameter",
        }
    return None


def _cached_tokens(server: ScriptedModelServer, prompt: str, prompt_tokens: int) -> int:
    """Tokens of `prompt` that an earlier request's prompt shares from its start, as OpenAI's
    automatic cache reports them; the prompt is remembered for later requests."""
    with server._lock:
        shared = max((_common_prefix(prompt, p) for p in server.prompts), default=0)
        server.prompts.append(prompt)
    if prompt_tokens < _CACHE_MIN_TOKENS:
        return 0
    tokens = min(estimate_tokens(prompt[:shared]), prompt_tokens)
    return 0 if tokens < _CACHE_MIN_TOKENS else tokens - tokens % _CACHE_STEP_TOKENS


def _common_prefix(a: str, b: str) -> int:
    """Length of the longest common prefix, by bisection on slice comparisons (done in C)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        mid = (low + high + 1) // 2
        if a[:mid] == b[:mid]:
            low = mid
        else:
            high = mid - 1
    return low


def _anthropic_reply(server: ScriptedModelServer, request: dict[str, Any], step: Step) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = []
    if step.get("content"):
        blocks.append({"type": "text", "text": step["content"]})
    for call in step.get("tool_calls", []):
        tool_input = call["arguments_raw"] if "arguments_raw" in call else call.get("arguments", {})
        blocks.append(
            {
                "type": "tool_use",
                "id": call.get("id") or f"toolu_{uuid.uuid4().hex[:10]}",
                "name": call["name"],
                "input": tool_input,
            }
        )
    has_calls = any(b["type"] == "tool_use" for b in blocks)
    prompt_tokens, completion_tokens = _usage(request, json.dumps(blocks), step)
    return {
        "id": f"msg_{uuid.uuid4().hex[:12]}",
        "type": "message",
        "role": "assistant",
        "model": request.get("model", server.model),
        "content": blocks,
        "stop_reason": step.get("finish_reason", "tool_use" if has_calls else "end_turn"),
        "usage": {"input_tokens": prompt_tokens, "output_tokens": completion_tokens},
    }


@pytest.fixture
def scripted_server() -> Iterator[Any]:
    """A factory fixture: `scripted_server(script, **kwargs)` starts a server stopped after the test.

    To use it from a test module, list this module in a conftest's `pytest_plugins`.
    """
    started: list[ScriptedModelServer] = []

    def start(script: list[Step], **kwargs: Any) -> ScriptedModelServer:
        server = ScriptedModelServer(script, **kwargs).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def main(argv: list[str] | None = None) -> int:
    """Run the scripted server as a process until SIGTERM/SIGINT."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--script", type=Path, required=True, help="a JSON list of steps")
    parser.add_argument("--loop", action="store_true", help="start over when the script is used up")
    parser.add_argument(
        "--by-turn",
        action="store_true",
        help="pick the step by the conversation's turn (its assistant messages), not arrival order",
    )
    parser.add_argument("--model", default="scripted-model")
    parser.add_argument("--api-key-env", help="require the key held by this environment variable")
    parser.add_argument("--requests-log", type=Path, help="append each request as a JSON line")
    args = parser.parse_args(argv)
    script = json.loads(args.script.read_text(encoding="utf-8"))
    if not isinstance(script, list):
        parser.error("the script must be a JSON list of steps")
    api_key = None
    if args.api_key_env:
        api_key = os.environ.get(args.api_key_env)
    server = ScriptedModelServer(
        script,
        port=args.port,
        loop=args.loop,
        model=args.model,
        api_key=api_key,
        requests_log=args.requests_log,
        by_turn=args.by_turn,
    )

    def stop(signum: int, frame: object) -> None:
        # shutdown() blocks until serve_forever returns, so call it from another thread.
        threading.Thread(target=server._httpd.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"listening on {server.root_url}", flush=True)
    server.serve_forever()
    server._httpd.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
