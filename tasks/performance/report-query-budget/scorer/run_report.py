"""Child process of score.py: builds one seeded database, runs the agent's prepare(store) and
build_report(store, month) against it and reports the text and the meter after a marker line.

Usage: python3 -I run_report.py MARKER WORKDIR CASE_JSON, CASE_JSON = [seed, month, sizes,
budget or null]. The scorer's folder comes first on sys.path (its storage.py and dataset.py are
the ones used), the work directory last.
"""

import json
import sys
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
MARKER, WORKDIR, (SEED, MONTH, SIZES, BUDGET) = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])


def say(report: dict) -> None:
    sys.stdout.flush()
    print("\n" + MARKER + json.dumps(report), flush=True)


def main() -> None:
    sys.dont_write_bytecode = True
    sys.path.insert(0, str(HERE))
    from dataset import make_tables
    from storage import BudgetExceeded, Store

    store = Store(make_tables(SEED, **SIZES))
    sys.path.append(WORKDIR)
    try:
        import report

        store._schema_open = True
        if hasattr(report, "prepare"):
            report.prepare(store)
        store._schema_open = False
        store._budget = BUDGET
        text = report.build_report(store, MONTH)
    except BudgetExceeded:
        say({"error": f"went over the budget of {BUDGET} units"})
        return
    except BaseException as exc:  # noqa: BLE001 - any failure of the agent's code fails the case
        if isinstance(exc, KeyboardInterrupt):
            raise
        say({"error": "".join(traceback.format_exception_only(type(exc), exc)).strip()[:800]})
        return
    if store.over_budget:
        say({"error": f"went over the budget of {BUDGET} units"})
        return
    say({"text": text if isinstance(text, str) else repr(text), "cost": store.cost()})


main()
