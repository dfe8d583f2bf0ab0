#!/usr/bin/env python3
"""Scorer for tight-job-shop: each instance's schedule (schedule.txt) must be feasible; its
credit is 1 at a makespan within 4% of the optimum (planted.txt, the scorer's copy), falling
linearly to 0 at 20% above it. Score = mean credit; threshold in task.yaml."""

from pathlib import Path

HERE = Path(__file__).resolve().parent
FULL, ZERO = 1.04, 1.20
MAX_BYTES = 1_000_000


def read_instances() -> list[tuple[int, list[list[tuple[int, int]]]]]:
    instances: list[tuple[int, list[list[tuple[int, int]]]]] = []
    for line in (HERE / "jobs.txt").read_text().splitlines():
        s = line.split()
        if s[0] == "instance":
            instances.append((int(s[3]), []))
        else:
            instances[-1][1].append([(int(s[i]), int(s[i + 1])) for i in range(0, len(s), 2)])
    return instances


def read_blocks(text: str) -> dict[str, list[str]]:
    blocks: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        s = line.split()
        if len(s) >= 2 and s[0] == "instance":
            current = blocks.setdefault(s[1], [])
        elif s and current is not None:
            current.append(line)
    return blocks


def makespan(machines: int, jobs: list[list[tuple[int, int]]], rows: list[str]) -> int | str:
    """The schedule's makespan, or what makes it infeasible."""
    if len(rows) != len(jobs):
        return f"needs {len(jobs)} job lines, got {len(rows)}"
    busy: list[list[tuple[int, int]]] = [[] for _ in range(machines)]
    end = 0
    for index, (job, row) in enumerate(zip(jobs, rows)):
        starts = row.split()
        if len(starts) != len(job) or not all(v.isdigit() and len(v) < 10 for v in starts):
            return f"job {index}: needs {len(job)} non-negative integer start times"
        ready = 0
        for (machine, duration), start in zip(job, map(int, starts)):
            if start < ready:
                return f"job {index}: an operation starts before the previous one ends"
            busy[machine].append((start, start + duration))
            ready = start + duration
        end = max(end, ready)
    for machine, spans in enumerate(busy):
        spans.sort()
        if any(a[1] > b[0] for a, b in zip(spans, spans[1:])):
            return f"machine {machine} runs two operations at once"
    return end


def main() -> None:
    instances = read_instances()
    headers = [line.split() for line in (HERE / "planted.txt").read_text().splitlines()]
    optimum = {s[1]: int(s[3]) for s in headers if s and s[0] == "instance"}
    path = Path("schedule.txt")
    if not path.is_file() or path.stat().st_size > MAX_BYTES:
        print("schedule.txt is missing or too large")
        print(0.0)
        return
    blocks = read_blocks(path.read_text(errors="replace"))
    total = 0.0
    for number, (machines, jobs) in enumerate(instances, 1):
        key = str(number)
        result = makespan(machines, jobs, blocks[key]) if key in blocks else "missing"
        if isinstance(result, str):
            print(f"instance {key}: {result}")
            continue
        ratio = result / optimum[key]
        credit = min(1.0, max(0.0, (ZERO - ratio) / (ZERO - FULL)))
        print(f"instance {key}: makespan {result}, {ratio:.3f} x optimum, credit {credit:.3f}")
        total += credit
    print(round(total / len(instances), 6))


try:
    main()
except (ValueError, OSError) as exc:
    # Whatever the agent left behind, a scorer must end with a score, never crash.
    print(f"could not check the agent's output: {type(exc).__name__}: {exc}"[:500])
    print(0.0)
