"""Runs report.py the way the checker does, on the sample database (dataset.make_tables(2024),
month 2024-06): prepare(store) with index creation allowed, then build_report(store, month)
with the meter running. Prints whether the text equals sample_report.txt, and the cost.

    python3 check_sample.py
"""

import sys
from pathlib import Path

import dataset
import report
import storage

BUDGET = 55_000

store = storage.Store(dataset.make_tables(2024))
store._schema_open = True
if hasattr(report, "prepare"):
    report.prepare(store)
store._schema_open = False
store._budget = BUDGET
try:
    text = report.build_report(store, "2024-06")
except storage.BudgetExceeded as exc:
    print(f"stopped: {exc}; so far {store.cost()}")
    sys.exit(1)
same = text == Path("sample_report.txt").read_text()
print(f"text {'matches' if same else 'DIFFERS from'} sample_report.txt; cost {store.cost()} (budget {BUDGET} units)")
