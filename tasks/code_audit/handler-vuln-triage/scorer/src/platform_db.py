"""A thin wrapper over the service's SQLite database. Use ? placeholders for values."""

import sqlite3

_conn = None


def connect(path=":memory:"):
    global _conn
    _conn = sqlite3.connect(path)
    _conn.row_factory = sqlite3.Row
    return _conn


def query(sql, params=()):
    """All rows of a SELECT, as dicts."""
    cur = _conn.execute(sql, tuple(params))
    return [dict(row) for row in cur.fetchall()]


def query_one(sql, params=()):
    rows = query(sql, params)
    return rows[0] if rows else None


def execute(sql, params=()):
    """Run one INSERT, UPDATE or DELETE; returns the last row id."""
    cur = _conn.execute(sql, tuple(params))
    _conn.commit()
    return cur.lastrowid
