"""Disk use of transcripts per 1,000 runs: rows in the database vs the gzip'd archive.

Creates `--runs` completed runs (default 1,000), each with one attempt whose react-style
transcript has 20 to 200 model calls (uniform): per call a `model` event (a reply of 300-3,000
characters, a bash tool call, token counts), a `tool_call` and a `tool_output` of 200-12,000
characters, so a 200-call run holds about 1.8 MB of JSON, as on the issue. Texts are words of a
2,000-word vocabulary with paths and numbers: about as compressible as real agent output.

For each database (SQLite file, PostgreSQL) it prints: the database's size with the transcripts
in rows (SQLite: the file after a checkpoint; PostgreSQL: `pg_total_relation_size` of
`transcript_events`), the same after every attempt is archived (after VACUUM, which gives the
space back), the archive's bytes on disk, the median per-run size of each, the time to archive,
and a least-squares line of per-run bytes against model calls (how it scales).

    .venv/bin/python benchmarks/bench_transcript_storage.py [--runs 1000] [--backends sqlite,postgresql]

PostgreSQL: HORIZON_BENCH_PG_URL (default the local server as `postgres`); a scratch database is
created and dropped.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

PG_ADMIN_URL = os.environ.get("HORIZON_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
_WORDS = [f"{a}{b}" for a in ("re", "con", "de", "in", "ex", "pro", "sub", "trans") for b in range(250)]


_CORPUS: list[str] = []


def _prose(rng: random.Random, chars: int) -> str:
    """`chars` characters of text at a random place of a 4 MB corpus (made once)."""
    if not _CORPUS:
        _CORPUS.append(_words(random.Random(0), 4_000_000))
    start = rng.randrange(0, len(_CORPUS[0]) - chars)
    return _CORPUS[0][start : start + chars]


def _words(rng: random.Random, chars: int) -> str:
    """Text of about `chars` characters: words, paths and numbers, as an agent and a shell write."""
    out: list[str] = []
    size = 0
    while size < chars:
        roll = rng.random()
        if roll < 0.08:
            word = f"/work/src/{rng.choice(_WORDS)}/{rng.choice(_WORDS)}.py:{rng.randint(1, 900)}"
        elif roll < 0.15:
            word = str(rng.randint(0, 10**6))
        else:
            word = rng.choice(_WORDS)
        out.append(word)
        size += len(word) + 1
    return " ".join(out)[:chars]


def transcript(rng: random.Random, calls: int) -> list[dict[str, Any]]:
    """One react attempt's events with `calls` model calls."""
    events: list[dict[str, Any]] = [
        {"kind": "task_start", "t": 0.0, "task": "bench", "limits": {"time_limit_s": 3600}},
        {"kind": "message", "t": 0.1, "role": "system", "content": _prose(rng, 1500)},
        {"kind": "message", "t": 0.1, "role": "user", "content": _prose(rng, 2000)},
    ]
    t = 0.2
    for i in range(calls):
        t += rng.uniform(2, 20)
        call = {
            "id": f"call_{i}",
            "name": "bash",
            "arguments": {"command": _prose(rng, rng.randint(20, 200))},
        }
        events.append(
            {
                "kind": "model",
                "t": round(t, 3),
                "role": "assistant",
                "content": _prose(rng, rng.randint(300, 3000)),
                "tool_calls": [call | {"arguments_error": None}],
                "input_tokens": 2000 + 900 * i,
                "output_tokens": rng.randint(50, 900),
                "cost_usd": round(rng.uniform(0.001, 0.05), 6),
                "duration_s": round(rng.uniform(1, 15), 3),
                "finish_reason": "tool_calls",
                "model": "bench-model",
                "served_model": "bench-model-2026",
                "thinking": None,
                "cache_read_input_tokens": 1500 + 900 * i,
            }
        )
        events.append({"kind": "tool_call", "t": round(t, 3), **call, "arguments_error": None})
        events.append(
            {
                "kind": "tool_output",
                "t": round(t + 1, 3),
                "id": call["id"],
                "name": "bash",
                "output": _prose(rng, rng.randint(200, 12_000)),
                "duration_s": round(rng.uniform(0.05, 5), 3),
                "exit_code": rng.choice((0, 0, 0, 1)),
            }
        )
    events += [
        {"kind": "stop", "t": round(t + 2, 3), "reason": "submitted"},
        {"kind": "score", "t": round(t + 3, 3), "score": 1.0, "binarized": 1},
        {"kind": "task_end", "t": round(t + 3, 3), "stop_reason": "submitted", "score": 1.0},
    ]
    for seq, event in enumerate(events):
        event["seq"] = seq
    return events


@contextmanager
def database(kind: str, work: Path) -> Iterator[str]:
    """A migrated scratch database of `kind`; its URL."""
    from core.migrate import upgrade

    if kind == "sqlite":
        url = f"sqlite:///{(work / 'horizon.db').as_posix()}"
        upgrade(url=url)
        yield url
        return
    name = f"horizon_bench_{secrets.token_hex(4)}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url=url)
        yield url
    finally:
        from core.db import dispose_engines

        dispose_engines()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def database_bytes(url: str, *, vacuum: bool) -> int:
    """The transcripts' footprint in the database: the SQLite file, or PostgreSQL's
    `transcript_events` with its indexes and TOAST plus `transcript_archives`."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                if vacuum:
                    conn.execute(text("VACUUM"))
                conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
                return Path(make_url(url).database or "").stat().st_size
            if vacuum:
                conn.execute(text("VACUUM FULL transcript_events"))
                conn.execute(text("VACUUM FULL transcript_archives"))
            return int(
                conn.execute(
                    text(
                        "SELECT pg_total_relation_size('transcript_events')"
                        " + pg_total_relation_size('transcript_archives')"
                    )
                ).scalar_one()
            )
    finally:
        engine.dispose()


def fill(settings: Any, runs: int, seed: int) -> tuple[list[int], list[int]]:
    """`runs` completed runs with one attempt each; returns each run's model calls and JSON bytes."""
    import json

    from core.db import session_scope
    from core.models import Run, RunAttempt, utcnow
    from core.services.transcript_append import append_events
    from tests.factories import make_agent, make_task

    rng = random.Random(seed)
    make_task("bench", settings=settings)
    agent = make_agent("null", "null", settings=settings)
    calls: list[int] = []
    sizes: list[int] = []
    for start in range(0, runs, 20):
        with session_scope(settings) as s:
            version = s.scalar(text("SELECT id FROM task_versions LIMIT 1"))
            for _ in range(start, min(runs, start + 20)):
                n = rng.randint(20, 200)
                events = transcript(rng, n)
                run = Run(
                    agent_id=agent, task_version_id=version, task_id="bench", status="completed", attempt=1
                )
                s.add(run)
                s.flush()
                s.add(
                    RunAttempt(
                        run_id=run.id, attempt=1, status="completed", finished_at=utcnow(), model_calls=n
                    )
                )
                append_events(s, run.id, 1, enumerate(events))
                calls.append(n)
                sizes.append(sum(len(json.dumps(e, ensure_ascii=False)) for e in events))
    return calls, sizes


def archived_sizes(url: str) -> list[int]:
    """Each run's blob size, in run id order."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [
                int(n)
                for n in conn.scalars(text("SELECT blob_bytes FROM transcript_archives ORDER BY run_id"))
            ]
    finally:
        engine.dispose()


def line(xs: list[int], ys: list[float]) -> tuple[float, float, float]:
    """Least squares y = a + b x; returns (a, b, r^2)."""
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    b = sxy / sxx
    a = my - b * mx
    ss_res = sum((y - a - b * x) ** 2 for x, y in zip(xs, ys, strict=True))
    ss_tot = sum((y - my) ** 2 for y in ys)
    return a, b, 1 - ss_res / ss_tot


def measure(kind: str, runs: int, seed: int) -> None:
    """Fill one database, measure, archive everything, measure again; print the figures."""
    from core.services.transcript_storage import archive_pending
    from core.settings import Settings
    from core.transcript_archive import FilesystemStore

    with tempfile.TemporaryDirectory(prefix="horizon-bench-transcripts-") as tmp:
        work = Path(tmp)
        with database(kind, work) as url:
            settings = Settings(database_url=url, data_dir=work / "data", transcript_archive=True)
            empty = database_bytes(url, vacuum=False)
            started = time.perf_counter()
            calls, json_sizes = fill(settings, runs, seed)
            fill_s = time.perf_counter() - started
            in_rows = database_bytes(url, vacuum=False) - empty
            started = time.perf_counter()
            moved = 0
            while done := archive_pending(settings, limit=200):
                moved += done
            archive_s = time.perf_counter() - started
            after = database_bytes(url, vacuum=True) - empty
            store = FilesystemStore(settings.transcript_archive_root)
            blob_sizes = archived_sizes(url)  # in run order, as `calls`
            blocks = sum(store.path_of(k).stat().st_blocks * 512 for k in store.keys())
    report(kind, runs, moved, calls, json_sizes, in_rows, after, blob_sizes, blocks, fill_s, archive_s)


def report(
    kind: str,
    runs: int,
    moved: int,
    calls: list[int],
    json_sizes: list[int],
    in_rows: int,
    after: int,
    blob_sizes: list[int],
    blocks: int,
    fill_s: float,
    archive_s: float,
) -> None:
    """Print one backend's figures, per 1,000 runs."""
    per_k = 1000 / runs / (1024 * 1024)
    median_calls = statistics.median(calls)
    print(f"\n{kind}: {runs} runs, {moved} archived; model calls 20-200 a run (median {median_calls:.0f})")
    print(f"  filled in {fill_s:.1f} s; archived in {archive_s:.1f} s ({moved / archive_s:.0f} attempts/s)")
    figures = [
        (
            "events as JSON",
            sum(json_sizes) * per_k,
            f"median run {statistics.median(json_sizes) / 1024:.0f} KiB",
        ),
        ("database, rows", in_rows * per_k, f"{in_rows / runs / 1024:.0f} KiB a run on average"),
        ("database, archived", after * per_k, "pointer rows only, after VACUUM"),
        (
            "archive (gzip)",
            sum(blob_sizes) * per_k,
            f"median run {statistics.median(blob_sizes) / 1024:.0f} KiB",
        ),
        ("archive, disk blocks", blocks * per_k, ""),
    ]
    for label, mib, note in figures:
        print(f"  {label:<22} {mib:9.1f} MiB per 1,000 runs  {note}")
    print(f"  rows / archive: {in_rows / max(1, sum(blob_sizes)):.1f}x")
    for label, ys in (("JSON", json_sizes), ("archived blob", blob_sizes)):
        a, b, r2 = line(calls, [float(y) for y in ys])
        print(f"  per-run {label} = {a / 1024:.1f} KiB + {b / 1024:.2f} KiB per model call (r^2 {r2:.3f})")
    print(f"  database rows: {in_rows / sum(calls) / 1024:.2f} KiB per model call on average")


def main() -> None:
    """Parse the arguments and measure each backend."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    for kind in args.backends.split(","):
        measure(kind.strip(), args.runs, args.seed)


if __name__ == "__main__":
    main()
