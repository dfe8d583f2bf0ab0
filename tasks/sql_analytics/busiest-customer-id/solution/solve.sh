#!/bin/bash
# Reference solution: load the dump in memory and group the orders by customer.
set -euo pipefail
python3 - <<'PY'
import sqlite3
con = sqlite3.connect(":memory:")
con.executescript(open("orders.sql").read())
(customer,) = con.execute(
    "SELECT customer_id FROM orders GROUP BY customer_id ORDER BY COUNT(*) DESC LIMIT 1"
).fetchone()
open("submission.txt", "w").write(f"{customer}\n")
PY
