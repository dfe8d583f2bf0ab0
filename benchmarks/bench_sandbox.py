"""Sandbox orchestration cost and attempt throughput on the local Docker daemon.

1. Per-attempt overhead: create + exec a trivial command + teardown through `DockerBackend`,
   against a bare `docker run --rm IMAGE true` of the same image (and the SDK's equivalent), in
   the same run and interleaved, medians over repeats. The goal is a ratio under 1.5.
2. Throughput: short `oracle` attempts through `execute_attempt` on a thread pool, in runs per
   minute, with the median of each phase.

    .venv/bin/python benchmarks/bench_sandbox.py [--repeats 20] [--attempts 100] [--concurrency 4]

Prints figures only; it asserts nothing about speed.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.taskspec import EnvironmentSpec, ResourceLimits, ScorerSpec, SolutionSpec  # noqa: E402
from workers.execution import AgentConfig, AttemptSpec, TaskBundle, execute_attempt  # noqa: E402
from workers.sandbox.docker.backend import DockerBackend  # noqa: E402
from workers.sandbox.docker.images import ensure_base_image  # noqa: E402

LIMITS = ResourceLimits(cpus=1.0, memory_mb=256, pids=128, disk_mb=64)
INSTANCE = "bench"


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def _raw_same_work(backend: DockerBackend, image: str) -> float:
    """The same steps as a sandbox (create, start, exec, force-remove) with no limits or mounts."""
    api = backend.client.api
    started = time.perf_counter()
    container_id = api.create_container(image, ["sleep", "infinity"], host_config=api.create_host_config())[
        "Id"
    ]
    api.start(container_id)
    exec_id = api.exec_create(container_id, ["true"])["Id"]
    api.exec_start(exec_id)
    api.exec_inspect(exec_id)
    api.remove_container(container_id, force=True)
    return time.perf_counter() - started


def overhead(backend: DockerBackend, image: str, repeats: int) -> None:
    """Print the median cost of a trivial attempt's sandbox against a bare `docker run`."""
    docker_cli = shutil.which("docker")
    ours: list[float] = []
    bare_cli: list[float] = []
    bare_sdk: list[float] = []
    raw: list[float] = []
    client = backend.client
    for i in range(repeats + 1):
        started = time.perf_counter()
        box = backend.create(image, limits=LIMITS, workdir="/home/agent", run_id=900_000 + i, attempt=1)
        result = box.exec("true", timeout_s=30)
        box.close()
        elapsed = time.perf_counter() - started
        assert result.exit_code == 0, result
        if docker_cli:
            started = time.perf_counter()
            subprocess.run([docker_cli, "run", "--rm", image, "true"], check=True, capture_output=True)
            cli_elapsed = time.perf_counter() - started
        started = time.perf_counter()
        client.containers.run(image, ["true"], remove=True, network_mode="none")
        sdk_elapsed = time.perf_counter() - started
        raw_elapsed = _raw_same_work(backend, image)
        if i == 0:
            continue  # warm-up round: first use of connections, page cache
        ours.append(elapsed)
        bare_sdk.append(sdk_elapsed)
        raw.append(raw_elapsed)
        if docker_cli:
            bare_cli.append(cli_elapsed)
    print(f"per-attempt overhead, median of {repeats} (image {image}):")
    print(f"  horizon sandbox create + exec 'true' + remove : {_median_ms(ours):7.1f} ms")
    if bare_cli:
        print(f"  bare `docker run --rm IMAGE true` (CLI)       : {_median_ms(bare_cli):7.1f} ms")
        ratio = statistics.median(ours) / statistics.median(bare_cli)
        print(f"  ratio horizon / docker run (goal < 1.5)       : {ratio:7.2f}x")
    print(f"  SDK containers.run(remove=True)               : {_median_ms(bare_sdk):7.1f} ms")
    print(f"  raw SDK create+start+exec+force-rm, no limits : {_median_ms(raw):7.1f} ms")
    ratio_sdk = statistics.median(ours) / statistics.median(bare_sdk)
    print(f"  ratio horizon / SDK run                       : {ratio_sdk:7.2f}x")
    ratio_raw = statistics.median(ours) / statistics.median(raw)
    print(f"  ratio horizon / raw SDK doing the same steps  : {ratio_raw:7.2f}x")


def _oracle_spec(run_id: int) -> AttemptSpec:
    task = TaskBundle(
        task_id="bench-sum",
        version=1,
        instructions="Write the sum of input.txt to answer.txt.",
        environment=EnvironmentSpec(files={"input.txt": "3\n4\n5\n"}),
        scorer=ScorerSpec(command='[ "$(cat answer.txt)" = 12 ] && echo 1 || echo 0'),
        solution=SolutionSpec(command="awk '{s += $1} END {print s}' input.txt > answer.txt"),
        limits=LIMITS,
        time_limit_s=60,
    )
    agent = AgentConfig(name="oracle", scaffold="oracle", settings={})
    return AttemptSpec(run_id=run_id, attempt=1, task=task, agent=agent, model=None)


def throughput(backend: DockerBackend, attempts: int, concurrency: int) -> None:
    """Print runs per minute of oracle attempts on a thread pool, and each phase's median."""
    if attempts <= 0:
        return

    def one(i: int) -> tuple[float, dict[str, float]]:
        outcome = execute_attempt(_oracle_spec(910_000 + i), backend, heartbeat=lambda: None)
        return outcome.score_cont, outcome.timings

    one(-1)  # warm-up
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(one, range(attempts)))
    elapsed = time.perf_counter() - started
    solved = sum(score == 1.0 for score, _ in results)
    print(
        f"{attempts} oracle attempts at concurrency {concurrency}: {elapsed:.1f} s, "
        f"{attempts / elapsed * 60:.0f} runs/min, {solved}/{attempts} scored 1"
    )
    for key in ("image_s", "create_s", "agent_s", "score_s", "teardown_s", "total_s"):
        median = statistics.median(t[key] for _, t in results)
        print(f"  median {key:<11}: {median * 1000:7.1f} ms")


def main() -> int:
    """Measure the sandbox's overhead and throughput on the local Docker daemon."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--attempts", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--docker-host", default=None)
    args = parser.parse_args()
    backend = DockerBackend(args.docker_host, instance=INSTANCE)
    image = ensure_base_image(backend.client)
    try:
        overhead(backend, image, args.repeats)
        throughput(backend, args.attempts, args.concurrency)
    finally:
        for container in backend.managed_containers():
            container.remove(force=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
