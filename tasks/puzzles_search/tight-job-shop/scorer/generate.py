"""Regenerates the job-shop instances: python3 generate.py OUTDIR. Deterministic (fixed seed).

Writes jobs.txt (the instances) and planted.txt (a schedule with no idle time on any machine:
its makespan equals the machine-load bound, so it is optimal). Each machine's time line is cut
into operations, then operations are chained into jobs greedily in time order, preferring the
job that finished last, which leaves almost no slack anywhere."""

import random
import sys
from pathlib import Path

SEED = 771203
# (machines, horizon) per instance.
SHAPES = [(5, 500), (8, 800), (10, 1000), (12, 1200), (15, 1500)]
DURATIONS = (15, 90)


def instance(rng: random.Random, machines: int, horizon: int) -> list[list[tuple[int, int, int]]]:
    """Jobs as lists of (machine, duration, planted start)."""
    ops = []
    for machine in range(machines):
        t = 0
        while t < horizon:
            d = rng.randint(*DURATIONS)
            if horizon - t - d < DURATIONS[0]:
                d = horizon - t
            ops.append((t, machine, d))
            t += d
    ops.sort()
    jobs: list[list[tuple[int, int, int]]] = []
    for start, machine, d in ops:
        ready = [j for j in jobs if j[-1][2] + j[-1][1] <= start and j[-1][0] != machine]
        if ready and rng.random() < 0.9:
            ready.sort(key=lambda j: j[-1][2] + j[-1][1], reverse=True)
            job = ready[0] if rng.random() < 0.7 else rng.choice(ready)
            job.append((machine, d, start))
        else:
            jobs.append([(machine, d, start)])
    rng.shuffle(jobs)
    return jobs


def main(outdir: str) -> None:
    rng = random.Random(SEED)
    text, planted = [], []
    for number, (machines, horizon) in enumerate(SHAPES, 1):
        jobs = instance(rng, machines, horizon)
        text.append(f"instance {number} machines {machines} jobs {len(jobs)}")
        planted.append(f"instance {number} makespan {horizon}")
        for job in jobs:
            text.append(" ".join(f"{m} {d}" for m, d, _ in job))
            planted.append(" ".join(str(s) for _, _, s in job))
    (Path(outdir) / "jobs.txt").write_text("\n".join(text) + "\n")
    (Path(outdir) / "planted.txt").write_text("\n".join(planted) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
