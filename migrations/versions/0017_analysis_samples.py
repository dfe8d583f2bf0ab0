"""Analysis samples: each agent's bootstrap replicate horizons, kept apart from the result JSON

- `analysis_samples`, one row per (analysis, agent, metric `p50` or `p80`) with the replicate
  horizons as a JSON list (float32-precision minutes, null for a replicate without a fit, "inf"
  for an unbounded one). Written with the result for analyses whose replicates x agents is within
  the cap (core/services/analysis_samples.py); deleted with their analysis. The result JSON that
  every dashboard view parses keeps only counts, so it does not grow.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 10:45:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "analysis_samples",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("analysis_id", sa.Integer(), nullable=False),
        sa.Column("agent", sa.String(length=200), nullable=False),
        sa.Column("metric", sa.String(length=3), nullable=False),
        sa.Column("samples", sa.JSON(), nullable=False),
        sa.CheckConstraint("metric IN ('p50', 'p80')", name=op.f("ck_analysis_samples_metric")),
        sa.ForeignKeyConstraint(
            ["analysis_id"],
            ["analysis_results.id"],
            name=op.f("fk_analysis_samples_analysis_id_analysis_results"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_analysis_samples")),
        sa.UniqueConstraint(
            "analysis_id", "agent", "metric", name="uq_analysis_samples_analysis_agent_metric"
        ),
    )
    op.create_index(
        op.f("ix_analysis_samples_analysis_id"), "analysis_samples", ["analysis_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_analysis_samples_analysis_id"), table_name="analysis_samples")
    op.drop_table("analysis_samples")
