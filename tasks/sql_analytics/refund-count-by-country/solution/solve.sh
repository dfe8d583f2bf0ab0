#!/bin/bash
# Load the dump into an in-memory database and run one join.
set -euo pipefail
python3 - <<'PY'
import sqlite3
con = sqlite3.connect(":memory:")
con.executescript(open("shop.sql").read())
(n,) = con.execute(
    "SELECT COUNT(*) FROM orders o JOIN customers c USING (customer_id)"
    " WHERE o.status = 'refunded' AND c.country = 'PT'"
).fetchone()
open("submission.txt", "w").write(f"{n}\n")
PY
