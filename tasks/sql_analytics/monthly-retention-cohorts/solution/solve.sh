#!/bin/bash
# Reference: the retention table in one SQLite query (timestamps normalised with strftime).
set -euo pipefail
python3 - <<'PY'
import csv
import sqlite3

con = sqlite3.connect(":memory:")
con.executescript(open("app.sql").read())
rows = con.execute(
    """
    WITH u AS (
        SELECT user_id, strftime('%Y-%m', signup_at) AS cohort FROM users WHERE is_internal = 0
    ),
    a AS (
        SELECT DISTINCT e.user_id,
               CAST(strftime('%Y', e.occurred_at) AS INT) * 12 + CAST(strftime('%m', e.occurred_at) AS INT) AS mi
        FROM events e WHERE e.kind IN ('session', 'purchase')
    ),
    c AS (
        SELECT cohort, COUNT(*) AS n FROM u GROUP BY cohort
    )
    SELECT u.cohort, c.n,
           a.mi - (CAST(substr(u.cohort, 1, 4) AS INT) * 12 + CAST(substr(u.cohort, 6, 2) AS INT)) AS k,
           COUNT(DISTINCT a.user_id)
    FROM u JOIN c USING (cohort) JOIN a USING (user_id)
    WHERE u.cohort BETWEEN '2024-01' AND '2024-06'
    GROUP BY 1, 2, 3
    """
).fetchall()
table: dict[str, dict[int, int]] = {}
sizes: dict[str, int] = {}
for cohort, n, k, active in rows:
    sizes[cohort] = n
    table.setdefault(cohort, {})[k] = active
with open("retention.csv", "w", newline="") as fh:
    w = csv.writer(fh, lineterminator="\n")
    w.writerow(["cohort", "users", *[f"m{k}" for k in range(6)]])
    for cohort in sorted(sizes):
        w.writerow([cohort, sizes[cohort], *[f"{table[cohort].get(k, 0) / sizes[cohort]:.4f}" for k in range(6)]])
PY
