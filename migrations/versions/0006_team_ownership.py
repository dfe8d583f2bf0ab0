"""Team ownership: owners of tasks, models, agents and batches; honest baselines; unique token names

- tasks, models, agents, batches: owner_token_id (the token that made the row; None for rows made
  by the system, imports or the bootstrap admin, which only admins may change).
- human_baselines: recorded_by_token_id, attempt_id (unique: one timed baseline per attempt),
  deleted_at and deleted_by_token_id (deletion is soft, kept for audit).
- baselining_attempts.token_id: attempts belong to a token, not to a name.
- api_tokens.name is unique; existing duplicates get their id appended.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 16:20:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OWNED = ("tasks", "models", "agents", "batches")


def upgrade() -> None:
    for table in OWNED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("owner_token_id", sa.Integer(), nullable=True))
            batch_op.create_index(batch_op.f(f"ix_{table}_owner_token_id"), ["owner_token_id"])
            batch_op.create_foreign_key(
                batch_op.f(f"fk_{table}_owner_token_id_api_tokens"),
                "api_tokens",
                ["owner_token_id"],
                ["id"],
                ondelete="SET NULL",
            )
    with op.batch_alter_table("human_baselines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recorded_by_token_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("attempt_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("deleted_by_token_id", sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f("uq_human_baselines_attempt_id"), ["attempt_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_human_baselines_recorded_by_token_id_api_tokens"),
            "api_tokens",
            ["recorded_by_token_id"],
            ["id"],
            ondelete="SET NULL",
        )
    # Timed baselines made before this column existed: link them to their attempt.
    op.execute(
        "UPDATE human_baselines SET attempt_id = (SELECT MIN(a.id) FROM baselining_attempts a "
        "WHERE a.baseline_id = human_baselines.id)"
    )
    with op.batch_alter_table("baselining_attempts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("token_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_baselining_attempts_token_id"), ["token_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_baselining_attempts_token_id_api_tokens"),
            "api_tokens",
            ["token_id"],
            ["id"],
            ondelete="SET NULL",
        )
    # Names must be unique from now on: later duplicates get their id appended.
    op.execute(
        "UPDATE api_tokens SET name = name || '-' || CAST(id AS VARCHAR(20)) WHERE id NOT IN "
        "(SELECT MIN(id) FROM api_tokens GROUP BY name)"
    )
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f("uq_api_tokens_name"), ["name"])


def downgrade() -> None:
    with op.batch_alter_table("api_tokens", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_api_tokens_name"), type_="unique")
    with op.batch_alter_table("baselining_attempts", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_baselining_attempts_token_id_api_tokens"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_baselining_attempts_token_id"))
        batch_op.drop_column("token_id")
    with op.batch_alter_table("human_baselines", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_human_baselines_recorded_by_token_id_api_tokens"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("uq_human_baselines_attempt_id"), type_="unique")
        batch_op.drop_column("deleted_by_token_id")
        batch_op.drop_column("deleted_at")
        batch_op.drop_column("attempt_id")
        batch_op.drop_column("recorded_by_token_id")
    for table in OWNED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f"fk_{table}_owner_token_id_api_tokens"), type_="foreignkey")
            batch_op.drop_index(batch_op.f(f"ix_{table}_owner_token_id"))
            batch_op.drop_column("owner_token_id")
