"""Server time of the web pages on a full-size database (goal: dashboard and agent page < 300 ms).

Builds a scratch PostgreSQL database (migrated with Alembic) holding 100 agents, 200 tasks in 40
families, 8 runs of every agent on every task (160,000 runs, bulk-loaded with COPY) and one stored
analysis of those runs made by the real analysis (`analysis.report.run_analysis`) for the 100
agents. The runs are simulated from agents on a doubling trend (`analysis.simulate`), so the
numbers on the pages are realistic. Then it requests each page repeatedly through the real app
(in-process ASGI, no network) and prints the median and 90th percentile server time, the number
of SQL statements per request (a flat count shows there is no N+1), and, in the same run, the
time of a trivial endpoint (`/api/health`, one `SELECT 1`) and of a static file as baselines.

    .venv/bin/python benchmarks/bench_web.py [--repeats 30] [--bootstrap 20] [--keep]

`HORIZON_BENCH_PG_URL` names the PostgreSQL server (default: the tests' 127.0.0.1:5432). Prints
figures only; it asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import secrets
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from sqlalchemy import create_engine, event, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

N_AGENTS = 100
N_FAMILIES = 40
TASKS_PER_FAMILY = 5
RUNS_PER_PAIR = 8
GOAL_MS = 300.0
ADMIN_URL = os.environ.get("HORIZON_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def _scratch_database() -> tuple[str, str]:
    name = f"horizon_bench_web_{os.getpid()}_{secrets.token_hex(3)}"
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return name, make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def _drop_database(name: str) -> None:
    from core.db import dispose_engines

    dispose_engines()
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _copy(raw: Any, table: str, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Bulk-load rows with COPY (tab-separated text; values here contain no tabs or newlines)."""
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join("\\N" if v is None else str(v) for v in row) + "\n")
    with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        copy.write(buffer.getvalue())


def populate(url: str, n_bootstrap: int) -> dict[str, Any]:
    """Fill the database; returns what the requests need (an agent and a task to look at)."""
    import pandas as pd

    from analysis.report import AnalysisParams, run_analysis
    from analysis.simulate import agents_on_trend, simulate_runs, synthetic_suite
    from core.db import get_engine, session_scope
    from core.models import AnalysisResult
    from core.settings import Settings

    rng = np.random.default_rng(7)
    suite = synthetic_suite(
        rng, n_families=N_FAMILIES, min_tasks=TASKS_PER_FAMILY, max_tasks=TASKS_PER_FAMILY, max_minutes=960
    )
    first = dt.date(2019, 6, 1)
    releases = {
        f"agent-{i:03d}": first + dt.timedelta(days=int(i * 2000 / N_AGENTS)) for i in range(N_AGENTS)
    }
    agents = agents_on_trend(releases, doubling_days=210, anchor_p50=20.0, anchor_date=dt.date(2023, 1, 1))
    runs: pd.DataFrame = simulate_runs(suite, agents, repeats=RUNS_PER_PAIR, rng=rng)

    settings = Settings(database_url=url)
    engine = get_engine(settings)
    now = dt.datetime.now(dt.UTC).isoformat()
    task_ids = [str(t) for t in suite.task_id]
    families = sorted({str(f) for f in suite.task_family})
    agent_ids = {name: i + 1 for i, name in enumerate(releases)}
    version_ids = {task: i + 1 for i, task in enumerate(task_ids)}
    repeat = runs.groupby(["agent", "task_id"]).cumcount().to_numpy()
    tables: dict[str, tuple[list[str], list[tuple[Any, ...]]]] = {
        "task_families": (["id", "description", "created_at"], [(f, "", now) for f in families]),
        "tasks": (
            ["id", "family_id", "title", "tags", "current_version", "human_minutes"]
            + ["human_minutes_source", "n_successful_baselines", "created_at", "updated_at"],
            [
                (t, str(f), f"Task {t}", '["bench"]', 1, float(m), "baseline", 1, now, now)
                for t, f, m in zip(task_ids, suite.task_family, suite.human_minutes, strict=True)
            ],
        ),
        "task_versions": (
            ["id", "task_id", "version", "content_hash", "instructions", "environment", "scorer", "limits"]
            + ["time_limit_s", "created_at"],
            [
                (version_ids[t], t, 1, f"{i:064x}", "Solve the task.", '{"files": {}}', '{"command": "true"}')
                + ("{}", 3600, now)
                for i, t in enumerate(task_ids)
            ],
        ),
        "human_baselines": (
            ["task_id", "task_version", "baseliner", "minutes", "succeeded", "source", "notes"]
            + ["recorded_at", "created_at"],
            [
                (t, 1, "bench", float(m), "t", "baseline", "", now, now)
                for t, m in zip(task_ids, suite.human_minutes, strict=True)
            ],
        ),
        "agents": (
            ["id", "name", "scaffold", "settings", "release_date", "created_at"],
            [(agent_ids[a], a, "react", "{}", d.isoformat(), now) for a, d in releases.items()],
        ),
        "batches": (
            ["id", "name", "repeats", "request", "created_at"],
            [(1, "bench", RUNS_PER_PAIR, "{}", now)],
        ),
        "runs": (
            ["batch_id", "agent_id", "task_version_id", "task_id", "repeat_index", "attempt", "status"]
            + ["stop_reason", "score_cont", "score_binarized", "tokens_in", "tokens_out", "cost_usd"]
            + ["created_at", "started_at", "finished_at"],
            [
                (1, agent_ids[a], version_ids[t], t, int(r), 1, "completed", "submitted", float(sc), int(b))
                + (1000, 200, 0.01, now, now, now)
                for a, t, r, sc, b in zip(
                    runs["agent"],
                    runs["task_id"],
                    repeat,
                    runs["score_cont"],
                    runs["score_binarized"],
                    strict=True,
                )
            ],
        ),
    }
    with engine.begin() as conn:
        raw = conn.connection.driver_connection
        for table, (columns, rows) in tables.items():
            _copy(raw, table, columns, rows)
        for table in ("agents", "task_versions", "batches", "runs", "human_baselines"):
            conn.execute(
                text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
            )
        conn.execute(text("ANALYZE"))

    started = time.perf_counter()
    report = run_analysis(runs, releases, AnalysisParams(n_bootstrap=n_bootstrap))
    fit_s = time.perf_counter() - started
    with session_scope(settings) as s:
        s.add(
            AnalysisResult(
                status="done",
                params=report["params"],
                result=report,
                n_runs=len(runs),
                inputs_fingerprint="b" * 64,
                finished_at=dt.datetime.now(dt.UTC),
            )
        )
    frontier = report["trend"]["agents"]
    return {
        "settings": settings,
        "n_runs": len(runs),
        "agent": frontier[len(frontier) // 2] if frontier else next(iter(releases)),
        "task": task_ids[0],
        "fit_s": fit_s,
    }


def measure(settings: Any, paths: list[str], repeats: int) -> list[tuple[str, float, float, float, int]]:
    """(path, median ms, p90 ms, min ms, SQL statements per request) for each path, interleaved."""
    from fastapi.testclient import TestClient

    from api.app import create_app
    from core.db import get_engine

    statements = {"n": 0}

    def count(*_: Any) -> None:
        statements["n"] += 1

    event.listen(get_engine(settings), "before_cursor_execute", count)
    times: dict[str, list[float]] = {p: [] for p in paths}
    queries: dict[str, int] = {}
    with TestClient(create_app(settings)) as client:
        for path in paths:  # warm-up: imports, template compilation, connection pool
            for _ in range(3):
                assert client.get(path).status_code == 200, path
        for _ in range(repeats):
            for path in paths:
                statements["n"] = 0
                started = time.perf_counter()
                response = client.get(path)
                times[path].append(time.perf_counter() - started)
                queries[path] = statements["n"]
                assert response.status_code == 200, (path, response.status_code)
    out = []
    for path in paths:
        ms = sorted(t * 1000 for t in times[path])
        p90 = ms[min(len(ms) - 1, int(round(0.9 * (len(ms) - 1))))]
        out.append((path, statistics.median(ms), p90, ms[0], queries[path]))
    return out


def main() -> None:
    """Build the full-size database and print each page's server time."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument(
        "--bootstrap", type=int, default=20, help="bootstrap replicates of the stored analysis"
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()

    name, url = _scratch_database()
    os.environ["DATABASE_URL"] = url
    try:
        from core.migrate import upgrade
        from web.rendering import PLOTLY_PATH

        upgrade(url=url)
        started = time.perf_counter()
        info = populate(url, args.bootstrap)
        print(
            f"database: {N_AGENTS} agents, {N_FAMILIES * TASKS_PER_FAMILY} tasks, {info['n_runs']:,} runs; "
            f"loaded in {time.perf_counter() - started:.1f} s (analysis of the runs: {info['fit_s']:.1f} s)"
        )
        paths = [
            "/api/health",
            "/static/favicon.svg",
            "/",
            "/?metric=p80",
            "/?window=custom&after=2021-01-01&before=",
            f"/agents/{info['agent']}",
            "/agents",
            "/tasks",
            f"/tasks/{info['task']}",
            "/runs?status=completed",
            "/batches",
            "/batches/1",
        ]
        results = measure(info["settings"], paths, args.repeats)
        print(f"\nserver time over {args.repeats} requests each (in-process ASGI, no network):")
        print(f"{'page':<44} {'median ms':>10} {'p90 ms':>9} {'min ms':>8} {'SQL/req':>8}")
        for path, median, p90, low, n_sql in results:
            print(f"{path:<44} {median:>10.1f} {p90:>9.1f} {low:>8.1f} {n_sql:>8}")
        base = results[0][1]
        by_path = {r[0]: r[1] for r in results}
        for label, path in (("dashboard", "/"), ("agent page", f"/agents/{info['agent']}")):
            verdict = "meets" if by_path[path] < GOAL_MS else "MISSES"
            print(
                f"{label}: median {by_path[path]:.1f} ms = {by_path[path] / base:.1f}x the trivial endpoint "
                f"({base:.1f} ms); {verdict} the {GOAL_MS:.0f} ms goal"
            )
        print(f"(plotly.js itself is served from {PLOTLY_PATH}, cached by the browser for a year)")
    finally:
        if args.keep:
            print(f"kept database {name}")
        else:
            _drop_database(name)


if __name__ == "__main__":
    main()
