"""Attempts and live transcripts: a row per run attempt, transcripts as appended events, cache prices

- `run_attempts`: one row per attempt a worker started (status, usage split into cached and
  reasoning tokens, cost, working and wall time, served model). Existing runs get one row for
  their last attempt, from what the run row holds.
- `transcript_events`: one row per transcript event, appended while the attempt runs, keyed by
  (run, attempt, seq). The old one-array-per-run `run_transcripts` rows are copied into it, event
  by event, and the table is dropped.
- `runs.spend_usd`: the cost of all of a run's attempts (existing rows: their `cost_usd`).
- `models`: `cached_input_price_per_mtok`, `cache_write_price_per_mtok` (NULL: the provider's
  published ratio), `max_output_tokens` (NULL: the capability table's), `wire_api` (`chat` or
  `responses`; existing rows `chat`).

The allowed values in the CHECK constraints are frozen here (see migration 0008).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-10 10:00:00.000000
"""

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ATTEMPT_STATUSES = ("running", "completed", "infra_error", "abandoned")
WIRE_APIS = ("chat", "responses")
# Events copied per insert while moving the old transcripts.
COPY_CHUNK = 2000


def _in(column: str, allowed: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in allowed)})"


def upgrade() -> None:
    op.create_table(
        "run_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("worker", sa.String(length=200), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("stop_reason", sa.String(length=30), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("tokens_in", sa.Integer(), nullable=False),
        sa.Column("tokens_out", sa.Integer(), nullable=False),
        sa.Column("cache_read_tokens", sa.Integer(), nullable=False),
        sa.Column("cache_write_tokens", sa.Integer(), nullable=False),
        sa.Column("reasoning_tokens", sa.Integer(), nullable=False),
        sa.Column("model_calls", sa.Integer(), nullable=False),
        sa.Column("cost_usd", sa.Float(), nullable=False),
        sa.Column("working_s", sa.Float(), nullable=True),
        sa.Column("wall_s", sa.Float(), nullable=True),
        sa.Column("provider_wait_s", sa.Float(), nullable=False),
        sa.Column("served_model", sa.String(length=200), nullable=True),
        sa.CheckConstraint(_in("status", ATTEMPT_STATUSES), name=op.f("ck_run_attempts_status")),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_run_attempts_run_id_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_run_attempts")),
        sa.UniqueConstraint("run_id", "attempt", name="uq_run_attempts_run_attempt"),
    )
    op.create_index(op.f("ix_run_attempts_run_id"), "run_attempts", ["run_id"], unique=False)
    op.create_table(
        "transcript_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("event", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_transcript_events_run_id_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transcript_events")),
        sa.UniqueConstraint("run_id", "attempt", "seq", name="uq_transcript_events_run_attempt_seq"),
    )
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("spend_usd", sa.Float(), nullable=False, server_default="0"))
    with op.batch_alter_table("models", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cached_input_price_per_mtok", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("cache_write_price_per_mtok", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("max_output_tokens", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("wire_api", sa.String(length=20), nullable=False, server_default="chat")
        )
        batch_op.create_check_constraint(batch_op.f("ck_models_wire_api"), _in("wire_api", WIRE_APIS))

    conn = op.get_bind()
    conn.execute(sa.text("UPDATE runs SET spend_usd = cost_usd"))
    conn.execute(
        sa.text(
            "INSERT INTO run_attempts (run_id, attempt, status, worker, started_at, finished_at, "
            "stop_reason, error, tokens_in, tokens_out, cache_read_tokens, cache_write_tokens, "
            "reasoning_tokens, model_calls, cost_usd, working_s, wall_s, provider_wait_s) "
            "SELECT id, attempt, CASE status WHEN 'completed' THEN 'completed' "
            "WHEN 'infra_error' THEN 'infra_error' ELSE 'abandoned' END, worker, "
            "COALESCE(started_at, created_at), finished_at, stop_reason, error, tokens_in, tokens_out, "
            "0, 0, 0, 0, cost_usd, NULL, NULL, 0 FROM runs "
            "WHERE attempt > 0 AND status IN ('completed', 'infra_error', 'cancelled')"
        )
    )
    _copy_transcripts(conn)
    op.drop_table("run_transcripts")


def _copy_transcripts(conn: Any) -> None:
    """Every event of every old transcript array becomes a row, in order."""
    events = sa.table(
        "transcript_events",
        sa.column("run_id", sa.Integer()),
        sa.column("attempt", sa.Integer()),
        sa.column("seq", sa.Integer()),
        sa.column("kind", sa.String()),
        sa.column("event", sa.JSON()),
    )
    old = sa.table(
        "run_transcripts",
        sa.column("run_id", sa.Integer()),
        sa.column("attempt", sa.Integer()),
        sa.column("events", sa.JSON()),
    )
    run_ids = [r[0] for r in conn.execute(sa.select(old.c.run_id).order_by(old.c.run_id))]
    for run_id in run_ids:
        attempt, stored = conn.execute(
            sa.select(old.c.attempt, old.c.events).where(old.c.run_id == run_id)
        ).one()
        rows = []
        for seq, event in enumerate(stored if isinstance(stored, list) else []):
            if not isinstance(event, dict):
                event = {"kind": "value", "value": event}
            kind = str(event.get("kind") or event.get("type") or "event")[:40]
            rows.append({"run_id": run_id, "attempt": attempt, "seq": seq, "kind": kind, "event": event})
        for start in range(0, len(rows), COPY_CHUNK):
            conn.execute(sa.insert(events), rows[start : start + COPY_CHUNK])


def downgrade() -> None:
    op.create_table(
        "run_transcripts",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("events", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_run_transcripts_run_id_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_run_transcripts")),
    )
    conn = op.get_bind()
    events = sa.table(
        "transcript_events",
        sa.column("run_id", sa.Integer()),
        sa.column("attempt", sa.Integer()),
        sa.column("seq", sa.Integer()),
        sa.column("event", sa.JSON()),
    )
    old = sa.table(
        "run_transcripts",
        sa.column("run_id", sa.Integer()),
        sa.column("attempt", sa.Integer()),
        sa.column("events", sa.JSON()),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    latest = conn.execute(
        sa.select(events.c.run_id, sa.func.max(events.c.attempt)).group_by(events.c.run_id)
    ).all()
    # A value, not SQL: these inserts bind their parameters.
    now = dt.datetime.now(dt.UTC)
    for run_id, attempt in latest:
        kept = [
            r[0]
            for r in conn.execute(
                sa.select(events.c.event)
                .where(events.c.run_id == run_id, events.c.attempt == attempt)
                .order_by(events.c.seq)
            )
        ]
        conn.execute(
            sa.insert(old),
            [{"run_id": run_id, "attempt": attempt, "events": kept, "updated_at": now}],
        )
    op.drop_table("transcript_events")
    op.drop_index(op.f("ix_run_attempts_run_id"), table_name="run_attempts")
    op.drop_table("run_attempts")
    with op.batch_alter_table("runs", schema=None) as batch_op:
        batch_op.drop_column("spend_usd")
    with op.batch_alter_table("models", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_models_wire_api"), type_="check")
        batch_op.drop_column("wire_api")
        batch_op.drop_column("max_output_tokens")
        batch_op.drop_column("cache_write_price_per_mtok")
        batch_op.drop_column("cached_input_price_per_mtok")
