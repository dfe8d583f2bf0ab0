#!/usr/bin/env python3
"""Scorer for dedupe-contacts-budget.

The agent's contacts.group_duplicates runs in a child process (run_case.py) on inputs drawn by
workload.make_records from fixed seeds; its output must equal the reference's (reference.py,
which matches the original pairwise code exactly) on every case. Correctness gate: the seven
small cases (0 to 600 records, unmeasured) must all be exact, else the score is 0. Then each of
the two large cases (20,000 and 30,000 records) is worth 0.5 when its output is exact and it
used at most 150 steps per record, counted by meter.py (one step per Python line executed or
Python function called). The original code needs tens of thousands of steps per record there.
"""

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
MARKER = "@@horizon-dedupe-results@@"
STEPS_PER_RECORD = 150
SMALL = [[f"small-{i}", 1000 + i, n, 0.04 + 0.03 * (i % 3), None] for i, n in enumerate([0, 1, 2, 7, 60, 300, 600])]
LARGE = [["large-20000", 5151, 20_000, 0.04], ["large-30000", 6262, 30_000, 0.12]]
TIMEOUTS = {"small": 120, "large": 150}


def run(spec: list) -> dict | str:
    """The child's report for these cases, or a string saying why there is none."""
    timeout = TIMEOUTS["small" if spec[0][4] is None else "large"]
    try:
        done = subprocess.run(
            [sys.executable, "-I", str(HERE / "run_case.py"), MARKER, str(Path.cwd()), json.dumps(spec)],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return f"did not finish within {timeout} s"
    for line in reversed(done.stdout.splitlines()):
        if line.startswith(MARKER):
            try:
                report = json.loads(line[len(MARKER):])
            except ValueError:
                break
            if isinstance(report, dict):
                if "import_error" in report:
                    return f"contacts.py could not be imported: {report['import_error']}"
                return report
    return "crashed: " + done.stderr[-1500:]


def check(name: str, report: dict | str, records: list, budget: int | None) -> bool:
    """Print a verdict for one case; True when it passed."""
    from reference import group_duplicates

    if isinstance(report, str):
        print(f"FAIL {name}: {report}")
        return False
    entry = report.get(name)
    if not isinstance(entry, dict) or "error" in entry:
        print(f"FAIL {name}: {entry.get('error') if isinstance(entry, dict) else 'no result'}")
        return False
    if entry.get("result") != group_duplicates(records):
        print(f"FAIL {name}: output differs from the original function's")
        return False
    steps = entry.get("steps")
    if budget is not None and (not isinstance(steps, int) or steps > budget):
        print(f"FAIL {name}: {steps} steps, budget {budget}")
        return False
    print(f"PASS {name}" + (f": {steps} steps (budget {budget})" if budget is not None else ""))
    return True


def main() -> None:
    sys.dont_write_bytecode = True
    sys.path.insert(0, str(HERE))
    from workload import make_records

    if not (Path.cwd() / "contacts.py").is_file():
        print("contacts.py is missing")
        print(0.0)
        return
    report = run(SMALL)
    small_ok = all(check(name, report, make_records(seed, n, rate), None) for name, seed, n, rate, _ in SMALL)
    if not small_ok:
        print("a small case is wrong: score 0")
        print(0.0)
        return
    score = 0.0
    for name, seed, n, rate in LARGE:
        budget = STEPS_PER_RECORD * n
        if check(name, run([[name, seed, n, rate, budget]]), make_records(seed, n, rate), budget):
            score += 0.5
    print(score)


main()
