"""Many concurrent react runs per worker: the threads pool against one process per run (prefork).

What runs: a fresh database on the PostgreSQL server (HORIZON_BENCH_PG_URL, default the local one;
dropped at the end), a private redis-server, and a scripted OpenAI-compatible model server
(tests/fakes/scripted_openai.py, `--by-turn` so every conversation gets the whole script) whose
every answer comes after `--delay` seconds, as a hosted model's would. The react agent runs
`--turns` bash commands in its Docker sandbox (the first writes the answer) and submits; the
scorer is one shell line, so every run completes with score 1.

For each configuration (pool, N), one `horizon worker --pool POOL --concurrency N` process takes a
batch of `N x --rounds` runs. Sampled every second: the PSS of the worker's process tree (the
Celery main process and, for prefork, its children; not the sandboxes, which are containers),
its threads, its database connections, and how many runs are running. Reported per
configuration: the most runs in flight at once, the worker's PSS then, PSS per in-flight run
(all of it, and above the idle worker's), runs per minute, and whether every run completed and
was scored.

With `--kill N`, one more threads worker of N slots takes a batch of N runs and is SIGKILLed
once all N are in flight (or as many as are when the first run ends); a second worker and
`horizon beat` start (the reaper re-queues every run whose heartbeat stopped, after the default
60 s of staleness), and the line printed says how many of the N completed with a score, and how
many of the killed worker's runs came back as attempt 2.

    .venv/bin/python benchmarks/bench_worker_pool.py [--threads 8,32,128] [--prefork 8,32]
        [--delay 6] [--turns 4] [--rounds 1] [--kill 128]

Exits 1 when a run did not complete with a score, or a killed worker's run did not come back as
attempt 2; prints whether the threads pool at 128 met the goal of at most 15 MiB of worker memory
per in-flight run, and asserts nothing about speed or memory.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from core.auth import create_token  # noqa: E402
from core.db import dispose_engines, session_scope  # noqa: E402
from core.migrate import upgrade  # noqa: E402
from core.models import Run  # noqa: E402
from core.settings import Settings  # noqa: E402
from tests.reliability.support import RedisServer, free_port, register_react_agents, tiny_task  # noqa: E402
from tests.support.processes import Proc, horizon_cmd  # noqa: E402
from workers.sandbox.docker.backend import DockerBackend  # noqa: E402
from workers.sandbox.docker.images import ensure_base_image  # noqa: E402

PG_ADMIN_URL = os.environ.get("HORIZON_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
INSTANCE = "bench-worker-pool"
TASKS = 8
MIB = 1024 * 1024


@dataclass
class Sample:
    """One look at the worker and the runs."""

    at: float
    pss_mib: float
    threads: int
    fds: int
    db_connections: int
    running: int
    final: int


@dataclass
class Outcome:
    """What one configuration measured."""

    pool: str
    n: int
    runs: int
    idle_pss_mib: float
    samples: list[Sample]
    elapsed_s: float
    completed_scored: int

    @property
    def peak(self) -> Sample:
        """The sample with the most runs in flight (the largest PSS among equals)."""
        return max(self.samples, key=lambda s: (s.running, s.pss_mib))

    @property
    def runs_per_min(self) -> float:
        """Runs made final per minute, from the worker's start to the last run's end."""
        return self.runs / self.elapsed_s * 60


@dataclass
class Recovery:
    """What the SIGKILL measurement saw."""

    n: int
    runs: int
    in_flight_at_kill: int
    completed_scored: int
    back_as_attempt_2: int
    recovery_s: float


def tree_usage(pid: int, db_port: int) -> tuple[float, int, int, int]:
    """PSS of a process and its descendants in MiB, their threads, open descriptors and
    connections to the database server."""
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0, 0, 0, 0
    pss, threads, fds, conns = 0, 0, 0, 0
    for proc in procs:
        try:
            pss += proc.memory_full_info().pss
            threads += proc.num_threads()
            fds += proc.num_fds()
            conns += sum(1 for c in proc.net_connections("tcp") if c.raddr and c.raddr.port == db_port)
        except psutil.NoSuchProcess:
            continue
    return pss / MIB, threads, fds, conns


def script(turns: int, delay_s: float) -> list[dict[str, Any]]:
    """The model's answers: write the answer, a few more commands, submit; each after a delay."""
    steps: list[dict[str, Any]] = [
        {"tool_calls": [{"name": "bash", "arguments": {"command": "echo ok > answer.txt"}}]}
    ]
    steps += [
        {
            "tool_calls": [
                {"name": "bash", "arguments": {"command": f"ls -la > /tmp/listing-{i}; wc -c answer.txt"}}
            ]
        }
        for i in range(max(0, turns - 1))
    ]
    steps.append({"tool_calls": [{"name": "submit", "arguments": {"answer": "ok"}}]})
    return [{**step, "delay_s": delay_s} for step in steps]


class Bench:
    """The shared parts: database, Redis, model server, API client; one batch per configuration."""

    def __init__(self, args: argparse.Namespace, database_url: str, redis_url: str, workdir: Path) -> None:
        self.args = args
        self.settings = Settings(database_url=database_url, redis_url=redis_url)
        self.env = {
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "HORIZON_SANDBOX_INSTANCE": INSTANCE,
            # Runs outlast the default 60 s of staleness only on a machine far past its capacity;
            # the benchmark measures the pools, not the reaper.
            "HORIZON_STALE_AFTER_S": "300",
            "HORIZON_PROVIDER_CONCURRENCY": "1000",
        }
        path = workdir / "script.json"
        path.write_text(json.dumps(script(args.turns, args.delay)))
        port = free_port()
        model_args = [sys.executable, "-m", "tests.fakes.scripted_openai", "--port", str(port)]
        self.model = Proc([*model_args, "--script", str(path), "--by-turn"], {}, "bench-pool-model")
        self.model.wait_for_log("listening on", timeout=30)
        from api.app import create_app

        self.client = TestClient(create_app(self.settings), base_url="http://127.0.0.1")
        self.client.__enter__()
        with session_scope(self.settings) as s:
            _, token = create_token(s, "bench", "submitter")
        self.headers = {"Authorization": f"Bearer {token}"}
        for i in range(TASKS):
            r = self.client.post("/api/tasks", json=tiny_task(f"pool-{i}", ["pool"]), headers=self.headers)
            assert r.status_code == 201, r.text
        urls = {"react": f"http://127.0.0.1:{port}/v1"}
        register_react_agents(self.client, self.headers, urls, action_limit=args.turns + 5)
        self.db_port = make_url(database_url).port or 5432

    def close(self) -> None:
        """Stop the model server and the API client."""
        self.client.__exit__(None, None, None)
        self.model.stop()

    def counts(self, batch_id: int) -> tuple[int, int]:
        """Runs of the batch running now, and final."""
        with session_scope(self.settings) as s:
            rows = dict(
                s.execute(
                    select(Run.status, func.count()).where(Run.batch_id == batch_id).group_by(Run.status)
                ).all()
            )
        final = sum(rows.get(state, 0) for state in ("completed", "infra_error", "cancelled"))
        return int(rows.get("running", 0)), int(final)

    def measure(self, pool: str, n: int) -> Outcome:
        """One worker of `pool` with `n` slots drains a batch of `n * rounds` runs."""
        repeats = max(1, n * self.args.rounds // TASKS)
        total = repeats * TASKS
        body = {"agents": ["react"], "tags": ["pool"], "repeats": repeats, "name": f"{pool}-{n}"}
        # The batch is queued before the worker starts, so the worker's slots all fill at once.
        r = self.client.post("/api/batches", json=body, headers=self.headers)
        assert r.status_code == 201, r.text
        batch_id = r.json()["id"]
        args = horizon_cmd("worker", "--queues", "default,runs", "--pool", pool, "--concurrency", str(n))
        worker = Proc([*args, "--name", f"bench-{pool}-{n}@%h"], self.env, f"bench-pool-{pool}-{n}")
        started = time.monotonic()
        samples: list[Sample] = []
        idle = 0.0
        try:
            worker.wait_for_log("ready.", timeout=300)
            # The ready worker before its first run finishes booting; prefork children included.
            idle = tree_usage(worker.popen.pid, self.db_port)[0]
            while True:
                pss, threads, fds, conns = tree_usage(worker.popen.pid, self.db_port)
                running, final = self.counts(batch_id)
                samples.append(Sample(time.monotonic() - started, pss, threads, fds, conns, running, final))
                if final >= total:
                    break
                if worker.popen.poll() is not None:
                    raise RuntimeError(f"the worker exited:\n{worker.log()[-3000:]}")
                if time.monotonic() - started > self.args.timeout:
                    raise TimeoutError(f"{pool} x {n}: {final} of {total} final after {self.args.timeout} s")
                time.sleep(1.0)
            elapsed = time.monotonic() - started
        finally:
            worker.stop()
        with session_scope(self.settings) as s:
            runs = list(s.scalars(select(Run).where(Run.batch_id == batch_id)))
        scored = sum(1 for r in runs if r.status == "completed" and r.score_binarized == 1)
        return Outcome(pool, n, total, idle, samples, elapsed, scored)

    def kill_and_recover(self, n: int) -> Recovery:
        """A threads worker of `n` slots SIGKILLed with its batch of `n` runs in flight; a second
        worker and beat (its reaper) must bring every run back and finish it."""
        repeats = max(1, n // TASKS)
        total = repeats * TASKS
        body = {"agents": ["react"], "tags": ["pool"], "repeats": repeats, "name": f"kill-{n}"}
        r = self.client.post("/api/batches", json=body, headers=self.headers)
        assert r.status_code == 201, r.text
        batch_id = r.json()["id"]
        # The default staleness, so the reaper decides as in a deployment.
        env = {**self.env, "HORIZON_STALE_AFTER_S": "60"}
        procs: list[Proc] = []

        def worker(name: str) -> Proc:
            args = horizon_cmd(
                "worker", "--queues", "default,runs", "--pool", "threads", "--concurrency", str(n)
            )
            procs.append(Proc([*args, "--name", f"bench-{name}-{n}@%h"], env, f"bench-pool-{name}-{n}"))
            return procs[-1]

        def wait(done: Callable[[], bool], what: str) -> None:
            deadline = time.monotonic() + self.args.timeout
            while not done():
                if time.monotonic() > deadline:
                    raise TimeoutError(f"kill x {n}: {what} not reached after {self.args.timeout} s")
                time.sleep(1.0)

        try:
            victim = worker("victim")
            # Killed with every run in flight, or as many as were when the first one ended.
            wait(lambda: (c := self.counts(batch_id))[0] >= total or c[1] > 0, "every run in flight")
            with session_scope(self.settings) as s:
                query = select(Run.id).where(Run.batch_id == batch_id, Run.status == "running")
                in_flight = set(s.scalars(query))
            victim.kill()
            killed_at = time.monotonic()
            procs.append(Proc(horizon_cmd("beat"), env, f"bench-pool-beat-{n}"))
            worker("rescuer")
            wait(lambda: self.counts(batch_id)[1] >= total, "every run final")
            recovery_s = time.monotonic() - killed_at
        finally:
            for proc in procs:
                proc.stop()
        with session_scope(self.settings) as s:
            runs = list(s.scalars(select(Run).where(Run.batch_id == batch_id)))
        scored = sum(1 for r in runs if r.status == "completed" and r.score_binarized == 1)
        back = sum(1 for r in runs if r.id in in_flight and r.attempt == 2)
        return Recovery(n, total, len(in_flight), scored, back, recovery_s)


def report(outcomes: list[Outcome]) -> None:
    """Print one line per configuration."""
    if not outcomes:
        return
    print()
    print(
        f"{os.cpu_count()} CPUs, {psutil.virtual_memory().total / 1024**3:.0f} GiB; "
        "worker PSS: its process tree, not the sandboxes"
    )
    header = (
        f"{'pool':<8}{'N':>5}{'runs':>6}{'peak in flight':>16}{'PSS MiB':>9}{'MiB/run':>9}"
        f"{'above idle':>12}{'threads':>9}{'fds':>6}{'db conns':>10}{'runs/min':>10}{'completed+scored':>18}"
    )
    print(header)
    for o in outcomes:
        p = o.peak
        per_run = p.pss_mib / max(p.running, 1)
        above = (p.pss_mib - o.idle_pss_mib) / max(p.running, 1)
        print(
            f"{o.pool:<8}{o.n:>5}{o.runs:>6}{p.running:>16}{p.pss_mib:>9.0f}{per_run:>9.1f}{above:>12.1f}"
            f"{p.threads:>9}{p.fds:>6}{max(s.db_connections for s in o.samples):>10}{o.runs_per_min:>10.1f}"
            f"{o.completed_scored:>12} of {o.runs}"
        )
    for o in outcomes:
        if o.pool == "threads" and o.n >= 128:
            p = o.peak
            per_run = p.pss_mib / max(p.running, 1)
            met = p.running >= 128 and per_run <= 15 and o.completed_scored == o.runs
            print(
                f"goal (128 runs in flight, at most 15 MiB each, all scored): threads x {o.n}: "
                f"{p.running} in flight, {per_run:.1f} MiB each, {o.completed_scored} of {o.runs} "
                f"scored: {'met' if met else 'NOT met'}"
            )


def sizes(value: str) -> list[int]:
    """A comma-separated list of slot counts ('' for none)."""
    return [int(v) for v in value.split(",") if v.strip()]


def main() -> int:
    """Measure each configuration in turn and print the table; exit 1 if a run was not scored."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--threads", type=sizes, default=[8, 32, 128], help="slot counts for the threads pool"
    )
    parser.add_argument("--prefork", type=sizes, default=[8, 32], help="slot counts for prefork")
    parser.add_argument("--delay", type=float, default=6.0, help="seconds before each model answer")
    parser.add_argument("--turns", type=int, default=4, help="bash commands per run before submit")
    parser.add_argument("--rounds", type=int, default=1, help="runs per slot")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per configuration")
    parser.add_argument(
        "--kill", type=int, default=0, help="slots of a threads worker SIGKILLed with all its runs in flight"
    )
    args = parser.parse_args()
    ensure_base_image(DockerBackend(instance=INSTANCE).client)

    name = f"horizon_bench_pool_{secrets.token_hex(3)}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    database_url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    redis_server = RedisServer().start()
    outcomes: list[Outcome] = []
    recovery: Recovery | None = None
    bench: Bench | None = None
    try:
        upgrade(url=database_url)
        bench = Bench(args, database_url, redis_server.url(), Path(tempfile.mkdtemp(prefix="hz-bench-pool-")))
        configs = [("prefork", n) for n in args.prefork] + [("threads", n) for n in args.threads]
        for pool, n in configs:
            outcome = bench.measure(pool, n)
            outcomes.append(outcome)
            print(
                f"{pool} x {n}: {outcome.completed_scored} of {outcome.runs} scored in "
                f"{outcome.elapsed_s:.0f} s, peak {outcome.peak.running} in flight "
                f"at {outcome.peak.pss_mib:.0f} MiB",
                flush=True,
            )
        if args.kill:
            recovery = bench.kill_and_recover(args.kill)
    finally:
        if bench is not None:
            bench.close()
        redis_server.close()
        dispose_engines()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        for container in DockerBackend(instance=INSTANCE).managed_containers():
            container.remove(force=True)
    report(outcomes)
    ok = all(o.completed_scored == o.runs for o in outcomes)
    if recovery is not None:
        r = recovery
        print(
            f"SIGKILL: threads x {r.n} killed with {r.in_flight_at_kill} runs in flight; "
            f"{r.completed_scored} of {r.runs} completed and scored, {r.back_as_attempt_2} of them "
            f"re-queued by the reaper as attempt 2; {r.recovery_s:.0f} s from the kill to the last run's end"
        )
        ok = ok and r.completed_scored == r.runs and r.back_as_attempt_2 == r.in_flight_at_kill
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
