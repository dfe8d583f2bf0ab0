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

Then, which bundled tasks most need real baselines: for the same hypothetical agents (a few
simulated studies, point fits), each task's human time is doubled in turn (one doubling: an
author's estimate is easily that far off) and the refitted p50s compared with the unchanged fit.
A task's leverage is the mean |change| of log2 p50 over the agents and studies; the tasks with the
most leverage move the measured horizons most when their estimate is wrong, so their baselines
come first (tasks/README.md, "Which tasks need baselines first").
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

from dataclasses import replace  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from analysis.report import analyze, preset_params  # noqa: E402
from analysis.simulate import SimulatedAgent, TaskSuite, simulate_runs  # noqa: E402
from analysis.table import RunTable  # noqa: E402
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


def _p50s(runs: pd.DataFrame) -> dict[str, float]:
    params = replace(preset_params("calibrated"), n_bootstrap=0, missing_release_dates="exclude")
    report = analyze(RunTable.from_frame(runs), {}, params).to_json()
    return {a["agent"]: a["p50"] for a in report["agents"]}


def baseline_leverage(suite_csv: Path, studies: int, seed: int) -> list[tuple[str, str, float, float]]:
    """Per task (id, family, human minutes): mean |change of log2 p50| when its time is doubled."""
    frame = pd.read_csv(suite_csv)
    suite = TaskSuite.from_frame(frame, source="bundled")
    agents = [SimulatedAgent(label, minutes) for label, minutes, _ in POINTS]
    rng = np.random.default_rng(seed)
    leverage = dict.fromkeys(frame["task_id"], 0.0)
    count = 0
    for _ in range(studies):
        runs = simulate_runs(suite, agents, 8, rng, family_sd=0.5, task_sd=0.5)
        base = _p50s(runs)
        fitted = [a for a, v in base.items() if v is not None and v > 0]
        count += len(fitted)
        for task in leverage:
            moved = runs.copy()
            moved.loc[moved["task_id"] == task, "human_minutes"] *= 2
            after = _p50s(moved)
            leverage[task] += sum(
                abs(np.log2(after[a] / base[a])) for a in fitted if after.get(a) is not None and after[a] > 0
            )
    rows = frame.set_index("task_id")
    return sorted(
        (
            (task, str(rows.loc[task, "task_family"]), float(rows.loc[task, "human_minutes"]), total / count)
            for task, total in leverage.items()
        ),
        key=lambda row: -row[3],
    )


def main() -> None:
    """Simulate both suites and print the widths beside the goal."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--simulations", type=int, default=20, help="simulated studies per suite")
    parser.add_argument("--bootstrap", type=int, default=200, help="bootstrap replicates per study")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--leverage-studies", type=int, default=3, help="studies for the baseline leverage")
    parser.add_argument("--leverage-top", type=int, default=15, help="tasks listed by leverage")
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
        leverage = baseline_leverage(bundled, args.leverage_studies, args.seed)
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
    print(
        f"\ntasks whose baselines matter most: mean |change of log2 p50| over the {len(POINTS)} agents "
        f"and {args.leverage_studies} studies when the task's human time is doubled"
    )
    print(f"{'task':<32}{'family':<24}{'minutes':>9}{'leverage':>10}")
    for task, family, minutes, value in leverage[: args.leverage_top]:
        print(f"{task:<32}{family:<24}{minutes:>9g}{value:>10.3f}")


if __name__ == "__main__":
    main()
