"""HTTP attacks on a real `horizon serve`: headers, host names, huge bodies, cookie credentials.

The server runs embedded on the test PostgreSQL database. Huge bodies are streamed from a raw
socket (a 1 MiB block sent again and again, never the whole body in memory) and the sender stops
as soon as the server answers or hangs up; the server's resident memory (VmRSS) must barely move.
"""

from __future__ import annotations

import datetime as dt
import select
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import select as sql_select

from core.db import session_scope
from core.models import ApiToken
from tests.factories import make_token, task_body
from tests.reliability.support import free_port
from tests.support.processes import OUTPUT, Proc, horizon_cmd

MiB = 1024 * 1024
RSS_GROWTH_LIMIT = 50 * MiB


@dataclass
class Server:
    proc: Proc
    port: int

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def rss(self) -> int:
        """The server process's resident memory, in bytes."""
        for line in open(f"/proc/{self.proc.popen.pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise AssertionError("no VmRSS line")


@pytest.fixture(scope="module")
def server(pg_url: str) -> Iterator[Server]:
    port = free_port()
    env = {"DATABASE_URL": pg_url, "HORIZON_DATA_DIR": str(OUTPUT / "data-attack-http")}
    proc = Proc(
        horizon_cmd("serve", "--host", "127.0.0.1", "--port", str(port), "--no-migrate"), env, "attack-http"
    )
    try:
        proc.wait_for_log("Uvicorn running", timeout=90)
        yield Server(proc, port)
    finally:
        proc.stop()


@dataclass
class Answer:
    status: int
    head: str
    sent: int
    seconds: float


def stream_post(
    port: int, path: str, total: int, headers: dict[str, str] | None = None, chunked: bool = True
) -> Answer:
    """POST a `total`-byte body (chunked, or with Content-Length), stopping once the server answers
    or closes. Returns the status line's code, the response head and how much body was sent."""
    block = b"x" * MiB
    lines = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{port}"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    lines.append("Transfer-Encoding: chunked" if chunked else f"Content-Length: {total}")
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    start = time.monotonic()
    sent = 0
    pending = ("\r\n".join(lines) + "\r\n\r\n").encode()
    sock.setblocking(False)
    try:
        while time.monotonic() - start < 120:
            readable, writable, _ = select.select([sock], [sock] if pending or sent < total else [], [], 5)
            if readable:
                break  # an answer (or the server hung up): stop sending
            if not writable:
                continue
            if not pending:
                piece = block[: min(MiB, total - sent)]
                sent += len(piece)
                pending = (f"{len(piece):x}\r\n".encode() + piece + b"\r\n") if chunked else piece
                if chunked and sent >= total:
                    pending += b"0\r\n\r\n"
            try:
                pending = pending[sock.send(pending) :]
            except (BrokenPipeError, ConnectionResetError):
                break
        sock.setblocking(True)
        sock.settimeout(10)
        data = b""
        try:
            while b"\r\n\r\n" not in data:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
        except (ConnectionResetError, TimeoutError):
            pass
    finally:
        sock.close()
    head = data.split(b"\r\n\r\n")[0].decode("latin-1")
    status = int(head.split()[1]) if head.startswith("HTTP/1.1") else 0
    return Answer(status, head, sent, time.monotonic() - start)


def test_security_headers_on_pages_and_api_answers(server: Server, db: str) -> None:
    token = make_token("viewer")
    answers = {
        "dashboard": httpx.get(server.base + "/"),
        "sign-in page": httpx.get(server.base + "/signin"),
        "API read": httpx.get(server.base + "/api/tasks"),
        "authenticated API read": httpx.get(
            server.base + "/api/tasks", headers={"Authorization": f"Bearer {token}"}
        ),
        "not found": httpx.get(server.base + "/api/nothing-here"),
    }
    for what, r in answers.items():
        assert r.status_code in (200, 404), what
        csp = r.headers.get("content-security-policy", "")
        assert "script-src 'self';" in csp and "frame-ancestors 'none'" in csp, (what, csp)
        assert "unsafe-eval" not in csp and "script-src 'self' 'unsafe-inline'" not in csp
        assert r.headers.get("x-frame-options") == "DENY", what
        assert r.headers.get("x-content-type-options") == "nosniff", what
        assert r.headers.get("referrer-policy") == "same-origin", what
        assert r.headers.get("cache-control") == "no-store", what
        assert "server" not in r.headers, (what, r.headers.get("server"))
    # Public, versioned assets keep their caching.
    static = httpx.get(server.base + "/static/app.js")
    assert static.status_code == 200 and static.headers.get("cache-control") != "no-store"
    assert static.headers.get("x-content-type-options") == "nosniff"


def test_unknown_host_names_are_refused(server: Server) -> None:
    for host in ("evil.example", "evil.example:80", f"127.0.0.1.evil.example:{server.port}"):
        r = httpx.get(server.base + "/api/health", headers={"Host": host})
        assert r.status_code == 400, (host, r.text)
    for host in (f"localhost:{server.port}", "127.0.0.1", f"[::1]:{server.port}"):
        assert httpx.get(server.base + "/api/health", headers={"Host": host}).status_code == 200, host


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_anonymous_200_mb_api_write_is_refused_before_reading(server: Server, db: str, chunked: bool) -> None:
    before = server.rss()
    answer = stream_post(server.port, "/api/tasks", 200 * MiB, {"Content-Type": "application/json"}, chunked)
    assert answer.status in (401, 413), answer.head
    assert answer.seconds < 10 and answer.sent < 50 * MiB, answer
    assert server.rss() - before < RSS_GROWTH_LIMIT


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_oversized_api_write_with_a_token_is_answered_413(server: Server, db: str, chunked: bool) -> None:
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {make_token('submitter')}"}
    before = server.rss()
    answer = stream_post(server.port, "/api/tasks", 200 * MiB, headers, chunked)
    assert answer.status == 413, answer.head
    # Streamed, the body is read up to the upload limit (40 MiB) and no further.
    assert answer.sent < 100 * MiB, answer
    if not chunked:
        assert answer.sent < 10 * MiB and server.rss() - before < RSS_GROWTH_LIMIT
    # A small write still works.
    ok = httpx.post(server.base + "/api/tasks", json=task_body("after-attack"), headers=headers)
    assert ok.status_code == 201, ok.text


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_anonymous_300_mb_task_form_upload_is_refused_without_spooling(
    server: Server, db: str, chunked: bool
) -> None:
    # With the anonymous visitor's session cookie (so the CSRF check is not what stops it).
    cookie = httpx.get(server.base + "/signin").headers.get("set-cookie", "").split(";")[0]
    headers = {"Content-Type": "multipart/form-data; boundary=xyz", "Cookie": cookie}
    before = server.rss()
    answer = stream_post(server.port, "/tasks/new", 300 * MiB, headers, chunked)
    assert answer.status in (303, 401, 403, 413), answer.head
    assert answer.seconds < 10 and answer.sent < 50 * MiB, answer
    assert server.rss() - before < RSS_GROWTH_LIMIT


def test_a_token_in_a_cookie_is_no_api_credential(server: Server, db: str) -> None:
    token = make_token("admin")
    r = httpx.post(server.base + "/api/tasks", json=task_body("by-cookie"), cookies={"horizon_token": token})
    assert r.status_code == 401, r.text
    r = httpx.get(server.base + "/api/tokens", cookies={"horizon_token": token})
    assert r.status_code == 401, r.text


def test_refusals_name_no_token(server: Server, db: str) -> None:
    with session_scope() as s:
        from core.auth import create_token

        _, secret = create_token(s, "alice's laptop", "viewer")
    r = httpx.post(
        server.base + "/api/tasks", json=task_body("x"), headers={"Authorization": f"Bearer {secret}"}
    )
    assert r.status_code == 403 and "alice" not in r.text, r.text


def test_last_used_at_is_stamped_at_most_once_a_minute(server: Server, db: str) -> None:
    token = make_token("viewer")
    headers = {"Authorization": f"Bearer {token}"}

    def stamp() -> dt.datetime | None:
        with session_scope() as s:
            return s.scalar(sql_select(ApiToken.last_used_at).where(ApiToken.name == "test viewer"))

    assert stamp() is None
    assert httpx.get(server.base + "/api/tasks", headers=headers).status_code == 200
    first = stamp()
    assert first is not None
    assert httpx.get(server.base + "/api/tasks", headers=headers).status_code == 200
    assert stamp() == first  # within the minute: no second write
