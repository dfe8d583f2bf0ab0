"""Published analyses: an admin marks the analysis a public dashboard link shows by default

- `analysis_results.published_at` (nullable): when an admin published the analysis; null when it
  is not published. The dashboard without `?analysis=` shows the newest published analysis, so an
  automatic refit after a batch never changes a published view.
- `analysis_results.published_by_token_id` (nullable): the admin token that published it.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-16 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("analysis_results", schema=None) as batch_op:
        batch_op.add_column(sa.Column("published_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("published_by_token_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("analysis_results", schema=None) as batch_op:
        batch_op.drop_column("published_by_token_id")
        batch_op.drop_column("published_at")
