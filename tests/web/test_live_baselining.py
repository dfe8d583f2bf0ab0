"""Baselining in a live sandbox, through the pages, with an in-memory stand-in for the sandboxes.

The web layer's rules are tested here: the sandbox opens when the clock starts, the terminal's
WebSocket and the editor's calls reach only the attempt's owner (or an admin), from this server's
own origin, while the clock runs; paths stay in the work directory and sizes are bounded;
Submit scores in the sandbox (not a worker's fresh one); tasks that cannot run here offer no
baselining. The real Docker sandboxes are tested in tests/workers/test_live_baselining.py.
"""

from __future__ import annotations

import json
import queue
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from core.auth import create_token
from core.db import session_scope
from core.errors import NotFound
from core.live_sandbox import CLOSE_FORBIDDEN, CLOSE_LOCKED, MAX_FILE_BYTES, FileEntry, SandboxGone
from core.models import TaskVersion
from core.models_baselining import BaseliningAttempt
from core.services import baselining as svc
from core.settings import Settings
from tests.factories import make_task
from tests.web.conftest import csrf_token, sign_in

ORIGIN = {"origin": "http://testserver"}


class FakeShell:
    """Echoes what is typed, like a terminal in cooked mode."""

    def __init__(self) -> None:
        self.out: queue.Queue[bytes] = queue.Queue()
        self.closed = False
        self.size = (0, 0)

    def send(self, data: bytes) -> None:
        self.out.put(b"echo:" + data)

    def recv(self, timeout_s: float) -> bytes | None:
        if self.closed:
            return b""
        try:
            return self.out.get(timeout=timeout_s)
        except queue.Empty:
            return None

    def resize(self, rows: int, cols: int) -> None:
        self.size = (rows, cols)

    def close(self) -> None:
        self.closed = True
        self.out.put(b"")


class FakeLive:
    """The `LiveSandboxes` protocol in memory: one dict of files per attempt."""

    def __init__(self) -> None:
        self.files: dict[int, dict[str, bytes]] = {}
        self.shells: dict[int, list[FakeShell]] = {}
        self.scored: list[int] = []
        self.closed: list[int] = []
        self.fail_open = False

    def open(self, attempt_id: int, version: TaskVersion) -> None:
        if self.fail_open:
            raise SandboxGone("no Docker daemon here")
        env = version.environment or {}
        self.files[attempt_id] = {k: v.encode() for k, v in (env.get("files") or {}).items()}

    def shell(self, attempt_id: int, rows: int, cols: int) -> FakeShell:
        shell = FakeShell()
        shell.resize(rows, cols)
        self.shells.setdefault(attempt_id, []).append(shell)
        return shell

    def lock(self, attempt_id: int) -> None:
        for shell in self.shells.pop(attempt_id, []):
            shell.close()

    def list_files(self, attempt_id: int) -> tuple[list[FileEntry], bool]:
        files = self.files[attempt_id]
        return [FileEntry(path=p, is_dir=False, size=len(d)) for p, d in sorted(files.items())], False

    def read_file(self, attempt_id: int, path: str) -> bytes:
        if path not in self.files[attempt_id]:
            raise NotFound(path)
        return self.files[attempt_id][path]

    def write_file(self, attempt_id: int, path: str, data: bytes) -> None:
        self.files[attempt_id][path] = data

    def score(self, attempt_id: int) -> None:
        self.scored.append(attempt_id)

    def close(self, attempt_id: int) -> None:
        self.lock(attempt_id)
        self.closed.append(attempt_id)


@pytest.fixture
def live() -> FakeLive:
    return FakeLive()


@pytest.fixture
def app_client(settings: Settings, live: FakeLive) -> Iterator[TestClient]:
    from api.app import create_app

    with TestClient(create_app(settings, live_sandboxes=live)) as c:
        yield c


def _post(client: TestClient, path: str, **data: str) -> Any:
    return client.post(path, data={**data, "csrf_token": csrf_token(client)}, follow_redirects=False)


def _start(client: TestClient, task_id: str = "pager") -> int:
    r = _post(client, "/baselining/start", task_id=task_id)
    assert r.status_code == 303, r.text
    found = re.search(r"/baselining/attempts/(\d+)$", r.headers["location"])
    assert found
    return int(found.group(1))


def _save(client: TestClient, attempt_id: int, **fields: Any) -> Any:
    files = fields.pop("files", None)
    return client.post(
        f"/baselining/attempts/{attempt_id}/workdir/file",
        data=fields,
        files=files,
        headers={"x-csrf-token": csrf_token(client)},
    )


def _pager_task() -> None:
    make_task("pager", environment={"files": {"pager.py": "def f():\n    return 1\n"}})


def test_starting_opens_the_sandbox_and_the_page_has_terminal_and_editor(
    app_client: TestClient, live: FakeLive
) -> None:
    _pager_task()
    sign_in(app_client, "submitter")
    start_page = app_client.get("/baselining/tasks/pager").text
    assert "Start the clock" in start_page and "Write hello" not in start_page  # hidden until started
    attempt_id = _start(app_client)
    assert attempt_id in live.files
    with session_scope() as s:
        kinds = [e.kind for e in svc.get_attempt(s, attempt_id).events]
    assert kinds == ["sandbox", "start"]  # the clock starts once the sandbox is up
    page = app_client.get(f"/baselining/attempts/{attempt_id}").text
    assert 'id="terminal"' in page and 'id="editor"' in page and "Write hello" in page
    assert "/static/vendor/xterm-6.0.0/xterm.js" in page
    assert app_client.get("/static/vendor/xterm-6.0.0/xterm.js").status_code == 200

    listing = app_client.get(f"/baselining/attempts/{attempt_id}/workdir").json()
    assert listing == {"entries": [{"path": "pager.py", "is_dir": False, "size": 22}], "cut": False}
    opened = app_client.get(f"/baselining/attempts/{attempt_id}/workdir/file", params={"path": "pager.py"})
    assert opened.json()["text"].startswith("def f()")
    assert _save(app_client, attempt_id, path="./pager.py", text="fixed\n").json()["path"] == "pager.py"
    up = _save(app_client, attempt_id, path="notes", files={"upload": ("a.txt", b"uploaded\n", "text/plain")})
    assert up.status_code == 200 and up.json()["path"] == "notes/a.txt"
    assert live.files[attempt_id] == {"pager.py": b"fixed\n", "notes/a.txt": b"uploaded\n"}

    # The terminal: what is typed reaches the shell, its output comes back; resizes are bounded.
    with app_client.websocket_connect(
        f"/baselining/attempts/{attempt_id}/terminal?rows=30&cols=9999", headers=ORIGIN
    ) as ws:
        ws.send_text(json.dumps({"t": "i", "d": "ls\r"}))
        assert ws.receive_bytes() == b"echo:ls\r"
    assert live.shells == {} or all(s.size == (30, 500) for s in live.shells[attempt_id])


def test_submit_scores_in_the_sandbox_and_abandon_removes_it(app_client: TestClient, live: FakeLive) -> None:
    _pager_task()
    sign_in(app_client, "submitter")
    attempt_id = _start(app_client)
    assert _post(app_client, f"/baselining/attempts/{attempt_id}/submit", answer="").status_code == 303
    assert live.scored == [attempt_id]
    with session_scope() as s:
        attempt = svc.get_attempt(s, attempt_id)
        assert attempt.status == "scoring" and attempt.active_seconds is not None
    # A worker's scoring job leaves it alone (a fresh sandbox would score an empty directory).
    from workers.baseline_scoring import score_attempt

    assert score_attempt(attempt_id) == "scoring"
    # Its work is gone with its sandbox: it cannot be sent to a worker again.
    other = _start(app_client)
    assert _post(app_client, f"/baselining/attempts/{other}/abandon").status_code == 303
    assert other in live.closed


def test_tasks_that_cannot_run_here_offer_no_baselining(app_client: TestClient, live: FakeLive) -> None:
    make_task("placeholder", tags=["imported"])
    make_task("manual", tags=["no-sandbox"])
    make_task("gpu-task", limits={"gpus": 1})
    _pager_task()
    sign_in(app_client, "submitter")
    listing = app_client.get("/baselining").text
    assert 'href="/baselining/tasks/pager"' in listing
    # The ones that cannot run here are folded away below the list, each with its reason.
    folded = listing[listing.index('id="not-baselinable"') :]
    assert "3 tasks cannot be baselined here" in folded
    assert all(task in folded for task in ("placeholder", "manual", "gpu-task"))
    for task_id in ("placeholder", "manual", "gpu-task"):
        assert f'href="/baselining/tasks/{task_id}"' not in listing
        page = app_client.get(f"/baselining/tasks/{task_id}").text
        assert 'id="not-baselinable"' in page and 'id="start-button"' not in page
        assert _post(app_client, "/baselining/start", task_id=task_id).status_code == 409
    assert "cannot be baselined in Horizon" in app_client.get("/baselining/tasks/placeholder").text
    assert live.files == {}


def test_a_sandbox_that_cannot_start_stores_no_attempt(app_client: TestClient, live: FakeLive) -> None:
    _pager_task()
    sign_in(app_client, "submitter")
    live.fail_open = True
    r = _post(app_client, "/baselining/start", task_id="pager")
    assert r.status_code == 503 and "no Docker daemon here" in r.text
    with session_scope() as s:
        assert s.query(BaseliningAttempt).count() == 0


# ---------------------------------------------------------------- attacks


def test_attack_another_users_attempt_is_closed_to_them(app_client: TestClient, live: FakeLive) -> None:
    _pager_task()
    sign_in(app_client, "submitter")
    attempt_id = _start(app_client)
    with session_scope() as s:
        row = s.get(BaseliningAttempt, attempt_id)
        assert row is not None
        other, _ = create_token(s, "someone else", "submitter")
        row.token_id = other.id
    base = f"/baselining/attempts/{attempt_id}"
    assert app_client.get(f"{base}/workdir").status_code == 403
    assert app_client.get(f"{base}/workdir/file", params={"path": "pager.py"}).status_code == 403
    assert _save(app_client, attempt_id, path="pager.py", text="x").status_code == 403
    with pytest.raises(WebSocketDisconnect) as closed:
        with app_client.websocket_connect(f"{base}/terminal", headers=ORIGIN) as ws:
            ws.receive_bytes()
    assert closed.value.code == CLOSE_FORBIDDEN
    assert live.files[attempt_id] == {"pager.py": b"def f():\n    return 1\n"} and live.shells == {}
    # Signed out: nothing either.
    app_client.cookies.clear()
    with pytest.raises(WebSocketDisconnect) as closed:
        with app_client.websocket_connect(f"{base}/terminal", headers=ORIGIN) as ws:
            ws.receive_bytes()
    assert closed.value.code == CLOSE_FORBIDDEN


def test_attack_a_page_of_another_origin_cannot_open_the_terminal(
    app_client: TestClient, live: FakeLive
) -> None:
    _pager_task()
    sign_in(app_client, "submitter")
    attempt_id = _start(app_client)
    for headers in ({"origin": "http://evil.example"}, {}):
        with pytest.raises(WebSocketDisconnect) as closed:
            with app_client.websocket_connect(
                f"/baselining/attempts/{attempt_id}/terminal", headers=headers
            ) as ws:
                ws.receive_bytes()
        assert closed.value.code == CLOSE_FORBIDDEN
    assert live.shells == {}


def test_attack_a_paused_attempt_is_locked_on_the_server(app_client: TestClient, live: FakeLive) -> None:
    _pager_task()
    sign_in(app_client, "submitter")
    attempt_id = _start(app_client)
    base = f"/baselining/attempts/{attempt_id}"
    with app_client.websocket_connect(f"{base}/terminal", headers=ORIGIN) as ws:
        ws.send_text(json.dumps({"t": "i", "d": "x"}))
        assert ws.receive_bytes() == b"echo:x"
        assert _post(app_client, f"{base}/pause").status_code == 303
        # The open terminal is closed with the "locked" code.
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_bytes()
        assert closed.value.code == CLOSE_LOCKED
    page = app_client.get(base).text
    assert 'id="locked-notice"' in page and "Write hello" not in page and 'id="terminal"' not in page
    with pytest.raises(WebSocketDisconnect) as closed:
        with app_client.websocket_connect(f"{base}/terminal", headers=ORIGIN) as ws:
            ws.receive_bytes()
    assert closed.value.code == CLOSE_LOCKED
    assert app_client.get(f"{base}/workdir").status_code == 409
    assert app_client.get(f"{base}/workdir/file", params={"path": "pager.py"}).status_code == 409
    assert _save(app_client, attempt_id, path="pager.py", text="off the clock").status_code == 409
    assert _post(app_client, f"{base}/submit", answer="").status_code == 409
    assert live.files[attempt_id]["pager.py"] != b"off the clock" and live.scored == []
    # Resumed, it works again.
    _post(app_client, f"{base}/resume")
    assert _save(app_client, attempt_id, path="pager.py", text="on the clock").status_code == 200


def test_attack_editor_paths_stay_in_the_work_directory_and_sizes_are_bounded(
    app_client: TestClient, live: FakeLive
) -> None:
    _pager_task()
    sign_in(app_client, "submitter")
    attempt_id = _start(app_client)
    read = f"/baselining/attempts/{attempt_id}/workdir/file"
    for bad in ("../../etc/passwd", "/etc/passwd", "a/../../b", "..", "x\x00y", "a\\..\\b", "", "a" * 500):
        assert app_client.get(read, params={"path": bad}).status_code == 422, bad
        assert _save(app_client, attempt_id, path=bad, text="x").status_code == 422, bad
    # An upload's name is only a name: its folders are dropped.
    up = _save(app_client, attempt_id, files={"upload": ("../../../etc/cron.d/x", b"x\n", "text/plain")})
    assert up.json()["path"] == "x"
    too_big = b"a" * (MAX_FILE_BYTES + 1)
    assert (
        _save(app_client, attempt_id, files={"upload": ("big.txt", too_big, "text/plain")}).status_code == 413
    )
    assert _save(app_client, attempt_id, path="big.txt", text=too_big.decode()).status_code == 413
    binary = _save(
        app_client, attempt_id, files={"upload": ("a.bin", b"\x00\x01\xff", "application/octet-stream")}
    )
    assert binary.status_code == 415
    assert set(live.files[attempt_id]) == {"pager.py", "x"}
    with app_client.websocket_connect(f"/baselining/attempts/{attempt_id}/terminal", headers=ORIGIN) as ws:
        ws.send_text("x" * (70 * 1024))
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_bytes()
        assert closed.value.code == 1009
    with app_client.websocket_connect(f"/baselining/attempts/{attempt_id}/terminal", headers=ORIGIN) as ws:
        ws.send_bytes(b"\x00binary")
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_bytes()
        assert closed.value.code == 1003
    with pytest.raises(WebSocketDisconnect) as closed:
        with app_client.websocket_connect(f"/baselining/attempts/{2**70}/terminal", headers=ORIGIN) as ws:
            ws.receive_bytes()
    assert closed.value.code == 4404
