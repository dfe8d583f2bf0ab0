"""Every sandbox and backend implements the whole protocol callers rely on (no probing for methods).

The Docker implementations are exercised against a daemon in `test_sandbox_docker.py`; here the
test fake, which scaffold tests run on, is held to the same interface and behaviour.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.fakes.local_sandbox import LocalSandbox
from workers.sandbox import get_backend
from workers.sandbox.base import Sandbox, SandboxBackend


def test_the_docker_backend_and_the_local_fake_implement_the_protocols(tmp_path: Path) -> None:
    # Making a backend contacts nothing, so this needs no daemon.
    assert isinstance(get_backend("docker", "unix:///nonexistent/horizon-docker.sock"), SandboxBackend)
    box = LocalSandbox(tmp_path)
    assert isinstance(box, Sandbox)
    # A sandbox without a containment step is not a Sandbox: callers never skip one silently.
    assert not isinstance(object(), Sandbox)


def test_local_sandbox_moves_binary_files_byte_for_byte(tmp_path: Path) -> None:
    box = LocalSandbox(tmp_path)
    blob = bytes(range(256)) + b"\xff\xfe"
    box.put_files({"d/blob.bin": blob, "t.txt": "caf\u00e9"}, box.workdir)
    assert box.read_bytes("d/blob.bin") == blob
    assert box.read_bytes("d/blob.bin", max_bytes=10) == blob[:10]
    assert box.read_file("t.txt") == "caf\u00e9"
    with pytest.raises(FileNotFoundError):
        box.read_bytes("d")
    with pytest.raises(ValueError):
        box.read_bytes("d/blob.bin", max_bytes=-1)


def test_local_sandbox_kills_what_commands_left_running(tmp_path: Path) -> None:
    box = LocalSandbox(tmp_path)
    box.exec("sleep 30 >/dev/null 2>&1 & echo $! > pid.txt", timeout_s=5)
    pid = int((tmp_path / "pid.txt").read_text())
    assert _running(pid)
    box.kill_user_processes()
    deadline = time.monotonic() + 10
    while _running(pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not _running(pid)
    box.kill_user_processes()  # nothing left: still fine


def _running(pid: int) -> bool:
    """Whether `pid` exists and is not a zombie waiting for its parent."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"
