"""A strict stand-in for Anthropic's Messages API (`POST /v1/messages`) on 127.0.0.1, for tests.

Unlike the lenient `/v1/messages` handler of `scripted_openai`, this server refuses what the real
API refuses (https://docs.anthropic.com/en/api/messages, .../build-with-claude/extended-thinking,
.../build-with-claude/prompt-caching), each with a 400 whose message is kept in `rejections`:

* no `max_tokens`, `messages` that do not alternate from `user`, a `tool_result` that answers no
  `tool_use` of the turn before, or a `tool_use` left unanswered;
* `thinking: {type: "enabled"}` with `budget_tokens` < 1,024 or >= `max_tokens`, or on a model
  listed in `adaptive_only`; `thinking: {type: "adaptive"}` without an effort it knows;
  a temperature other than 1 with thinking on;
* with thinking on, an assistant turn with `tool_use` that does not start with the `thinking` (or
  `redacted_thinking`) block this server sent, signature included: "expected thinking or
  redacted_thinking";
* more than 4 blocks with `cache_control`, or `cache_control` on a thinking block.

Answers come from a script (steps as in `scripted_openai`: `content`, `tool_calls`, `status` with
`headers` such as `retry-after`, `repeat`; `reply_when` as there), with a signed `thinking` block
first whenever thinking is on (`"thinking": "..."` in a step sets its text, `"redacted": true` adds
a redacted block).
Usage is split as the real API reports it: prompt tokens (about four characters each) up to the
longest cached prefix are `cache_read_input_tokens`, those up to the last breakpoint that were not
cached are `cache_creation_input_tokens` (prefixes under `min_cache_tokens` are not cached), the
rest `input_tokens`. The answer names `served_model`, not the requested alias.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.fakes.scripted_openai import Step, estimate_tokens, expand_script, reply_when_step

MAX_CACHE_BREAKPOINTS = 4
MIN_THINKING_BUDGET = 1024
EFFORTS = ("low", "medium", "high", "max")
THINKING_TYPES = ("thinking", "redacted_thinking")
# How far before a breakpoint the real API looks for an earlier cached prefix, in blocks.
CACHE_LOOKBACK_BLOCKS = 20


class Rejected(Exception):
    """A request the real API would answer with 400."""


class ScriptedAnthropicServer:
    """A threaded HTTP server that validates Messages requests and answers from a script."""

    def __init__(
        self,
        script: list[Step],
        *,
        served_model: str = "claude-scripted-20261101",
        adaptive_only: tuple[str, ...] = (),
        min_cache_tokens: int = 1024,
        reply_when: dict[str, Step] | None = None,
    ) -> None:
        self._steps = expand_script(script)
        self.reply_when = reply_when or {}
        self._next = 0
        self.served_model = served_model
        self.adaptive_only = adaptive_only
        self.min_cache_tokens = min_cache_tokens
        self._secret = uuid.uuid4().bytes
        self._redacted: set[str] = set()
        self._cached: set[str] = set()
        self._lock = threading.Lock()
        self.requests: list[dict[str, Any]] = []
        self.rejections: list[str] = []
        self.usages: list[dict[str, int]] = []
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def root_url(self) -> str:
        """`http://127.0.0.1:PORT`, the base URL for the Anthropic client."""
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    @property
    def bodies(self) -> list[dict[str, Any]]:
        """The JSON bodies of the requests received, in order."""
        return [r["body"] for r in self.requests]

    def __enter__(self) -> ScriptedAnthropicServer:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    # -- answering ------------------------------------------------------------------------------

    def answer(self, headers: dict[str, str], body: Any) -> tuple[int, dict[str, Any], dict[str, str]]:
        """Status, JSON answer and extra headers for one request."""
        with self._lock:
            self.requests.append({"headers": headers, "body": body})
            try:
                if headers.get("anthropic-version") is None:
                    raise Rejected("anthropic-version: header is required")
                thinking = self._validate(body)
            except (AttributeError, TypeError) as exc:
                # A block or message of the wrong JSON type: the real API's schema refuses it.
                problem = f"invalid request shape ({type(exc).__name__})"
                self.rejections.append(problem)
                return 400, _error("invalid_request_error", problem), {}
            except Rejected as exc:
                self.rejections.append(str(exc))
                return 400, _error("invalid_request_error", str(exc)), {}
            step = reply_when_step(self.reply_when, body)
            if step is None:
                if self._next >= len(self._steps):
                    return 400, _error("invalid_request_error", "script exhausted"), {}
                step = self._steps[self._next]
                self._next += 1
            if "status" in step:
                kind = "rate_limit_error" if step["status"] == 429 else "api_error"
                return int(step["status"]), _error(kind, str(step.get("error", ""))), step.get("headers", {})
            return 200, self._reply(body, step, thinking), {}

    def _validate(self, body: Any) -> bool:
        """Raise Rejected for what the real API refuses; return whether thinking is on."""
        if not isinstance(body, dict):
            raise Rejected("body: must be a JSON object")
        max_tokens = body.get("max_tokens")
        if not isinstance(max_tokens, int) or isinstance(max_tokens, bool) or max_tokens < 1:
            raise Rejected("max_tokens: Field required")
        thinking = self._validate_thinking(body, max_tokens)
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            raise Rejected("messages: at least one message is required")
        previous_calls: set[str] = set()
        for i, msg in enumerate(messages):
            role = msg.get("role")
            if role != ("user" if i % 2 == 0 else "assistant"):
                raise Rejected(f"messages.{i}.role: roles must alternate between user and assistant")
            content = msg.get("content")
            blocks = [{"type": "text", "text": content}] if isinstance(content, str) else content
            if role == "user":
                answered = {b.get("tool_use_id") for b in blocks if b.get("type") == "tool_result"}
                if answered - previous_calls or previous_calls - answered:
                    raise Rejected(
                        f"messages.{i}: each tool_use must be answered by one tool_result in the next message"
                    )
                previous_calls = set()
            else:
                previous_calls = {str(b.get("id")) for b in blocks if b.get("type") == "tool_use"}
                if thinking and previous_calls:
                    self._check_thinking_first(i, blocks)
        self._check_cache_control(body)
        return thinking

    def _validate_thinking(self, body: dict[str, Any], max_tokens: int) -> bool:
        config = body.get("thinking")
        if config is None or config.get("type") == "disabled":
            return False
        if config.get("type") == "enabled":
            if body.get("model") in self.adaptive_only:
                raise Rejected(
                    "thinking.type.enabled: not supported on this model; use thinking.type.adaptive"
                )
            budget = config.get("budget_tokens")
            if not isinstance(budget, int) or budget < MIN_THINKING_BUDGET:
                raise Rejected(f"thinking.enabled.budget_tokens: must be >= {MIN_THINKING_BUDGET}")
            if budget >= max_tokens:
                raise Rejected("max_tokens: must be greater than thinking.budget_tokens")
        elif config.get("type") == "adaptive":
            effort = (body.get("output_config") or {}).get("effort", "high")
            if effort not in EFFORTS:
                raise Rejected(f"output_config.effort: unknown value {effort!r}")
        else:
            raise Rejected("thinking.type: must be enabled, adaptive or disabled")
        if body.get("temperature", 1) != 1:
            raise Rejected("temperature: may only be set to 1 when thinking is enabled")
        return True

    def _check_thinking_first(self, index: int, blocks: list[dict[str, Any]]) -> None:
        first = blocks[0] if blocks else {}
        if first.get("type") == "thinking" and first.get("signature") == self._sign(
            first.get("thinking", "")
        ):
            return
        if first.get("type") == "redacted_thinking" and first.get("data") in self._redacted:
            return
        raise Rejected(
            f"messages.{index}.content.0.type: expected thinking or redacted_thinking, but found "
            f"{first.get('type')!r} (or a thinking block whose signature does not match). When thinking "
            "is enabled, an assistant message with tool_use must start with its thinking block."
        )

    @staticmethod
    def _check_cache_control(body: dict[str, Any]) -> None:
        marked = 0
        for block in prompt_blocks(body):
            if "cache_control" in block:
                if block.get("type") in THINKING_TYPES:
                    raise Rejected("cache_control: cannot be set on thinking blocks")
                marked += 1
        if marked > MAX_CACHE_BREAKPOINTS:
            raise Rejected(
                f"A maximum of {MAX_CACHE_BREAKPOINTS} blocks with cache_control may be provided. "
                f"Found {marked}."
            )

    def _sign(self, text: str) -> str:
        return hmac.new(self._secret, text.encode(), hashlib.sha256).hexdigest()

    def _reply(self, body: dict[str, Any], step: Step, thinking: bool) -> dict[str, Any]:
        blocks: list[dict[str, Any]] = []
        if thinking:
            text = str(step.get("thinking", f"Thinking about turn {self._next}."))
            blocks.append({"type": "thinking", "thinking": text, "signature": self._sign(text)})
            if step.get("redacted"):
                data = uuid.uuid4().hex
                self._redacted.add(data)
                blocks.append({"type": "redacted_thinking", "data": data})
        if step.get("content"):
            blocks.append({"type": "text", "text": step["content"]})
        for call in step.get("tool_calls", []):
            blocks.append(
                {
                    "type": "tool_use",
                    "id": call.get("id") or f"toolu_{uuid.uuid4().hex[:12]}",
                    "name": call["name"],
                    "input": call.get("arguments", {}),
                }
            )
        usage = self._usage(body, blocks)
        self.usages.append(usage)
        has_calls = any(b["type"] == "tool_use" for b in blocks)
        return {
            "id": f"msg_{uuid.uuid4().hex[:12]}",
            "type": "message",
            "role": "assistant",
            "model": self.served_model,
            "content": blocks,
            "stop_reason": "tool_use" if has_calls else "end_turn",
            "stop_sequence": None,
            "usage": usage,
        }

    def _usage(self, body: dict[str, Any], reply: list[dict[str, Any]]) -> dict[str, int]:
        """Split the prompt's tokens into cache reads, cache writes and uncached input."""
        blocks = prompt_blocks(body)
        sizes = [estimate_tokens(json.dumps(_without_cache_control(b), sort_keys=True)) for b in blocks]
        keys: list[str] = []
        digest = hashlib.sha256()
        for block in blocks:
            digest.update(json.dumps(_without_cache_control(block), sort_keys=True).encode())
            keys.append(digest.hexdigest())
        breakpoints = [i for i, b in enumerate(blocks) if "cache_control" in b]
        read_end = 0
        for point in breakpoints:
            for j in range(point, max(-1, point - CACHE_LOOKBACK_BLOCKS), -1):
                if keys[j] in self._cached:
                    read_end = max(read_end, j + 1)
                    break
        write_end = read_end
        for point in breakpoints:
            if sum(sizes[: point + 1]) >= self.min_cache_tokens:
                self._cached.add(keys[point])
                write_end = max(write_end, point + 1)
        total = sum(sizes)
        read = sum(sizes[:read_end])
        written = sum(sizes[read_end:write_end])
        return {
            "input_tokens": total - read - written,
            "cache_creation_input_tokens": written,
            "cache_read_input_tokens": read,
            "output_tokens": max(1, estimate_tokens(json.dumps(reply))),
        }


def prompt_blocks(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The prompt's blocks in cache order: tools, system, then every message's content."""
    blocks: list[dict[str, Any]] = list(body.get("tools") or [])
    system = body.get("system")
    if isinstance(system, str):
        blocks.append({"type": "text", "text": system})
    elif isinstance(system, list):
        blocks.extend(system)
    for msg in body.get("messages") or []:
        content = msg.get("content")
        if isinstance(content, str):
            blocks.append({"type": "text", "text": content})
        elif isinstance(content, list):
            blocks.extend(content)
    return blocks


def _without_cache_control(block: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in block.items() if k != "cache_control"}


def _error(kind: str, message: str) -> dict[str, Any]:
    return {"type": "error", "error": {"type": kind, "message": message}}


def _handler_for(server: ScriptedAnthropicServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
            except json.JSONDecodeError:
                body = None
            extra: dict[str, str] = {}
            if self.path.rstrip("/") != "/v1/messages":
                status, payload = 404, _error("not_found_error", self.path)
            else:
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, payload, extra = server.answer(headers, body)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            for name, value in extra.items():
                self.send_header(name, str(value))
            self.end_headers()
            self.wfile.write(data)

    return Handler
