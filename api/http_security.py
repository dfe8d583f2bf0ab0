"""HTTP hardening as pure ASGI middleware: response headers, trusted hosts, request-body limits.

Pure ASGI (not Starlette's BaseHTTPMiddleware) so that an oversized or anonymous write is refused
before any body byte is read or parsed and before any authentication work: the limit is checked
against Content-Length at once, and a chunked body is counted as it streams. A refusal that
leaves the body unread asks the server to close the connection, so the rest is never received.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.docs_pages import DOCS_PATH, REDOC_PATH
from core.settings import Settings

# Plotly injects <style> elements, hence 'unsafe-inline' for styles; scripts come only from this
# origin (app.js, the bundled plotly.js), so no inline script or eval can run.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# /docs and /redoc (api/docs_pages.py) load Swagger UI / ReDoc from this origin, but FastAPI's
# pages start them with an inline script; ReDoc's search runs in a blob: worker.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
DOCS_PATHS = (DOCS_PATH, REDOC_PATH)
# Public, versioned assets keep their own caching; every other answer is marked no-store.
PUBLIC_ASSET_PREFIXES = ("/static/", "/assets/")
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# Routes that take a whole task (files, or an archive in the web form) or an Inspect eval log get
# the upload limit.
UPLOAD_ROUTES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("POST", re.compile(r"/api/tasks/?")),
    ("POST", re.compile(r"/api/imports/inspect/?")),
    ("POST", re.compile(r"/api/imports/tasks/?")),
    ("PATCH", re.compile(r"/api/tasks/.+")),
    ("POST", re.compile(r"/tasks/new/?")),
    ("POST", re.compile(r"/tasks/.+/edit/?")),
)


def split_hosts(value: str) -> list[str]:
    """The host names in a comma-separated setting, lower-cased."""
    return [h.strip().lower() for h in value.split(",") if h.strip()]


def host_without_port(host: str) -> str:
    """`example.org:8000` -> `example.org`; `[::1]:8000` -> `[::1]`."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[: host.find("]") + 1] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def host_allowed(host: str, allowed: Iterable[str]) -> bool:
    """Whether a Host header (port ignored) matches a name or a `*.` suffix in the list."""
    name = host_without_port(host)
    for pattern in allowed:
        if pattern == "*" or name == pattern:
            return True
        if pattern.startswith("*.") and name.endswith(pattern[1:]):
            return True
    return False


def body_limit(method: str, path: str, settings: Settings) -> int:
    """The most bytes a request body to this route may have (uploads get more)."""
    for route_method, pattern in UPLOAD_ROUTES:
        if method == route_method and pattern.fullmatch(path):
            return settings.max_upload_bytes
    return settings.max_request_bytes


def _headers(scope: Scope) -> dict[bytes, bytes]:
    return {k.lower(): v for k, v in scope.get("headers", [])}


async def _refuse(send: Send, status: int, detail: str, extra: tuple[tuple[bytes, bytes], ...] = ()) -> None:
    body = json.dumps({"detail": detail}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        # The body (if any) is left unread: closing is cheaper than receiving and discarding it.
        (b"connection", b"close"),
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class BodyTooLarge(HTTPException):
    """Raised from `receive` when a streamed body passes its limit. An HTTPException, so FastAPI's
    body parsing re-raises it (rather than answering 400) and it is answered as a 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than the limit of {limit:,} bytes")


class SecurityHeaders:
    """CSP, framing, sniffing and referrer headers on every answer; no-store on non-asset answers;
    no `server` banner."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Add the headers to the answer's start."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        request_headers = _headers(scope)
        credentialed = b"authorization" in request_headers or b"cookie" in request_headers
        public_asset = path.startswith(PUBLIC_ASSET_PREFIXES)
        csp = DOCS_CSP if path in DOCS_PATHS else PAGE_CSP

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"server"]
                names = {k.lower() for k, _ in headers}
                headers += [
                    (b"content-security-policy", csp.encode()),
                    (b"x-frame-options", b"DENY"),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"),
                ]
                # Pages and API answers may be private (signed-in pages, tokens, anything sent to
                # an authenticated caller): no cache, shared or not, may keep them.
                if not public_asset and (credentialed or b"cache-control" not in names):
                    headers = [(k, v) for k, v in headers if k.lower() != b"cache-control"]
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class TrustedHosts:
    """Answer 400 to a Host header not in the allowed list (DNS rebinding would otherwise let any
    web page read this server through the visitor's browser)."""

    def __init__(self, app: ASGIApp, allowed: list[str]) -> None:
        self.app = app
        self.allowed = allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse the request unless its Host header is allowed."""
        if scope["type"] in ("http", "websocket"):
            host = _headers(scope).get(b"host", b"").decode("latin-1")
            if not host_allowed(host, self.allowed):
                if scope["type"] == "http":
                    await _refuse(send, 400, "this server does not answer to that host name")
                else:
                    await send({"type": "websocket.close", "code": 1008})
                return
        await self.app(scope, receive, send)


class RequestLimits:
    """Per-route body limits, and anonymous API writes refused before their body is read."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Refuse a body over the route's limit, whether announced or streamed."""
        if scope["type"] != "http" or scope["method"] not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope.get("path", "")
        headers = _headers(scope)
        if path.startswith("/api/") and not headers.get(b"authorization", b"").lower().startswith(b"bearer "):
            # Every API write needs a token: say so before receiving a byte of the body.
            await _refuse(
                send,
                401,
                "this needs an API token with the right role: send 'Authorization: Bearer <token>'",
                ((b"www-authenticate", b"Bearer"),),
            )
            return
        limit = body_limit(method, path, self.settings)
        declared = headers.get(b"content-length")
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                await _refuse(send, 400, "the Content-Length header is not a number")
                return
            if size > limit:
                await _refuse(send, 413, BodyTooLarge(limit).detail)
                return

        received = 0
        chunked = b"chunked" in headers.get(b"transfer-encoding", b"").lower()
        body_done = not chunked and declared in (None, b"0")
        started = False

        async def counting_receive() -> Message:
            nonlocal received, body_done
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                body_done = not message.get("more_body", False)
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                if not body_done:
                    # The handler answered without reading the whole body (a refusal): close
                    # rather than receive and discard the rest.
                    message = {**message, "headers": [*message.get("headers", []), (b"connection", b"close")]}
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge as exc:
            # Raised where nothing turned it into an answer (a handler reading the raw stream).
            if started:
                raise
            await _refuse(send, 413, exc.detail)


def install(app: FastAPI, settings: Settings) -> None:
    """Add the middleware; the last added runs first: headers, then hosts, then limits."""
    app.add_middleware(RequestLimits, settings=settings)
    app.add_middleware(TrustedHosts, allowed=split_hosts(settings.allowed_hosts))
    app.add_middleware(SecurityHeaders)
