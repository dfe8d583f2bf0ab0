"""Transcript archives: where an attempt's transcript went when it left `transcript_events`

- `transcript_archives`, one row per (run, attempt) whose events were moved into one compressed
  blob of the transcript archive (`state` archived, `key` the blob's name, its size and SHA-256),
  or removed by the retention policy (`state` removed). Attempts without a row keep their events
  in `transcript_events`, as before.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "transcript_archives",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=True),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("blob_bytes", sa.BigInteger(), nullable=False),
        sa.Column("blob_sha256", sa.String(length=64), nullable=True),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("state IN ('archived', 'removed')", name=op.f("ck_transcript_archives_state")),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_transcript_archives_run_id_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transcript_archives")),
        sa.UniqueConstraint("run_id", "attempt", name="uq_transcript_archives_run_attempt"),
    )
    op.create_index(op.f("ix_transcript_archives_run_id"), "transcript_archives", ["run_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_transcript_archives_run_id"), table_name="transcript_archives")
    op.drop_table("transcript_archives")
