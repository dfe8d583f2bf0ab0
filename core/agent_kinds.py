"""The kinds of agent, and the settings of the two that are not a plain scaffold name.

- `scaffold`: a scaffold registered by name (`react`, `terminal`, `oracle`, `null`, one the
  operator added) or a `package.module:Class` path;
- `sandbox_program`: a program that runs inside the task's sandbox (`SandboxProgram`): installed
  in an agent layer built on top of the task image, started with a command, reaching its model
  only through the attempt's model proxy (docs/agents.md, "In-sandbox agents");
- `inspect`: an Inspect agent named by its import path (`INSPECT_AGENT_PATTERN`).

These are the one definition of those rules: the API and CLI check them when an agent is made
(`core/schemas.py`), the worker again when it runs one (`workers/scaffolds/sandbox_program.py`).
"""

from __future__ import annotations

import re
import string
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

AgentKind = Literal["scaffold", "sandbox_program", "inspect"]
AGENT_KINDS: tuple[str, ...] = ("scaffold", "sandbox_program", "inspect")
# The scaffold each kind other than `scaffold` runs under (its name on the agent row).
KIND_SCAFFOLDS = {"sandbox_program": "sandbox_program", "inspect": "inspect"}
# Reference agents measure the suite, not a model: the reference solution and doing nothing.
# Pages list them apart from models and never draw them on the trend.
REFERENCE_SCAFFOLDS: tuple[str, ...] = ("oracle", "null")

# `package.module:attribute`, each part a Python identifier.
INSPECT_AGENT_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:[A-Za-z_][A-Za-z0-9_]*$"
# Scaffold names: registered names (lower case) and `package.module:Class` paths.
SCAFFOLD_NAME_PATTERN = r"^[a-z][a-z0-9_.-]*(:[A-Za-z_][A-Za-z0-9_.]*)?$"

# What a start command's arguments may name; `{{` and `}}` are literal braces.
COMMAND_FIELDS = (
    "instructions",
    "instructions_file",
    "model",
    "workdir",
    "openai_base_url",
    "anthropic_base_url",
    "port",
)
# Set by the worker for every sandbox program; an agent's `env` may not replace them.
RESERVED_ENV = frozenset(
    {
        "OPENAI_API_KEY",
        "OPENAI_BASE_URL",
        "OPENAI_API_BASE",
        "ANTHROPIC_API_KEY",
        "ANTHROPIC_AUTH_TOKEN",
        "ANTHROPIC_BASE_URL",
        "PATH",
        "PYTHONPATH",
    }
)
RESERVED_ENV_PREFIX = "HORIZON_"
# Requirement specifiers only (name, extras, version clauses): never a pip option or a URL.
PIP_REQUIREMENT_PATTERN = (
    r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}(\[[A-Za-z0-9._,-]{1,200}\])?"
    r"((===|==|!=|~=|<=|>=|<|>)[A-Za-z0-9.*+!_-]{1,64}(,(===|==|!=|~=|<=|>=|<|>)[A-Za-z0-9.*+!_-]{1,64}){0,7})?$"
)
# Build steps an agent layer may add (they run as the unprivileged agent user, in a build stage
# whose only product is /opt/horizon-agent): RUN, ENV, ARG and WORKDIR. FROM, COPY, ADD and USER
# would let a layer reach other images, change the task's files or run as root.
LAYER_INSTRUCTIONS = ("RUN", "ENV", "ARG", "WORKDIR")
MAX_COMMAND_ARGS = 64
MAX_ARG_CHARS = 4096
MAX_ENV = 64
MAX_LAYER_DOCKERFILE_CHARS = 20_000
MAX_PIP_REQUIREMENTS = 32
DEFAULT_PROXY_PORT = 8787


def command_fields(argument: str) -> list[str]:
    """The placeholders an argument names; ValueError when its braces are malformed or a
    placeholder has a conversion or format spec: a placeholder is a bare name, since
    `{instructions:>999999999}` would make the worker build a gigabyte string and `{model:{x}}`
    look up a field that does not exist."""
    try:
        parts = list(string.Formatter().parse(argument))
    except ValueError as exc:
        raise ValueError(
            f"malformed braces in {argument[:80]!r}: {exc} (write {{{{ and }}}} for literal braces)"
        ) from None
    fields = []
    for _, field, spec, conversion in parts:
        if field is None:
            continue
        if spec or conversion:
            raise ValueError(
                f"placeholder {{{field[:40]}}} in {argument[:80]!r} may not have a format or conversion"
            )
        fields.append(field)
    return fields


def render_command(command: list[str], values: dict[str, str]) -> list[str]:
    """The start command with its placeholders filled in (they were checked: see `_command`)."""
    return [argument.format_map(values) for argument in command]


def _command(value: list[str]) -> list[str]:
    for argument in value:
        if "\x00" in argument:
            raise ValueError("an argument holds a NUL character")
        for field in command_fields(argument):
            if field not in COMMAND_FIELDS:
                raise ValueError(
                    f"unknown placeholder {{{field[:40]}}} in {argument[:80]!r}; the placeholders are "
                    + ", ".join("{" + f + "}" for f in COMMAND_FIELDS)
                )
    return value


def _env(value: dict[str, str]) -> dict[str, str]:
    for name, text in value.items():
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,127}", name):
            raise ValueError(f"environment name {name[:80]!r} is not a valid variable name")
        if name.upper() in RESERVED_ENV or name.upper().startswith(RESERVED_ENV_PREFIX):
            raise ValueError(f"{name} is set by Horizon for every sandbox program and cannot be changed")
        if "\x00" in text or len(text) > MAX_ARG_CHARS:
            raise ValueError(f"the value of {name} must have no NUL and at most {MAX_ARG_CHARS} characters")
    return value


def layer_instructions(dockerfile: str) -> list[str]:
    """The instruction words of a Dockerfile fragment, continuation lines joined, comments skipped."""
    words: list[str] = []
    continued = False
    for raw in dockerfile.splitlines():
        line = raw.strip()
        if not continued and line and not line.startswith("#"):
            words.append(line.split(None, 1)[0].upper())
        if line.startswith("#") and not continued:
            continue
        continued = line.endswith("\\")
    return words


def _dockerfile(value: str) -> str:
    if "\x00" in value:
        raise ValueError("the layer's dockerfile holds a NUL character")
    for word in layer_instructions(value):
        if word not in LAYER_INSTRUCTIONS:
            raise ValueError(
                f"the layer's dockerfile may use {', '.join(LAYER_INSTRUCTIONS)} only, not {word[:20]}: "
                "it runs as the agent user and only /opt/horizon-agent is kept (docs/agents.md)"
            )
    return value


class SandboxProgram(BaseModel):
    """An in-sandbox agent: its layer (what is installed on top of the task image) and how it
    starts. Stored as the agent's `program` setting."""

    model_config = ConfigDict(extra="forbid")

    command: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=MAX_ARG_CHARS)]],
        Field(min_length=1, max_length=MAX_COMMAND_ARGS),
        AfterValidator(_command),
    ] = Field(description="The start command as an argument list; placeholders: " + ", ".join(COMMAND_FIELDS))
    pip: list[Annotated[str, Field(pattern=PIP_REQUIREMENT_PATTERN)]] = Field(
        default_factory=list,
        max_length=MAX_PIP_REQUIREMENTS,
        description="Requirements installed offline from the operator's wheelhouse "
        "(HORIZON_AGENT_WHEELHOUSE).",
    )
    dockerfile: Annotated[str, Field(max_length=MAX_LAYER_DOCKERFILE_CHARS), AfterValidator(_dockerfile)] = (
        Field(default="", description="Extra build steps (RUN, ENV, ARG, WORKDIR), run as the agent user.")
    )
    env: Annotated[dict[str, str], Field(max_length=MAX_ENV), AfterValidator(_env)] = Field(
        default_factory=dict
    )
    port: int = Field(
        default=DEFAULT_PROXY_PORT,
        ge=1024,
        le=65535,
        description="The model proxy's port on the sandbox's loopback.",
    )
    max_model_calls: int = Field(default=1000, ge=1, le=100_000)
    max_request_bytes: int = Field(default=8 * 1024 * 1024, ge=1024, le=64 * 1024 * 1024)


def inspect_agent_problem(path: str | None) -> str | None:
    """Why `path` is not an Inspect agent's import path, or None when it is one."""
    if not path:
        return "an inspect agent needs the `agent` setting: its import path, such as inspect_ai.agent:react"
    if len(path) > 200 or not re.fullmatch(INSPECT_AGENT_PATTERN, path):
        return f"agent {path[:200]!r} is not an import path of the form package.module:name"
    return None


def default_version(kind: str, agent_path: str | None) -> str | None:
    """The version an agent of `kind` records when its creator gives none: for an Inspect agent,
    its import path, the release of the package it comes from (when that is not inspect_ai) and
    the inspect_ai release installed here, read from the packages' metadata (nothing is imported).
    Each run also records what its worker actually ran (docs/agents.md)."""
    if kind != "inspect" or not agent_path:
        return None
    from importlib import metadata

    releases = []
    top_module = agent_path.partition(":")[0].split(".")[0]
    if top_module != "inspect_ai":
        for distribution in metadata.packages_distributions().get(top_module, [])[:1]:
            try:
                releases.append(f"{distribution} {metadata.version(distribution)}")
            except metadata.PackageNotFoundError:
                pass
    try:
        releases.append(f"inspect_ai {metadata.version('inspect_ai')}")
    except metadata.PackageNotFoundError:
        return None
    return f"{agent_path} ({', '.join(releases)})"[:100]
