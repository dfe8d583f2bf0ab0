"""Model GPUs: how many GPUs a managed model's inference server takes on its host

- `models.gpus` (0..8, a CHECK constraint `ck_models_gpus`): the GPU worker takes that many of
  its host's free GPUs for the server (workers/gpu_host.py) and starts it with only those
  visible. Existing managed models get 1 (the one GPU a server used to take implicitly); models
  served elsewhere get 0.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-12 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen here: the bound core/models.py had at this revision.
MAX_MODEL_GPUS = 8


def upgrade() -> None:
    with op.batch_alter_table("models", schema=None) as batch_op:
        batch_op.add_column(sa.Column("gpus", sa.Integer(), nullable=False, server_default="0"))
        batch_op.create_check_constraint(
            batch_op.f("ck_models_gpus"), f"gpus >= 0 AND gpus <= {MAX_MODEL_GPUS}"
        )
    op.get_bind().execute(sa.text("UPDATE models SET gpus = 1 WHERE managed"))


def downgrade() -> None:
    with op.batch_alter_table("models", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_models_gpus"), type_="check")
        batch_op.drop_column("gpus")
