"""The model proxy of one attempt: an HTTP server on a Unix socket, in front of the agent's model.

Everything that reaches it comes from the agent program, so it is untrusted and bounded:

- only a caller holding the attempt's dummy token (`Authorization: Bearer` or `x-api-key`) is
  answered (401 otherwise); the real key stays in the worker, inside the model client;
- a request needs a `Content-Length` of at most `max_body_bytes` (413, 411 otherwise), its JSON is
  nested at most `MAX_JSON_DEPTH` deep, and it must follow its format (`openai_wire`,
  `anthropic_wire`: 400 otherwise); at most `max_connections` connections are open at once, and a
  connection that sends nothing for `read_timeout_s` is closed;
- the attempt makes at most `max_calls` model calls.

Each accepted call goes through the attempt's model client (the same `MeteredClient` the built-in
scaffolds use: retries, rate limits, pricing and the attempt's meter), is recorded in the
transcript as the built-in scaffolds record theirs (`message` events for what is new in the
request, a `model` event for the reply), and is answered in the format it was asked in.

Limits: a call is refused once the attempt's tokens or dollars are spent (429 in the format's
shape), and the call that spends them is withheld from the program, as the `react` scaffold does
not act on the reply that crossed a limit. Either way the proxy stops (`stopped` is set with the
stop reason the built-in scaffolds use), and the scaffold ends the program. A provider failure
(the outage budget spent, a rejected request) stops it too, and the scaffold raises it as the
built-in scaffolds do, so the attempt is an infrastructure failure, retried, never scored.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import socketserver
import threading
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, Protocol

from core.json_bounds import json_depth
from core.states import StopReason
from workers.model_proxy import wire
from workers.model_proxy.anthropic_wire import AnthropicMessagesWire
from workers.model_proxy.openai_wire import OpenAIChatWire
from workers.model_proxy.wire import BadRequest, ProxyRequest, Wire
from workers.providers.base import (
    CallOptions,
    Completion,
    ContextWindowExceeded,
    ModelClient,
    ProviderError,
)
from workers.transcript import model_event

log = logging.getLogger(__name__)

MAX_JSON_DEPTH = 64
# Messages of one request recorded as `message` events (what is new since the last reply).
MAX_RECORDED_MESSAGES = 50
OPENAI = OpenAIChatWire()
ANTHROPIC = AnthropicMessagesWire()
ROUTES: dict[str, Wire] = {
    "/v1/chat/completions": OPENAI,
    "/chat/completions": OPENAI,
    "/v1/messages": ANTHROPIC,
}
MODEL_LIST_ROUTES = ("/v1/models", "/models")


class SpendLimits(Protocol):
    """The attempt's limits the proxy enforces (the scaffolds' AgentLimits); None: no limit."""

    @property
    def token_limit(self) -> int | None:
        """Input plus output tokens the attempt may use."""
        ...

    @property
    def cost_limit_usd(self) -> float | None:
        """Dollars the attempt may spend."""
        ...


class TranscriptSink(Protocol):
    """Where calls are recorded (the attempt's transcript)."""

    def add(self, kind: str, **data: Any) -> None:
        """Record one event of kind `kind` with its fields."""
        ...


@dataclass(frozen=True)
class ProxyBounds:
    """How much one attempt's agent program may ask of the proxy."""

    max_body_bytes: int = 8 * 1024 * 1024
    max_calls: int = 1000
    max_connections: int = 16
    read_timeout_s: float = 120.0


@dataclass(frozen=True)
class Answer:
    """One HTTP answer: status, body and its content type."""

    status: int
    body: bytes
    content_type: str = "application/json"


class ModelProxy:
    """Serves one attempt's model calls on a Unix socket (see the module docstring)."""

    def __init__(
        self,
        model: ModelClient,
        *,
        limits: SpendLimits,
        transcript: TranscriptSink,
        token: str,
        options: CallOptions | None = None,
        bounds: ProxyBounds | None = None,
    ) -> None:
        self._model = model
        self._limits = limits
        self._transcript = transcript
        self._token = token.encode()
        # The agent's own settings; a request's sampling fills only what they leave unset.
        self._options = options or CallOptions()
        self.bounds = bounds or ProxyBounds()
        self._lock = threading.Lock()
        self.calls = 0
        self.input_tokens = 0
        self.output_tokens = 0
        self.cost_usd = 0.0
        # Set once the proxy refuses further calls: `stop_reason` says why (a limit), or
        # `failure` holds the provider error that ends the attempt as an infrastructure failure.
        self.stopped = threading.Event()
        self.stop_reason: StopReason | None = None
        self.failure: BaseException | None = None
        self._server: _UnixHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._path: Path | None = None

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self, socket_path: Path) -> None:
        """Listen on `socket_path` (made connectable by the sandbox's unprivileged user)."""
        server = _UnixHTTPServer(str(socket_path), _handler_for(self), self.bounds.max_connections)
        os.chmod(socket_path, 0o666)
        self._server, self._path = server, socket_path
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="model-proxy", daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        """Stop serving and remove the socket. Safe to call twice."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._path is not None:
            self._path.unlink(missing_ok=True)

    def __enter__(self) -> ModelProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def model_name(self) -> str:
        """The agent's model, which answers every call whatever model the request names."""
        return self._model.model_name

    # -- requests -------------------------------------------------------------------------------

    def authorized(self, headers: Any) -> bool:
        """Whether the request carries the attempt's dummy token."""
        offered = headers.get("x-api-key") or ""
        bearer = headers.get("authorization") or ""
        if bearer.lower().startswith("bearer "):
            offered = offered or bearer[7:].strip()
        return hmac.compare_digest(offered.encode(), self._token)

    def handle(self, chosen: Wire, raw: bytes) -> Answer:
        """Answer one model call in `chosen`'s format."""
        try:
            request = chosen.parse(_decode_body(raw))
        except BadRequest as exc:
            return refusal(chosen, wire.BAD_REQUEST, str(exc))
        return self._call(chosen, request)

    def _call(self, chosen: Wire, request: ProxyRequest) -> Answer:
        with self._lock:
            refused = self._admit(before_call=True)
            if refused is not None:
                return refusal(chosen, wire.LIMIT_REACHED, refused)
            self.calls += 1
            number = self.calls
            max_tokens = self._max_tokens(request)
        options = replace(
            self._options,
            **{k: v for k, v in request.sampling.items() if getattr(self._options, k, None) is None},
        )
        self._record_request(request, number)
        try:
            completion = self._model.complete(request.messages, request.tools, max_tokens, options)
        except ContextWindowExceeded as exc:
            # The program's own conversation outgrew the model: its business, as with any API.
            self._transcript.add("context_exceeded", message=str(exc), call=number)
            return refusal(
                chosen, wire.CONTEXT_EXCEEDED, "the prompt does not fit the model's context window"
            )
        except Exception as exc:  # noqa: BLE001 - every failure here ends the attempt
            self._fail(exc)
            return refusal(chosen, wire.UNAVAILABLE, "the model is unavailable; the attempt has ended")
        with self._lock:
            self.input_tokens += completion.usage.input_tokens
            self.output_tokens += completion.usage.output_tokens
            self.cost_usd += completion.usage.cost_usd
        self._record_reply(completion, request, chosen, number)
        with self._lock:
            crossed = self._admit(before_call=False)
        if crossed is not None:
            return refusal(chosen, wire.LIMIT_REACHED, crossed)
        model = completion.served_model or self.model_name
        if request.stream:
            return Answer(200, chosen.stream(completion, model, request), "text/event-stream")
        return Answer(200, json.dumps(chosen.reply(completion, model)).encode())

    def _admit(self, *, before_call: bool) -> str | None:
        """None while calls may go on; else why not (the proxy stops on the first refusal). The
        count of calls bounds only new ones. Called with the lock held."""
        if self.stopped.is_set():
            return "the attempt has ended: no more model calls"
        limits = self._limits
        if limits.token_limit is not None and self.input_tokens + self.output_tokens >= limits.token_limit:
            return self._stop(
                StopReason.TOKEN_LIMIT, f"the attempt's token limit ({limits.token_limit:,}) is spent"
            )
        if limits.cost_limit_usd is not None and self.cost_usd >= limits.cost_limit_usd:
            return self._stop(
                StopReason.COST_LIMIT, f"the attempt's cost limit (${limits.cost_limit_usd:g}) is spent"
            )
        if before_call and self.calls >= self.bounds.max_calls:
            return self._stop(
                StopReason.AGENT_ERROR, f"the attempt made its {self.bounds.max_calls:,} model calls"
            )
        return None

    def _stop(self, reason: StopReason, message: str) -> str:
        self.stop_reason = reason
        self.stopped.set()
        self._transcript.add("proxy_stop", reason=reason, message=message)
        return message

    def _fail(self, exc: BaseException) -> None:
        with self._lock:
            if self.failure is None:
                self.failure = exc
            self.stopped.set()
        if not isinstance(exc, ProviderError):
            log.error("the model proxy failed on a call", exc_info=exc)

    def _max_tokens(self, request: ProxyRequest) -> int:
        """What the program asked for (default: the model's most), within the model's most and
        the tokens the attempt has left. Called with the lock held."""
        most = int(getattr(self._model, "max_output_tokens", 0) or 0) or 4096
        wanted = min(request.max_tokens or most, most)
        if self._limits.token_limit is not None:
            left = self._limits.token_limit - self.input_tokens - self.output_tokens
            wanted = min(wanted, left)
        return max(1, wanted)

    # -- transcript -----------------------------------------------------------------------------

    def _record_request(self, request: ProxyRequest, number: int) -> None:
        """The messages new since the program's last reply (all of them on its first call)."""
        last = max((i for i, m in enumerate(request.messages) if m.role == "assistant"), default=-1)
        new = request.messages[last + 1 :]
        for message in new[-MAX_RECORDED_MESSAGES:]:
            fields: dict[str, Any] = {"role": message.role, "content": message.content, "call": number}
            if message.tool_call_id:
                fields["tool_call_id"] = message.tool_call_id
            self._transcript.add("message", **fields)
        if len(new) > MAX_RECORDED_MESSAGES:
            self._transcript.add(
                "message",
                role="note",
                content=f"{len(new) - MAX_RECORDED_MESSAGES} earlier new messages not shown",
                call=number,
            )

    def _record_reply(self, completion: Completion, request: ProxyRequest, chosen: Wire, number: int) -> None:
        self._transcript.add(
            "model",
            **model_event(completion, self.model_name),
            call=number,
            wire=chosen.name,
            requested_model=request.requested_model,
            stream=request.stream,
            not_forwarded=list(request.ignored),
        )


def refusal(chosen: Wire, kind: str, message: str) -> Answer:
    """A refusal of `kind` in `chosen`'s error shape and status."""
    return Answer(wire.STATUS[kind], json.dumps(chosen.error(kind, message)).encode())


def _decode_body(raw: bytes) -> dict[str, Any]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("the body is not UTF-8") from None
    if json_depth(text) > MAX_JSON_DEPTH:
        raise BadRequest(f"the JSON is nested more than {MAX_JSON_DEPTH} levels deep")
    try:
        body = json.loads(text)
    except (ValueError, RecursionError):
        raise BadRequest("the body is not JSON") from None
    return wire.require_dict(body, "the body")


class _UnixHTTPServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    """A threaded HTTP server on a Unix socket that keeps at most `max_connections` open."""

    daemon_threads = True
    block_on_close = False

    def __init__(self, path: str, handler: type[BaseHTTPRequestHandler], max_connections: int) -> None:
        self._slots = threading.BoundedSemaphore(max_connections)
        super().__init__(path, handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            # Too many connections at once: this one is closed unanswered (the program's own doing).
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()


def _handler_for(proxy: ModelProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "horizon-model-proxy"
        sys_version = ""
        timeout = proxy.bounds.read_timeout_s

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
            pass  # a Unix socket has no client address; calls are in the transcript

        def address_string(self) -> str:
            return "sandbox"

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0].rstrip("/")
            if not proxy.authorized(self.headers):
                self._send(refusal(OPENAI, wire.UNAUTHORIZED, "invalid API key"))
            elif path in MODEL_LIST_ROUTES:
                data = [{"id": proxy.model_name, "object": "model", "created": 0, "owned_by": "horizon"}]
                self._send(Answer(200, json.dumps({"object": "list", "data": data}).encode()))
            else:
                self._send(refusal(OPENAI, wire.NOT_FOUND, "no such route"))

        def do_POST(self) -> None:
            path = self.path.split("?", 1)[0].rstrip("/")
            chosen = ROUTES.get(path)
            if chosen is None:
                self.close_connection = True
                self._send(refusal(OPENAI, wire.NOT_FOUND, "no such route"))
                return
            if not proxy.authorized(self.headers):
                self.close_connection = True
                self._send(refusal(chosen, wire.UNAUTHORIZED, "invalid API key"))
                return
            length = self._length(chosen)
            if length is None:
                return
            raw = self.rfile.read(length)
            if len(raw) < length:
                self.close_connection = True
                return  # the program hung up mid-body
            self._send(proxy.handle(chosen, raw))

        def _length(self, chosen: Wire) -> int | None:
            """The body's length, or None after refusing the request (and closing)."""
            limit = proxy.bounds.max_body_bytes
            if self.headers.get("transfer-encoding"):
                self.close_connection = True
                self._send(refusal(chosen, wire.LENGTH_REQUIRED, "send a Content-Length, not a chunked body"))
                return None
            try:
                length = int(self.headers.get("content-length") or "")
            except ValueError:
                length = -1
            if length < 0:
                self.close_connection = True
                self._send(refusal(chosen, wire.LENGTH_REQUIRED, "a Content-Length is required"))
                return None
            if length > limit:
                self.close_connection = True
                message = f"the body is {length:,} bytes; the proxy takes at most {limit:,}"
                self._send(refusal(chosen, wire.TOO_LARGE, message))
                return None
            return length

        def _send(self, answer: Answer) -> None:
            try:
                self.send_response(answer.status)
                self.send_header("content-type", answer.content_type)
                self.send_header("content-length", str(len(answer.body)))
                if self.close_connection:
                    self.send_header("connection", "close")
                self.end_headers()
                self.wfile.write(answer.body)
            except OSError:
                self.close_connection = True  # the program hung up: nothing to answer

    return Handler
