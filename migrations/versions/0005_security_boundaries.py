"""Security boundaries: model server templates, server-side web sessions, deployment identity

- models.server_command (a command line an API caller supplied) is replaced by server_template,
  the name of a command template the operator configures on the workers. Managed models made
  before this have no template and cannot start until an admin names one.
- web_sessions: signed-in browser sessions, so that sign-out ends a session on the server.
- deployment: one row with a random instance id, made here, that labels this deployment's
  sandboxes (docs/security.md, "Deployments sharing a Docker daemon").
- analysis_results.created_by_token_id: who asked for an analysis (for caps and cancelling).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 16:00:00.000000
"""

import datetime as dt
import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("models", schema=None) as batch_op:
        batch_op.add_column(sa.Column("server_template", sa.String(length=100), nullable=True))
        batch_op.drop_column("server_command")
    with op.batch_alter_table("analysis_results", schema=None) as batch_op:
        batch_op.add_column(sa.Column("created_by_token_id", sa.Integer(), nullable=True))
    op.create_table(
        "web_sessions",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["token_id"],
            ["api_tokens.id"],
            name=op.f("fk_web_sessions_token_id_api_tokens"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id_hash", name=op.f("pk_web_sessions")),
    )
    op.create_index(op.f("ix_web_sessions_token_id"), "web_sessions", ["token_id"], unique=False)
    deployment = op.create_table(
        "deployment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("instance_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deployment")),
    )
    op.bulk_insert(
        deployment,
        [{"id": 1, "instance_id": "d-" + secrets.token_hex(8), "created_at": dt.datetime.now(dt.UTC)}],
    )


def downgrade() -> None:
    op.drop_table("deployment")
    op.drop_index(op.f("ix_web_sessions_token_id"), table_name="web_sessions")
    op.drop_table("web_sessions")
    with op.batch_alter_table("analysis_results", schema=None) as batch_op:
        batch_op.drop_column("created_by_token_id")
    with op.batch_alter_table("models", schema=None) as batch_op:
        batch_op.add_column(sa.Column("server_command", sa.Text(), nullable=True))
        batch_op.drop_column("server_template")
