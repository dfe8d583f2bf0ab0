"""All configuration in one pydantic-settings class.

With no environment variables set, Horizon runs embedded: SQLite in `./data`, an in-process job
queue, no Redis. `DATABASE_URL` and `REDIS_URL` switch to PostgreSQL and Celery on Redis.
"""

from __future__ import annotations

import json
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.taskspec import TaskMaxima, parse_image_list


class Settings(BaseSettings):
    """Horizon's configuration, read from HORIZON_* environment variables (the README lists them)."""

    model_config = SettingsConfigDict(env_prefix="HORIZON_", extra="ignore")

    data_dir: Path = Path("data")
    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "HORIZON_DATABASE_URL")
    )
    redis_url: str | None = Field(
        default=None, validation_alias=AliasChoices("REDIS_URL", "HORIZON_REDIS_URL")
    )
    # The Alembic scripts folder this process migrates with and checks the schema against (None:
    # the `migrations/` shipped with this code). Only for rehearsing an upgrade: a process given a
    # newer folder behaves as the newer code would at its schema check (docs/operations.md, "Upgrade").
    migrations_dir: Path | None = None

    # Access: reads are open unless this is set; writes always need a token with the right role.
    read_requires_token: bool = False
    # A bootstrap admin token (compared by hash); optional, `horizon token create` is the usual way.
    admin_token: str | None = None
    session_secret: str | None = None

    # Run lifecycle. Heartbeats are refreshed every `heartbeat_interval_s`; a running row whose
    # heartbeat is older than `stale_after_s` is presumed dead and re-queued (up to max_attempts).
    heartbeat_interval_s: float = 2.0
    stale_after_s: float = 60.0
    reap_interval_s: float = 15.0
    max_attempts: int = 3
    # An attempt that failed for infrastructure reasons is retried after this delay, doubled for
    # each further attempt (capped at 300 s): a daemon that answers but cannot start containers
    # yet, or a provider in an outage, must not burn every attempt of every run within seconds.
    infra_retry_delay_s: float = 10.0
    # How long one attempt may wait on its model provider (rate limits, backoff, failed requests,
    # queueing for a request slot) before the outage becomes an infrastructure failure; an agent's
    # `outage_budget_s` setting overrides it. The wait never counts as the agent's working time.
    provider_outage_budget_s: float = Field(default=1800.0, ge=0.0, le=7 * 86400.0)
    # Limits per model endpoint (URL and key variable): requests in flight, and requests a minute
    # (None: no rate limit). With Redis they hold for the whole deployment, without it per process
    # (workers/providers/shared_limits.py; docs/operations.md, "Provider limits").
    provider_concurrency: int = Field(default=32, ge=1, le=10_000)
    provider_rpm: int | None = Field(default=None, ge=1, le=1_000_000)
    # A queued run (or a baselining attempt waiting for its scoring job) whose last queue message
    # is older than this is sent another one (a message can be lost; duplicates are harmless). A
    # broker that lost its data is detected and handled sooner.
    requeue_after_s: float = 3600.0
    # Redis redelivers an unacknowledged message after this many seconds. It must exceed the
    # longest run (acks_late): the heartbeat reaper, not redelivery, recovers runs of dead workers.
    visibility_timeout_s: int = 12 * 3600
    # How often a worker sweeps Redis for unacknowledged messages past their visibility timeout.
    unacked_restore_interval_s: int = 30

    # `horizon worker`: "threads" runs many attempts in one process (runs are I/O bound: a thread
    # costs a few MiB where a process cost ~90), "prefork" one process per job (CPU-bound analyses),
    # "auto" prefork for a worker of the analysis queue alone, else threads. Concurrency None: sized
    # to the host (cli/worker_pool.py; docs/operations.md, "Workers").
    worker_pool: Literal["auto", "threads", "prefork"] = "auto"
    worker_concurrency: int | None = Field(default=None, ge=1, le=1024)
    # Database connections per process (pool and overflow). Threads of one worker share them, each
    # holding one only for a short transaction; mind the server's max_connections over all processes.
    db_pool_size: int = Field(default=10, ge=1, le=500)
    db_max_overflow: int = Field(default=20, ge=0, le=500)
    embedded_workers: int = 2
    # Analyses run on their own in-process pool in embedded mode, so a long fit never holds a run's
    # slot (in distributed mode they go to the `analysis` queue and its own worker).
    embedded_analysis_workers: int = 1
    # Largest bootstrap a submitter may ask for (admins: up to the schema's 100,000).
    analysis_max_bootstrap_submitter: int = 2000

    # Operator maxima for a task's sandbox (core/taskspec.py has the absolute ceilings). They apply
    # to everyone, admins included, at every edge and again when a worker creates the container:
    # a stored version above them (stored before they were lowered) is refused, not shrunk.
    task_max_cpus: float = 4.0
    task_max_memory_mb: int = 8192
    task_max_disk_mb: int = 8192
    task_max_pids: int = 1024
    # GPUs one task's sandbox may ask for (0 refuses GPU tasks on this deployment).
    task_max_gpus: int = Field(default=8, ge=0, le=8)
    task_max_time_limit_s: int = 86400
    # Base images besides horizon-base that task Dockerfiles may name (`FROM python:3.13-slim`):
    # comma-separated references of images the operator loaded into the Docker daemon (`docker
    # load`; nothing is pulled). Checked when a task is stored and again when a worker builds it.
    extra_base_images: str = Field(default="", max_length=4096)
    # Per-token quotas: unfinished (queued or running) runs of a submitter's batches, runs one batch
    # may create (everyone), and unfinished analyses a submitter may have. Admins have no quota.
    quota_queued_runs: int = 20000
    max_batch_runs: int = 20000
    quota_analyses: int = 2
    # Task health checks a submitter's token may have queued or running (task page, API).
    quota_health_checks: int = Field(default=3, ge=1, le=100)

    # A running baselining attempt whose page sent no heartbeat (every minute while visible) or
    # transition for this long counts as paused from its last one (core/services/baselining.py).
    baseline_idle_pause_s: float = Field(default=1800.0, ge=120.0, le=86400.0)
    # A baselining attempt's live sandbox (workers/live_baselining.py) is removed, and the attempt
    # ended as abandoned, once it has stayed paused this long (idle pauses included).
    baseline_sandbox_paused_s: float = Field(default=7200.0, ge=60.0, le=30 * 86400.0)

    # Comma-separated names of scaffolds registered by plug-ins (besides react, oracle, null).
    extra_scaffolds: str = ""
    # Inspect agents (workers/scaffolds/inspect_agent.py): the import paths an agent of kind
    # `inspect` may name for its agent and its tools (exact `module:name`, or prefixes ending in
    # `*`). Whatever is named runs in the worker's process, so only the operator widens these.
    inspect_agents: str = Field(default="inspect_ai.agent:react", max_length=4096)
    inspect_tools: str = Field(
        default="inspect_ai.tool:bash,inspect_ai.tool:python,inspect_ai.tool:think", max_length=4096
    )

    sandbox_backend: str = "docker"
    docker_host: str | None = None

    # Managed inference servers start only from command templates the operator configures on the
    # workers (name -> template with {weights}, {port}, {host}, {python}), as JSON here and/or in a
    # JSON or TOML file; a model names one. No API caller supplies a command line.
    inference_templates: dict[str, str] = Field(default_factory=dict)
    inference_templates_file: Path | None = None
    # GPUs of this host (workers/gpu_host.py): "auto" asks nvidia-smi, "none" has none, or an
    # explicit "index:memory_MiB,..." list. Which are held by whom lives in a folder shared by
    # every Horizon process on the host (None: "horizon-host" in the system temp folder); a
    # process asking for busy GPUs waits up to gpu_wait_s for them.
    gpus: str = Field(default="auto", max_length=4096)
    host_state_dir: Path | None = None
    gpu_wait_s: float = Field(default=1800.0, ge=0.0, le=7 * 86400.0)

    # Model API keys (core/model_keys.py): the variables a model may name (exact names, or prefixes
    # ending in *), and the base URLs each variable's key may be sent to. Set both on the API and
    # on the workers: a key goes only to an endpoint the operator bound it to.
    model_key_envs: str = "OPENAI_API_KEY,ANTHROPIC_API_KEY,HORIZON_MODEL_KEY_*"
    model_key_endpoints: dict[str, list[str]] = Field(
        default_factory=lambda: {
            "OPENAI_API_KEY": ["https://api.openai.com/v1"],
            "ANTHROPIC_API_KEY": ["https://api.anthropic.com", "https://api.anthropic.com/v1"],
        }
    )

    # Transcript storage (core/services/transcript_storage.py; docs/operations.md, "Transcript
    # storage"). With `transcript_archive` on, an ended attempt's events move from the database
    # into one gzip'd JSON Lines blob under `transcript_archive_dir` (None: `transcripts` in the
    # data folder). The caps bound one attempt's transcript (None: no cap): past either, one
    # `transcript_truncated` event is recorded and only the attempt's closing events are kept.
    # Transcripts of attempts that are not their run's last (with `transcript_retention_all`, of
    # every ended attempt) are removed `transcript_retention_days` after they ended (None: kept).
    transcript_archive: bool = False
    transcript_archive_dir: Path | None = None
    transcript_max_events: int | None = Field(default=None, ge=10, le=100_000_000)
    transcript_max_bytes: int | None = Field(default=None, ge=10_000, le=1 << 40)
    transcript_retention_days: float | None = Field(default=None, ge=0.0, le=365_000.0)
    transcript_retention_all: bool = False

    api_host: str = "127.0.0.1"
    api_port: int = 8000
    # Host names (comma-separated; `*.example.org` and `*` allowed) the server answers to; any
    # other Host header gets 400, which defeats DNS rebinding. Add the name users browse to.
    allowed_hosts: str = "localhost,127.0.0.1,[::1]"
    # Request bodies are refused (413) past these sizes before being read: most requests are
    # small; whole tasks (POST/PATCH /api/tasks, the task form with its 32 MB archive) get more.
    max_request_bytes: int = 1024 * 1024
    max_upload_bytes: int = 40 * 1024 * 1024

    @property
    def effective_database_url(self) -> str:
        """The database to use: DATABASE_URL, or SQLite in the data folder."""
        if self.database_url:
            return normalise_database_url(self.database_url)
        return f"sqlite:///{(self.data_dir / 'horizon.db').as_posix()}"

    @property
    def transcript_archive_root(self) -> Path:
        """The folder of the filesystem transcript archive."""
        return self.transcript_archive_dir or self.data_dir / "transcripts"

    def infra_retry_delay(self, attempt: int) -> float:
        """Seconds before the attempt after failed attempt `attempt` (1-based) starts."""
        return min(300.0, max(0.0, self.infra_retry_delay_s) * 2.0 ** max(0, attempt - 1))

    def task_maxima(self) -> TaskMaxima:
        """The operator's maxima for a task's sandbox."""
        return TaskMaxima(
            cpus=self.task_max_cpus,
            memory_mb=self.task_max_memory_mb,
            disk_mb=self.task_max_disk_mb,
            pids=self.task_max_pids,
            gpus=self.task_max_gpus,
            time_limit_s=self.task_max_time_limit_s,
        )

    def allowed_base_images(self) -> frozenset[str]:
        """HORIZON_EXTRA_BASE_IMAGES as normalised references (`core.taskspec.parse_image_list`)."""
        return parse_image_list(self.extra_base_images)

    @property
    def embedded_queue(self) -> bool:
        """True when jobs run in this process instead of on Celery workers."""
        return not self.redis_url

    def server_templates(self) -> dict[str, str]:
        """The inference server templates: the file's (JSON, or TOML for a .toml name), then
        HORIZON_INFERENCE_TEMPLATES's over them. Raises ValueError for a malformed file."""
        templates: dict[str, str] = {}
        if self.inference_templates_file is not None:
            path = self.inference_templates_file
            try:
                text = path.read_text(encoding="utf-8")
                loaded = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
            except (OSError, ValueError) as exc:
                raise ValueError(f"cannot read HORIZON_INFERENCE_TEMPLATES_FILE {path}: {exc}") from None
            if not isinstance(loaded, dict) or not all(isinstance(v, str) for v in loaded.values()):
                raise ValueError(f"{path} must map template names to command-line strings")
            templates.update(loaded)
        templates.update(self.inference_templates)
        return templates


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for plain postgres URLs (SQLAlchemy would otherwise pick psycopg2)."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@lru_cache
def get_settings() -> Settings:
    """The settings of this process, read once."""
    return Settings()
