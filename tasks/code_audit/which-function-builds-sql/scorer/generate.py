"""Regenerates this task's data: python3 generate.py OUTDIR. Deterministic (fixed seed).

Writes accounts.py (environment: a 40-line data-access module) and truth.json (scorer: the name
of its one function that splices a caller's value into SQL text). The safe functions include
near misses: an f-string with a module constant, a value forced through int(), and a LIKE
pattern built by concatenation but passed as a bound parameter.
"""

import json
import random
import sys
from pathlib import Path

SEED = 64_390

# name -> (safe body, unsafe body); each body is the lines after the def line.
FUNCTIONS = {
    "find_user_by_email": (
        ['    row = conn.execute("SELECT id, name FROM users WHERE email = ?", (email,))',
         "    return row.fetchone()"],
        ["    row = conn.execute(f\"SELECT id, name FROM users WHERE email = '{email}'\")",
         "    return row.fetchone()"],
    ),
    "list_orders": (
        ['    sql = f"SELECT id, total FROM {ORDERS_TABLE} WHERE customer_id = ?"',
         "    return conn.execute(sql, (customer_id,)).fetchall()"],
        ['    sql = f"SELECT id, total FROM {ORDERS_TABLE} WHERE customer_id = {customer_id}"',
         "    return conn.execute(sql).fetchall()"],
    ),
    "recent_invoices": (
        ['    sql = "SELECT id, due FROM invoices ORDER BY due DESC LIMIT %d" % int(limit)',
         "    return conn.execute(sql).fetchall()"],
        ['    sql = "SELECT id, due FROM invoices ORDER BY due DESC LIMIT " + limit',
         "    return conn.execute(sql).fetchall()"],
    ),
    "search_products": (
        ['    pattern = "%" + term + "%"',
         '    return conn.execute("SELECT id, name FROM products WHERE name LIKE ?", (pattern,)).fetchall()'],
        ["    sql = \"SELECT id, name FROM products WHERE name LIKE '%\" + term + \"%'\"",
         "    return conn.execute(sql).fetchall()"],
    ),
    "revoke_token": (
        ['    conn.execute("DELETE FROM tokens WHERE token = ?", (token,))',
         "    conn.commit()"],
        ["    conn.execute(\"DELETE FROM tokens WHERE token = '%s'\" % token)",
         "    conn.commit()"],
    ),
    "count_sessions": (
        ['    (n,) = conn.execute("SELECT COUNT(*) FROM sessions WHERE user_id = ?", (user_id,)).fetchone()',
         "    return n"],
        ['    (n,) = conn.execute("SELECT COUNT(*) FROM sessions WHERE user_id = {}".format(user_id)).fetchone()',
         "    return n"],
    ),
}
ARGS = {
    "find_user_by_email": "email",
    "list_orders": "customer_id",
    "recent_invoices": "limit",
    "search_products": "term",
    "revoke_token": "token",
    "count_sessions": "user_id",
}


def main(outdir: str) -> None:
    rng = random.Random(SEED)
    names = list(FUNCTIONS)
    rng.shuffle(names)
    unsafe = rng.choice([n for n in names if n != "list_orders"])
    lines = [
        '"""Data access for the account pages. Every argument except conn comes straight from the',
        'HTTP request (query string or form), unvalidated."""',
        "",
        "import sqlite3",
        "",
        'ORDERS_TABLE = "orders_2025"',
    ]
    for name in names:
        body = FUNCTIONS[name][1 if name == unsafe else 0]
        lines += ["", "", f"def {name}(conn: sqlite3.Connection, {ARGS[name]}: str):", *body]
    out = Path(outdir)
    (out / "accounts.py").write_text("\n".join(lines) + "\n")
    (out / "truth.json").write_text(json.dumps({"kind": "str", "answer": unsafe}, indent=2) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
