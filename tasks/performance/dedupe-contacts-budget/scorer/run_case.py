"""Child process of score.py: runs the agent's group_duplicates on seeded inputs and reports its
results (and, for measured cases, its step count) after a marker line.

Usage: python3 -I run_case.py MARKER WORKDIR SPEC_JSON. SPEC_JSON is a list of cases
[name, seed, n, household_rate, budget or null]. The scorer's folder comes first on sys.path and
the work directory last, so files there cannot shadow the meter, the workload or the standard
library.
"""

import json
import sys
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
MARKER, WORKDIR, SPEC = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])


def main() -> None:
    sys.dont_write_bytecode = True
    sys.path.insert(0, str(HERE))
    from meter import BudgetExceeded, count_steps
    from workload import make_records

    sys.path.append(WORKDIR)
    report: dict = {}
    try:
        import contacts
    except BaseException as exc:  # noqa: BLE001 - a broken module fails every case
        detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        print("\n" + MARKER + json.dumps({"import_error": detail}), flush=True)
        return
    for name, seed, n, rate, budget in SPEC:
        records = make_records(seed, n, rate)
        try:
            if budget is None:
                result, steps = contacts.group_duplicates(records), None
            else:
                result, steps = count_steps(contacts.group_duplicates, records, budget=budget)
            report[name] = {"result": result, "steps": steps}
        except BudgetExceeded:
            report[name] = {"error": f"used more than its budget of {budget} steps"}
        except BaseException as exc:  # noqa: BLE001
            if isinstance(exc, KeyboardInterrupt):
                raise
            detail = "".join(traceback.format_exception_only(type(exc), exc)).strip()
            report[name] = {"error": detail[:500]}
    sys.stdout.flush()
    print("\n" + MARKER + json.dumps(report), flush=True)


main()
