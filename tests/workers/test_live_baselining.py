"""Live baselining sandboxes in Docker: the task's own sandbox, a pty shell as `agent`, the editor's
file calls confined to the work directory, scoring as an agent's run is scored, and no leaks."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import update

from core.auth import create_token
from core.db import session_scope
from core.errors import InvalidInput, NotFound
from core.live_sandbox import TooLarge
from core.models_baselining import EVENT_PAUSE, BaseliningEvent
from core.ownership import Actor
from core.services import baselining as svc
from core.services.task_sync import SyncReport, sync_folder
from core.settings import Settings
from core.taskfolder import load_task_folder
from tests.support.paths import TASKS_ROOT
from workers.live_baselining import DockerLiveSandboxes, DockerShell
from workers.sandbox.docker.backend import DockerBackend

pytestmark = pytest.mark.docker
FIXED = (TASKS_ROOT / "debugging/fix-pagination/solution/pager.py").read_text()


@pytest.fixture
def live(
    db: str, tmp_path: Path, docker_backend: DockerBackend, docker_instance: str
) -> Iterator[DockerLiveSandboxes]:
    settings = Settings(database_url=db, data_dir=tmp_path / "data", baseline_sandbox_paused_s=60)
    backend = DockerBackend(
        docker_backend.docker_host, instance=f"{docker_instance}-baselining-live", settings=settings
    )
    with session_scope(settings) as s:
        sync_folder(s, load_task_folder(TASKS_ROOT / "debugging/fix-pagination"), SyncReport())
    sandboxes = DockerLiveSandboxes(settings, backend=backend)
    yield sandboxes
    for container in backend.managed_containers():
        container.remove(force=True)


def _start(live: DockerLiveSandboxes) -> tuple[int, Actor]:
    from api.deps import Caller

    with session_scope(live._settings) as s:
        token, _ = create_token(s, f"ann-{time.monotonic_ns()}", "submitter")
        ann = Caller(token.name, "submitter", token.id)
        attempt = svc.start_attempt(
            s, "fix-pagination", "ann", token_id=token.id, open_sandbox=lambda a, v: live.open(a.id, v)
        )
        return attempt.id, ann


def _read_until(shell: DockerShell, needle: bytes, timeout_s: float = 20) -> bytes:
    seen = b""
    deadline = time.monotonic() + timeout_s
    while needle not in seen and time.monotonic() < deadline:
        seen += shell.recv(0.5) or b""
    return seen


def test_a_person_fixes_the_task_in_its_sandbox_and_it_is_scored_there(live: DockerLiveSandboxes) -> None:
    attempt_id, ann = _start(live)
    sandbox = live._sandbox(attempt_id)
    paths = {e.path for e in live.list_files(attempt_id)[0]}
    assert {"pager.py", "tests", "tests/test_pager.py"} <= paths
    assert b"def page_count" in live.read_file(attempt_id, "pager.py")

    # The terminal: a pty shell as `agent` in the work directory, with no network.
    shell = live.shell(attempt_id, 24, 100)
    shell.send(
        b"echo who=$(id -un) at=$(pwd) tty=$(tty | cut -c1-8); "
        b"echo net=$(cat /sys/class/net/*/operstate | sort -u | tr '\\n' ,); echo done-$((40+2))\n"
    )
    out = _read_until(shell, b"done-42")
    assert f"who=agent at={sandbox.workdir} tty=/dev/pts".encode() in out, out
    assert b"net=unknown," in out  # loopback only
    # It typed the fix itself (any command works: here a heredoc through python3).
    shell.send(b"python3 - <<'EOF'\nimport pathlib\np = pathlib.Path('pager.py')\ns = p.read_text()\n")
    shell.send(b"s = s.replace('n_items // per_page', '-(-n_items // per_page)')\n")
    shell.send(b"s = s.replace('start = page * per_page', 'start = (page - 1) * per_page')\n")
    shell.send(
        b"s = s.replace('total - width))', 'total - width + 1))')\n"
        b"p.write_text(s)\nprint('fixed-' + 'ok')\nEOF\n"
    )
    assert b"fixed-ok" in _read_until(shell, b"fixed-ok")
    assert live.read_file(attempt_id, "pager.py").decode() == FIXED
    shell.send(b"sleep 1000 &\n")  # left running: killed before the scorer runs
    live.lock(attempt_id)  # paused or submitted: the shell is closed
    assert shell.recv(1.0) == b""

    with session_scope(live._settings) as s:
        svc.submit_attempt(s, attempt_id, ann, "")
    assert live.score_attempt(attempt_id) == "scored"
    live.close(attempt_id)
    with session_scope(live._settings) as s:
        attempt = svc.get_attempt(s, attempt_id)
        assert attempt.succeeded and attempt.score == 1.0 and attempt.baseline_id is not None
    assert live.backend.managed_containers() == []


def test_attack_editor_calls_stay_in_the_work_directory(live: DockerLiveSandboxes) -> None:
    attempt_id, _ = _start(live)
    shell = live.shell(attempt_id, 24, 80)
    shell.send(b"ln -s /etc etc-link; ln -s /etc/passwd pw; mkdir -p d; echo made-$((1+1))\n")
    assert b"made-2" in _read_until(shell, b"made-2")
    shell.close()
    for path in ("etc-link/passwd", "pw"):
        with pytest.raises(InvalidInput):
            live.read_file(attempt_id, path)
    with pytest.raises(InvalidInput):
        live.write_file(attempt_id, "etc-link/evil", b"x")
    with pytest.raises(NotFound):
        live.read_file(attempt_id, "d")
    with pytest.raises(TooLarge):
        live.write_file(attempt_id, "big.txt", b"a" * 300_000)
    live.write_file(attempt_id, "new/folder/notes.txt", b"hello\n")
    assert live.read_file(attempt_id, "new/folder/notes.txt") == b"hello\n"
    owner = live._sandbox(attempt_id).exec("stat -c %U new/folder/notes.txt", 10).stdout.strip()
    assert owner == "agent"


def test_the_reaper_ends_long_paused_attempts_and_leaks_nothing(live: DockerLiveSandboxes) -> None:
    paused_id, ann = _start(live)
    active_id, _ = _start(live)
    ended_id, ann3 = _start(live)
    with session_scope(live._settings) as s:
        svc.pause_attempt(s, paused_id, ann)
        s.execute(
            update(BaseliningEvent)
            .where(BaseliningEvent.attempt_id == paused_id, BaseliningEvent.kind == EVENT_PAUSE)
            .values(at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5))
        )
        svc.abandon_attempt(s, ended_id, ann3)  # its sandbox was not closed (a crash): reaped
    # A new server process finds the sandboxes by their labels.
    restarted = DockerLiveSandboxes(live._settings, backend=live.backend)
    assert sorted(restarted.reap()) == sorted([paused_id, ended_id])
    with session_scope(live._settings) as s:
        expired = svc.get_attempt(s, paused_id)
        assert expired.status == "abandoned" and "paused for more than" in expired.message
        assert svc.get_attempt(s, active_id).status == "active"
    assert [c.labels["horizon.run_id"] for c in live.backend.managed_containers()] == [str(active_id)]
    assert b"def page_count" in restarted.read_file(active_id, "pager.py")
