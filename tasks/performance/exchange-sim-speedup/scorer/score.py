#!/usr/bin/env python3
"""Scorer for exchange-sim-speedup.

The agent's engine.simulate replays event logs drawn by workload.make_events from fixed seeds,
in child processes (run_case.py); its output must equal the reference's (reference_engine.py,
checked line for line against the original engine on 100 logs of up to 4,000 events and one of
12,000). Correctness gate: four unmeasured logs (0 to 6,000 events) must all be exact, else the
score is 0. Then three measured cases, a third each: two 60,000-event logs, exact and within
STEPS_PER_EVENT steps per event as counted by meter.py (sys.settrace call and line events; the
reference needs about 141), and one 200,000-event log, exact and within WALL_S seconds of
untraced wall time (the reference needs about 4 s on one core; quadratic work hidden in C
built-ins such as min() over the whole book takes minutes there).
"""

import hashlib
import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
MARKER = "@@horizon-exchange-results@@"
STEPS_PER_EVENT = 400
WALL_S = 45
PLAIN = [["log-0", 3101, 0, "plain", None], ["log-200", 3102, 200, "plain", None],
         ["log-2000", 3103, 2000, "plain", None], ["log-6000", 3104, 6000, "plain", None]]
MEASURED = [
    ["steps-60000-a", 8_812_001, 60_000, "steps", STEPS_PER_EVENT * 60_000],
    ["steps-60000-b", 4_400_917, 60_000, "steps", STEPS_PER_EVENT * 60_000],
    ["wall-200000", 6_027_553, 200_000, "wall", None],
]


def run(cases: list, timeout: int) -> dict:
    try:
        done = subprocess.run(
            [sys.executable, "-I", str(HERE / "run_case.py"), MARKER, str(Path.cwd()), json.dumps(cases)],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return {name: {"error": f"did not finish within {timeout} s"} for name, *_ in cases}
    for line in reversed(done.stdout.splitlines()):
        if line.startswith(MARKER):
            try:
                report = json.loads(line[len(MARKER):])
            except ValueError:
                break
            if isinstance(report, dict):
                if "import_error" in report:
                    return {name: {"error": "engine.py could not be imported: " + report["import_error"]} for name, *_ in cases}
                return report
    return {name: {"error": "crashed: " + done.stderr[-1500:]} for name, *_ in cases}


def check(case: list, entry: object) -> bool:
    from reference_engine import simulate
    from workload import make_events

    name, seed, n, mode, budget = case
    if not isinstance(entry, dict) or "error" in entry:
        print(f"FAIL {name}: {entry.get('error') if isinstance(entry, dict) else 'no result'}")
        return False
    want = simulate(make_events(seed, n))
    if mode == "plain":
        got = entry.get("output")
        if got != want:
            if not isinstance(got, list):
                print(f"FAIL {name}: no output")
                return False
            first = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))
            print(f"FAIL {name}: output line {first + 1} differs (expected {want[first] if first < len(want) else 'end of output'!r}, "
                  f"got {got[first] if first < len(got) else 'end of output'!r})")
            return False
    elif entry.get("sha256") != hashlib.sha256("\n".join(want).encode()).hexdigest():
        print(f"FAIL {name}: output differs from the original engine's ({entry.get('count')} lines, expected {len(want)})")
        return False
    if mode == "steps" and (not isinstance(entry.get("steps"), int) or entry["steps"] > budget):
        print(f"FAIL {name}: {entry.get('steps')} steps, budget {budget}")
        return False
    if mode == "wall" and (not isinstance(entry.get("wall_s"), (int, float)) or entry["wall_s"] > WALL_S):
        print(f"FAIL {name}: {entry.get('wall_s')} s, limit {WALL_S} s")
        return False
    detail = f"{entry.get('steps')} steps (budget {budget})" if mode == "steps" else f"{entry.get('wall_s')} s"
    print(f"PASS {name}: {detail}")
    return True


def main() -> None:
    sys.dont_write_bytecode = True
    sys.path.insert(0, str(HERE))
    if not (Path.cwd() / "engine.py").is_file():
        print("engine.py is missing")
        print(0.0)
        return
    report = run(PLAIN, 240)
    if not all([check(case, report.get(case[0])) for case in PLAIN]):
        print("an unmeasured log is wrong: score 0")
        print(0.0)
        return
    passed = 0
    for case in MEASURED:
        passed += check(case, run([case], 150 if case[3] == "steps" else WALL_S + 30).get(case[0]))
    print(f"{passed}/{len(MEASURED)} measured cases exact and within budget")
    print(round(passed / len(MEASURED), 4))


main()
