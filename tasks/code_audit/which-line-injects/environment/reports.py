"""Report queries for the billing dashboard.

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


def notes_for_invoice(request, conn):
    invoice_id = int(request.get("id", "0"))
    sql = "SELECT author, body FROM invoice_notes WHERE invoice_id = %d ORDER BY created_at" % invoice_id
    return _rows(conn, sql)


def tagged_customers(request, conn):
    tags = [t for t in request.get("tags", "").split(",") if t]
    marks = ", ".join("?" for _ in tags) or "NULL"
    sql = f"SELECT id, customer_name FROM customers WHERE tag IN ({marks})"
    return _rows(conn, sql, tuple(tags))


def customer_by_email(request, conn):
    email = request.get("email", "").lower()
    sql = "SELECT id, customer_name FROM customers WHERE email = {}".format("?")
    return _rows(conn, sql, (email,))


def invoices_by_status(request, conn):
    table = TABLES[request.get("status", "open")]
    sql = f"SELECT id, customer_name, amount_cents FROM {table} ORDER BY id DESC"
    return _rows(conn, sql)


def totals_for_month(request, conn):
    year, month = request.get("year", "2024"), request.get("month", "01")
    sql = f"SELECT SUM(amount_cents) FROM invoices_paid WHERE strftime('%Y-%m', paid_at) = '{year}-{month}'"
    return _rows(conn, sql)


def recent_invoices(request, conn):
    limit = min(int(request.get("limit", "50")), MAX_ROWS)
    sql = f"SELECT id, amount_cents FROM invoices_open ORDER BY created_at DESC LIMIT {limit}"
    return _rows(conn, sql)


def invoice_detail(request, conn):
    invoice_id = request.get("id", "")
    sql = "SELECT * FROM invoices_open WHERE id = ? AND tenant_id = ?"
    return _rows(conn, sql, (invoice_id, request.get("tenant", "")))


def search_customers(request, conn):
    term = request.get("q", "").strip()
    # sql = "SELECT id, customer_name FROM customers WHERE customer_name LIKE '%" + term + "%'"
    sql = "SELECT id, customer_name FROM customers WHERE customer_name LIKE ?"
    return _rows(conn, sql, ("%" + term + "%",))


def sorted_invoices(request, conn):
    column = SORTABLE.get(request.get("sort", "created"))
    if column is None:
        raise ValueError("unknown sort key")
    sql = "SELECT id, customer_name, amount_cents FROM invoices_open ORDER BY " + column
    return _rows(conn, sql)


def overdue_count(request, conn):
    days = request.get("days", "30")
    if not days.isdigit():
        raise ValueError("days must be a number")
    sql = "SELECT COUNT(*) FROM invoices_open WHERE julianday('now') - julianday(due_at) > " + days
    return _rows(conn, sql)
