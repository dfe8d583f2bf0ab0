"""Load on a real `horizon serve`: throughput and p50/p99 latency of reads and of batch creation.

What runs: a fresh database on the PostgreSQL server (HORIZON_BENCH_PG_URL, default the local one;
dropped at the end), a private redis-server on a free port, and `horizon serve` (one uvicorn
process) with REDIS_URL set, so creating a batch inserts its runs and publishes one Celery
message per run. No worker consumes them. The database is seeded through the API: tasks, two
agents, and a batch of runs of which half are then marked completed with scores.

The load generator is asyncio + httpx in this process: `--concurrency` connections loop for
`--seconds` per endpoint (after a one-second warm-up) on `GET /api/health` (the baseline: one
database and one Redis round trip), `/api/tasks`, `/api/runs?limit=50` and `/api/batches/{id}`.
Batch creation is timed one request at a time for batches of 100, 1,000 and 10,000 runs.

    .venv/bin/python benchmarks/bench_load.py [--concurrency 16] [--seconds 10] [--json OUT]

Prints a Markdown table (requests/s, p50, p99, errors); asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx
import redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from core.auth import create_token  # noqa: E402
from core.db import dispose_engines, session_scope  # noqa: E402
from core.migrate import upgrade  # noqa: E402
from core.settings import Settings  # noqa: E402
from tests.reliability.support import RedisServer, deployment, free_port, setup_catalog  # noqa: E402

PG_ADMIN_URL = os.environ.get("HORIZON_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
SEED_TASKS = 25
SEED_REPEATS = 100  # 2 agents x 25 tasks x 100 = 5,000 runs in the seeded batch


@dataclass
class Figures:
    """One request type's throughput and latencies under load."""

    what: str
    requests: int
    errors: int
    seconds: float
    per_second: float
    p50_ms: float
    p99_ms: float
    note: str = ""


def percentile(samples: list[float], q: float) -> float:
    """The q-quantile (0..1) of `samples` by linear interpolation (numpy's default)."""
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    pos = (len(ordered) - 1) * q
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


async def hammer(base: str, path: str, concurrency: int, seconds: float) -> Figures:
    """`concurrency` clients GET `path` back to back for `seconds`; latencies of 2xx answers."""
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        warm_until = time.perf_counter() + 1.0

        async def one_client(deadline: float, record: bool) -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                try:
                    response = await client.get(path)
                    ok = response.status_code < 400
                except httpx.HTTPError:
                    ok = False
                if record:
                    if ok:
                        latencies.append(time.perf_counter() - started)
                    else:
                        errors += 1

        await asyncio.gather(*(one_client(warm_until, False) for _ in range(concurrency)))
        started = time.perf_counter()
        deadline = started + seconds
        await asyncio.gather(*(one_client(deadline, True) for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return Figures(
        what=f"GET {path}",
        requests=len(latencies) + errors,
        errors=errors,
        seconds=round(elapsed, 2),
        per_second=round(len(latencies) / elapsed, 1),
        p50_ms=round(percentile(latencies, 0.5) * 1000, 1),
        p99_ms=round(percentile(latencies, 0.99) * 1000, 1),
        note=f"{concurrency} concurrent clients",
    )


def batch_creation(client: httpx.Client, headers: dict[str, str], runs: int, times: int) -> Figures:
    """POST /api/batches of `runs` runs, `times` times one after another."""
    repeats = runs // (2 * SEED_TASKS)
    latencies: list[float] = []
    errors = 0
    for _ in range(times):
        body = {"agents": ["oracle", "null"], "tags": ["tiny"], "repeats": repeats}
        started = time.perf_counter()
        response = client.post("/api/batches", json=body, headers=headers)
        took = time.perf_counter() - started
        if response.status_code == 201 and response.json()["total"] == runs:
            latencies.append(took)
        else:
            errors += 1
    total = sum(latencies)
    return Figures(
        what=f"POST /api/batches ({runs:,} runs)",
        requests=times,
        errors=errors,
        seconds=round(total, 2),
        per_second=round(len(latencies) * runs / total, 0) if total else 0.0,
        p50_ms=round(statistics.median(latencies) * 1000, 1) if latencies else float("nan"),
        p99_ms=round(percentile(latencies, 0.99) * 1000, 1),
        note="runs/s = runs created and enqueued per second, one request at a time",
    )


def seed(client: httpx.Client, headers: dict[str, str], database_url: str) -> int:
    """Tasks, agents and a 5,000-run batch, half of it marked completed; returns the batch id."""
    setup_catalog(client, headers, SEED_TASKS)
    body = {"agents": ["oracle", "null"], "tags": ["tiny"], "repeats": SEED_REPEATS, "name": "seed"}
    response = client.post("/api/batches", json=body, headers=headers, timeout=120)
    response.raise_for_status()
    batch_id = int(response.json()["id"])
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE runs SET status='completed', stop_reason='submitted', attempt=1, "
                "score_binarized = id % 2, score_cont = id % 2, started_at=now(), finished_at=now() "
                "WHERE batch_id = :b AND id % 2 = 0"
            ),
            {"b": batch_id},
        )
    engine.dispose()
    return batch_id


def print_table(rows: list[Figures]) -> None:
    """Print the figures as a Markdown table."""
    print("| request | requests | errors | per second | p50 ms | p99 ms | note |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for r in rows:
        print(
            f"| {r.what} | {r.requests:,} | {r.errors} | {r.per_second:,.1f} | {r.p50_ms:,.1f} | "
            f"{r.p99_ms:,.1f} | {r.note} |"
        )


def main() -> int:
    """Load a fresh server and print the figures."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--batch-repeats", type=int, default=5, help="POSTs per batch size (10,000: half)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    name = f"horizon_bench_load_{secrets.token_hex(3)}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    database_url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    redis_server = RedisServer().start()
    rows: list[Figures] = []
    try:
        upgrade(url=database_url)
        settings = Settings(database_url=database_url)
        with session_scope(settings) as s:
            _, token = create_token(s, "bench", "submitter")
        headers = {"Authorization": f"Bearer {token}"}
        port = free_port()
        env = {"DATABASE_URL": database_url, "REDIS_URL": redis_server.url()}
        with deployment(env, "bench-load") as cluster:
            cluster.serve(port)
            base = f"http://127.0.0.1:{port}"
            with httpx.Client(base_url=base, timeout=300) as client:
                batch_id = seed(client, headers, database_url)
                for path in ("/api/health", "/api/tasks", "/api/runs?limit=50", f"/api/batches/{batch_id}"):
                    rows.append(asyncio.run(hammer(base, path, args.concurrency, args.seconds)))
                for runs, times in ((100, args.batch_repeats), (1_000, args.batch_repeats), (10_000, 3)):
                    rows.append(batch_creation(client, headers, runs, times))
                    redis.Redis.from_url(redis_server.url()).flushall()  # keep Redis small
    finally:
        redis_server.close()
        dispose_engines()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    print(
        f"horizon serve (1 uvicorn process), PostgreSQL, Redis; {os.cpu_count()} CPUs shared with the client"
    )
    print_table(rows)
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in rows], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
