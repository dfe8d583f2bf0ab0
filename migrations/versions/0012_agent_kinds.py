"""Agent kinds and versions: what an agent is, and which version of it was measured

- `agents.kind` (`scaffold`, `sandbox_program` or `inspect`; a CHECK constraint
  `ck_agents_kind`): a scaffold by name, a program running inside the task's sandbox behind the
  model proxy, or an Inspect agent by import path (core/agent_kinds.py). Existing agents are
  `scaffold`.
- `agents.version`: the agent's own version as its maker states it (free text, NULL when unsaid).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-14 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen here: the kinds core/agent_kinds.py had at this revision.
AGENT_KINDS = ("scaffold", "sandbox_program", "inspect")


def upgrade() -> None:
    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(20), nullable=False, server_default="scaffold"))
        batch_op.add_column(sa.Column("version", sa.String(100), nullable=True))
        batch_op.create_check_constraint(
            batch_op.f("ck_agents_kind"), f"kind IN ({', '.join(repr(k) for k in AGENT_KINDS)})"
        )


def downgrade() -> None:
    with op.batch_alter_table("agents", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_agents_kind"), type_="check")
        batch_op.drop_column("version")
        batch_op.drop_column("kind")
