"""Private services and a small deployment for the reliability tests and benchmarks.

Faults are injected into services this module starts for one test, never into the machine's
shared ones: a redis-server on a free loopback port, a PostgreSQL cluster made with `initdb` in a
temporary folder, a `dockerd` with its own socket, data root and containerd. `Deployment` runs real
`horizon` processes (API server, workers, beat) against them.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from core.models import Base, Run, TranscriptEvent
from tests.support.processes import OUTPUT, Proc, horizon_cmd, start_worker, wait_until


def _postgres_bin() -> Path:
    """Debian's PostgreSQL server binaries (the newest installed), or HORIZON_PG_BIN."""
    if os.environ.get("HORIZON_PG_BIN"):
        return Path(os.environ["HORIZON_PG_BIN"])
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: (len(p.parts[-3]), p.parts[-3])
    )
    return found[-1].parent if found else Path("/usr/lib/postgresql/bin")


PG_BIN = _postgres_bin()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _port_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class RedisServer:
    """A redis-server without persistence on its own port: a restart loses every message."""

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="hz-redis-"))
        self.log_path = OUTPUT / f"redis-{self.port}.log"
        self._proc: subprocess.Popen[bytes] | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> RedisServer:
        OUTPUT.mkdir(exist_ok=True)
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed")
        args = [binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no"]
        args += ["--dir", str(self.dir)]
        with open(self.log_path, "ab") as log:
            self._proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        wait_until(lambda: _port_answers(self.port), 20, f"redis on port {self.port}")
        return self

    def stop(self) -> None:
        """SIGKILL, as a crash would: nothing is saved (nothing would be anyway)."""
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait(timeout=20)
        self._proc = None

    def restart(self, down_s: float = 0.0) -> None:
        self.stop()
        time.sleep(down_s)
        self.start()

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


def _as_postgres_user(args: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root; tests on the project's machines run as root.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


class PostgresServer:
    """A throwaway PostgreSQL cluster (initdb) on its own port, trust authentication on loopback."""

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="hz-pg-"))
        self.data = self.dir / "data"
        self.log_path = OUTPUT / f"postgres-{self.port}.log"
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")

    @staticmethod
    def available() -> str | None:
        """None when a private cluster can be made here, else the reason it cannot."""
        if not (PG_BIN / "initdb").exists():
            return f"no PostgreSQL server binaries in {PG_BIN} (set HORIZON_PG_BIN)"
        if os.geteuid() == 0 and shutil.which("runuser") is None:
            return "running as root without runuser to drop to the postgres user"
        return None

    def url(self, database: str = "horizon") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _ctl(self, *args: str) -> None:
        subprocess.run(
            _as_postgres_user([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-w", "-t", "60", *args]),
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def start(self) -> PostgresServer:
        OUTPUT.mkdir(exist_ok=True)
        if not self.data.exists():
            initdb = [str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust"]
            subprocess.run(
                _as_postgres_user([*initdb, "-E", "UTF8"]),
                check=True,
                stdout=subprocess.DEVNULL,
            )
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.dir} "
            "-c fsync=off -c max_connections=200"
        )
        log = self.dir / "server.log"
        self._ctl("-l", str(log), "-o", options, "start")
        return self

    def create_database(self, name: str = "horizon") -> str:
        engine = create_engine(self.url("postgres"), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        return self.url(name)

    def restart(self) -> None:
        """A fast shutdown (every connection is cut) and a start."""
        self._ctl("-m", "fast", "restart")

    def stop(self) -> None:
        try:
            self._ctl("-m", "immediate", "stop")
        except subprocess.CalledProcessError:
            pass

    def close(self) -> None:
        self.stop()
        log = self.dir / "server.log"
        if log.exists():
            shutil.copy(log, self.log_path)
        shutil.rmtree(self.dir, ignore_errors=True)


class DockerDaemon:
    """A private dockerd (own socket, data root, exec root and containerd), flags as on CI.

    The sandbox base image is copied into it from the machine's daemon with save | load.
    """

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="hzd-"))
        self.socket = self.dir / "docker.sock"
        self.host = f"unix://{self.socket}"
        self.log_path = OUTPUT / f"dockerd-{self.dir.name}.log"
        # containerd refuses a namespace that does not match [A-Za-z0-9]+([._-][A-Za-z0-9]+)*; a
        # temporary folder's name may end in "_" (every container start then failed at random).
        self.namespace = f"hz-{secrets.token_hex(6)}"
        self._proc: subprocess.Popen[bytes] | None = None

    @staticmethod
    def available() -> str | None:
        if shutil.which("dockerd") is None or shutil.which("docker") is None:
            return "dockerd is not installed"
        if os.geteuid() != 0:
            return "a private dockerd needs root"
        return None

    def start(self) -> DockerDaemon:
        OUTPUT.mkdir(exist_ok=True)
        args = [
            "dockerd",
            "--host",
            self.host,
            "--data-root",
            str(self.dir / "data"),
            "--exec-root",
            str(self.dir / "exec"),
            "--pidfile",
            str(self.dir / "dockerd.pid"),
            "--containerd-namespace",
            self.namespace,
            "--containerd-plugins-namespace",
            f"{self.namespace}-plugins",
            "--storage-driver=overlay2",
            "--iptables=false",
            "--ip-forward=false",
            "--ip-masq=false",
            "--bridge=none",
            "--shutdown-timeout=2",
        ]
        with open(self.log_path, "ab") as log:
            self._proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        wait_until(self.answers, 60, "the private dockerd")
        return self

    def answers(self) -> bool:
        result = subprocess.run(
            ["docker", "-H", self.host, "info"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        return result.returncode == 0

    def load_images_from(self, images: list[str], source_host: str | None = None) -> None:
        """Copy `images` (with their tags) from the machine's daemon (or `source_host`) into this one."""
        save_cmd = ["docker"] + (["-H", source_host] if source_host else []) + ["save", *images]
        save = subprocess.Popen(save_cmd, stdout=subprocess.PIPE)
        load = subprocess.run(
            ["docker", "-H", self.host, "load"], stdin=save.stdout, capture_output=True, check=False
        )
        assert save.stdout is not None
        save.stdout.close()
        save.wait(timeout=300)
        if save.returncode != 0 or load.returncode != 0:
            raise RuntimeError(f"copying {images} failed: {load.stderr.decode(errors='replace')}")

    def stop(self) -> None:
        """SIGTERM, as `systemctl stop docker` does: running containers are killed."""
        if self._proc is not None and self._proc.poll() is None:
            os.killpg(self._proc.pid, signal.SIGTERM)
            try:
                self._proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self._proc.pid, signal.SIGKILL)
                self._proc.wait(timeout=30)
        self._proc = None

    def restart(self, down_s: float = 0.0) -> None:
        self.stop()
        time.sleep(down_s)
        self.start()

    def close(self) -> None:
        if self._proc is not None and self.answers():
            subprocess.run(
                ["sh", "-c", f"docker -H {self.host} ps -aq | xargs -r docker -H {self.host} rm -f"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        self.stop()
        # Leftover overlay mounts would keep the data root busy.
        subprocess.run(
            ["sh", "-c", f"grep -o ' {self.dir}[^ ]*' /proc/mounts | sort -r | xargs -r -n1 umount -l"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(self.dir, ignore_errors=True)


# ------------------------------------------------------------------------------- tasks and agents

# A tiny task whose oracle writes ok and whose scorer needs no Python (fast on a busy machine).
TINY_SCORER = 'if [ "$(cat answer.txt 2>/dev/null)" = ok ]; then echo 1; else echo 0; fi'


def register_react_agents(
    client: Any, headers: dict[str, str], model_urls: dict[str, str], action_limit: int
) -> None:
    """Through the API: per model server, a model `m-NAME` at its URL and a react agent `NAME`."""
    for name, url in model_urls.items():
        model = {"name": f"m-{name}", "base_url": url, "release_date": "2025-01-01"}
        assert client.post("/api/models", json=model, headers=headers).status_code == 201
        settings = {"action_limit": action_limit}
        agent = {"name": name, "scaffold": "react", "model": f"m-{name}", "settings": settings}
        assert client.post("/api/agents", json=agent, headers=headers).status_code == 201


def tiny_task(
    task_id: str, tags: list[str], *, solve: str = "echo ok > answer.txt", **extra: Any
) -> dict[str, Any]:
    """A task body for POST /api/tasks that the oracle solves (score 1) and null does not (0)."""
    body: dict[str, Any] = {
        "id": task_id,
        "family": "reliability",
        "title": task_id,
        "instructions": "Write ok into answer.txt.",
        "scorer": {"command": TINY_SCORER, "timeout_s": 60},
        "solution": {"command": solve},
        "limits": {"cpus": 0.5, "memory_mb": 64, "pids": 64, "disk_mb": 8},
        "time_limit_s": 300,
        "tags": tags,
        "baselines": [{"baseliner": "author", "minutes": 1, "succeeded": True, "source": "estimate"}],
    }
    body.update(extra)
    return body


def setup_catalog(
    client: Any, headers: dict[str, str], n_tasks: int, tag: str = "tiny", solve: str = "echo ok > answer.txt"
) -> None:
    """Create `n_tasks` tiny tasks and the `oracle` and `null` agents through the API."""
    for i in range(n_tasks):
        r = client.post("/api/tasks", json=tiny_task(f"{tag}-{i}", [tag], solve=solve), headers=headers)
        assert r.status_code == 201, r.text
    for name in ("oracle", "null"):
        r = client.post("/api/agents", json={"name": name, "scaffold": name}, headers=headers)
        assert r.status_code == 201, r.text


# ------------------------------------------------------------------------------- processes


class Deployment:
    """Real `horizon` processes sharing one environment; all stopped by `close()`."""

    def __init__(self, env: dict[str, str], label: str) -> None:
        self.env = env
        self.label = label
        self.procs: list[Proc] = []

    def worker(self, name: str, concurrency: int = 1, queues: str = "default,runs,analysis") -> Proc:
        proc = start_worker(self.env, f"{self.label}-{name}", queues=queues, concurrency=concurrency)
        self.procs.append(proc)
        return proc

    def beat(self) -> Proc:
        proc = Proc(horizon_cmd("beat"), self.env, f"{self.label}-beat")
        self.procs.append(proc)
        return proc

    def serve(self, port: int) -> Proc:
        proc = Proc(horizon_cmd("serve", "--port", str(port)), self.env, f"{self.label}-serve")
        self.procs.append(proc)
        proc.wait_for_log("Uvicorn running", timeout=90)
        return proc

    def logs(self) -> str:
        return "\n".join(p.log() for p in self.procs)

    def close(self) -> None:
        for proc in self.procs:
            proc.stop()


@contextmanager
def deployment(env: dict[str, str], label: str) -> Iterator[Deployment]:
    d = Deployment(env, label)
    try:
        yield d
    finally:
        d.close()


def start_scripted_model(
    script: list[dict[str, Any]],
    name: str,
    workdir: Path,
    *,
    loop: bool = False,
    api_key_env: str | None = None,
    env: dict[str, str] | None = None,
) -> tuple[Proc, str]:
    """A scripted OpenAI-compatible server as its own process; returns it and its base URL.

    With `api_key_env`, it refuses requests without the key held by that variable of `env`.
    """
    path = workdir / f"{name}.json"
    path.write_text(json.dumps(script))
    port = free_port()
    args = [sys.executable, "-m", "tests.fakes.scripted_openai", "--port", str(port), "--script", str(path)]
    args += ["--loop"] if loop else []
    args += ["--api-key-env", api_key_env] if api_key_env else []
    proc = Proc(args, env or {}, f"scripted-{name}")
    proc.wait_for_log("listening on", timeout=30)
    return proc, f"http://127.0.0.1:{port}/v1"


# ------------------------------------------------------------------------------- checks


def wait_batch_done(base_or_client: Any, batch_id: int, timeout: float) -> dict[str, Any]:
    """Poll GET /api/batches/{id} until every run is final; returns the batch."""
    state: dict[str, Any] = {}
    last: list[str] = ["nothing yet"]

    def done() -> bool:
        try:
            r = base_or_client.get(f"/api/batches/{batch_id}")
        except Exception as exc:  # the API may be reconnecting during a fault (TestClient re-raises)
            last[0] = f"{type(exc).__name__}: {exc}"[:300]
            return False
        if r.status_code != 200:
            last[0] = f"HTTP {r.status_code}: {r.text[:300]}"
            return False
        state.clear()
        state.update(r.json())
        last[0] = str(state.get("counts"))
        return bool(state["done"])

    try:
        wait_until(done, timeout, f"batch {batch_id} to finish", interval=0.5)
    except TimeoutError as exc:
        raise TimeoutError(f"{exc} (last answer: {last[0]})") from None
    return state


def table_counts(session: Session) -> dict[str, int]:
    """Row counts of every table the ORM knows (to prove a rejected request wrote nothing)."""
    return {
        name: int(session.scalar(select(func.count()).select_from(table)) or 0)
        for name, table in sorted(Base.metadata.tables.items())
    }


# The line workers/run_executor.py logs when it starts an attempt: "run N attempt M: AGENT on TASK".
_ATTEMPT_STARTED = re.compile(r"\] run (\d+) attempt (\d+): (\S+) on (\S+)$", re.MULTILINE)


def executions_from_logs(logs: str) -> Counter[tuple[int, int]]:
    """How often each (run id, attempt) was started, from the workers' log lines."""
    return Counter((int(m.group(1)), int(m.group(2))) for m in _ATTEMPT_STARTED.finditer(logs))


def assert_no_loss_or_double_count(session: Session, batch_id: int, expected_runs: int) -> list[Run]:
    """Every run of the batch is final and counted once: one row per slot, one transcript per row."""
    runs = list(session.scalars(select(Run).where(Run.batch_id == batch_id).order_by(Run.id)))
    assert len(runs) == expected_runs
    slots = {(r.agent_id, r.task_version_id, r.repeat_index) for r in runs}
    assert len(slots) == expected_runs
    unfinished = [r.id for r in runs if r.status in ("queued", "running")]
    assert unfinished == [], f"runs not final: {unfinished[:20]}"
    completed = [r.id for r in runs if r.status == "completed"]
    with_events = select(TranscriptEvent.run_id).where(TranscriptEvent.run_id.in_([r.id for r in runs]))
    transcripts = set(session.scalars(with_events))
    assert set(completed) <= transcripts
    return runs
