"""task_import_jobs: an admin's uploaded task archive, imported by a worker

`POST /api/imports/tasks?format=metr` stores the archive here and answers 202; a worker imports it
(each family's task listing runs in a sandbox there), stores the tasks and the per-task answers in
`result` (or why nothing was stored in `error`) and clears `archive`. Statuses: queued, running,
done, failed (frozen here, see migration 0008).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-15 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUSES = ("queued", "running", "done", "failed")


def upgrade() -> None:
    op.create_table(
        "task_import_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("format", sa.String(length=20), nullable=False),
        sa.Column("archive_name", sa.String(length=300), nullable=False),
        sa.Column("archive", sa.LargeBinary(), nullable=True),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_by_token_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            f"status IN ({', '.join(repr(s) for s in STATUSES)})", name=op.f("ck_task_import_jobs_status")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_token_id"],
            ["api_tokens.id"],
            name=op.f("fk_task_import_jobs_created_by_token_id_api_tokens"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_import_jobs")),
    )
    op.create_index(op.f("ix_task_import_jobs_status"), "task_import_jobs", ["status"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_task_import_jobs_status"), table_name="task_import_jobs")
    op.drop_table("task_import_jobs")
