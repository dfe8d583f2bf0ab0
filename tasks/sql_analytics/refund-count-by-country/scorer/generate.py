"""Regenerates this task's data: python3 generate.py OUTDIR. Deterministic (fixed seed).

Writes shop.sql (environment: a SQL dump of a small shop database with customers and orders)
and truth.json (scorer: the expected count). Near misses are planted so that a query with the
wrong status, the wrong country or no join gives another number: a 'partially_refunded' status,
country codes of neighbouring countries, and refunded orders of customers in other countries.
"""

import json
import random
import sys
from pathlib import Path

SEED = 40_117
COUNTRIES = ["PT", "ES", "FR", "DE", "IT", "NL", "BE", "IE"]
STATUSES = ["delivered"] * 12 + ["shipped"] * 3 + ["cancelled", "refunded", "partially_refunded", "pending"]
FIRST = ["Ana", "Rui", "Marta", "Joao", "Ines", "Pedro", "Lena", "Hugo", "Clara", "Tomas", "Eva", "Nuno"]
LAST = ["Silva", "Costa", "Dubois", "Muller", "Rossi", "Jansen", "Peeters", "Byrne", "Garcia", "Pereira"]


def q(value: object) -> str:
    """One SQL literal."""
    if value is None:
        return "NULL"
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def dump(name: str, ddl: str, rows: list[tuple[object, ...]]) -> list[str]:
    """CREATE TABLE plus INSERTs of at most 200 rows each."""
    out = [ddl]
    for start in range(0, len(rows), 200):
        chunk = rows[start : start + 200]
        out.append(f"INSERT INTO {name} VALUES\n" + ",\n".join("(" + ",".join(map(q, r)) + ")" for r in chunk) + ";")
    return out


def main(outdir: str) -> None:
    rng = random.Random(SEED)
    customers = []
    for cid in range(1, 401):
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        customers.append((cid, name, f"{name.split()[0].lower()}{cid}@example.com", rng.choice(COUNTRIES)))
    orders = []
    for oid in range(1, 3001):
        cust = rng.choice(customers)
        day = rng.randint(0, 364)
        month, dom = divmod(day, 28)
        ordered = f"2024-{min(12, month + 1):02d}-{dom + 1:02d} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:00"
        orders.append((oid, cust[0], ordered, rng.choice(STATUSES), rng.randint(500, 40000)))
    country = {c[0]: c[3] for c in customers}
    want = sum(1 for o in orders if o[3] == "refunded" and country[o[1]] == "PT")
    lines = ["-- Shop database dump. Load it with Python's sqlite3 module, e.g.", "--   con.executescript(open('shop.sql').read())", ""]
    lines += dump("customers", "CREATE TABLE customers (customer_id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL, country TEXT NOT NULL);", customers)
    lines += dump("orders", "CREATE TABLE orders (order_id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers(customer_id), ordered_at TEXT NOT NULL, status TEXT NOT NULL, total_cents INTEGER NOT NULL);", orders)
    out = Path(outdir)
    (out / "shop.sql").write_text("\n".join(lines) + "\n")
    (out / "truth.json").write_text(json.dumps({"refunded_orders_pt": want}, indent=2) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
