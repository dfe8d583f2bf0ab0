#!/usr/bin/env python3
"""Scorer for report-query-budget.

The agent's report.py runs in a child process (run_report.py) against a storage.Store holding a
database drawn by dataset.make_tables from a hidden seed; its text must equal what the original
report (original_report.py, run here on its own copy of the same database) produces. Two small
correctness cases (a tiny database, a month with no trade) must both be exact or the score is
0. Then each of the three full-size databases is worth one third when the text is exact and the
report's cost is at most BUDGET units (the reference needs about 37,000; the original about
two billion). Before anything runs, the work directory's Python files are checked for reaching
into the store's private state or the generator, which the instructions forbid.
"""

import json
import re
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
MARKER = "@@horizon-report-results@@"
BUDGET = 55_000
TINY = {"customers": 40, "products": 15, "orders": 150, "reps": 3}
SMALL = [[48_611_903, "2024-02", TINY, None], [48_611_903, "2025-02", TINY, None]]
LARGE = [
    [7_215_390_417, "2024-05", {}, BUDGET],
    [2_986_004_113, "2023-10", {}, BUDGET],
    [5_530_172_288, "2024-11", {}, BUDGET],
]
FORBIDDEN = re.compile(
    r"[.'\"]_(rows|order|columns|hashes|indexes|schema_open|budget|queries|examined|charge|hash|table|column|examined_by)\b"
    r"|\bover_budget\b|__dict__|\bvars\s*\(|\bimport\s+(gc|inspect|ctypes|dataset)\b|\bfrom\s+(gc|inspect|ctypes|dataset)\b"
    r"|__closure__|__globals__|sys\.modules|make_tables"
)


def tampering() -> str | None:
    for path in sorted(Path.cwd().glob("*.py")):
        text = path.read_text(encoding="utf-8", errors="replace")
        shipped = HERE / path.name
        if path.name in ("storage.py", "dataset.py", "check_sample.py") and text == shipped.read_text():
            continue  # the files the task ships, unchanged
        hit = FORBIDDEN.search(text)
        if hit:
            return f"{path.name} uses {hit.group(0)!r}, which the instructions forbid"
    return None


def expected(seed: int, month: str, sizes: dict) -> str:
    from dataset import make_tables
    from storage import Store

    import original_report

    return original_report.build_report(Store(make_tables(seed, **sizes)), month)


def run(case: list) -> dict:
    try:
        done = subprocess.run(
            [sys.executable, "-I", str(HERE / "run_report.py"), MARKER, str(Path.cwd()), json.dumps(case)],
            capture_output=True,
            text=True,
            timeout=120,
        )
    except subprocess.TimeoutExpired:
        return {"error": "did not finish within 120 s"}
    for line in reversed(done.stdout.splitlines()):
        if line.startswith(MARKER):
            try:
                report = json.loads(line[len(MARKER):])
            except ValueError:
                break
            if isinstance(report, dict):
                return report
    return {"error": "crashed: " + done.stderr[-1500:]}


def check(name: str, case: list) -> bool:
    seed, month, sizes, budget = case
    report = run(case)
    if "error" in report:
        print(f"FAIL {name}: {report['error']}")
        return False
    if report.get("text") != expected(seed, month, sizes):
        print(f"FAIL {name}: the report's text differs from the original's")
        return False
    units = report.get("cost", {}).get("units")
    if budget is not None and (not isinstance(units, int) or units > budget):
        print(f"FAIL {name}: cost {units} units, budget {budget}")
        return False
    print(f"PASS {name}: cost {units} units" + (f" (budget {budget})" if budget else ""))
    return True


def main() -> None:
    sys.dont_write_bytecode = True
    sys.path.insert(0, str(HERE))
    if not (Path.cwd() / "report.py").is_file():
        print("report.py is missing")
        print(0.0)
        return
    problem = tampering()
    if problem:
        print(problem)
        print(0.0)
        return
    if not all([check(f"small-{i}", case) for i, case in enumerate(SMALL)]):
        print("a small case is wrong: score 0")
        print(0.0)
        return
    passed = sum(check(f"large-{i}", case) for i, case in enumerate(LARGE))
    print(f"{passed}/{len(LARGE)} full-size databases within budget and exact")
    print(round(passed / len(LARGE), 4))


main()
