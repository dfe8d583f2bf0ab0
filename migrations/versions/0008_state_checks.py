"""State checks: the database refuses a status, stop reason, source or role it does not know

CHECK constraints (named by the models' convention, `ck_<table>_<column>`) on:

- runs.status, runs.stop_reason (NULL allowed: runs that did not complete have none)
- baselining_attempts.status, analysis_results.status
- human_baselines.source, tasks.human_minutes_source (NULL allowed: no human time yet)
- api_tokens.role

The allowed values are written out here, frozen: they are those of `core/states.py` at this
revision, and a later change to an enum needs its own migration.

Rows that break a check are not rewritten: a value no version of Horizon wrote was put there by
hand or by another program, and guessing what it meant (is an unknown run status a failure? an
unknown role a viewer?) could count runs or grant rights wrongly. The upgrade stops before changing
anything and names every table, column and value (with its number of rows), so the operator can
correct them and upgrade again.

On SQLite a constraint is added by copying the table (batch mode); migrations/env.py switches
foreign keys off meanwhile, or dropping the old table would delete the rows that refer to it.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column, allowed values); NULL passes every check, as in SQL.
CHECKS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("runs", "status", ("queued", "running", "completed", "infra_error", "cancelled")),
    (
        "runs",
        "stop_reason",
        ("submitted", "token_limit", "time_limit", "cost_limit", "action_limit", "agent_error"),
    ),
    (
        "baselining_attempts",
        "status",
        ("active", "paused", "scoring", "scored", "pending", "error", "abandoned"),
    ),
    ("analysis_results", "status", ("queued", "running", "done", "failed", "cancelled")),
    ("human_baselines", "source", ("baseline", "estimate", "timed")),
    ("tasks", "human_minutes_source", ("baseline", "estimate")),
    ("api_tokens", "role", ("viewer", "submitter", "admin")),
)


def _name(table: str, column: str) -> str:
    return f"ck_{table}_{column}"


def _sql(column: str, allowed: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in allowed)})"


def _unknown_values() -> list[str]:
    """Every (table, column, value) that breaks its check, as lines for the error message."""
    conn = op.get_bind()
    problems = []
    for table, column, allowed in CHECKS:
        query = sa.text(
            f"SELECT {column}, COUNT(*) FROM {table} "
            f"WHERE {column} IS NOT NULL AND {column} NOT IN :allowed GROUP BY {column}"
        ).bindparams(sa.bindparam("allowed", expanding=True))
        for value, count in conn.execute(query, {"allowed": list(allowed)}):
            problems.append(f"{table}.{column} = {value!r} in {count} rows (allowed: {', '.join(allowed)})")
    return problems


def _by_table() -> dict[str, list[tuple[str, tuple[str, ...]]]]:
    tables: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for table, column, allowed in CHECKS:
        tables.setdefault(table, []).append((column, allowed))
    return tables


def upgrade() -> None:
    problems = _unknown_values()
    if problems:
        raise RuntimeError(
            "migration 0008 adds CHECK constraints, and these rows hold values Horizon never writes; "
            "nothing was changed. Correct them (e.g. UPDATE runs SET status = 'infra_error' WHERE ...) "
            "and upgrade again:\n  " + "\n  ".join(problems)
        )
    for table, checks in _by_table().items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, allowed in checks:
                batch_op.create_check_constraint(batch_op.f(_name(table, column)), _sql(column, allowed))


def downgrade() -> None:
    for table, checks in _by_table().items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, _ in checks:
                batch_op.drop_constraint(batch_op.f(_name(table, column)), type_="check")
