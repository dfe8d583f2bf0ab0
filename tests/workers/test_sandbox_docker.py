"""The Docker sandbox against a real daemon: limits, isolation, labels, timeouts, cleanup."""

from __future__ import annotations

import hashlib
import subprocess
import threading
import time
from collections.abc import Iterator

import docker.errors
import pytest

from workers.sandbox import get_backend
from workers.sandbox.base import Sandbox, SandboxBackend, SandboxError, SandboxUnavailable
from workers.sandbox.docker.backend import DockerBackend, cgroup_memory_mb
from workers.sandbox.docker.reaping import LABEL_ATTEMPT, LABEL_INSTANCE, LABEL_MANAGED, LABEL_RUN_ID
from workers.sandbox.docker.sandbox import DockerSandbox

from .conftest import FORKER, SMALL_LIMITS

MiB = 1024 * 1024


@pytest.fixture
def sandbox(docker_backend: DockerBackend, base_image: str) -> Iterator[DockerSandbox]:
    box = docker_backend.create(base_image, limits=SMALL_LIMITS, workdir="/home/agent", run_id=1, attempt=1)
    yield box
    box.close()


def test_unreachable_daemon_is_sandbox_unavailable_with_advice() -> None:
    backend = get_backend("docker", "unix:///nonexistent/horizon-docker.sock")
    assert isinstance(backend, DockerBackend) and isinstance(backend, SandboxBackend)
    # Every way in says the same: the worker's start-up check, the base image, the client itself.
    for use in (backend.check_available, backend.ensure_base_image, lambda: backend.client):
        with pytest.raises(SandboxUnavailable) as info:
            use()
        message = str(info.value)
        assert "no Docker daemon reachable at unix:///nonexistent/horizon-docker.sock" in message
        assert "HORIZON_SANDBOX_BACKEND" in message
    backend.close()  # nothing was opened: still fine


@pytest.mark.docker
def test_check_available_pings_and_close_lets_the_backend_reconnect(
    docker_backend: DockerBackend, base_image: str
) -> None:
    backend = DockerBackend(docker_backend.docker_host, instance=docker_backend.instance)
    backend.check_available()  # opens the client
    backend.check_available()  # pings the open one
    assert backend.ensure_base_image() == base_image
    backend.close()
    backend.close()
    with backend.create(base_image, limits=SMALL_LIMITS, workdir="/home/agent", run_id=4, attempt=1) as box:
        assert box.exec("echo again", timeout_s=10).stdout == "again\n"


def test_unknown_backend_name_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown sandbox backend 'lxc'"):
        get_backend("lxc", None)


@pytest.mark.docker
def test_container_is_labelled_and_locked_down(docker_backend: DockerBackend, sandbox: DockerSandbox) -> None:
    attrs = docker_backend.client.api.inspect_container(sandbox.container_id)
    labels = attrs["Config"]["Labels"]
    assert labels[LABEL_MANAGED] == "1"
    assert labels[LABEL_RUN_ID] == "1"
    assert labels[LABEL_ATTEMPT] == "1"
    assert labels[LABEL_INSTANCE] == docker_backend.instance
    host = attrs["HostConfig"]
    assert host["NetworkMode"] == "none"
    assert host["ReadonlyRootfs"] is True
    assert host["CapDrop"] == ["ALL"]
    assert "no-new-privileges" in host["SecurityOpt"]
    assert host["PidsLimit"] == SMALL_LIMITS.pids
    assert host["NanoCpus"] == int(SMALL_LIMITS.cpus * 1e9)
    # tmpfs pages count as memory: the cgroup holds memory + disk, and never any swap.
    expected = (SMALL_LIMITS.memory_mb + 2 * SMALL_LIMITS.disk_mb) * MiB
    assert host["Memory"] == expected
    assert host["MemorySwap"] == expected


@pytest.mark.docker
def test_commands_run_as_unprivileged_agent_in_workdir(sandbox: DockerSandbox) -> None:
    result = sandbox.exec("id -u; pwd; grep CapEff /proc/self/status", timeout_s=10)
    uid, cwd, caps = result.stdout.splitlines()
    assert (uid, cwd) == ("1000", "/home/agent")
    assert caps.split()[1] == "0000000000000000"
    root = sandbox.exec("id -u", timeout_s=10, user="root")
    assert root.stdout.strip() == "0"


@pytest.mark.docker
def test_exit_code_and_separate_streams(sandbox: DockerSandbox) -> None:
    result = sandbox.exec("echo out; echo err >&2; exit 3", timeout_s=10)
    assert result.exit_code == 3
    assert (result.stdout, result.stderr) == ("out\n", "err\n")
    assert (result.stdout_bytes, result.stderr_bytes) == (4, 4)
    assert result.timed_out is False


@pytest.mark.docker
def test_memory_limit_kills_a_process_that_allocates_too_much(sandbox: DockerSandbox) -> None:
    small = sandbox.exec("python3 -c 'b = bytearray(32 * 1024 * 1024); print(len(b))'", timeout_s=60)
    assert small.exit_code == 0, small.stderr
    cgroup_mb = cgroup_memory_mb(SMALL_LIMITS)
    big = sandbox.exec(
        f"python3 -c 'b = bytearray({2 * cgroup_mb} * 1024 * 1024); print(len(b))'", timeout_s=60
    )
    assert big.exit_code == 137  # SIGKILL from the OOM killer
    assert big.timed_out is False
    assert sandbox.exec("echo alive", timeout_s=10).stdout == "alive\n"


@pytest.mark.docker
def test_pids_limit_stops_a_fork_loop(sandbox: DockerSandbox) -> None:
    script = (
        "import os, time\n"
        "ok = failed = 0\n"
        "for _ in range(200):\n"
        "    try:\n"
        "        pid = os.fork()\n"
        "    except OSError:\n"
        "        failed += 1\n"
        "        continue\n"
        "    if pid == 0:\n"
        "        time.sleep(30)\n"
        "        os._exit(0)\n"
        "    ok += 1\n"
        "print(ok, failed)\n"
    )
    sandbox.put_files({"forker.py": script}, sandbox.workdir)
    result = sandbox.exec("python3 forker.py", timeout_s=60)
    forked, failed = map(int, result.stdout.split())
    assert forked < SMALL_LIMITS.pids
    assert failed > 0
    # A real fork bomb is contained too, and the sandbox recovers once its group is killed.
    bomb = sandbox.exec("b() { b | b & }; b", timeout_s=3)
    assert bomb.timed_out or bomb.exit_code != 0
    sandbox.kill_user_processes()
    assert sandbox.exec("echo recovered", timeout_s=20).stdout == "recovered\n"
    # The host did not run out of processes.
    assert subprocess.run(["true"], check=False).returncode == 0


@pytest.mark.docker
def test_agent_processes_can_be_killed_when_the_process_table_is_full(sandbox: DockerSandbox) -> None:
    # A detached loop keeps the pid table full: the agent's next commands cannot fork.
    sandbox.exec(FORKER, timeout_s=10)
    for _ in range(100):  # until the loop has filled the table
        blocked = sandbox.exec("echo hello", timeout_s=10)
        if blocked.exit_code != 0:
            break
        time.sleep(0.1)
    assert "Resource temporarily unavailable" in blocked.stderr
    sandbox.kill_user_processes()
    assert sandbox.exec("echo hello", timeout_s=10).stdout == "hello\n"
    assert "agent" not in sandbox.exec("ps -eo user=", timeout_s=10, user="root").stdout


@pytest.mark.docker
def test_no_network_but_loopback(sandbox: DockerSandbox) -> None:
    assert sandbox.exec("ls /sys/class/net", timeout_s=10).stdout.split() == ["lo"]
    probe = (
        "import socket\n"
        "s = socket.socket(); s.settimeout(3)\n"
        "try:\n"
        "    s.connect(('1.1.1.1', 443)); print('connected')\n"
        "except OSError as e:\n"
        "    print('refused', e.errno)\n"
    )
    sandbox.put_files({"probe.py": probe}, sandbox.workdir)
    assert sandbox.exec("python3 probe.py", timeout_s=20).stdout.startswith("refused")


@pytest.mark.docker
def test_root_filesystem_is_read_only_but_workdir_and_tmp_are_writable(sandbox: DockerSandbox) -> None:
    for user in ("agent", "root"):
        denied = sandbox.exec("echo x > /usr/evil", timeout_s=10, user=user)
        assert denied.exit_code != 0
        assert "Read-only file system" in denied.stderr
    ok = sandbox.exec("echo data > notes.txt && echo t > /tmp/t && cat notes.txt /tmp/t", timeout_s=10)
    assert ok.stdout == "data\nt\n"
    # Scripts written by the agent are executable (tmpfs mounted with exec).
    assert (
        sandbox.exec("printf '#!/bin/sh\\necho hi\\n' > s.sh && chmod +x s.sh && ./s.sh", 10).stdout == "hi\n"
    )


@pytest.mark.docker
def test_disk_limit_bounds_what_the_agent_can_write(sandbox: DockerSandbox) -> None:
    limit = SMALL_LIMITS.disk_mb
    for target in ("big.bin", "/tmp/big.bin"):
        result = sandbox.exec(f"dd if=/dev/zero of={target} bs=1M count={limit * 2}", timeout_s=60)
        assert result.exit_code != 0
        assert "No space left on device" in result.stderr
        size = int(sandbox.exec(f"stat -c %s {target}", timeout_s=10).stdout)
        assert size <= limit * MiB
        sandbox.exec(f"rm {target}", timeout_s=10)


@pytest.mark.docker
def test_exec_timeout_kills_the_command_and_escaped_children(sandbox: DockerSandbox) -> None:
    result = sandbox.exec("echo started; sleep 300", timeout_s=1)
    assert result.timed_out is True
    assert result.stdout == "started\n"
    # A child in its own session escapes `timeout`'s process group and holds the output open.
    escaped = sandbox.exec("setsid sleep 301 & sleep 302", timeout_s=1)
    assert escaped.timed_out is True
    left = sandbox.exec("ps -eo args", timeout_s=10).stdout
    assert "sleep 301" not in left and "sleep 302" not in left
    quick = sandbox.exec("echo fine", timeout_s=5)
    assert quick.timed_out is False and quick.stdout == "fine\n"


@pytest.mark.docker
def test_output_is_bounded_and_original_sizes_are_kept(
    docker_backend: DockerBackend, base_image: str
) -> None:
    backend = DockerBackend(
        docker_backend.docker_host, instance=docker_backend.instance, max_output_bytes=1000
    )
    with backend.create(base_image, limits=SMALL_LIMITS, workdir="/home/agent", run_id=2, attempt=1) as box:
        result = box.exec("head -c 100000 /dev/zero | tr '\\0' a; echo; echo THE-END", timeout_s=30)
    assert result.stdout_bytes == 100000 + 1 + 8
    assert len(result.stdout) < 1200
    assert "bytes cut of 100009" in result.stdout
    assert result.stdout.startswith("aaaa") and result.stdout.endswith("THE-END\n")


@pytest.mark.docker
def test_files_go_in_with_the_right_owner_and_come_out(sandbox: DockerSandbox) -> None:
    sandbox.put_files({"data/in.txt": "hello\n", "run.sh": "#!/bin/sh\necho ran\n"}, sandbox.workdir)
    listing = sandbox.exec("stat -c '%U %a %n' data data/in.txt run.sh && ./run.sh", timeout_s=10)
    assert listing.stdout.splitlines() == [
        "agent 755 data",
        "agent 644 data/in.txt",
        "agent 755 run.sh",
        "ran",
    ]
    sandbox.put_files({"check.py": "print(1)\n"}, "/scorer")
    assert sandbox.exec("stat -c %U /scorer/check.py", timeout_s=10).stdout == "root\n"
    tamper = sandbox.exec("echo 'print(0)' > /scorer/check.py", timeout_s=10)
    assert "Permission denied" in tamper.stderr
    assert sandbox.read_file("/home/agent/data/in.txt") == "hello\n"
    assert sandbox.read_file("/home/agent/data/in.txt", max_bytes=3) == "hel"
    with pytest.raises(FileNotFoundError):
        sandbox.read_file("/home/agent/missing.txt")


@pytest.mark.docker
def test_binary_files_go_in_and_come_out_byte_for_byte(sandbox: DockerSandbox) -> None:
    assert isinstance(sandbox, Sandbox)
    blob = bytes(range(256)) * 4 + b"\xff\xfe not utf-8 \x00"
    sandbox.put_files({"bin/blob.dat": blob, "note.txt": "caf\u00e9\n"}, sandbox.workdir)
    assert sandbox.exec("stat -c '%U %s' bin/blob.dat", timeout_s=10).stdout == f"agent {len(blob)}\n"
    assert sandbox.read_bytes("/home/agent/bin/blob.dat") == blob
    assert sandbox.read_bytes("/home/agent/bin/blob.dat", max_bytes=300) == blob[:300]
    assert sandbox.read_bytes("/home/agent/bin/blob.dat", max_bytes=0) == b""
    assert sandbox.read_bytes("/home/agent/note.txt") == "caf\u00e9\n".encode()
    # Larger than the output bound of a command: a read is bounded by its own max_bytes only.
    big = 600_000
    sandbox.exec(f"head -c {big} /dev/urandom > big.bin", timeout_s=20)
    data = sandbox.read_bytes("/home/agent/big.bin")
    assert len(data) == big
    digest = sandbox.exec("sha256sum big.bin", timeout_s=10).stdout.split()[0]
    assert hashlib.sha256(data).hexdigest() == digest
    assert len(sandbox.read_bytes("/home/agent/big.bin", max_bytes=1000)) == 1000
    # "All but the last N bytes" to `head -c`: refused, never unbounded.
    with pytest.raises(ValueError):
        sandbox.read_bytes("/home/agent/big.bin", max_bytes=-1)
    for not_a_file in ("/home/agent/bin", "/home/agent/missing.bin"):
        with pytest.raises(FileNotFoundError):
            sandbox.read_bytes(not_a_file)


@pytest.mark.docker
def test_close_removes_the_container_and_is_idempotent(
    docker_backend: DockerBackend, base_image: str
) -> None:
    box = docker_backend.create(base_image, limits=SMALL_LIMITS, workdir="/home/agent", run_id=3, attempt=1)
    box.exec("sleep 100 >/dev/null 2>&1 &", timeout_s=5)
    box.close()
    with pytest.raises(docker.errors.NotFound):
        docker_backend.client.containers.get(box.container_id)
    box.close()
    with pytest.raises(SandboxError):
        box.exec("true", timeout_s=5)
    with docker_backend.create(
        base_image, limits=SMALL_LIMITS, workdir="/home/agent", run_id=3, attempt=2
    ) as b2:
        container_id = b2.container_id
    with pytest.raises(docker.errors.NotFound):
        docker_backend.client.containers.get(container_id)


@pytest.mark.docker
def test_reap_orphans_removes_only_dead_attempts_of_this_instance(
    docker_backend: DockerBackend, base_image: str
) -> None:
    other = DockerBackend(docker_backend.docker_host, instance=docker_backend.instance + "-other")
    create = docker_backend.create
    boxes = {
        (10, 1): create(base_image, limits=SMALL_LIMITS, workdir="/home/agent", run_id=10, attempt=1),
        (10, 2): create(base_image, limits=SMALL_LIMITS, workdir="/home/agent", run_id=10, attempt=2),
        (11, 1): create(base_image, limits=SMALL_LIMITS, workdir="/home/agent", run_id=11, attempt=1),
    }
    foreign = other.create(base_image, limits=SMALL_LIMITS, workdir="/home/agent", run_id=10, attempt=1)
    try:
        removed = docker_backend.reap_orphans(lambda run_id, attempt: (run_id, attempt) == (10, 2))
        assert sorted(removed) == sorted([boxes[(10, 1)].name, boxes[(11, 1)].name])
        left = {c.name for c in docker_backend.managed_containers() if c.name.startswith("horizon-r1")}
        assert boxes[(10, 2)].name in left
        assert boxes[(10, 1)].name not in left and boxes[(11, 1)].name not in left
        assert other.client.containers.get(foreign.container_id).status == "running"
    finally:
        for box in [*boxes.values(), foreign]:
            box.close()


@pytest.mark.docker
def test_remove_run_containers_stops_a_running_command(
    docker_backend: DockerBackend, base_image: str
) -> None:
    first = docker_backend.create(
        base_image, limits=SMALL_LIMITS, workdir="/home/agent", run_id=20, attempt=1
    )
    second = docker_backend.create(
        base_image, limits=SMALL_LIMITS, workdir="/home/agent", run_id=20, attempt=2
    )
    bystander = docker_backend.create(
        base_image, limits=SMALL_LIMITS, workdir="/home/agent", run_id=21, attempt=1
    )
    outcome: list[object] = []

    def long_command() -> None:
        try:
            outcome.append(first.exec("sleep 600", timeout_s=600))
        except SandboxError as exc:
            outcome.append(exc)

    worker = threading.Thread(target=long_command)
    worker.start()
    try:
        first.exec("true", timeout_s=5)  # the sleep has had time to start
        removed = docker_backend.remove_run_containers(20)
        assert sorted(removed) == sorted([first.name, second.name])
        worker.join(timeout=60)
        assert not worker.is_alive(), "the command kept running after its container was removed"
        result = outcome[0]
        assert isinstance(result, SandboxError) or result.exit_code != 0  # type: ignore[attr-defined]
        assert docker_backend.managed_containers(run_id=20) == []
        assert [c.name for c in docker_backend.managed_containers(run_id=21)] == [bystander.name]
    finally:
        for box in (first, second, bystander):
            box.close()


@pytest.mark.docker
def test_many_sandboxes_in_parallel_do_not_interfere(docker_backend: DockerBackend, base_image: str) -> None:
    results: dict[int, str] = {}

    def one(i: int) -> None:
        with docker_backend.create(
            base_image, limits=SMALL_LIMITS, workdir="/home/agent", run_id=30 + i, attempt=1
        ) as b:
            b.put_files({"n.txt": str(i)}, b.workdir)
            results[i] = b.exec("cat n.txt; ls /home/agent | wc -l", timeout_s=20).stdout

    threads = [threading.Thread(target=one, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert results == {i: f"{i}1\n" for i in range(4)}
