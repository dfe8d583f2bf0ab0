"""Benchmark of the analysis: METR's runs file in compatibility and fast mode, and a large table.

Run: `.venv/bin/python benchmarks/bench_analysis.py [--compat-replicates N] [--repeats K]`

Prints, for the full analysis (fits, 1000 bootstrap replicates, CIs, trend) on METR's January
2025 runs file (7,063 runs, 11 agents):
- compatibility mode (scikit-learn, METR's numbers) and fast mode (batched Newton): wall seconds
  (median over repeats; compatibility mode runs once unless asked) and peak traced memory
  (tracemalloc, in a separate run so tracing does not slow the timed ones);
- the speed ratio of the two modes, measured in this run;
- fast mode on a synthetic table of 100,000 runs by 50 agents (2,000 tasks in 400 families).

METR's data is looked for beside the checkout in `../shared/metr/` (or `HORIZON_METR_DATA`);
without it the METR part is skipped and the synthetic part still runs.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from analysis.report import AnalysisParams, analyze  # noqa: E402
from analysis.runs_io import read_release_dates, read_runs  # noqa: E402
from analysis.simulate import SimulatedAgent, simulate_runs, synthetic_suite  # noqa: E402
from analysis.table import RunTable  # noqa: E402

METR_RUNS = "runs_2025-01-28_metr_eval-analysis-public_b9a402ff.jsonl"
METR_DATES = "release_dates_2025-03_paper.yaml"


def metr_dir() -> Path | None:
    """The METR reference folder beside the checkout (or HORIZON_METR_DATA), if present."""
    override = os.environ.get("HORIZON_METR_DATA")
    folder = Path(override) if override else REPO_ROOT.parent / "shared" / "metr"
    return folder if (folder / METR_RUNS).is_file() else None


def timed(run: Callable[[], Any], repeats: int) -> tuple[float, list[float]]:
    """Median and all wall times of `repeats` calls."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def peak_traced_mib(run: Callable[[], Any]) -> float:
    """Peak memory allocated through Python and numpy during one call, in MiB."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    run()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def synthetic_large_table(n_agents: int = 50, n_families: int = 400, tasks_per_family: int = 5) -> RunTable:
    """n_agents x (n_families * tasks_per_family) runs, one per agent and task."""
    rng = np.random.default_rng(0)
    suite = synthetic_suite(
        rng, n_families=n_families, min_tasks=tasks_per_family, max_tasks=tasks_per_family
    )
    agents = [SimulatedAgent(f"agent-{i:02d}", p50=float(2 ** rng.uniform(0, 9))) for i in range(n_agents)]
    return RunTable.from_frame(simulate_runs(suite, agents, 1, rng, family_sd=0.5, task_sd=0.5))


def main() -> None:
    """Time the analyses and print a table of the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--replicates", type=int, default=1000, help="bootstrap replicates per analysis")
    parser.add_argument("--repeats", type=int, default=5, help="timed repeats of the fast mode")
    parser.add_argument("--compat-repeats", type=int, default=1, help="timed repeats of compatibility mode")
    parser.add_argument("--skip-large", action="store_true", help="skip the 100,000-run synthetic table")
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, {os.cpu_count()} CPUs")

    folder = metr_dir()
    if folder is None:
        print("METR data not found (../shared/metr or HORIZON_METR_DATA): METR benchmark skipped")
    else:
        start = time.perf_counter()
        table = read_runs(folder / METR_RUNS)
        dates = read_release_dates(folder / METR_DATES)
        elapsed = time.perf_counter() - start
        print(f"read METR runs file: {len(table)} runs, {len(table.agents)} agents in {elapsed:.2f} s")
        base = AnalysisParams(n_bootstrap=args.replicates, missing_release_dates="exclude")
        results: dict[str, tuple[float, float, list[float]]] = {}
        for solver, repeats in (("sklearn", args.compat_repeats), ("fast", args.repeats)):
            params = replace(base, solver=solver)  # type: ignore[arg-type]

            def run(params: AnalysisParams = params) -> None:
                analyze(table, dates, params)

            analyze(table, dates, replace(params, n_bootstrap=5))  # warm-up: imports, caches
            median, times = timed(run, repeats)
            peak = peak_traced_mib(run)
            results[solver] = (median, peak, times)
            mode = "compatibility" if solver == "sklearn" else "fast"
            print(
                f"{mode:>13} mode, {args.replicates} replicates: "
                f"median {median:.3f} s over {repeats} run(s) {[round(t, 3) for t in times]}, "
                f"peak traced memory {peak:.1f} MiB"
            )
        ratio = results["sklearn"][0] / results["fast"][0]
        print(f"speed-up of fast over compatibility mode: {ratio:.1f}x")

    if not args.skip_large:
        start = time.perf_counter()
        large = synthetic_large_table()
        built = time.perf_counter() - start
        params = AnalysisParams(n_bootstrap=args.replicates, missing_release_dates="exclude")
        first_day = date(2023, 1, 1)
        large_dates = {a: first_day + timedelta(days=30 * i) for i, a in enumerate(large.agents)}

        def run_large() -> None:
            analyze(large, large_dates, params)

        median, times = timed(run_large, max(1, min(args.repeats, 3)))
        peak = peak_traced_mib(run_large)
        print(
            f"fast mode, synthetic {len(large):,} runs x {len(large.agents)} agents "
            f"({len(np.unique(large.task_id))} tasks, table built in {built:.1f} s), "
            f"{args.replicates} replicates: "
            f"median {median:.2f} s over {len(times)} run(s) {[round(t, 2) for t in times]}, "
            f"peak traced memory {peak:.0f} MiB"
        )
    print(f"process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
