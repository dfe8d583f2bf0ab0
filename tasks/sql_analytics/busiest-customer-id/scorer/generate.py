"""Regenerates this task's data: python3 generate.py OUTDIR. Deterministic (fixed seed).

Writes orders.sql (environment: a SQL dump with one table of orders) and truth.json (scorer:
the customer_id with the most orders). One customer is given a clear lead of at least two
orders over the runner-up (extra orders are added for it after the random draw).
"""

import json
import random
import sys
from collections import Counter
from pathlib import Path

SEED = 51_203
STATUSES = ["paid", "paid", "paid", "shipped", "cancelled"]


def main(outdir: str) -> None:
    rng = random.Random(SEED)
    ids = rng.sample(range(1000, 9999), 90)
    leader = ids[rng.randint(10, 80)]
    customers = [rng.choice(ids) for _ in range(700)]
    counts = Counter(customers)
    runner_up = max(n for c, n in counts.items() if c != leader)
    customers += [leader] * (runner_up + 2 - counts[leader])
    rng.shuffle(customers)
    counts = Counter(customers)
    top = counts.most_common()
    assert top[0][0] == leader and top[0][1] >= top[1][1] + 2, top[:3]
    rows = []
    for order_id, customer in enumerate(customers, start=20001):
        day = rng.randint(1, 28)
        month = rng.randint(1, 12)
        rows.append(
            f"({order_id},{customer},'2025-{month:02d}-{day:02d}',{rng.randint(300, 25000)},"
            f"'{rng.choice(STATUSES)}')"
        )
    lines = [
        "-- Order history dump (SQLite dialect).",
        "CREATE TABLE orders (order_id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL,"
        " placed_on TEXT NOT NULL, total_cents INTEGER NOT NULL, status TEXT NOT NULL);",
    ]
    for start in range(0, len(rows), 250):
        lines.append("INSERT INTO orders VALUES\n" + ",\n".join(rows[start : start + 250]) + ";")
    out = Path(outdir)
    (out / "orders.sql").write_text("\n".join(lines) + "\n")
    (out / "truth.json").write_text(json.dumps({"kind": "int", "answer": leader}, indent=2) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
