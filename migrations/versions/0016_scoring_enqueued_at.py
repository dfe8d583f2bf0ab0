"""baselining_attempts.scoring_enqueued_at: when a scoring message was last sent for an attempt

Like `runs.enqueued_at` (0004): a submitted attempt waits in `scoring` for the
`baselines.score_attempt` job, and that message can be lost. The `runs.requeue_lost` sweep sends
another one for an attempt whose last message is older than HORIZON_REQUEUE_AFTER_S; this column
says when the last one was sent (NULL: never stamped, so overdue).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 10:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("baselining_attempts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scoring_enqueued_at", sa.DateTime(timezone=True), nullable=True))
    # Attempts already waiting were sent their message when they were submitted.
    op.execute("UPDATE baselining_attempts SET scoring_enqueued_at = submitted_at WHERE status = 'scoring'")


def downgrade() -> None:
    with op.batch_alter_table("baselining_attempts", schema=None) as batch_op:
        batch_op.drop_column("scoring_enqueued_at")
