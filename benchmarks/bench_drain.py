"""5,000 queued runs drain through real workers, none lost or counted twice.

What runs: a fresh database on the PostgreSQL server (HORIZON_BENCH_PG_URL, default the local one;
dropped at the end), a private redis-server, `horizon serve`, `horizon beat` and `--workers`
`horizon worker` processes of `--concurrency` slots each, on the machine's Docker daemon. One
batch of `oracle` and `null` runs on tiny tasks (oracle writes the answer, the scorer is one shell
line) is created through the API, and the benchmark waits until every run is final.

Reported: drain time and runs per minute (overall and over the steady middle 80%), the median
time a run spends executing and waiting in the queue, and the checks: one row per slot, every run
completed once with the right score (oracle 1, null 0), every (run, attempt) started once
according to the workers' logs, duplicate messages turned away, no sandbox left behind.

    .venv/bin/python benchmarks/bench_drain.py [--runs 5000] [--workers 2] [--concurrency 2]

Asserts nothing about speed; exits 1 if a run was lost or counted twice.
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from core.auth import create_token  # noqa: E402
from core.db import dispose_engines, session_scope  # noqa: E402
from core.migrate import upgrade  # noqa: E402
from core.models import Agent, Run, TranscriptEvent  # noqa: E402
from core.settings import Settings  # noqa: E402
from tests.reliability.support import (  # noqa: E402
    RedisServer,
    deployment,
    executions_from_logs,
    free_port,
    setup_catalog,
)
from workers.sandbox.docker.backend import DockerBackend  # noqa: E402
from workers.sandbox.docker.images import ensure_base_image  # noqa: E402

PG_ADMIN_URL = os.environ.get("HORIZON_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
TASKS = 25
INSTANCE = "bench-drain"


def drain(args: argparse.Namespace, database_url: str, redis_url: str) -> int:
    """Create the batch, start the workers, wait, check; returns the number of failed checks."""
    settings = Settings(database_url=database_url)
    with session_scope(settings) as s:
        _, token = create_token(s, "bench", "submitter")
    headers = {"Authorization": f"Bearer {token}"}
    env = {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "HORIZON_SANDBOX_INSTANCE": INSTANCE,
        "HORIZON_REAP_INTERVAL_S": "5",
    }
    repeats = args.runs // (2 * TASKS)
    total = 2 * TASKS * repeats
    port = free_port()
    with deployment(env, "bench-drain") as cluster:
        cluster.serve(port)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=300) as client:
            setup_catalog(client, headers, TASKS)
            body = {"agents": ["oracle", "null"], "tags": ["tiny"], "repeats": repeats, "name": "drain"}
            created = time.perf_counter()
            response = client.post("/api/batches", json=body, headers=headers)
            response.raise_for_status()
            batch_id = response.json()["id"]
            print(f"batch of {total:,} runs created and enqueued in {time.perf_counter() - created:.1f} s")
            cluster.beat()
            for i in range(args.workers):
                cluster.worker(f"w{i + 1}", concurrency=args.concurrency, queues="default,runs")
            started = time.perf_counter()
            progress: list[tuple[float, int]] = []
            while True:
                counts = client.get(f"/api/batches/{batch_id}").json()["counts"]
                final = sum(counts.get(s, 0) for s in ("completed", "infra_error", "cancelled"))
                progress.append((time.perf_counter() - started, final))
                if final == total:
                    break
                if len(progress) % 12 == 0:
                    print(f"  {progress[-1][0]:7.0f} s: {final:,} of {total:,} final")
                time.sleep(5)
            elapsed = time.perf_counter() - started
        logs = cluster.logs()
    backend = DockerBackend(instance=INSTANCE)
    leftover = len(backend.managed_containers())
    return report(settings, batch_id, total, elapsed, progress, logs, leftover, args)


def _steady_rate(progress: list[tuple[float, int]], total: int) -> float:
    """Runs per minute between 10% and 90% of the batch being final."""
    t10 = next(t for t, n in progress if n >= 0.1 * total)
    t90 = next(t for t, n in progress if n >= 0.9 * total)
    return 0.8 * total / max(t90 - t10, 1e-9) * 60


def report(
    settings: Settings,
    batch_id: int,
    total: int,
    elapsed: float,
    progress: list[tuple[float, int]],
    logs: str,
    leftover: int,
    args: argparse.Namespace,
) -> int:
    """Print the drain's figures and checks; returns how many checks failed."""
    with session_scope(settings) as s:
        runs = list(s.scalars(select(Run).where(Run.batch_id == batch_id)))
        names = dict(s.execute(select(Agent.id, Agent.name)).all())
        transcripts = s.scalar(select(func.count(TranscriptEvent.run_id.distinct()))) or 0
    executions = executions_from_logs(logs)
    run_s = [(r.finished_at - r.started_at).total_seconds() for r in runs if r.finished_at and r.started_at]
    wait_s = [(r.started_at - r.created_at).total_seconds() for r in runs if r.started_at]
    by_agent = {name: [r for r in runs if names[r.agent_id] == name] for name in ("oracle", "null")}
    checks = {
        "one row per slot": len({(r.agent_id, r.task_version_id, r.repeat_index) for r in runs}) == total,
        "every run completed": all(r.status == "completed" for r in runs) and len(runs) == total,
        "oracle runs all score 1": sum(r.score_binarized or 0 for r in by_agent["oracle"]) == total // 2,
        "null runs all score 0": sum(r.score_binarized or 0 for r in by_agent["null"]) == 0,
        "one transcript per run": transcripts == total,
        "every (run, attempt) started once": bool(executions) and max(executions.values()) == 1,
        "every run started": {run_id for run_id, _ in executions} == {r.id for r in runs},
        "no sandbox left behind": leftover == 0,
    }
    print()
    print(f"{args.workers} workers x {args.concurrency} slots, {os.cpu_count()} CPUs, Docker sandboxes")
    print(f"runs                      : {total:,}")
    print(f"drain time                : {elapsed:,.0f} s ({elapsed / 60:.1f} min)")
    print(f"throughput (overall)      : {total / elapsed * 60:,.0f} runs/min")
    print(f"throughput (10%-90%)      : {_steady_rate(progress, total):,.0f} runs/min")
    p99 = sorted(run_s)[int(0.99 * (len(run_s) - 1))]
    print(f"median run execution      : {statistics.median(run_s):.2f} s (p99 {p99:.2f} s)")
    print(f"median wait in the queue  : {statistics.median(wait_s):,.0f} s")
    print(f"attempts > 1              : {sum(1 for r in runs if r.attempt > 1)}")
    print(f"duplicate messages refused: {logs.count('is not queued any more; nothing to do'):,}")
    for name, ok in checks.items():
        print(f"check {name:<34}: {'ok' if ok else 'FAILED'}")
    return sum(1 for ok in checks.values() if not ok)


def main() -> int:
    """Drain the runs through the workers and report; the exit status counts failed checks."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5000, help="rounded down to a multiple of 50")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=2)
    args = parser.parse_args()
    ensure_base_image(DockerBackend(instance=INSTANCE).client)

    name = f"horizon_bench_drain_{secrets.token_hex(3)}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    database_url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    redis_server = RedisServer().start()
    try:
        upgrade(url=database_url)
        failed = drain(args, database_url, redis_server.url())
    finally:
        redis_server.close()
        dispose_engines()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        for container in DockerBackend(instance=INSTANCE).managed_containers():
            container.remove(force=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
