"""runs.import_details: what the source of an imported run said about it

Runs imported from an Inspect eval log keep the log's eval id, the model, solver and scorer that
produced the score, the raw score, and the Inspect and task versions (core/services/inspect_import.py),
so an imported horizon can be traced back to the logs it came from. NULL for Horizon's own runs and
for runs imported before this revision.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-13 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("import_details", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_column("import_details")
