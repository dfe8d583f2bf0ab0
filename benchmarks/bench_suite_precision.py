"""Benchmark of the bundled suite as a yardstick: how precisely it pins down an agent's p50.

Run: `.venv/bin/python benchmarks/bench_suite_precision.py [--simulations N] [--bootstrap B]`

For hypothetical agents with known p50s from 1 minute to a calendar week, `horizon simulate`
draws 8 runs per task and agent (logistic slope -0.6 per doubling, family and task difficulty
offsets of SD 0.5 on the logit scale), fits each simulated study with the recommended analysis
(the calibrated preset: families+tasks bootstrap; regularization 1e-5) and reports the median
width of the p50's 95% CI in doublings (log2 of upper / lower). Two task suites, in the same run:

- the bundled suite (`tasks/`: each task's human time and family, as `horizon tasks sync` stores them);
- METR's January-2025 suite (the tasks of METR's runs file beside the checkout in `../shared/metr/`,
  or `HORIZON_METR_DATA`), the baseline the goal is measured against. Skipped without the file.

Goal (the suite issue): at most 2.0 doublings for true p50s from 1 minute to 40 hours, at most 3.0
at one week. The script prints a table and the goal's verdict per row; it exits 0 either way (a
benchmark reports, it does not gate).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from core.taskfolder import load_tree  # noqa: E402

METR_RUNS = "runs_2025-01-28_metr_eval-analysis-public_b9a402ff.jsonl"
# True p50s (minutes) and the widest CI the goal allows there (None: shown, no goal).
POINTS: list[tuple[str, float, float | None]] = [
    ("1 min", 1.0, 2.0),
    ("4 min", 4.0, 2.0),
    ("15 min", 15.0, 2.0),
    ("30 min", 30.0, 2.0),
    ("2 h", 120.0, 2.0),
    ("8 h", 480.0, 2.0),
    ("24 h", 1440.0, 2.0),
    ("40 h", 2400.0, 2.0),
    ("1 week (168 h)", 10080.0, 3.0),
]


def metr_runs() -> Path | None:
    """METR's runs file beside the checkout (or in HORIZON_METR_DATA), if present."""
    override = os.environ.get("HORIZON_METR_DATA")
    folder = Path(override) if override else REPO_ROOT.parent / "shared" / "metr"
    path = folder / METR_RUNS
    return path if path.is_file() else None


def bundled_suite_csv(out: Path) -> tuple[int, int]:
    """Write the bundled suite's tasks (id, family, human minutes) as a CSV; return (tasks, families)."""
    folders = [f for f in load_tree(REPO_ROOT / "tasks") if f.human_time is not None]
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["task_id", "task_family", "human_minutes"])
        for folder in folders:
            assert folder.human_time is not None
            writer.writerow([folder.id, folder.family, folder.human_time.minutes])
    return len(folders), len({f.family for f in folders})


def simulate(
    suite: Path, simulations: int, bootstrap: int, seed: int, out: Path
) -> tuple[dict[str, float], float]:
    """Run `horizon simulate` on `suite`; return the median CI width per point and the wall seconds."""
    command = [sys.executable, "-m", "cli.main", "simulate", "--suite", str(suite)]
    for label, minutes, _ in POINTS:
        command += ["--p50", f"{label}={minutes}"]
    command += [
        "--repeats", "8",
        "--regularization", "1e-5",
        "--simulations", str(simulations),
        "--bootstrap", str(bootstrap),
        "--seed", str(seed),
        "--json", str(out),
    ]  # fmt: skip
    start = time.perf_counter()
    subprocess.run(command, cwd=REPO_ROOT, check=True, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    summary = json.loads(out.read_text(encoding="utf-8"))["summary"]
    widths = {label: summary["agents"][label]["median_p50_ci_width_doublings"] for label, _, _ in POINTS}
    return widths, seconds


def main() -> None:
    """Simulate both suites and print the widths beside the goal."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--simulations", type=int, default=20, help="simulated studies per suite")
    parser.add_argument("--bootstrap", type=int, default=200, help="bootstrap replicates per study")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="horizon-bench-") as tmp:
        bundled = Path(tmp) / "bundled.csv"
        n_tasks, n_families = bundled_suite_csv(bundled)
        print(f"bundled suite: {n_tasks} tasks in {n_families} families")
        ours, ours_s = simulate(bundled, args.simulations, args.bootstrap, args.seed, Path(tmp) / "ours.json")
        metr_path = metr_runs()
        theirs: dict[str, float] = {}
        theirs_s = 0.0
        if metr_path is None:
            print("METR's runs file not found: the METR column is skipped")
        else:
            theirs, theirs_s = simulate(
                metr_path, args.simulations, args.bootstrap, args.seed, Path(tmp) / "metr.json"
            )
    print(
        f"\nmedian width of the p50's 95% CI, doublings ({args.simulations} studies, "
        f"{args.bootstrap} replicates, 8 repeats, regularization 1e-5)"
    )
    print(f"{'true p50':<16}{'bundled':>9}{'METR 2025':>11}{'goal':>7}  verdict")
    for label, _, goal in POINTS:
        width = ours[label]
        other = f"{theirs[label]:.2f}" if label in theirs and theirs[label] is not None else "-"
        shown = f"{width:.2f}" if width is not None else "unbounded"
        verdict = "" if goal is None else ("met" if width is not None and width <= goal else "NOT met")
        print(f"{label:<16}{shown:>9}{other:>11}{goal if goal else '':>7}  {verdict}")
    print(f"\nwall time: bundled {ours_s:.0f} s, METR {theirs_s:.0f} s")


if __name__ == "__main__":
    main()
