"""The reporting database's client: in-memory tables of rows (dicts) with a cost meter.

Every table has an int primary key "id"; rows come back as fresh dicts, always in ascending id
order. Each call is one query. The meter charges COST_PER_QUERY units per query plus one unit per
row the database has to examine:

    get(table, id)                        the row (1 row) or None (0 rows)
    get_many(table, ids)                  rows whose id is in ids: one row per row found
    scan(table)                           every row: every row
    count(table)                          the number of rows: 0 rows
    find(table, column, value)            rows with row[column] == value
    find_in(table, column, values)        rows with row[column] in values
    find_range(table, column, low, high)  rows with low <= row[column] < high

find, find_in and find_range examine only the rows they return when the column has an index,
and every row of the table when it has none. Indexes are created with create_index(table,
column), which is allowed only while the report's prepare(store) hook runs (a schema migration,
not counted), at most MAX_INDEXES in all; "id" needs none. cost() returns the meter.
"""

COST_PER_QUERY = 10
MAX_INDEXES = 5


class StoreError(Exception):
    """A call the database refuses (unknown table or column, an index outside prepare, ...)."""


class BudgetExceeded(BaseException):
    """Raised by a query that takes the meter past the budget the store was given."""


class Store:
    def __init__(self, tables, budget=None):
        self._rows = {name: {row["id"]: dict(row) for row in rows} for name, rows in tables.items()}
        self._order = {name: sorted(rows) for name, rows in self._rows.items()}
        self._columns = {name: set().union(*(row.keys() for row in rows.values())) for name, rows in self._rows.items()}
        self._hashes = {}
        self._indexes = set()
        self._schema_open = False
        self._budget = budget
        self._queries = 0
        self._examined = 0
        self.over_budget = False

    # -- the meter -------------------------------------------------------------------------
    def cost(self):
        """{"queries": ..., "rows": ..., "units": COST_PER_QUERY * queries + rows}."""
        return {"queries": self._queries, "rows": self._examined, "units": COST_PER_QUERY * self._queries + self._examined}

    def _charge(self, rows):
        if self._schema_open:
            raise StoreError("prepare(store) may only create indexes")
        self._queries += 1
        self._examined += rows
        if self._budget is not None and COST_PER_QUERY * self._queries + self._examined > self._budget:
            self.over_budget = True
            raise BudgetExceeded(f"the report went over its budget of {self._budget} units")

    def _table(self, table):
        if table not in self._rows:
            raise StoreError(f"no table {table!r}")
        return self._rows[table]

    def _column(self, table, column):
        rows = self._table(table)
        if column not in self._columns[table]:
            raise StoreError(f"table {table!r} has no column {column!r}")
        return rows

    def _examined_by(self, table, column, returned):
        return returned if column == "id" or (table, column) in self._indexes else len(self._rows[table])

    def _hash(self, table, column):
        key = (table, column)
        if key not in self._hashes:
            buckets = {}
            for rid in self._order[table]:
                buckets.setdefault(self._rows[table][rid].get(column), []).append(rid)
            self._hashes[key] = buckets
        return self._hashes[key]

    # -- schema ----------------------------------------------------------------------------
    def create_index(self, table, column):
        self._column(table, column)
        if not self._schema_open:
            raise StoreError("indexes can only be created in prepare(store)")
        if (table, column) not in self._indexes:
            if len(self._indexes) >= MAX_INDEXES:
                raise StoreError(f"at most {MAX_INDEXES} indexes")
            self._indexes.add((table, column))

    def indexes(self):
        return sorted(self._indexes)

    # -- queries ---------------------------------------------------------------------------
    def get(self, table, id):
        row = self._table(table).get(id)
        self._charge(0 if row is None else 1)
        return None if row is None else dict(row)

    def get_many(self, table, ids):
        rows = self._table(table)
        found = sorted({i for i in ids if i in rows})
        self._charge(len(found))
        return [dict(rows[i]) for i in found]

    def scan(self, table):
        rows = self._table(table)
        self._charge(len(rows))
        return [dict(rows[i]) for i in self._order[table]]

    def count(self, table):
        rows = self._table(table)
        self._charge(0)
        return len(rows)

    def find(self, table, column, value):
        rows = self._column(table, column)
        found = self._hash(table, column).get(value, [])
        self._charge(self._examined_by(table, column, len(found)))
        return [dict(rows[i]) for i in found]

    def find_in(self, table, column, values):
        rows = self._column(table, column)
        buckets = self._hash(table, column)
        found = sorted({i for value in set(values) for i in buckets.get(value, [])})
        self._charge(self._examined_by(table, column, len(found)))
        return [dict(rows[i]) for i in found]

    def find_range(self, table, column, low, high):
        rows = self._column(table, column)
        found = [i for i in self._order[table] if (v := rows[i].get(column)) is not None and low <= v < high]
        self._charge(self._examined_by(table, column, len(found)))
        return [dict(rows[i]) for i in found]
