"""A real HTTP model server on 127.0.0.1 that answers from a script, for tests.

It speaks the OpenAI chat-completions protocol (`POST /v1/chat/completions`, `GET /v1/models`),
OpenAI's Responses API (`POST /v1/responses`, held to the real API's rules: see its section below)
and Anthropic's Messages API (`POST /v1/messages`), answering each request with the next step of a
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
        reply_when: dict[str, Step] | None = None,
    ) -> None:
        self._steps = expand_script(script)
        self.reply_when = reply_when or {}
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
        # Responses API: reasoning items given out (id -> encrypted_content), and which one came
        # before each function call (call_id -> reasoning id).
        self.reasoning_issued: dict[str, str] = {}
        self.reasoning_of_call: dict[str, str] = {}
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
        rather than by arrival order, so parallel conversations each follow the script. A request
        whose last message contains a text of `reply_when` gets that text's step instead, and the
        script stays where it was (a scaffold's extra call, such as a summary, at any turn).
        """
        special = reply_when_step(self.reply_when, request)
        if special is not None:
            return special
        if self.by_turn:
            turn = sum(1 for m in (request or {}).get("messages", []) if m.get("role") == "assistant")
            turn += responses_turn(request or {})
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


def reply_when_step(reply_when: dict[str, Step], request: dict[str, Any] | None) -> Step | None:
    """The step of the first `reply_when` text found in the request's last message, if any."""
    messages = (request or {}).get("messages") or []
    last = json.dumps(messages[-1:])
    return next((step for text, step in reply_when.items() if text in last), None)


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
            responses = self.path.rstrip("/").endswith("/responses")
            if not anthropic and not responses and not self.path.rstrip("/").endswith("/chat/completions"):
                self._send(404, {"error": {"message": f"no route {self.path}"}})
                return
            if not isinstance(body, dict):
                self._error(400, "request body is not a JSON object", anthropic)
                return
            if server.api_key is not None and not self._key_ok(anthropic):
                self._error(401, "invalid API key", anthropic)
                return
            refusal = (
                None
                if anthropic
                else (responses_refusal(server, body) if responses else openai_refusal(body))
            )
            if refusal is not None:
                status = refusal.pop("status", 400)
                self._send(status, {"error": {**refusal, "type": "invalid_request_error"}})
                return
            if server.context_window is not None and not responses:
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
            if responses:
                reply = _responses_reply(server, body, step)
            else:
                reply = (
                    _anthropic_reply(server, body, step) if anthropic else _openai_reply(server, body, step)
                )
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


# -- OpenAI's Responses API (POST /v1/responses) -----------------------------------------------
# Held to what the real API enforces (https://platform.openai.com/docs/api-reference/responses
# and its error answers): Chat Completions parameters are refused with the name of their new
# place (`max_tokens` -> `max_output_tokens`), unknown ones (`seed`) too; function tools are
# flat and strict unless `strict: false`; a reasoning model refuses `temperature`, a `gpt-4*`
# model `reasoning`. In `input`, each `function_call_output` must answer an earlier
# `function_call` and each `function_call` get its output; a `function_call` this server sent
# after a reasoning item must come after that reasoning item, and with `store: false` a reasoning
# item is known only by the `encrypted_content` this server gave it (asked for with `include`).
# A step may set "thinking" (the reasoning summary) and "incomplete": "max_output_tokens".

_RESPONSES_PARAMS = frozenset(
    {
        "model", "input", "instructions", "tools", "tool_choice", "max_output_tokens", "temperature",
        "top_p", "reasoning", "store", "include", "parallel_tool_calls", "metadata", "text", "user",
        "previous_response_id", "truncation", "stream", "background", "service_tier",
        "prompt_cache_key", "safety_identifier", "max_tool_calls", "top_logprobs",
    }
)  # fmt: skip
_MOVED_PARAMS = {
    "max_tokens": "max_output_tokens",
    "max_completion_tokens": "max_output_tokens",
    "reasoning_effort": "reasoning.effort",
    "messages": "input",
    "response_format": "text.format",
}
_ASSISTANT_SIDE = ("reasoning", "function_call")


def _refused(message: str, param: str | None, code: str | None, status: int = 400) -> dict[str, Any]:
    return {"status": status, "message": message, "param": param, "code": code}


def responses_refusal(server: ScriptedModelServer, request: dict[str, Any]) -> dict[str, Any] | None:
    """The error (status, message, param, code) the real Responses API answers `request` with."""
    for name in request:
        if name in _MOVED_PARAMS:
            return _refused(
                f"Unsupported parameter: '{name}'. In the Responses API, this parameter has moved to "
                f"'{_MOVED_PARAMS[name]}'. Try again with the new parameter.",
                name,
                "unsupported_parameter",
            )
        if name not in _RESPONSES_PARAMS:
            return _refused(f"Unknown parameter: '{name}'.", name, "unknown_parameter")
    for name in ("model", "input"):
        if name not in request:
            return _refused(f"Missing required parameter: '{name}'.", name, "missing_required_parameter")
    model = str(request["model"])
    if is_reasoning_model(model) and "temperature" in request:
        return _refused(
            "Unsupported parameter: 'temperature' is not supported with this model.",
            "temperature",
            "unsupported_parameter",
        )
    if model.lower().startswith("gpt-4") and "reasoning" in request:
        return _refused(
            "Unsupported parameter: 'reasoning.effort' is not supported with this model.",
            "reasoning.effort",
            "unsupported_parameter",
        )
    return _tools_refusal(request.get("tools") or []) or _input_refusal(server, request)


def _tools_refusal(tools: list[Any]) -> dict[str, Any] | None:
    for i, tool in enumerate(tools):
        if not isinstance(tool, dict) or tool.get("type") != "function":
            continue
        if not tool.get("name"):
            # A Chat Completions tool ({type, function: {...}}) lands here.
            return _refused(
                f"Missing required parameter: 'tools[{i}].name'.",
                f"tools[{i}].name",
                "missing_required_parameter",
            )
        schema = tool.get("parameters") or {}
        strict_ok = schema.get("additionalProperties") is False and set(schema.get("required") or []) == set(
            schema.get("properties") or {}
        )
        if tool.get("strict", True) is not False and not strict_ok:
            return _refused(
                f"Invalid schema for function '{tool['name']}': In context=(), 'additionalProperties' is "
                "required to be supplied and to be false, and 'required' must list every property.",
                f"tools[{i}].parameters",
                "invalid_function_parameters",
            )
    return None


def _input_refusal(server: ScriptedModelServer, request: dict[str, Any]) -> dict[str, Any] | None:
    items = request["input"]
    if isinstance(items, str):
        return None
    if not isinstance(items, list):
        return _refused("Invalid type for 'input': expected a string or an array.", "input", "invalid_type")
    stateless = request.get("store") is False
    reasoning_seen: set[str] = set()
    calls: set[str] = set()
    answered: set[str] = set()
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            return _refused(
                f"Invalid type for 'input[{i}]': expected an object.", f"input[{i}]", "invalid_type"
            )
        kind = item.get("type", "message")
        if kind == "reasoning":
            rs_id = str(item.get("id", ""))
            known = server.reasoning_issued.get(rs_id)
            if known is None or (stateless and item.get("encrypted_content") != known):
                return _refused(
                    f"Item with id '{rs_id}' not found. Items are not persisted when `store` is set to "
                    "false. Try again with `store` set to true, or remove this item from your input.",
                    "input",
                    None,
                    status=404,
                )
            reasoning_seen.add(rs_id)
        elif kind == "function_call":
            call_id = str(item.get("call_id", ""))
            if not call_id or not item.get("name") or not isinstance(item.get("arguments"), str):
                return _refused(
                    f"Missing required parameter: 'input[{i}].call_id'.",
                    f"input[{i}]",
                    "missing_required_parameter",
                )
            needed = server.reasoning_of_call.get(call_id)
            if needed is not None and needed not in reasoning_seen:
                return _refused(
                    f"Item '{call_id}' of type 'function_call' was provided without its required "
                    f"'reasoning' item: '{needed}'.",
                    "input",
                    None,
                )
            calls.add(call_id)
        elif kind == "function_call_output":
            call_id = str(item.get("call_id", ""))
            if call_id not in calls:
                return _refused(
                    f"No tool call found for function call output with call_id {call_id}.", "input", None
                )
            if not isinstance(item.get("output"), str | list):
                return _refused(
                    f"Invalid type for 'input[{i}].output'.", f"input[{i}].output", "invalid_type"
                )
            answered.add(call_id)
        elif kind == "message":
            if item.get("role") not in ("user", "assistant", "system", "developer"):
                return _refused(f"Invalid value for 'input[{i}].role'.", f"input[{i}].role", "invalid_value")
            if not isinstance(item.get("content"), str | list):
                return _refused(
                    f"Invalid type for 'input[{i}].content'.", f"input[{i}].content", "invalid_type"
                )
        else:
            return _refused(f"Invalid value: '{kind}'.", f"input[{i}].type", "invalid_value")
    if unanswered := sorted(calls - answered):
        return _refused(f"No tool output found for function call {unanswered[0]}.", "input", None)
    if server.context_window is not None:
        wanted = _responses_prompt_tokens(request) + int(request.get("max_output_tokens") or 0)
        if wanted > server.context_window:
            return _refused(
                "Your input exceeds the context window of this model. "
                "Please adjust your input and try again.",
                "input",
                "context_length_exceeded",
            )
    return None


def responses_turn(request: dict[str, Any]) -> int:
    """How many assistant turns a Responses request's `input` holds (for `by_turn`)."""
    turns, inside = 0, False
    items = request.get("input")
    for item in items if isinstance(items, list) else []:
        side = isinstance(item, dict) and (
            item.get("role") == "assistant" or item.get("type") in _ASSISTANT_SIDE
        )
        turns += side and not inside
        inside = bool(side)
    return turns


def _responses_prompt(request: dict[str, Any]) -> str:
    # In the order OpenAI's automatic cache reads the prompt: tools, instructions, input.
    parts = (request.get("tools", []), request.get("instructions", ""), request.get("input", []))
    return "".join(json.dumps(p) for p in parts)


def _responses_prompt_tokens(request: dict[str, Any]) -> int:
    return estimate_tokens(_responses_prompt(request))


def _responses_reply(server: ScriptedModelServer, request: dict[str, Any], step: Step) -> dict[str, Any]:
    requested = str(request["model"])
    output: list[dict[str, Any]] = []
    rs_id = None
    if is_reasoning_model(requested):
        rs_id = f"rs_{uuid.uuid4().hex}"
        encrypted = f"gAAAA{uuid.uuid4().hex}{uuid.uuid4().hex}"
        with server._lock:
            server.reasoning_issued[rs_id] = encrypted
        wants_summary = isinstance(request.get("reasoning"), dict) and request["reasoning"].get("summary")
        summary = str(step.get("thinking", "Working out the next step."))
        item: dict[str, Any] = {
            "id": rs_id,
            "type": "reasoning",
            "summary": [{"type": "summary_text", "text": summary}] if wants_summary else [],
        }
        if "reasoning.encrypted_content" in (request.get("include") or []):
            item["encrypted_content"] = encrypted
        output.append(item)
    if step.get("content"):
        output.append(
            {
                "id": f"msg_{uuid.uuid4().hex}",
                "type": "message",
                "status": "completed",
                "role": "assistant",
                "content": [{"type": "output_text", "text": step["content"], "annotations": []}],
            }
        )
    for call in step.get("tool_calls", []):
        call_id = call.get("id") or f"call_{uuid.uuid4().hex[:24]}"
        if rs_id is not None:
            with server._lock:
                server.reasoning_of_call[call_id] = rs_id
        arguments = (
            call["arguments_raw"] if "arguments_raw" in call else json.dumps(call.get("arguments", {}))
        )
        output.append(
            {
                "id": f"fc_{uuid.uuid4().hex}",
                "type": "function_call",
                "status": "completed",
                "call_id": call_id,
                "name": call["name"],
                "arguments": arguments,
            }
        )
    usage = step.get("usage", {})
    prompt_tokens = int(usage.get("prompt_tokens", _responses_prompt_tokens(request)))
    reasoning = int(usage.get("reasoning_tokens", 64 if rs_id else 0))
    visible = [o for o in output if o["type"] != "reasoning"]
    output_tokens = (
        int(usage.get("completion_tokens", max(1, estimate_tokens(json.dumps(visible))))) + reasoning
    )
    cached = usage.get("cached_tokens")
    if cached is None:
        cached = _cached_tokens(server, _responses_prompt(request), prompt_tokens)
    incomplete = step.get("incomplete")
    reply: dict[str, Any] = {
        "id": f"resp_{uuid.uuid4().hex}",
        "object": "response",
        "created_at": int(time.time()),
        "status": "incomplete" if incomplete else "completed",
        "incomplete_details": {"reason": incomplete} if incomplete else None,
        "error": None,
        "model": SNAPSHOTS.get(requested, requested),
        "output": output,
        "store": request.get("store", True),
        "usage": {
            "input_tokens": prompt_tokens,
            "input_tokens_details": {"cached_tokens": int(cached)},
            "output_tokens": output_tokens,
            "output_tokens_details": {"reasoning_tokens": reasoning},
            "total_tokens": prompt_tokens + output_tokens,
        },
    }
    if step.get("omit_usage"):
        del reply["usage"]
    return reply


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
