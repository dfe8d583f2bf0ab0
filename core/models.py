"""ORM models (SQLAlchemy 2 typed). The schema itself is created only by Alembic migrations."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core import models_baselining  # noqa: F401  # its tables belong to Base.metadata too
from core.agent_kinds import AGENT_KINDS
from core.orm import Base as Base  # re-exported: the models' base and clock are used with them
from core.orm import one_of
from core.orm import utcnow as utcnow
from core.states import (
    AnalysisStatus,
    BaselineSource,
    ImportJobStatus,
    Role,
    RunAttemptStatus,
    RunStatus,
    StopReason,
    WireApi,
)


class TaskFamily(Base):
    """Tasks that share a theme; the bootstrap resamples families before tasks."""

    __tablename__ = "task_families"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Task(Base):
    """A task; its content lives in versions. Human time is derived from baselines and cached here."""

    __tablename__ = "tasks"
    # A task's human time comes from baselines (timed ones count as baselines) or an estimate.
    __table_args__ = (one_of("human_minutes_source", (BaselineSource.BASELINE, BaselineSource.ESTIMATE)),)

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    family_id: Mapped[str] = mapped_column(ForeignKey("task_families.id"), index=True)
    title: Mapped[str] = mapped_column(String(500))
    tags: Mapped[list[Any]] = mapped_column(default=list)
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    human_minutes: Mapped[float | None] = mapped_column(Float, nullable=True)
    human_minutes_source: Mapped[str | None] = mapped_column(String(20), nullable=True)
    n_successful_baselines: Mapped[int] = mapped_column(Integer, default=0)
    # The token that made it (docs/security.md, "Ownership"): submitters change only their own;
    # None for rows made by the system, imports or the bootstrap admin (admins only).
    owner_token_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_tokens.id", ondelete="SET NULL"), nullable=True, index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    versions: Mapped[list[TaskVersion]] = relationship(
        back_populates="task", order_by="TaskVersion.version", cascade="all, delete-orphan"
    )
    baselines: Mapped[list[HumanBaseline]] = relationship(
        back_populates="task", order_by="HumanBaseline.id", cascade="all, delete-orphan"
    )


class TaskVersion(Base):
    """Immutable content of a task; runs point at the version they ran."""

    __tablename__ = "task_versions"
    __table_args__ = (UniqueConstraint("task_id", "version", name="uq_task_versions_task_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[str] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    instructions: Mapped[str] = mapped_column(Text)
    environment: Mapped[dict[str, Any]] = mapped_column()
    scorer: Mapped[dict[str, Any]] = mapped_column()
    solution: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    limits: Mapped[dict[str, Any]] = mapped_column()
    time_limit_s: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    task: Mapped[Task] = relationship(back_populates="versions")


class HumanBaseline(Base):
    """One person's attempt at a task (source `baseline`) or an estimate standing in for one."""

    __tablename__ = "human_baselines"
    __table_args__ = (one_of("source", BaselineSource),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[str] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    task_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    baseliner: Mapped[str] = mapped_column(String(200))
    minutes: Mapped[float] = mapped_column(Float)
    succeeded: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str] = mapped_column(String(20))
    notes: Mapped[str] = mapped_column(Text, default="")
    # Who recorded it (token id; None for imports and task folders). A timed baseline carries the
    # attempt it came from; only the server makes those (one per attempt).
    recorded_by_token_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_tokens.id", ondelete="SET NULL"), nullable=True
    )
    attempt_id: Mapped[int | None] = mapped_column(Integer, nullable=True, unique=True)
    # Deletion is soft: kept for audit, left out of human time.
    deleted_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    deleted_by_token_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    task: Mapped[Task] = relationship(back_populates="baselines")
    # The tokens behind the row, for the names shown with it (loaded with the row, never changed
    # through these).
    recorder: Mapped[ApiToken | None] = relationship(
        foreign_keys=[recorded_by_token_id], lazy="selectin", viewonly=True
    )
    deleter: Mapped[ApiToken | None] = relationship(
        primaryjoin="foreign(HumanBaseline.deleted_by_token_id) == ApiToken.id",
        lazy="selectin",
        viewonly=True,
    )

    @property
    def recorded_by(self) -> str | None:
        """Name of the token that recorded it (None: imports, task folders, the bootstrap admin)."""
        return self.recorder.name if self.recorder is not None else None

    @property
    def deleted_by(self) -> str | None:
        """Name of the token that deleted the baseline, if one did."""
        return self.deleter.name if self.deleter is not None else None


# The most GPUs one managed model's inference server may take (migration 0010 froze the same).
MAX_MODEL_GPUS = 8


class Model(Base):
    """What answers an agent's requests: an API endpoint or a server a GPU worker starts."""

    __tablename__ = "models"
    __table_args__ = (
        one_of("wire_api", WireApi),
        CheckConstraint(f"gpus >= 0 AND gpus <= {MAX_MODEL_GPUS}", name="gpus"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    provider: Mapped[str] = mapped_column(String(50))
    api_model: Mapped[str] = mapped_column(String(200))
    base_url: Mapped[str | None] = mapped_column(String(500), nullable=True)
    api_key_env: Mapped[str | None] = mapped_column(String(200), nullable=True)
    release_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    input_price_per_mtok: Mapped[float] = mapped_column(Float, default=0.0)
    output_price_per_mtok: Mapped[float] = mapped_column(Float, default=0.0)
    context_window: Mapped[int] = mapped_column(Integer, default=8192)
    # Prompt-cache prices per million tokens; None takes the provider's published ratio to the
    # input price (workers/providers/pricing.py).
    cached_input_price_per_mtok: Mapped[float | None] = mapped_column(Float, nullable=True)
    cache_write_price_per_mtok: Mapped[float | None] = mapped_column(Float, nullable=True)
    # Output tokens per call when the agent sets none; None takes the capability table's figure.
    max_output_tokens: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # OpenAI-format endpoints only: Chat Completions or the Responses API (core.states.WireApi).
    wire_api: Mapped[str] = mapped_column(String(20), default=WireApi.CHAT)
    # The token that made it (docs/security.md, "Ownership"): submitters change only their own;
    # None for rows made by the system, imports or the bootstrap admin (admins only).
    owner_token_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_tokens.id", ondelete="SET NULL"), nullable=True, index=True
    )
    managed: Mapped[bool] = mapped_column(Boolean, default=False)
    # The name of an operator-configured command template (HORIZON_INFERENCE_TEMPLATES); no API
    # caller ever supplies a command line (docs/security.md).
    server_template: Mapped[str | None] = mapped_column(String(100), nullable=True)
    weights: Mapped[str | None] = mapped_column(String(500), nullable=True)
    # GPUs a managed model's server takes on its worker's host (workers/gpu_host.py); 0 otherwise.
    gpus: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Agent(Base):
    """A scaffold + a model + settings (limits). This is what gets a horizon."""

    __tablename__ = "agents"
    __table_args__ = (one_of("kind", AGENT_KINDS),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    # scaffold | sandbox_program | inspect (core/agent_kinds.py); the scaffold runs it.
    kind: Mapped[str] = mapped_column(String(20), default="scaffold", server_default="scaffold")
    scaffold: Mapped[str] = mapped_column(String(100))
    # The agent's own version as its maker states it (e.g. a package version).
    version: Mapped[str | None] = mapped_column(String(100), nullable=True)
    model_id: Mapped[int | None] = mapped_column(ForeignKey("models.id"), nullable=True, index=True)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Overrides the model's release date for the trend (e.g. imported agents with no model row).
    release_date: Mapped[dt.date | None] = mapped_column(Date, nullable=True)
    # The token that made it (docs/security.md, "Ownership"): submitters change only their own;
    # None for rows made by the system, imports or the bootstrap admin (admins only).
    owner_token_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_tokens.id", ondelete="SET NULL"), nullable=True, index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    model: Mapped[Model | None] = relationship()


class Batch(Base):
    """A request for agents x tasks x repeats runs; the runs are its progress."""

    __tablename__ = "batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    repeats: Mapped[int] = mapped_column(Integer, default=1)
    request: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # The token that made it (docs/security.md, "Ownership"): submitters change only their own;
    # None for rows made by the system, imports or the bootstrap admin (admins only).
    owner_token_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_tokens.id", ondelete="SET NULL"), nullable=True, index=True
    )
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Run(Base):
    """One agent on one task version once. The row is the truth; queue messages only nudge."""

    __tablename__ = "runs"
    __table_args__ = (
        UniqueConstraint(
            "batch_id", "agent_id", "task_version_id", "repeat_index", name="uq_runs_batch_slot"
        ),
        UniqueConstraint("external_id", name="uq_runs_external_id"),
        Index("ix_runs_status_heartbeat", "status", "heartbeat_at"),
        one_of("status", RunStatus),
        one_of("stop_reason", StopReason),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("batches.id", ondelete="CASCADE"), nullable=True, index=True
    )
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"), index=True)
    task_version_id: Mapped[int] = mapped_column(ForeignKey("task_versions.id"), index=True)
    task_id: Mapped[str] = mapped_column(ForeignKey("tasks.id"), index=True)
    repeat_index: Mapped[int] = mapped_column(Integer, default=0)
    attempt: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20), default=RunStatus.QUEUED, index=True)
    stop_reason: Mapped[str | None] = mapped_column(String(30), nullable=True)
    score_cont: Mapped[float | None] = mapped_column(Float, nullable=True)
    score_binarized: Mapped[int | None] = mapped_column(Integer, nullable=True)
    tokens_in: Mapped[int] = mapped_column(Integer, default=0)
    tokens_out: Mapped[int] = mapped_column(Integer, default=0)
    cost_usd: Mapped[float] = mapped_column(Float, default=0.0)
    # What every attempt of this run cost, failed ones included (the sum of run_attempts.cost_usd);
    # `cost_usd` is the scored attempt's alone.
    spend_usd: Mapped[float] = mapped_column(Float, default=0.0)
    worker: Mapped[str | None] = mapped_column(String(200), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Runs loaded from another system (e.g. METR's runs files) keep their origin and id.
    external_id: Mapped[str | None] = mapped_column(String(300), nullable=True)
    imported_from: Mapped[str | None] = mapped_column(String(300), nullable=True)
    # What the source said about an imported run (an Inspect log's eval id, model, scorer, versions).
    import_details: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    # When a queue message was last sent for this queued run (see runs.requeue_lost).
    enqueued_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)

    agent: Mapped[Agent] = relationship()
    task_version: Mapped[TaskVersion] = relationship()


class RunAttempt(Base):
    """One attempt of a run: who ran it, how it ended, what it used and cost, how long it worked.

    Written when the attempt starts and updated when it ends, whatever the end: an attempt that
    failed for infrastructure reasons still spent tokens and money, and they are counted here.
    """

    __tablename__ = "run_attempts"
    __table_args__ = (
        UniqueConstraint("run_id", "attempt", name="uq_run_attempts_run_attempt"),
        one_of("status", RunAttemptStatus),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    attempt: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default=RunAttemptStatus.RUNNING)
    worker: Mapped[str | None] = mapped_column(String(200), nullable=True)
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    stop_reason: Mapped[str | None] = mapped_column(String(30), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Usage as the provider reported it: tokens_in counts every prompt token, the cache counts are
    # parts of it; reasoning tokens are a part of tokens_out.
    tokens_in: Mapped[int] = mapped_column(Integer, default=0)
    tokens_out: Mapped[int] = mapped_column(Integer, default=0)
    cache_read_tokens: Mapped[int] = mapped_column(Integer, default=0)
    cache_write_tokens: Mapped[int] = mapped_column(Integer, default=0)
    reasoning_tokens: Mapped[int] = mapped_column(Integer, default=0)
    model_calls: Mapped[int] = mapped_column(Integer, default=0)
    cost_usd: Mapped[float] = mapped_column(Float, default=0.0)
    # Working time excludes waits on the provider (retries, backoff, rate limits, slot queueing).
    working_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    wall_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    provider_wait_s: Mapped[float] = mapped_column(Float, default=0.0)
    served_model: Mapped[str | None] = mapped_column(String(200), nullable=True)


class TranscriptEvent(Base):
    """One event of one attempt's transcript, appended as it happens (a running attempt is
    readable live; every attempt keeps its own). `seq` counts from 0 within the attempt."""

    __tablename__ = "transcript_events"
    __table_args__ = (
        UniqueConstraint("run_id", "attempt", "seq", name="uq_transcript_events_run_attempt_seq"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"))
    attempt: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(40))
    event: Mapped[dict[str, Any]] = mapped_column(JSON)


class TranscriptArchive(Base):
    """Where one attempt's transcript went when it left `transcript_events`: moved whole into one
    compressed blob of the transcript archive (`state` archived; `key` names it), or removed by the
    retention policy (`state` removed; scores, tokens and costs stay on the run and its attempt).
    Written in the transaction that deletes the attempt's rows (core/services/transcript_storage.py)."""

    __tablename__ = "transcript_archives"
    __table_args__ = (
        UniqueConstraint("run_id", "attempt", name="uq_transcript_archives_run_attempt"),
        CheckConstraint("state IN ('archived', 'removed')", name="state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    attempt: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(10))
    key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    events: Mapped[int] = mapped_column(Integer, default=0)
    # The blob's compressed size and its SHA-256: a reader refuses a blob that is not the one written.
    blob_bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    blob_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    archived_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    removed_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)


class AnalysisResult(Base):
    """One horizon analysis: parameters, a fingerprint of its inputs, fits, bootstrap and trend."""

    __tablename__ = "analysis_results"
    __table_args__ = (one_of("status", AnalysisStatus),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(20), default=AnalysisStatus.QUEUED)
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    inputs_fingerprint: Mapped[str | None] = mapped_column(String(64), nullable=True)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    progress_done: Mapped[int] = mapped_column(Integer, default=0)
    progress_total: Mapped[int] = mapped_column(Integer, default=0)
    n_runs: Mapped[int] = mapped_column(Integer, default=0)
    n_infra_excluded: Mapped[int] = mapped_column(Integer, default=0)
    simulated: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Who asked for it (token id; None for jobs the system queued itself).
    created_by_token_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    # Set by an admin: the dashboard's default view shows the newest published analysis, so an
    # automatic refit never changes what a published link shows (migration 0014).
    published_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    published_by_token_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class AnalysisSample(Base):
    """One agent's bootstrap replicate horizons (p50 or p80) of a finished analysis, kept apart
    from `AnalysisResult.result`, which every dashboard view parses (migration 0017). `samples` is
    a JSON list, one entry per replicate: a float32-precision number of minutes, null where the
    replicate has no fit, "inf" where it is unbounded (core/services/analysis_samples.py)."""

    __tablename__ = "analysis_samples"
    __table_args__ = (
        UniqueConstraint("analysis_id", "agent", "metric", name="uq_analysis_samples_analysis_agent_metric"),
        CheckConstraint("metric IN ('p50', 'p80')", name="metric"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    analysis_id: Mapped[int] = mapped_column(
        ForeignKey("analysis_results.id", ondelete="CASCADE"), index=True
    )
    agent: Mapped[str] = mapped_column(String(200))
    metric: Mapped[str] = mapped_column(String(3))
    samples: Mapped[list[Any]] = mapped_column(JSON)


class TaskImportJob(Base):
    """An admin's uploaded task archive that a worker imports (METR families: their Python runs
    only in a sandbox there). The archive is kept until the job finishes; `result` then holds the
    per-task answers, or `error` why nothing was stored."""

    __tablename__ = "task_import_jobs"
    __table_args__ = (one_of("status", ImportJobStatus),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(20), default=ImportJobStatus.QUEUED, index=True)
    format: Mapped[str] = mapped_column(String(20))
    archive_name: Mapped[str] = mapped_column(String(300))
    archive: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_by_token_id: Mapped[int | None] = mapped_column(
        ForeignKey("api_tokens.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    finished_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)


class TaskHealthCheck(Base):
    """Outcome of oracle (must score 1) and null (must score 0) checks on one task version."""

    __tablename__ = "task_health_checks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_version_id: Mapped[int] = mapped_column(
        ForeignKey("task_versions.id", ondelete="CASCADE"), index=True
    )
    healthy: Mapped[bool] = mapped_column(Boolean)
    flaky: Mapped[bool] = mapped_column(Boolean, default=False)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    checked_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ApiToken(Base):
    """An API token; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"
    __table_args__ = (one_of("role", Role),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Unique: a name says who holds the token, and people are told apart by it in the web.
    name: Mapped[str] = mapped_column(String(200), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)


class WebSession(Base):
    """A signed-in browser session. The cookie carries a random id; only its SHA-256 is stored,
    so sign-out (or revoking the token) ends the session on the server, whatever the cookie says."""

    __tablename__ = "web_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("api_tokens.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column()
    ended_at: Mapped[dt.datetime | None] = mapped_column(nullable=True)


class Deployment(Base):
    """One row: this deployment's identity, made when its database is first migrated. Sandboxes
    are labelled with it, so deployments sharing one Docker daemon never touch each other's."""

    __tablename__ = "deployment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
