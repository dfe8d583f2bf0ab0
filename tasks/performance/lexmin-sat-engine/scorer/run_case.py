"""Child process of score.py: runs the agent's lexsat.run on one hidden script under meter.py
with the script's budget and reports the answers and the step count after a marker line.

Usage: python3 -I run_case.py MARKER WORKDIR SCRIPT_PATH BUDGET. The scorer's folder comes
first on sys.path, the work directory last.
"""

import json
import sys
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
MARKER, WORKDIR, SCRIPT, BUDGET = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])


def say(report: dict) -> None:
    sys.stdout.flush()
    print("\n" + MARKER + json.dumps(report), flush=True)


def main() -> None:
    sys.dont_write_bytecode = True
    sys.setrecursionlimit(100_000)
    sys.path.insert(0, str(HERE))
    from meter import BudgetExceeded, count_steps

    text = Path(SCRIPT).read_text()
    sys.path.append(WORKDIR)
    try:
        import lexsat

        answers, steps = count_steps(lexsat.run, text, budget=BUDGET)
    except BudgetExceeded:
        say({"error": f"used more than its budget of {BUDGET} steps"})
        return
    except BaseException as exc:  # noqa: BLE001
        if isinstance(exc, KeyboardInterrupt):
            raise
        say({"error": "".join(traceback.format_exception_only(type(exc), exc)).strip()[:800]})
        return
    say({"answers": [str(a) for a in answers], "steps": steps})


main()
