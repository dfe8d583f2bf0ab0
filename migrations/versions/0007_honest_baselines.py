"""Honest baselines: timed baselines get their own source; attempts record the page's last sign

- human_baselines.source `timed` for baselines the server stored from a baselining attempt (the
  rows 0006 linked to their attempt); `baseline` stays for baselines recorded by hand.
- baselining_attempts.last_seen_at: the last transition or heartbeat of the person's page; an
  active attempt without one for HORIZON_BASELINE_IDLE_PAUSE_S counts as paused from it. Attempts
  running at upgrade time are seen now (their page may still be open).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("baselining_attempts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE baselining_attempts SET last_seen_at = CURRENT_TIMESTAMP WHERE status = 'active'")
    op.execute("UPDATE human_baselines SET source = 'timed' WHERE attempt_id IS NOT NULL")


def downgrade() -> None:
    op.execute("UPDATE human_baselines SET source = 'baseline' WHERE source = 'timed'")
    with op.batch_alter_table("baselining_attempts", schema=None) as batch_op:
        batch_op.drop_column("last_seen_at")
