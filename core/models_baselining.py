"""ORM models for timed human baselining: one attempt per person and task, and its timer events.

The active time of an attempt is computed on the server from its timer events (start, pause,
resume, submit, abandon), each stamped with the server's clock; the browser only asks for a
transition and never reports a duration.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.orm import Base, one_of, utcnow
from core.states import AttemptStatus

# Timer event kinds.
EVENT_START = "start"
EVENT_PAUSE = "pause"
EVENT_RESUME = "resume"
EVENT_SUBMIT = "submit"
EVENT_ABANDON = "abandon"
# Not a timer event: the attempt's work happens in a live sandbox held by the web server (stamped
# just before `start`, once the sandbox is up); it is scored there, not by a worker.
EVENT_SANDBOX = "sandbox"
EVENT_KINDS = (EVENT_START, EVENT_PAUSE, EVENT_RESUME, EVENT_SUBMIT, EVENT_ABANDON, EVENT_SANDBOX)


class BaseliningAttempt(Base):
    """One person's timed attempt at one task version, from start to a scored answer."""

    __tablename__ = "baselining_attempts"
    __table_args__ = (one_of("status", AttemptStatus),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[str] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    task_version: Mapped[int] = mapped_column(Integer)
    baseliner: Mapped[str] = mapped_column(String(200), index=True)
    # The token that owns the attempt (names are not proof of identity); None only for attempts
    # made before ownership was recorded.
    token_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_tokens.id", ondelete="SET NULL"), nullable=True, index=True
    )
    status: Mapped[str] = mapped_column(String(20), default=AttemptStatus.ACTIVE)
    answer: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Filled at submission, from the events; never sent by the browser.
    active_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    succeeded: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    baseline_id: Mapped[int | None] = mapped_column(
        ForeignKey("human_baselines.id", ondelete="SET NULL"), nullable=True
    )
    # What the person should know about the scoring (why it is pending, what failed).
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    # The last sign of life of the person's page (a transition or a heartbeat): an active attempt
    # without one for HORIZON_BASELINE_IDLE_PAUSE_S counts as paused from this moment.
    last_seen_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    scored_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    # When a scoring message was last sent (see runs.requeue_lost, which re-sends an old one).
    scoring_enqueued_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)

    events: Mapped[list[BaseliningEvent]] = relationship(
        back_populates="attempt", order_by="BaseliningEvent.id", cascade="all, delete-orphan"
    )


class BaseliningEvent(Base):
    """A timer transition, stamped with the server's clock when the server accepted it."""

    __tablename__ = "baselining_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("baselining_attempts.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    attempt: Mapped[BaseliningAttempt] = relationship(back_populates="events")
