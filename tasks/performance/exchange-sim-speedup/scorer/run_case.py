"""Child process of score.py: replays seeded event logs through the agent's engine.simulate and
reports, after a marker line, each case's output (whole, or as a SHA-256 of its lines joined by
newlines, with the line count), its step count when measured, and its wall time.

Usage: python3 -I run_case.py MARKER WORKDIR CASES_JSON, each case [name, seed, n, mode,
budget]: mode "plain" (unmeasured, whole output), "steps" (counted by meter.py with the budget)
or "wall" (unmeasured, timed). The scorer's folder comes first on sys.path, the work directory
last.
"""

import hashlib
import json
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
MARKER, WORKDIR, CASES = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])


def main() -> None:
    sys.dont_write_bytecode = True
    sys.path.insert(0, str(HERE))
    from meter import BudgetExceeded, count_steps
    from workload import make_events

    sys.path.append(WORKDIR)
    report: dict = {}
    try:
        import engine
    except BaseException as exc:  # noqa: BLE001
        report["import_error"] = "".join(traceback.format_exception_only(type(exc), exc)).strip()[:800]
        print("\n" + MARKER + json.dumps(report), flush=True)
        return
    for name, seed, n, mode, budget in CASES:
        events = make_events(seed, n)
        started = time.perf_counter()
        try:
            if mode == "steps":
                output, steps = count_steps(engine.simulate, events, budget=budget)
            else:
                output, steps = engine.simulate(events), None
            elapsed = time.perf_counter() - started
            lines = [str(line) for line in output]
            entry = {"steps": steps, "wall_s": round(elapsed, 2), "count": len(lines)}
            if mode == "plain":
                entry["output"] = lines
            else:
                entry["sha256"] = hashlib.sha256("\n".join(lines).encode()).hexdigest()
            report[name] = entry
        except BudgetExceeded:
            report[name] = {"error": f"used more than its budget of {budget} steps"}
        except BaseException as exc:  # noqa: BLE001
            if isinstance(exc, KeyboardInterrupt):
                raise
            report[name] = {"error": "".join(traceback.format_exception_only(type(exc), exc)).strip()[:800]}
    sys.stdout.flush()
    print("\n" + MARKER + json.dumps(report), flush=True)


main()
