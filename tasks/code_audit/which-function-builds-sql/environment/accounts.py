"""Data access for the account pages. Every argument except conn comes straight from the
HTTP request (query string or form), unvalidated."""

import sqlite3

ORDERS_TABLE = "orders_2025"


def count_sessions(conn: sqlite3.Connection, user_id: str):
    (n,) = conn.execute("SELECT COUNT(*) FROM sessions WHERE user_id = ?", (user_id,)).fetchone()
    return n


def recent_invoices(conn: sqlite3.Connection, limit: str):
    sql = "SELECT id, due FROM invoices ORDER BY due DESC LIMIT %d" % int(limit)
    return conn.execute(sql).fetchall()


def list_orders(conn: sqlite3.Connection, customer_id: str):
    sql = f"SELECT id, total FROM {ORDERS_TABLE} WHERE customer_id = ?"
    return conn.execute(sql, (customer_id,)).fetchall()


def find_user_by_email(conn: sqlite3.Connection, email: str):
    row = conn.execute("SELECT id, name FROM users WHERE email = ?", (email,))
    return row.fetchone()


def search_products(conn: sqlite3.Connection, term: str):
    pattern = "%" + term + "%"
    return conn.execute("SELECT id, name FROM products WHERE name LIKE ?", (pattern,)).fetchall()


def revoke_token(conn: sqlite3.Connection, token: str):
    conn.execute("DELETE FROM tokens WHERE token = '%s'" % token)
    conn.commit()
