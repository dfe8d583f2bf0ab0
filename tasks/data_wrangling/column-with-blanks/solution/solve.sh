#!/bin/bash
# Reference solution: parse the CSV properly and name the column that has empty cells.
set -euo pipefail
python3 - <<'PY'
import csv

rows = list(csv.DictReader(open("customers.csv", newline="")))
empty = [column for column in rows[0] if any(not row[column].strip() for row in rows)]
assert len(empty) == 1, empty
open("submission.txt", "w").write(empty[0] + "\n")
PY
