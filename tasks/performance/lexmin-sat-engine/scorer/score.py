#!/usr/bin/env python3
"""Scorer for lexmin-sat-engine.

Sixteen hidden scripts (two per family in families.py, made by generate.py). Each runs in its
own child process (run_case.py): the agent's lexsat.run under meter.py, stopped at the script's
budget (budgets.json: twice the reference's steps plus 20,000). A script counts when every
answer equals expected.json (the reference's answers; the reference was checked against the
original depth-first search on small scripts of every family) and it stayed within budget.
The score is the fraction of scripts that count. Each child also has a wall-clock limit far
above what the budget allows, so a run that hides quadratic work in C built-ins cannot stall
the scorer.
"""

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
MARKER = "@@horizon-lexsat-results@@"
WALL_S = 300


def run(script: Path, budget: int) -> dict:
    try:
        done = subprocess.run(
            [sys.executable, "-I", str(HERE / "run_case.py"), MARKER, str(Path.cwd()), str(script), str(budget)],
            capture_output=True,
            text=True,
            timeout=WALL_S,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"did not finish within {WALL_S} s"}
    for line in reversed(done.stdout.splitlines()):
        if line.startswith(MARKER):
            try:
                report = json.loads(line[len(MARKER):])
            except ValueError:
                break
            if isinstance(report, dict):
                return report
    return {"error": "crashed: " + done.stderr[-1500:]}


def main() -> None:
    if not (Path.cwd() / "lexsat.py").is_file():
        print("lexsat.py is missing")
        print(0.0)
        return
    expected = json.loads((HERE / "expected.json").read_text())
    budgets = json.loads((HERE / "budgets.json").read_text())
    passed = 0
    for name in sorted(expected):
        report = run(HERE / name, budgets[name])
        if "error" in report:
            print(f"FAIL {name}: {report['error']}")
            continue
        answers = report.get("answers")
        if answers != expected[name]:
            wrong = [i + 1 for i, (a, b) in enumerate(zip(answers or [], expected[name])) if a != b]
            print(f"FAIL {name}: answers differ (queries {wrong[:5] or 'count'})")
            continue
        print(f"PASS {name}: {report.get('steps')} steps (budget {budgets[name]})")
        passed += 1
    print(f"{passed}/{len(expected)} scripts answered exactly within budget")
    print(round(passed / len(expected), 4))


main()
