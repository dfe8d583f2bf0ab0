"""Benchmark of the whole `horizon analyze` process on METR's runs file, start-up included.

Run: `.venv/bin/python benchmarks/bench_cli_analyze.py [--repeats K] [--replicates N]`

Times K runs (default 7) of `horizon analyze RUNS --release-dates DATES --allow-missing-dates`
(METR's January 2025 runs file, the default `calibrated` preset, 1000 bootstrap replicates, every
report section) as a subprocess, output discarded, and prints the median and every time, wall
and CPU (user + system of the child: what the process costs when the machine is busy). Measured
in the same run, for comparison:
- a bare interpreter start (`python -c pass`): the floor no command can go below;
- the command line's start-up alone (`python -c "import cli.main"`: every command module
  imported, as for any `horizon` command, before typer parses the arguments);
- the analysis in this process, already started and with the file already read (`analyze` and
  the report's sections): what is left of the whole run once start-up and reading are removed.

The last line splits the whole run's median CPU time into these parts (CPU, not wall: on a busy
machine the wall times of short processes scatter far more); "the rest" is reading the file,
typer's argument parsing and printing the tables.

METR's data is looked for beside the checkout in `../shared/metr/` (or `HORIZON_METR_DATA`).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from benchmarks.bench_analysis import METR_DATES, METR_RUNS, metr_dir  # noqa: E402


def horizon_command() -> list[str]:
    """The installed `horizon` entry point beside this interpreter, else `python -m cli.main`."""
    script = Path(sys.executable).parent / "horizon"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "cli.main"]


def run_timed(argv: Sequence[str]) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) of one run of `argv`; a failure stops the benchmark."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.decode()[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def report(label: str, times: list[tuple[float, float]]) -> tuple[float, float]:
    """Print the median wall and CPU seconds and every wall time; return both medians."""
    walls = [w for w, _ in times]
    median = statistics.median(walls)
    cpu = statistics.median(c for _, c in times)
    print(
        f"{label}: median {median:.3f} s (CPU {cpu:.3f} s) over {len(walls)} {[round(w, 3) for w in walls]}"
    )
    return median, cpu


def timed_in_process(run: Callable[[], object], repeats: int) -> list[tuple[float, float]]:
    """Wall and CPU seconds of `repeats` calls in this process."""
    times = []
    for _ in range(repeats):
        start, cpu = time.perf_counter(), time.process_time()
        run()
        times.append((time.perf_counter() - start, time.process_time() - cpu))
    return times


def main() -> None:
    """Time the whole command, its start-up and the bare interpreter, and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=7, help="timed runs of each command")
    parser.add_argument("--replicates", type=int, default=1000, help="bootstrap replicates")
    args = parser.parse_args()
    folder = metr_dir()
    if folder is None:
        raise SystemExit("METR data not found (../shared/metr or HORIZON_METR_DATA): nothing to time")
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    command = [
        *horizon_command(),
        "analyze",
        str(folder / METR_RUNS),
        "--release-dates",
        str(folder / METR_DATES),
        "--allow-missing-dates",
        "--bootstrap",
        str(args.replicates),
    ]
    run_timed(command)  # warm-up: the file system cache and compiled bytecode
    bare = report(
        "bare interpreter (python -c pass)",
        [run_timed([sys.executable, "-c", "pass"]) for _ in range(args.repeats)],
    )
    startup = report(
        "start-up alone (import cli.main)",
        [run_timed([sys.executable, "-c", "import cli.main"]) for _ in range(args.repeats)],
    )
    whole = report(
        f"horizon analyze, METR's file, {args.replicates} replicates",
        [run_timed(command) for _ in range(args.repeats)],
    )

    from analysis.report import add_sections, analyze, preset_params
    from analysis.runs_io import read_release_dates, read_runs

    table = read_runs(folder / METR_RUNS)
    dates = read_release_dates(folder / METR_DATES)
    params = preset_params("calibrated", n_bootstrap=args.replicates, missing_release_dates="exclude")

    def in_process() -> None:
        add_sections(table, dates, analyze(table, dates, params)).to_json()

    in_process()  # warm-up
    inner = report(
        "the same analysis in this process (no start-up, file read)",
        timed_in_process(in_process, args.repeats),
    )
    print(f"whole process: median {whole[0]:.3f} s wall against the target of 1.0 s")
    (_, bare_cpu), (_, startup_cpu), (_, whole_cpu), (_, inner_cpu) = bare, startup, whole, inner
    print(
        f"CPU: whole process {whole_cpu:.3f} s = bare interpreter {bare_cpu:.3f} s "
        f"+ imports {startup_cpu - bare_cpu:.3f} s + analysis {inner_cpu:.3f} s "
        f"+ the rest {whole_cpu - startup_cpu - inner_cpu:.3f} s"
    )


if __name__ == "__main__":
    main()
