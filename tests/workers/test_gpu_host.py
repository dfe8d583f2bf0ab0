"""The host's GPUs and who holds them: parsing HORIZON_GPUS and nvidia-smi, and holdings shared by
real processes through the host state folder (fake GPUs, a temporary state folder)."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from core.settings import Settings
from workers import gpu_host
from workers.gpu_host import (
    GpuDevice,
    GpuUnavailable,
    acquire_gpus,
    gpu_holdings,
    gpu_lease,
    hand_over_gpus,
    host_gpus,
    parse_gpus,
    release_gpus,
)
from workers.host_state import HostStateError, host_state_dir, process_start_ticks

REPO_ROOT = Path(__file__).resolve().parents[2]


def host(tmp_path: Path, gpus: str = "0:1000,1:4000") -> Settings:
    return Settings(gpus=gpus, host_state_dir=tmp_path / "state", gpu_wait_s=5)


def child(settings: Settings, body: str) -> subprocess.Popen[str]:
    """Another process on the same host, with the same GPUs and state folder."""
    env = {
        **os.environ,
        "HORIZON_GPUS": settings.gpus,
        "HORIZON_HOST_STATE_DIR": str(settings.host_state_dir),
    }
    program = "from workers.gpu_host import *\nimport os, sys, time\n" + textwrap.dedent(body)
    return subprocess.Popen(
        [sys.executable, "-c", program], cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, text=True
    )


def test_explicit_gpu_lists_and_bad_values() -> None:
    assert parse_gpus("auto") is None and parse_gpus("") is None and parse_gpus(" AUTO ") is None
    assert parse_gpus("none") == []
    assert parse_gpus("1:81559, 0:40960") == [GpuDevice(0, 40960), GpuDevice(1, 81559)]
    assert GpuDevice(3, 10).device_id == "3" and GpuDevice(3, 10, "GPU-ab").device_id == "GPU-ab"
    for bad in ("0", "0:", "a:1", "0:1,0:2", "0:0", "-1:100", "0:1;rm -rf /", "0:99999999999", "0:1,,1:1"):
        with pytest.raises(ValueError, match="HORIZON_GPUS"):
            parse_gpus(bad)
    with pytest.raises(ValueError, match="more than"):
        parse_gpus(",".join(f"{i}:1" for i in range(65)))
    with pytest.raises(ValueError, match="HORIZON_GPUS"):
        host_gpus(Settings(gpus="lots"))


def fake_nvidia_smi(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: str) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    exe = bin_dir / "nvidia-smi"
    exe.write_text("#!/bin/sh\n" + script)
    exe.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")


def test_auto_asks_nvidia_smi(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_nvidia_smi(
        tmp_path,
        monkeypatch,
        'test "$1" = --query-gpu=index,memory.total,uuid || exit 9\n'
        "echo '0, 81559, GPU-1a2b3c4d-0000-1111-2222-333344445555'\n"
        "echo '1, 81559, GPU-99999999-0000-1111-2222-333344445555'\n",
    )
    devices = host_gpus(Settings(gpus="auto"))
    assert [(d.index, d.memory_mib) for d in devices] == [(0, 81559), (1, 81559)]
    assert devices[1].device_id == "GPU-99999999-0000-1111-2222-333344445555"
    assert host_gpus(Settings(gpus="none")) == []


@pytest.mark.parametrize(
    "script",
    [
        "echo 'NVIDIA-SMI has failed because it could not communicate with the driver' >&2; exit 9\n",
        "echo 'index, memory.total [MiB], uuid'\n",
        "sleep 5\n",
    ],
    ids=["fails", "garbage", "hangs"],
)
def test_a_failing_nvidia_smi_means_no_gpus_and_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, script: str
) -> None:
    fake_nvidia_smi(tmp_path, monkeypatch, script)
    monkeypatch.setattr(gpu_host, "NVIDIA_SMI_TIMEOUT_S", 0.5)
    with caplog.at_level(logging.WARNING, logger="workers.gpu_host"):
        started = time.monotonic()
        assert host_gpus(Settings(gpus="auto")) == []
    assert time.monotonic() - started < 4
    assert "nvidia-smi failed" in caplog.text


def test_no_nvidia_smi_means_no_gpus(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    assert host_gpus(Settings(gpus="auto")) == []


def test_leases_take_free_gpus_and_give_them_back(tmp_path: Path) -> None:
    settings = host(tmp_path, "0:1000,1:1000,2:1000")
    with gpu_lease("run-a", 2, settings=settings) as a:
        assert [d.index for d in a] == [0, 1]
        with gpu_lease("run-b", 1, settings=settings) as b:
            assert [d.index for d in b] == [2]
            holders = {h.owner: h for h in gpu_holdings(settings)}
            assert holders["run-a"].gpus == (0, 1) and holders["run-b"].pid == os.getpid()
        with gpu_lease("run-c", 0, settings=settings) as none:
            assert none == []
        with pytest.raises(ValueError, match="already holds"):
            acquire_gpus("run-a", 1, settings=settings)
    assert gpu_holdings(settings) == []
    assert release_gpus("run-a", settings) is False


def test_minimum_memory_is_respected(tmp_path: Path) -> None:
    settings = host(tmp_path)  # GPU 0 has 1000 MiB, GPU 1 4000 MiB
    with gpu_lease("small", 1, settings=settings) as small:
        assert [d.index for d in small] == [0]  # the smallest that fits, keeping the big one free
    with gpu_lease("big", 1, 2000, settings=settings) as big:
        assert [d.index for d in big] == [1]
        started = time.monotonic()
        with pytest.raises(GpuUnavailable, match="1 of them big enough"):
            acquire_gpus("bigger", 2, 2000, wait_s=60, settings=settings)
        assert time.monotonic() - started < 5  # too few at all: no waiting


def test_too_few_gpus_fail_at_once_and_busy_ones_after_the_wait(tmp_path: Path) -> None:
    settings = host(tmp_path, "0:1000")
    started = time.monotonic()
    with pytest.raises(GpuUnavailable, match="2 GPU.s. asked for") as too_few:
        acquire_gpus("greedy", 2, wait_s=60, settings=settings)
    assert not too_few.value.busy
    with pytest.raises(GpuUnavailable, match="has 0 GPU"):
        acquire_gpus("any", 1, wait_s=60, settings=host(tmp_path, "none"))
    assert time.monotonic() - started < 5
    with gpu_lease("holder", 1, settings=settings):
        started = time.monotonic()
        with pytest.raises(GpuUnavailable, match="stayed busy, held by 1 other") as busy:
            acquire_gpus("waiter", 1, wait_s=0.6, settings=settings)
        assert busy.value.busy
        assert 0.6 <= time.monotonic() - started < 5
    for bad in ("", "x" * 201):
        with pytest.raises(ValueError, match="owner"):
            acquire_gpus(bad, 1, settings=settings)
    with pytest.raises(ValueError, match="count"):
        acquire_gpus("neg", -1, settings=settings)


def test_two_processes_contending_for_one_gpu_take_turns(tmp_path: Path) -> None:
    settings = host(tmp_path, "0:1000")
    body = """
        with gpu_lease(sys.argv[1], 1, wait_s=60) as gpus:
            start = time.time()
            time.sleep(0.7)
            print(gpus[0].index, start, time.time(), flush=True)
    """
    procs = []
    for name in ("first", "second"):
        proc = child(settings, body.replace("sys.argv[1]", repr(name)))
        procs.append(proc)
    spans = []
    for proc in procs:
        out, _ = proc.communicate(timeout=60)
        assert proc.returncode == 0
        index, start, end = out.split()
        assert index == "0"
        spans.append((float(start), float(end)))
    (a_start, a_end), (b_start, b_end) = sorted(spans)
    assert a_end <= b_start, "both processes held the only GPU at once"
    assert gpu_holdings(settings) == []


def test_a_killed_holders_gpus_are_freed(tmp_path: Path) -> None:
    settings = host(tmp_path, "0:1000")
    proc = child(settings, "acquire_gpus('doomed', 1)\nprint('held', flush=True)\ntime.sleep(60)\n")
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
        assert [h.owner for h in gpu_holdings(settings)] == ["doomed"]
        os.kill(proc.pid, signal.SIGKILL)
        time.sleep(0.3)  # not reaped yet: a zombie, which counts as dead
        with gpu_lease("next", 1, wait_s=5, settings=settings) as gpus:
            assert [d.index for d in gpus] == [0]
    finally:
        proc.kill()
        proc.wait(timeout=10)


def test_a_holding_handed_over_lives_as_long_as_the_new_process(tmp_path: Path) -> None:
    settings = host(tmp_path, "0:1000")
    server = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        acquire_gpus("server:x", 1, settings=settings)
        hand_over_gpus("server:x", server.pid, settings)
        (held,) = gpu_holdings(settings)
        assert held.pid == server.pid
        server.kill()
        server.wait(timeout=10)
        assert gpu_holdings(settings) == []
        with pytest.raises(ValueError, match="holds no GPUs"):
            hand_over_gpus("server:x", os.getpid(), settings)
    finally:
        server.kill()
        server.wait(timeout=10)


def test_recycled_pids_and_malformed_records_count_as_free(tmp_path: Path) -> None:
    settings = host(tmp_path, "0:1000,1:1000")
    path = host_state_dir(settings) / gpu_host.ALLOCATIONS_FILE
    ticks = process_start_ticks(os.getpid())
    assert ticks is not None
    records = [
        # this pid, but a process that started at another time: the recorded holder is gone
        {"owner": "old", "pid": os.getpid(), "pid_start": ticks + 1, "gpus": [0], "since": 1.0},
        {"owner": "junk", "pid": "not a pid", "gpus": [1]},
        "not even a record",
    ]
    path.write_text(json.dumps({"holdings": records}))
    with gpu_lease("new", 2, settings=settings) as gpus:
        assert [d.index for d in gpus] == [0, 1]
    path.write_text("{torn")
    with gpu_lease("after-damage", 1, settings=settings) as gpus:
        assert len(gpus) == 1


def test_a_state_folder_other_users_control_is_refused(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    with pytest.raises(HostStateError, match="writable by every user"):
        acquire_gpus("x", 1, settings=Settings(gpus="0:1", host_state_dir=shared))
    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    link = tmp_path / "link"
    link.symlink_to(real)
    with pytest.raises(HostStateError, match="not a folder"):
        host_state_dir(Settings(host_state_dir=link))
