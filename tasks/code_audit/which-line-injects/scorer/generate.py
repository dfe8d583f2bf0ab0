"""Regenerates this task's data: python3 generate.py OUTDIR writes reports.py (environment: a
data-access module of a small web service) and truth.json (scorer: the one line that splices a
request value into SQL text). Deterministic (fixed seed).

Every query function has a safe form; one, picked by the seed, gets an unsafe form. Several safe
forms look suspicious at a glance (f-strings over whitelisted names or int() casts, an old unsafe
line left in a comment), so grepping for f-strings or '+' alone does not give the answer.
"""

import json
import random
import sys
from pathlib import Path

SEED = 90_417

HEADER = '''"""Report queries for the billing dashboard.

Every public function takes the parsed request (a dict of query-string values, all strings
as the client sent them) and an open DB-API connection, and returns a list of rows.
"""

SORTABLE = {"created": "created_at", "amount": "amount_cents", "customer": "customer_name"}
TABLES = {"open": "invoices_open", "paid": "invoices_paid", "void": "invoices_void"}
MAX_ROWS = 500


def _rows(conn, sql, params=()):
    cur = conn.cursor()
    cur.execute(sql, params)
    return cur.fetchall()

'''

# (safe body, unsafe body) per function; {V} marks the spliced line of the unsafe body.
FUNCS = [
    (
        "invoices_by_status",
        '''    table = TABLES[request.get("status", "open")]
    sql = f"SELECT id, customer_name, amount_cents FROM {table} ORDER BY id DESC"
    return _rows(conn, sql)''',
        '''    table = TABLES.get(request.get("status", "open"), "invoices_open")
    sql = f"SELECT id, customer_name, amount_cents FROM {table} WHERE region = '{request.get('region', 'eu')}'"  # {V}
    return _rows(conn, sql)''',
    ),
    (
        "recent_invoices",
        '''    limit = min(int(request.get("limit", "50")), MAX_ROWS)
    sql = f"SELECT id, amount_cents FROM invoices_open ORDER BY created_at DESC LIMIT {limit}"
    return _rows(conn, sql)''',
        '''    limit = request.get("limit", "50")
    sql = f"SELECT id, amount_cents FROM invoices_open ORDER BY created_at DESC LIMIT {limit}"  # {V}
    return _rows(conn, sql)''',
    ),
    (
        "search_customers",
        '''    term = request.get("q", "").strip()
    # sql = "SELECT id, customer_name FROM customers WHERE customer_name LIKE '%" + term + "%'"
    sql = "SELECT id, customer_name FROM customers WHERE customer_name LIKE ?"
    return _rows(conn, sql, ("%" + term + "%",))''',
        '''    term = request.get("q", "").strip()
    sql = "SELECT id, customer_name FROM customers WHERE customer_name LIKE '%" + term + "%'"  # {V}
    return _rows(conn, sql)''',
    ),
    (
        "sorted_invoices",
        '''    column = SORTABLE.get(request.get("sort", "created"))
    if column is None:
        raise ValueError("unknown sort key")
    sql = "SELECT id, customer_name, amount_cents FROM invoices_open ORDER BY " + column
    return _rows(conn, sql)''',
        '''    column = request.get("sort", "created_at")
    if not column:
        raise ValueError("unknown sort key")
    sql = "SELECT id, customer_name, amount_cents FROM invoices_open ORDER BY " + column  # {V}
    return _rows(conn, sql)''',
    ),
    (
        "invoice_detail",
        '''    invoice_id = request.get("id", "")
    sql = "SELECT * FROM invoices_open WHERE id = ? AND tenant_id = ?"
    return _rows(conn, sql, (invoice_id, request.get("tenant", "")))''',
        '''    invoice_id = request.get("id", "")
    sql = "SELECT * FROM invoices_open WHERE id = %s AND tenant_id = ?" % invoice_id  # {V}
    return _rows(conn, sql, (request.get("tenant", ""),))''',
    ),
    (
        "customer_by_email",
        '''    email = request.get("email", "").lower()
    sql = "SELECT id, customer_name FROM customers WHERE email = {}".format("?")
    return _rows(conn, sql, (email,))''',
        '''    email = request.get("email", "").lower()
    sql = "SELECT id, customer_name FROM customers WHERE email = '{}'".format(email)  # {V}
    return _rows(conn, sql)''',
    ),
    (
        "totals_for_month",
        '''    year, month = int(request.get("year", "2024")), int(request.get("month", "1"))
    sql = f"SELECT SUM(amount_cents) FROM invoices_paid WHERE strftime('%Y-%m', paid_at) = '{year:04d}-{month:02d}'"
    return _rows(conn, sql)''',
        '''    year, month = request.get("year", "2024"), request.get("month", "01")
    sql = f"SELECT SUM(amount_cents) FROM invoices_paid WHERE strftime('%Y-%m', paid_at) = '{year}-{month}'"  # {V}
    return _rows(conn, sql)''',
    ),
    (
        "overdue_count",
        '''    days = request.get("days", "30")
    if not days.isdigit():
        raise ValueError("days must be a number")
    sql = "SELECT COUNT(*) FROM invoices_open WHERE julianday('now') - julianday(due_at) > " + days
    return _rows(conn, sql)''',
        '''    days = request.get("days", "30").strip()
    if not days:
        raise ValueError("days must be given")
    sql = "SELECT COUNT(*) FROM invoices_open WHERE julianday('now') - julianday(due_at) > " + days  # {V}
    return _rows(conn, sql)''',
    ),
    (
        "notes_for_invoice",
        '''    invoice_id = int(request.get("id", "0"))
    sql = "SELECT author, body FROM invoice_notes WHERE invoice_id = %d ORDER BY created_at" % invoice_id
    return _rows(conn, sql)''',
        '''    invoice_id = request.get("id", "0")
    sql = "SELECT author, body FROM invoice_notes WHERE invoice_id = %s ORDER BY created_at" % invoice_id  # {V}
    return _rows(conn, sql)''',
    ),
    (
        "tagged_customers",
        '''    tags = [t for t in request.get("tags", "").split(",") if t]
    marks = ", ".join("?" for _ in tags) or "NULL"
    sql = f"SELECT id, customer_name FROM customers WHERE tag IN ({marks})"
    return _rows(conn, sql, tuple(tags))''',
        '''    tags = [t for t in request.get("tags", "").split(",") if t]
    marks = ", ".join(f"'{t}'" for t in tags) or "NULL"  # {V}
    sql = f"SELECT id, customer_name FROM customers WHERE tag IN ({marks})"
    return _rows(conn, sql)''',
    ),
]


def main(outdir: str) -> None:
    rng = random.Random(SEED)
    order = FUNCS[:]
    rng.shuffle(order)
    bad = rng.randrange(len(order))
    parts = [HEADER]
    for i, (name, safe, unsafe) in enumerate(order):
        body = unsafe if i == bad else safe
        parts.append(f"\ndef {name}(request, conn):\n{body}\n\n")
    text = "".join(parts).rstrip("\n") + "\n"
    lines = text.split("\n")
    target = next(n for n, line in enumerate(lines, 1) if line.endswith("# {V}"))
    text = text.replace("  # {V}", "")
    out = Path(outdir)
    (out / "reports.py").write_text(text)
    truth = {"line": target, "function": order[bad][0]}
    (out / "truth.json").write_text(json.dumps(truth, indent=2) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
