"""Pydantic schemas for the REST API and the CLI: validated at the edge, separate from ORM models."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    model_validator,
)

from core.agent_kinds import (
    KIND_SCAFFOLDS,
    SCAFFOLD_NAME_PATTERN,
    AgentKind,
    SandboxProgram,
    inspect_agent_problem,
)
from core.json_bounds import value_depth
from core.models import MAX_MODEL_GPUS
from core.states import Role, StopReason, WireApi
from core.taskspec import (
    MAX_TAGS,
    EnvironmentSpec,
    HumanMinutes,
    ResourceLimits,
    ScorerSpec,
    SolutionSpec,
    Tag,
    TaskId,
    TimeLimitS,
    Title,
    check_task_size,
)


def _as_utc(value: dt.datetime | None) -> dt.datetime | None:
    # SQLite hands back naive datetimes; every stored time is UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    return value


UtcDatetime = Annotated[dt.datetime, AfterValidator(_as_utc)]
Name = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^\S(.*\S)?$")]
# Output only: the name of the token that made a row (null: made by the system, imports or task
# folders). The server sets it; no input schema has it (docs/security.md, "Ownership").
Owner = Annotated[
    str | None, Field(description="Name of the token that created it (read-only); null: admins only.")
]
# Ids and version numbers are Integer columns: 32 bits on PostgreSQL, so no row has a larger id on
# any backend. A larger one is a 422 at the edge, never an overflow in the driver (a 500 on SQLite
# past 2^63). Path and query forms: web/params.py.
MAX_ROW_ID = 2**31 - 1
RowIdValue = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]


T = TypeVar("T")


class Strict(BaseModel):
    """A request body: unknown fields are refused rather than ignored."""

    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------- tasks and baselines


class BaselineCreate(Strict):
    """A human baseline (timed attempt) or estimate to record for a task."""

    baseliner: Name
    minutes: HumanMinutes = Field(description="Active minutes spent on the task.")
    succeeded: bool
    source: Literal["baseline", "estimate"] = "baseline"
    notes: str = Field(default="", max_length=10_000)
    recorded_at: UtcDatetime | None = None
    task_version: int | None = Field(default=None, ge=1, le=MAX_ROW_ID, strict=True)

    @model_validator(mode="after")
    def _estimates_succeed(self) -> BaselineCreate:
        if self.source == "estimate" and not self.succeeded:
            raise ValueError("an estimate stands in for a successful attempt: set succeeded to true")
        return self


class BaselineOut(BaseModel):
    """A recorded human baseline or estimate."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    task_id: str
    task_version: int | None
    baseliner: str = Field(description="The person baselined, as the recorder named them.")
    minutes: float
    succeeded: bool
    source: Literal["timed", "baseline", "estimate"] = Field(
        description="`timed`: timed in Horizon by the server (one per baselining attempt); "
        "`baseline`: recorded by hand; `estimate`: stands in for a baseline."
    )
    notes: str
    recorded_by: str | None = Field(
        description="Name of the token that recorded it (null: imports, task folders, the bootstrap "
        "admin token). For a timed baseline, the token that was timed."
    )
    attempt_id: int | None = Field(description="The baselining attempt of a timed baseline.")
    recorded_at: UtcDatetime
    created_at: UtcDatetime
    deleted_at: UtcDatetime | None = Field(
        default=None, description="Set when deleted (listed only with include_deleted=true)."
    )
    deleted_by: str | None = None


class HumanTimeOut(BaseModel):
    """The task's human time (analysis.human_time): geometric mean of successful baselines, else
    an estimate; all null when there is neither."""

    minutes: float | None
    source: Literal["baseline", "estimate"] | None
    n_successful_baselines: int


class TaskContent(Strict):
    """What a task version consists of: instructions, environment, scorer, solution and limits."""

    instructions: str = Field(min_length=1, max_length=200_000)
    environment: EnvironmentSpec = Field(default_factory=EnvironmentSpec)
    scorer: ScorerSpec
    solution: SolutionSpec | None = None
    limits: ResourceLimits = Field(default_factory=ResourceLimits)
    time_limit_s: TimeLimitS = 3600

    @model_validator(mode="after")
    def _within_task_limits(self) -> TaskContent:
        env, solution = self.environment, self.solution
        dockerfile = {"Dockerfile": env.dockerfile} if env.dockerfile is not None else None
        check_task_size(
            self.instructions,
            env.files,
            dockerfile,
            self.scorer.files,
            solution.files if solution else None,
        )
        return self


class TaskCreate(TaskContent):
    """A new task: its id, family, title and tags, its first version's content and any baselines."""

    id: TaskId
    family: TaskId
    title: Title
    tags: list[Tag] = Field(default_factory=list, max_length=MAX_TAGS)
    baselines: list[BaselineCreate] = Field(default_factory=list, max_length=1000)


class TaskUpdate(Strict):
    """Fields to change. Changing content (instructions, environment, scorer, solution, limits,
    time limit) creates a new version; title and tags change in place."""

    title: Title | None = None
    tags: list[Tag] | None = Field(default=None, max_length=MAX_TAGS)
    instructions: str | None = Field(default=None, min_length=1, max_length=200_000)
    environment: EnvironmentSpec | None = None
    scorer: ScorerSpec | None = None
    solution: SolutionSpec | None = None
    limits: ResourceLimits | None = None
    time_limit_s: TimeLimitS | None = None


class HiddenPart(BaseModel):
    """What a reader who may not change the task sees of its scorer or reference solution: they
    hold the answers (expected outputs, hidden tests), so only their size is shown."""

    hidden: Literal[True] = True
    files: int = Field(description="How many files it has; their names and contents are hidden.")
    threshold: float | None = Field(default=None, description="The scorer's success threshold.")


PRIVATE_PARTS_NOTE = (
    "The scorer and the reference solution (commands and files) are shown in full only to the "
    'task\'s owner and to admins; everyone else gets `{"hidden": true, "files": <count>}` '
    "(with the scorer's `threshold`)."
)


class TaskVersionOut(BaseModel):
    """One version of a task; the scorer and solution are hidden from readers who may not change it."""

    model_config = ConfigDict(from_attributes=True)
    version: int
    content_hash: str
    instructions: str
    environment: dict[str, Any]
    scorer: dict[str, Any] | HiddenPart = Field(description=PRIVATE_PARTS_NOTE)
    solution: dict[str, Any] | HiddenPart | None = Field(description=PRIVATE_PARTS_NOTE)
    limits: dict[str, Any]
    time_limit_s: int
    created_at: UtcDatetime

    @classmethod
    def of(cls, version: Any, *, private: bool) -> TaskVersionOut:
        """A stored version for a reader; `private` (owner or admin) shows scorer and solution."""
        out = cls.model_validate(version)
        if not private:
            scorer, solution = version.scorer or {}, version.solution
            out.scorer = HiddenPart(files=len(scorer.get("files") or {}), threshold=scorer.get("threshold"))
            out.solution = (
                HiddenPart(files=len(solution.get("files") or {})) if solution is not None else None
            )
        return out


class TaskSummary(BaseModel):
    """A task in a list: ids, title, tags and human time, without its content."""

    id: str
    family: str
    title: str
    tags: list[str]
    current_version: int
    human_time: HumanTimeOut
    created_at: UtcDatetime
    updated_at: UtcDatetime
    owner: Owner = None


class TaskOut(TaskSummary):
    """A task with the version asked for (the current one by default) and its baselines."""

    version: TaskVersionOut
    baselines: list[BaselineOut]


# ---------------------------------------------------------------- models and agents

EnvVarName = Annotated[
    str,
    Field(
        pattern=r"^[A-Z_][A-Z0-9_]*$",
        max_length=200,
        description="Name of the environment variable that holds the API key (never the key).",
    ),
]


# The name of an inference server command template configured on the workers (never a command).
TemplateName = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
        max_length=100,
        description="Name of an operator-configured server template (HORIZON_INFERENCE_TEMPLATES).",
    ),
]
# Filled into a template as one argument; a leading '-' would read as an option.
Weights = Annotated[str, Field(min_length=1, max_length=500, pattern=r"^[^-\s]")]
# Dollars per million tokens (docs/agents.md, "Cost and time").
Price = Annotated[float, Field(ge=0, le=10_000, allow_inf_nan=False)]
# Output tokens per call (the largest published limit is 128,000).
MaxOutputTokens = Annotated[int, Field(ge=1, le=1_000_000)]
WIRE_API_HELP = (
    "provider 'openai' only: 'chat' (Chat Completions, every OpenAI-compatible server) or "
    "'responses' (OpenAI's Responses API, which carries a reasoning model's reasoning between turns)"
)


def wire_api_problem(provider: str, wire_api: str) -> str | None:
    """Why `wire_api` does not go with `provider`, or None: the Responses API is OpenAI's."""
    if wire_api == WireApi.RESPONSES and provider != "openai":
        return f"wire_api 'responses' is OpenAI's Responses API: only for provider 'openai', not {provider!r}"
    return None


ADMIN_ONLY_MODEL_FIELDS = frozenset(
    {"provider", "api_model", "base_url", "api_key_env", "server_template", "weights", "gpus"}
)
# GPUs a managed model's inference server takes on its worker's host (workers/gpu_host.py).
ModelGpus = Annotated[int, Field(strict=True, ge=0, le=MAX_MODEL_GPUS)]
GPUS_HELP = "managed models only: GPUs its inference server takes on the worker's host (default 1)"


class ModelCreate(Strict):
    """A new model: an API endpoint (with the name of its key's variable) or a managed server."""

    name: Name
    provider: Literal["openai", "anthropic"] = "openai"
    api_model: str | None = Field(default=None, max_length=200, description="Model id sent to the API.")
    base_url: HttpUrl | None = None
    api_key_env: EnvVarName | None = None
    release_date: dt.date | None = None
    input_price_per_mtok: float = Field(default=0.0, ge=0, le=10_000)
    output_price_per_mtok: float = Field(default=0.0, ge=0, le=10_000)
    cached_input_price_per_mtok: Price | None = None
    cache_write_price_per_mtok: Price | None = None
    context_window: int = Field(default=8192, ge=256, le=10_000_000)
    max_output_tokens: MaxOutputTokens | None = None
    wire_api: WireApi = Field(default=WireApi.CHAT, description=WIRE_API_HELP)
    managed: bool = False
    server_template: TemplateName | None = None
    weights: Weights | None = None
    gpus: ModelGpus | None = Field(default=None, description=GPUS_HELP)

    @model_validator(mode="before")
    @classmethod
    def _no_raw_keys(cls, data: Any) -> Any:
        if isinstance(data, dict) and "api_key" in data:
            raise ValueError(
                "API keys are never stored: put the key in an environment variable of the "
                "workers and give its name as api_key_env"
            )
        return data

    @model_validator(mode="after")
    def _managed_needs_template(self) -> ModelCreate:
        if self.managed and not (self.server_template and self.weights):
            raise ValueError(
                "a managed model needs server_template (the name of a command template the "
                "operator configured on the workers, HORIZON_INFERENCE_TEMPLATES) and weights"
            )
        if not self.managed and (self.server_template or self.weights or self.gpus):
            raise ValueError("server_template, weights and gpus are for managed models only")
        if self.gpus is None:
            self.gpus = 1 if self.managed else 0
        if not self.managed and self.base_url is None:
            raise ValueError("base_url is required unless the model is managed by a GPU worker")
        if problem := wire_api_problem(self.provider, self.wire_api):
            raise ValueError(problem)
        return self


class ModelUpdate(Strict):
    """A change to a model. Fields in ADMIN_ONLY_MODEL_FIELDS (where requests go, with which key,
    and what a managed model runs) need an admin, as does any change to a managed model."""

    release_date: dt.date | None = None
    provider: Literal["openai", "anthropic"] | None = None
    api_model: str | None = Field(default=None, max_length=200)
    base_url: HttpUrl | None = None
    api_key_env: EnvVarName | None = None
    server_template: TemplateName | None = None
    weights: Weights | None = None
    gpus: ModelGpus | None = Field(default=None, description=GPUS_HELP)
    input_price_per_mtok: float | None = Field(default=None, ge=0, le=10_000)
    output_price_per_mtok: float | None = Field(default=None, ge=0, le=10_000)
    # null sets the cache prices back to the provider's ratio, max_output_tokens to the catalogue's.
    cached_input_price_per_mtok: Price | None = None
    cache_write_price_per_mtok: Price | None = None
    context_window: int | None = Field(default=None, ge=256, le=10_000_000)
    max_output_tokens: MaxOutputTokens | None = None
    wire_api: WireApi | None = Field(default=None, description=WIRE_API_HELP)


class ModelOut(BaseModel):
    """A model; API keys are never stored, only the name of the variable holding one."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    provider: str
    api_model: str
    base_url: str | None
    api_key_env: str | None
    release_date: dt.date | None
    input_price_per_mtok: float
    output_price_per_mtok: float
    cached_input_price_per_mtok: float | None
    cache_write_price_per_mtok: float | None
    context_window: int
    max_output_tokens: int | None
    wire_api: str
    managed: bool
    server_template: str | None
    weights: str | None
    gpus: int
    created_at: UtcDatetime
    owner: Owner = None


class ModelCapabilityOverride(Strict):
    """What the model's endpoint accepts, for a model the built-in catalogue does not know (a
    reasoning model behind vLLM, a new snapshot name); unset fields keep the catalogue's values."""

    max_output_tokens: int | None = Field(default=None, ge=1, le=10_000_000)
    max_tokens_param: Literal["max_tokens", "max_completion_tokens"] | None = None
    reasoning: bool | None = None
    temperature: bool | None = Field(default=None, description="Whether a temperature may be sent.")
    thinking: Literal["budgeted", "adaptive"] | None = None


# Plug-in scaffolds' own options: bounded like any stored JSON a submitter writes.
MAX_SCAFFOLD_OPTIONS_CHARS = 65_536
MAX_SCAFFOLD_OPTIONS_DEPTH = 16


def _bounded_options(value: dict[str, Any] | None) -> dict[str, Any] | None:
    if value is None:
        return None
    if value_depth(value, MAX_SCAFFOLD_OPTIONS_DEPTH) > MAX_SCAFFOLD_OPTIONS_DEPTH:
        raise ValueError(f"nested more than {MAX_SCAFFOLD_OPTIONS_DEPTH} levels deep")
    size = len(json.dumps(value))
    if size > MAX_SCAFFOLD_OPTIONS_CHARS:
        raise ValueError(f"{size:,} characters as JSON; the limit is {MAX_SCAFFOLD_OPTIONS_CHARS:,}")
    return value


def _bounded_tools(value: list[str | dict[str, Any]] | None) -> list[str | dict[str, Any]] | None:
    if value is not None:
        _bounded_options({"tools": value})
    return value


class AgentSettings(BaseModel):
    """An agent's settings: limits that end a run with the matching stop reason, what goes with
    every model call, and the react and terminal scaffolds' options (docs/agents.md). Unknown keys
    are refused: a misspelt limit silently ignored would measure a different agent than the one
    named."""

    # Limits.
    token_limit: int | None = Field(default=None, gt=0, le=10**12)
    time_limit_s: float | None = Field(default=None, gt=0, le=10**7)
    cost_limit_usd: float | None = Field(default=None, gt=0, le=10**7)
    action_limit: int | None = Field(default=None, gt=0, le=10**9)
    command_timeout_s: float | None = Field(default=None, gt=0, le=10**7)
    # time_limit_s counts working time (provider waits left out); these bound the waits: how long
    # an attempt may wait on its provider before the outage is an infrastructure failure, and a
    # wall-clock cap (default: the time limit plus the outage budget).
    outage_budget_s: float | None = Field(default=None, ge=0, le=7 * 86400)
    wall_time_limit_s: float | None = Field(default=None, gt=0, le=10**7)
    # Every model call; a client sends each only to models that accept it.
    max_output_tokens: int | None = Field(default=None, ge=1, le=10_000_000)
    temperature: float | None = Field(default=None, ge=0, le=2)
    seed: int | None = Field(default=None, ge=-(2**63), le=2**63 - 1)
    # An open set (minimal, low, medium, high, ...): the endpoint refuses what it does not know.
    reasoning_effort: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_-]{0,31}$")
    thinking_budget_tokens: int | None = Field(default=None, ge=1024, le=10_000_000)
    # Anthropic cache_control breakpoints (default on; OpenAI caches by itself).
    prompt_caching: bool | None = None
    # Reasoning summaries from the Responses API (default on; needs a verified OpenAI organisation).
    reasoning_summary: bool | None = None
    model_capabilities: ModelCapabilityOverride | None = None
    # The react and terminal scaffolds.
    system_prompt: str | None = Field(default=None, min_length=1, max_length=100_000)
    max_tool_output_chars: int | None = Field(default=None, ge=1, le=10_000_000)
    max_nudges: int | None = Field(default=None, ge=0, le=10_000)
    max_turns: int | None = Field(default=None, ge=1, le=10_000_000)
    context_margin_tokens: int | None = Field(default=None, ge=0, le=10_000_000)
    # The terminal scaffold: summarise old turns with the model ("compact") or drop them ("trim").
    context_strategy: Literal["compact", "trim"] | None = None
    # A plug-in scaffold's own options (not for the built-in ones), passed to it as they are.
    scaffold_options: Annotated[dict[str, Any] | None, AfterValidator(_bounded_options)] = None
    # Kind sandbox_program: the program's layer and start command (core/agent_kinds.py).
    program: SandboxProgram | None = None
    # Kind inspect: the Inspect agent's import path, such as inspect_ai.agent:react.
    agent: str | None = Field(default=None, min_length=1, max_length=200)
    # Kind inspect: keyword arguments for that callable, and its tools ("module:name" or
    # {"tool": "module:name", "args": {...}}); the worker checks them in full when it makes the agent.
    agent_args: Annotated[dict[str, Any] | None, AfterValidator(_bounded_options)] = None
    tools: Annotated[
        list[str | dict[str, Any]] | None, Field(max_length=64), AfterValidator(_bounded_tools)
    ] = None

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = sorted(str(k) for k in data if k not in cls.model_fields)
            if unknown:
                raise ValueError(
                    f"unknown setting {unknown[0][:100]!r}; the settings are: "
                    f"{', '.join(cls.model_fields)} (a plug-in scaffold's own options go in "
                    "scaffold_options)"
                )
        return data


def inspect_option(settings: AgentSettings, key: str) -> Any:
    """An inspect agent's setting `key`, else the one in its scaffold_options, as the worker reads it."""
    value = getattr(settings, key)
    if value is None and settings.scaffold_options is not None:
        return settings.scaffold_options.get(key)
    return value


BUILTIN_SCAFFOLDS = ("react", "terminal", "oracle", "null", "sandbox_program")
SCAFFOLDS_NEEDING_MODEL = ("react", "terminal", *KIND_SCAFFOLDS.values())
# Settings only some built-in scaffolds read: refused for the others, so none is silently ignored.
SCAFFOLD_ONLY_SETTINGS = {"context_strategy": ("terminal",)}
# Settings of one kind of agent only.
KIND_ONLY_SETTINGS = {
    "program": "sandbox_program",
    "agent": "inspect",
    "agent_args": "inspect",
    "tools": "inspect",
}
# The react and terminal scaffolds' own loop settings: a program in the sandbox has its own loop.
LOOP_SETTINGS = ("system_prompt", "max_tool_output_chars", "max_nudges", "max_turns", "context_margin_tokens")
AgentVersion = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^\S(.*\S)?$")]


class AgentCreate(Strict):
    """A new agent: its kind (a scaffold by name, a program inside the sandbox, an Inspect agent),
    a model and settings (core/agent_kinds.py; docs/agents.md)."""

    name: Name
    kind: AgentKind = Field(
        default="scaffold",
        description="scaffold (a scaffold by name), sandbox_program (settings.program) or inspect "
        "(settings.agent, an import path)",
    )
    scaffold: str | None = Field(
        default=None,
        pattern=SCAFFOLD_NAME_PATTERN,
        max_length=100,
        description="kind scaffold: a registered name or package.module:Class; other kinds imply theirs",
    )
    version: AgentVersion | None = Field(
        default=None, description="The agent's own version, as its maker states it."
    )
    model: RowIdValue | str | None = Field(default=None, description="Model id or name.")
    settings: AgentSettings = Field(default_factory=AgentSettings)
    release_date: dt.date | None = None

    @property
    def scaffold_name(self) -> str:
        """The scaffold that runs the agent (set once the agent is validated)."""
        return self.scaffold or KIND_SCAFFOLDS.get(self.kind, "")

    @model_validator(mode="after")
    def _kind_rules(self) -> AgentCreate:
        implied = KIND_SCAFFOLDS.get(self.kind)
        if implied is None:
            if self.scaffold is None:
                raise ValueError("a scaffold agent names its scaffold (react, terminal, oracle, null, ...)")
            if self.scaffold in KIND_SCAFFOLDS.values():
                raise ValueError(f"make a {self.scaffold} agent with kind {self.scaffold!r}")
        elif self.scaffold not in (None, implied):
            raise ValueError(f"a {self.kind} agent runs under the {implied} scaffold, not {self.scaffold!r}")
        self.scaffold = self.scaffold_name
        for key, kind in KIND_ONLY_SETTINGS.items():
            if getattr(self.settings, key) is not None and self.kind != kind:
                raise ValueError(f"setting {key!r} is for {kind} agents")
        if self.kind == "sandbox_program":
            if self.settings.program is None:
                raise ValueError(
                    "a sandbox_program agent needs the `program` setting: its start command and "
                    "layer (docs/agents.md, In-sandbox agents)"
                )
            if self.settings.action_limit is not None:
                raise ValueError(
                    "action_limit counts tool calls, which a program in the sandbox makes out of "
                    "Horizon's sight; bound its model calls with program.max_model_calls"
                )
            for key in LOOP_SETTINGS:
                if getattr(self.settings, key) is not None:
                    raise ValueError(f"setting {key!r} is for the react and terminal scaffolds' own loop")
        if self.kind == "inspect":
            agent = inspect_option(self.settings, "agent")
            if problem := inspect_agent_problem(agent if isinstance(agent, str) else None):
                raise ValueError(problem)
        return self._scaffold_rules()

    def _scaffold_rules(self) -> AgentCreate:
        if self.scaffold in SCAFFOLDS_NEEDING_MODEL and self.model is None:
            raise ValueError(f"the {self.scaffold} scaffold needs a model")
        if self.scaffold in BUILTIN_SCAFFOLDS and self.settings.scaffold_options is not None:
            raise ValueError(
                f"scaffold_options are for plug-in scaffolds; the built-in {self.scaffold} "
                "scaffold takes only the named settings"
            )
        if self.scaffold in BUILTIN_SCAFFOLDS:
            for key, scaffolds in SCAFFOLD_ONLY_SETTINGS.items():
                if getattr(self.settings, key) is not None and self.scaffold not in scaffolds:
                    raise ValueError(
                        f"setting {key!r} is for the {' and '.join(scaffolds)} scaffold; the "
                        f"{self.scaffold} scaffold does not read it"
                    )
        return self


class SpendOut(BaseModel):
    """What a group of runs (a batch, an agent's) spent over all their attempts, failed ones
    included: dollars, model calls and tokens split the way providers bill them."""

    spend_usd: float = 0.0
    attempts: int = 0
    model_calls: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    reasoning_tokens: int = 0


class AgentOut(BaseModel):
    """An agent: its kind, scaffold, version, model and settings."""

    id: int
    name: str
    kind: str = "scaffold"
    scaffold: str
    version: str | None = None
    model: str | None
    model_id: int | None
    settings: dict[str, Any]
    release_date: dt.date | None
    created_at: UtcDatetime
    spend: SpendOut = Field(default_factory=SpendOut)
    owner: Owner = None


# ---------------------------------------------------------------- batches and runs


class BatchCreate(Strict):
    """Runs to make: each agent on each selected task, `repeats` times."""

    name: str = Field(default="", max_length=200)
    agents: list[RowIdValue | str] = Field(min_length=1, max_length=1000, description="Agent ids or names.")
    tasks: list[TaskId] | None = Field(default=None, max_length=100_000)
    tags: list[Tag] | None = Field(
        default=None, max_length=MAX_TAGS, description="Select tasks having any of these tags."
    )
    repeats: int = Field(default=1, ge=1, le=1000)

    @model_validator(mode="after")
    def _some_tasks(self) -> BatchCreate:
        if not self.tasks and not self.tags:
            raise ValueError("give tasks (a list of task ids) or tags (a tag filter), or both")
        return self


class BatchOut(BaseModel):
    """A batch and how many of its runs are in each status."""

    id: int
    name: str
    repeats: int
    created_at: UtcDatetime
    cancelled_at: UtcDatetime | None
    created_by: str | None
    total: int
    counts: dict[str, int]
    done: bool
    spend: SpendOut = Field(default_factory=SpendOut)
    owner: Owner = None


class RunOut(BaseModel):
    """One attempt of an agent at a task version: status, score, usage and times."""

    id: int
    batch_id: int | None
    agent_id: int
    agent: str
    task_id: str
    task_version: int
    repeat_index: int
    attempt: int
    status: str
    stop_reason: str | None
    score_cont: float | None
    score_binarized: int | None
    tokens_in: int
    tokens_out: int
    cost_usd: float
    # Every attempt's cost, failed ones included; `cost_usd` is the scored attempt's.
    spend_usd: float = 0.0
    worker: str | None
    error: str | None
    imported_from: str | None
    # An imported run's origin as its source described it (e.g. an Inspect log's scorer, versions).
    import_details: dict[str, Any] | None = None
    created_at: UtcDatetime
    started_at: UtcDatetime | None
    finished_at: UtcDatetime | None
    heartbeat_at: UtcDatetime | None
    # One run's own page only (GET /api/runs/{id}); lists leave it out.
    attempts: list[AttemptOut] | None = None


@dataclass(frozen=True)
class AttemptUsage:
    """What one attempt used and how long it took, however it ended (a run_attempts row's figures).

    `tokens_in` counts every prompt token, the cache reads and writes included; reasoning tokens
    are a part of `tokens_out`. `working_s` is `wall_s` less the waits on the provider.
    """

    tokens_in: int = 0
    tokens_out: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    reasoning_tokens: int = 0
    model_calls: int = 0
    cost_usd: float = 0.0
    working_s: float | None = None
    wall_s: float | None = None
    provider_wait_s: float = 0.0
    served_model: str | None = None


@dataclass(frozen=True)
class RunResult:
    """What a worker reports for a finished attempt (`core.services.runs.finish_run`).

    The token counts and cost are the scaffold's own account of the scored attempt; `usage`, when
    given, is what the worker metered on every model call (it fills the attempt's row)."""

    stop_reason: StopReason
    score_cont: float
    score_binarized: int
    tokens_in: int
    tokens_out: int
    cost_usd: float
    transcript: list[dict[str, Any]]
    usage: AttemptUsage | None = None


class AttemptOut(BaseModel):
    """One attempt of a run: how it ended, what it used and cost, how long it took."""

    model_config = ConfigDict(from_attributes=True)
    attempt: int
    status: str
    worker: str | None
    started_at: UtcDatetime
    finished_at: UtcDatetime | None
    stop_reason: str | None
    error: str | None
    tokens_in: int
    tokens_out: int
    cache_read_tokens: int
    cache_write_tokens: int
    reasoning_tokens: int
    model_calls: int
    cost_usd: float
    working_s: float | None
    wall_s: float | None
    provider_wait_s: float
    served_model: str | None


# ---------------------------------------------------------------- analyses


class AnalysisRequest(BaseModel):
    """Parameters of an analysis. The defaults are the `calibrated` preset's (analysis.report.PRESETS;
    a test holds them equal); METR's paper-era method is the `metr` preset."""

    model_config = ConfigDict(extra="forbid")
    regularization: float = Field(default=1e-5, gt=0, le=1e6)
    weighting: str = Field(default="invsqrt", pattern="^(invsqrt|equal)$")
    bootstrap: int = Field(default=1000, ge=0, le=100_000)
    seed: int = Field(default=42, ge=0)
    solver: str = Field(default="fast", pattern="^(fast|sklearn)$")
    window_after: dt.date = dt.date(2019, 1, 1)
    window_before: dt.date = dt.date(2030, 1, 1)
    include_unhealthy_tasks: bool = False
    partial_scoring: bool = False
    # Interval settings (docs/method.md section 3); the defaults are the calibrated preset's.
    bootstrap_levels: str = Field(default="families_tasks", pattern="^(families_tasks|families_tasks_runs)$")
    degenerate_replicates: str = Field(default="count", pattern="^(count|drop)$")
    doubling_ci: str = Field(default="slope", pattern="^(slope|positive_doublings)$")
    # The report's sections beyond METR's method (docs/method.md sections 10-12).
    trend_shape: bool = True
    family_horizons: bool = True
    family_agents: str = Field(default="frontier", pattern="^(frontier|all)$")
    estimate_refit: str = Field(default="point", pattern="^(off|point|bootstrap)$")

    @model_validator(mode="after")
    def _window_order(self) -> AnalysisRequest:
        if self.window_after >= self.window_before:
            raise ValueError("window_after must be before window_before")
        return self


# A paired comparison is computed while the request waits (docs/method.md section 6): its
# bootstrap is capped for every role, so a request cannot hold a worker thread for long.
COMPARE_MAX_BOOTSTRAP = 2000


class CompareRequest(BaseModel):
    """A paired comparison of agent `a` against agent `b` on the tasks both ran (ratio A / B)."""

    model_config = ConfigDict(extra="forbid")
    a: Name
    b: Name
    bootstrap: int = Field(default=1000, ge=1, le=COMPARE_MAX_BOOTSTRAP)
    # `families` is calibrated for ratios (docs/method.md section 6).
    levels: str = Field(default="families", pattern="^(families|families_tasks|families_tasks_runs)$")
    regularization: float = Field(default=1e-5, gt=0, le=1e6)  # the calibrated preset's
    weighting: str = Field(default="invsqrt", pattern="^(invsqrt|equal)$")
    confidence: float = Field(default=0.95, ge=0.5, le=0.999)
    seed: int = Field(default=42, ge=0, le=2**32)
    include_unhealthy_tasks: bool = False


class Page(BaseModel, Generic[T]):
    """One page of a list, with the total count for paging on."""

    items: list[T]
    total: int
    limit: int
    offset: int


class TokenCreate(Strict):
    """A new API token: who uses it and with which role."""

    name: Name
    role: Role


class TokenOut(BaseModel):
    """An API token, never its secret."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    role: str
    created_at: UtcDatetime
    revoked_at: UtcDatetime | None


class TokenCreated(TokenOut):
    """A new API token with its secret, the only time the secret is shown."""

    token: str = Field(description="Shown once; only its hash is stored.")


class GpuOut(BaseModel):
    """One GPU of a worker's host."""

    index: int
    memory_mib: int


class GpuWorkerOut(BaseModel):
    """A process consuming the `gpu` queue, seen within the registry's time to live."""

    host: str
    pid: int
    gpus: list[GpuOut]
    seen_at: UtcDatetime


class HealthOut(BaseModel):
    """Whether the database and the job broker answer, and how this deployment runs."""

    status: Literal["ok", "degraded"]
    database: str
    broker: str
    mode: Literal["embedded", "distributed"]
