"""Per-run orchestration overhead through the whole run path, against a bare `docker run --rm`.

Each run goes the way every run goes: a batch row is committed, the job is enqueued after the
commit, a worker claims the row, builds (or finds) the image, creates the sandbox, runs the agent
(`null`, so the agent itself costs nothing), scores, removes the container and writes the result.
Measured per run, one run at a time, in the embedded mode (SQLite, in-process queue):

- queue to container ready: from the run row's creation to the transcript's `sandbox_ready`;
- teardown: container removal (from the attempt's timings);
- the bare baseline: `docker run --rm IMAGE true` of the same image, interleaved in the same run.

    .venv/bin/python benchmarks/bench_orchestration.py [--runs 20]

Prints medians and the ratio (goal: under 1.5x); asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    """Time runs through the whole run path and a bare `docker run`, and print both."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="horizon-bench-"))
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    os.environ["HORIZON_DATA_DIR"] = str(data_dir)
    os.environ["HORIZON_EMBEDDED_WORKERS"] = "1"
    os.environ.setdefault("HORIZON_SANDBOX_INSTANCE", "bench-orchestration")

    from sqlalchemy import select

    import workers.jobs  # noqa: F401  # registers the jobs with the in-process queue
    from core.db import session_scope
    from core.migrate import upgrade
    from core.models import Run
    from core.queue import InProcessQueue, get_queue
    from core.schemas import AgentCreate, BatchCreate, TaskCreate
    from core.services.batches import create_batch
    from core.services.catalog import create_agent
    from core.services.runs import transcript_of
    from core.services.tasks import create_task
    from workers.sandbox.docker.backend import DockerBackend
    from workers.sandbox.docker.images import ensure_base_image

    upgrade()
    image = ensure_base_image(DockerBackend(None).client)
    with session_scope() as s:
        create_task(
            s,
            TaskCreate.model_validate(
                {
                    "id": "noop",
                    "family": "bench",
                    "title": "noop",
                    "instructions": "nothing",
                    "scorer": {"command": "echo 0"},
                }
            ),
        )
        create_agent(s, AgentCreate(name="null", scaffold="null"))
    queue = get_queue()
    assert isinstance(queue, InProcessQueue)

    ready, teardown, total, bare = [], [], [], []
    for i in range(args.runs + 1):
        started = time.monotonic()
        subprocess.run(
            ["docker", "run", "--rm", "--network", "none", image, "true"], check=True, capture_output=True
        )
        bare_s = time.monotonic() - started
        with session_scope() as s:
            batch_id = create_batch(s, BatchCreate(agents=["null"], tasks=["noop"])).id
        queue.wait_idle(timeout=120)
        with session_scope() as s:
            run = s.scalars(select(Run).where(Run.batch_id == batch_id)).one()
            events = transcript_of(s, run.id) or []
            assert run.status == "completed", (run.status, run.error)
            created, claimed = run.created_at, run.started_at
            assert claimed is not None
            sandbox_ready = next(e["t"] for e in events if e["kind"] == "sandbox_ready")
            timings = next(e["timings"] for e in events if e["kind"] == "task_end")
        if i == 0:
            continue  # warm-up: first image lookup and connections
        queue_to_ready = (claimed - created).total_seconds() + sandbox_ready
        ready.append(queue_to_ready)
        teardown.append(timings["teardown_s"])
        total.append(queue_to_ready + timings["teardown_s"])
        bare.append(bare_s)

    def ms(values: list[float]) -> str:
        return f"{statistics.median(values) * 1000:7.1f} ms"

    print(f"runs measured: {len(total)} (one at a time, embedded queue, null agent)")
    print(f"queue to container ready      median {ms(ready)}")
    print(f"teardown                      median {ms(teardown)}")
    print(f"orchestration (ready + down)  median {ms(total)}")
    print(f"bare docker run --rm true     median {ms(bare)}")
    ratio = statistics.median(total) / statistics.median(bare)
    print(f"ratio                         {ratio:.2f}x (goal < 1.5x)")


if __name__ == "__main__":
    main()
