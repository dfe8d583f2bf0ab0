"""What a task version consists of, as stored in the database and carried to a sandbox.

These pydantic models are the contract between the task suite (folders under `tasks/`, the REST
API, the web form), the database (JSON columns on `task_versions`) and the workers that build the
environment, run an agent and score the result. Any change to instructions, environment, scorer or
solution produces a new content hash and therefore a new task version.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)

BASE_IMAGE = "horizon-base"
EXTRA_BASE_IMAGES_ENV = "HORIZON_EXTRA_BASE_IMAGES"


def image_ref(image: str) -> str:
    """An image reference as Docker resolves it locally: `name` means `name:latest`."""
    value = image.strip()
    name = value.split("@", 1)[0]
    if "@" not in value and ":" not in name.rsplit("/", 1)[-1]:
        value += ":latest"
    return value


def parse_image_list(text: str) -> frozenset[str]:
    """A comma-separated list of image references, normalised (`image_ref`)."""
    return frozenset(image_ref(part) for part in text.split(",") if part.strip())


def allowed_base_images() -> frozenset[str]:
    """The operator's extra base images (HORIZON_EXTRA_BASE_IMAGES, `Settings.extra_base_images`),
    read from the environment when needed: core.settings imports this module, not the reverse."""
    return parse_image_list(os.environ.get(EXTRA_BASE_IMAGES_ENV, ""))


def base_image_allowed(image: str, allowed: Collection[str]) -> bool:
    """Whether a FROM line may name `image`: horizon-base (any tag) or an allowed extra image."""
    return image.split("@", 1)[0].split(":", 1)[0] == BASE_IMAGE or image_ref(image) in allowed


def dockerfile_problems(text: str, allowed: Collection[str] | None = None) -> list[tuple[str | None, str]]:
    """(instruction, message) for each way a task Dockerfile fails to build on the base image.

    Every FROM must name `horizon-base`, an image the operator allowed (`allowed`, default
    HORIZON_EXTRA_BASE_IMAGES) or an earlier build stage: no registry can be reached, so no other
    image can be pulled.
    """
    allowed = allowed_base_images() if allowed is None else allowed
    problems: list[tuple[str | None, str]] = []
    stages: set[str] = set()
    first_instruction: str | None = None
    # Join continuation lines so `FROM \` on two lines still parses.
    logical = re.sub(r"\\\r?\n", " ", text)
    for line in logical.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        words = stripped.split()
        instruction = words[0].upper()
        if first_instruction is None and instruction != "ARG":
            first_instruction = instruction
        if instruction != "FROM":
            continue
        args = [w for w in words[1:] if not w.startswith("--")]
        image = args[0] if args else ""
        if not base_image_allowed(image, allowed) and image.lower() not in stages:
            problems.append(
                (
                    "FROM",
                    f"builds on {image or 'nothing'!r}; task images must start `FROM {BASE_IMAGE}` "
                    f"or from an image the operator allowed in {EXTRA_BASE_IMAGES_ENV} (there is no "
                    "registry to pull other images from)",
                )
            )
        if len(args) >= 3 and args[1].upper() == "AS":
            stages.add(args[2].lower())
    if first_instruction is None:
        problems.append((None, f"is empty; it must start `FROM {BASE_IMAGE}`"))
    elif first_instruction != "FROM":
        problems.append(
            (first_instruction, f"must start with `FROM {BASE_IMAGE}`, not with {first_instruction}")
        )
    return problems


# --- limits on task content -------------------------------------------------------------------
# The one definition of what a task may hold; the REST API schemas, the web form and its archives,
# task folders and the importers all check these same rules.

# Files are carried in database rows and over the API as text, so keep them modest.
MAX_FILE_BYTES = 1_000_000  # one file, UTF-8 encoded
MAX_TASK_BYTES = 8_000_000  # instructions plus every file of the task
MAX_FILES = 1_000  # files of a task: environment, scorer and solution together
MAX_PATH_CHARS = 255
# Human time: at least one second, at most 30 days of active time. Outside that a number is a
# typo (seconds for minutes) that would move the task's human time by orders of magnitude.
MIN_HUMAN_MINUTES = 1 / 60
MAX_HUMAN_MINUTES = 30 * 24 * 60
MAX_TIME_LIMIT_S = 7 * 24 * 3600
DEFAULT_WORKDIR = "/home/agent"
MAX_WORKDIR_CHARS = 200
# Folders the sandbox needs as the image has them (or that Horizon mounts): a work directory
# there, or at /, breaks every run.
SYSTEM_DIRS = (
    "/bin",
    "/boot",
    "/dev",
    "/etc",
    "/lib",
    "/lib32",
    "/lib64",
    "/proc",
    "/run",
    "/sbin",
    "/scorer",
    "/solution",
    "/sys",
    "/usr",
)

# Names: a task's id, its family, its title and tags. Ids are also URL paths and folder names.
TASK_ID_MAX_CHARS = 200
# Segments separated by "/", each starting with a letter or digit: no "", "." or "..".
TASK_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:+-]*(/[A-Za-z0-9][A-Za-z0-9_.:+-]*)*$"
TASK_ID_RULE = (
    "use letters, digits and _ . : + - in parts separated by /, each part starting with a "
    "letter or digit (no spaces, no . or .. parts)"
)
# A task folder's id and family are its folder names (`tasks/<family>/<id>/`): a stricter subset
# of TASK_ID_PATTERN (one lower-case segment) that is the same on every file system.
FOLDER_ID_MAX_CHARS = 80
FOLDER_ID_PATTERN = rf"^[a-z0-9][a-z0-9_-]{{0,{FOLDER_ID_MAX_CHARS - 1}}}$"
FOLDER_ID_RULE = (
    "use lower-case letters, digits, '-' and '_', starting with a letter or digit, "
    f"at most {FOLDER_ID_MAX_CHARS} characters"
)
TITLE_MAX_CHARS = 500
TAG_MAX_CHARS = 100
TAG_PATTERN = r"^[A-Za-z0-9_.:+-]+$"
TAG_RULE = "use letters, digits and _ . : + - only"
MAX_TAGS = 50

_WORKDIR_CHARS = re.compile(r"[A-Za-z0-9._/-]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # C0, DEL and C1


def check_workdir(value: str) -> str:
    """The work directory: absolute, normalised, plain characters, not a system folder.

    It ends up in the image's WORKDIR and in shell commands, so anything else (a newline that
    adds a Dockerfile step, a relative path, `/`) is refused rather than quoted.
    """
    if not value.startswith("/"):
        raise ValueError(f"{value!r} must be an absolute path such as {DEFAULT_WORKDIR}")
    if len(value) > MAX_WORKDIR_CHARS:
        raise ValueError(f"must be at most {MAX_WORKDIR_CHARS} characters")
    if not _WORKDIR_CHARS.fullmatch(value):
        raise ValueError(
            f"{value!r} may contain only letters, digits and . _ - / "
            "(no spaces, quotes or control characters)"
        )
    if value == "/":
        raise ValueError(f"cannot be /; use a folder such as {DEFAULT_WORKDIR}")
    if posixpath.normpath(value) != value or "//" in value:
        raise ValueError(f"{value!r} must be a normalised path (no trailing /, //, . or ..)")
    for system in SYSTEM_DIRS:
        if value == system or value.startswith(system + "/"):
            raise ValueError(f"cannot be in {system}: the sandbox needs that folder as it is")
    return value


def check_file_path(path: str) -> str:
    """A file's key: a relative, normalised POSIX path that stays inside its folder."""
    if not path or path.startswith("/") or ".." in path.split("/"):
        raise ValueError(f"file path {path!r} must be relative and stay inside the task")
    if len(path) > MAX_PATH_CHARS:
        raise ValueError(f"file path {path[:40]!r}... is longer than {MAX_PATH_CHARS} characters")
    if _CONTROL.search(path):
        raise ValueError(f"file path {path!r} contains control characters")
    if posixpath.normpath(path) != path or path == ".":
        raise ValueError(f"file path {path!r} must be normalised (no trailing /, //, or .)")
    return path


def check_file_tree(files: dict[str, str]) -> dict[str, str]:
    """No path is both a file and a folder (`t/x` and `t/x/y`): such a set cannot be written out."""
    folders = {parent for path in files for parent in _parents(path)}
    clash = sorted(folders.intersection(files))
    if clash:
        raise ValueError(f"{clash[0]!r} is both a file and a folder holding other files")
    return files


def _parents(path: str) -> list[str]:
    parts = path.split("/")
    return ["/".join(parts[:i]) for i in range(1, len(parts))]


def check_file_text(text: str) -> str:
    """Refuse a file larger than MAX_FILE_BYTES of UTF-8."""
    # Characters never outnumber UTF-8 bytes: only encode when the cheap test passes.
    size = len(text) if len(text) > MAX_FILE_BYTES else len(text.encode())
    if size > MAX_FILE_BYTES:
        raise ValueError(f"is {size:,} bytes or more; a file may have at most {MAX_FILE_BYTES:,}")
    return text


def _few_files(value: Any) -> Any:
    # Before the entries are validated one by one, so a huge mapping is refused at once.
    if isinstance(value, dict) and len(value) > MAX_FILES:
        raise ValueError(f"holds {len(value):,} files; a task may have at most {MAX_FILES:,}")
    return value


def check_task_size(instructions: str, *file_sets: dict[str, str] | None) -> None:
    """The whole task (instructions and every file) within MAX_FILES and MAX_TASK_BYTES."""
    files = [text for fs in file_sets if fs for text in fs.values()]
    if len(files) > MAX_FILES:
        raise ValueError(f"the task holds {len(files):,} files; the limit is {MAX_FILES:,}")
    total = len(instructions.encode()) + sum(len(t.encode()) for t in files)
    if total > MAX_TASK_BYTES:
        raise ValueError(
            f"the task holds {total:,} bytes of instructions and files; the limit is {MAX_TASK_BYTES:,}"
        )


# Files are carried as text keyed by a relative POSIX path. Binary files are not supported yet;
# task environments that need data generate it in their Dockerfile.
FilePath = Annotated[str, AfterValidator(check_file_path)]
FileText = Annotated[str, AfterValidator(check_file_text)]
Files = Annotated[dict[FilePath, FileText], BeforeValidator(_few_files), AfterValidator(check_file_tree)]
Workdir = Annotated[str, AfterValidator(check_workdir)]
TaskId = Annotated[
    str,
    Field(
        min_length=1,
        max_length=TASK_ID_MAX_CHARS,
        pattern=TASK_ID_PATTERN,
        description="Letters, digits and _ . : + - in segments separated by /; each segment "
        "starts with a letter or digit.",
    ),
]
FolderId = Annotated[str, Field(pattern=FOLDER_ID_PATTERN)]
Title = Annotated[str, Field(min_length=1, max_length=TITLE_MAX_CHARS)]
Tag = Annotated[str, Field(min_length=1, max_length=TAG_MAX_CHARS, pattern=TAG_PATTERN)]
# Numbers are strict everywhere (no "5" or true for 5): the form converts its own text first.
HumanMinutes = Annotated[
    float, Field(strict=True, ge=MIN_HUMAN_MINUTES, le=MAX_HUMAN_MINUTES, allow_inf_nan=False)
]
Threshold = Annotated[float, Field(strict=True, ge=0.0, le=1.0, allow_inf_nan=False)]
ScorerTimeoutS = Annotated[int, Field(strict=True, gt=0, le=3600)]
TimeLimitS = Annotated[int, Field(strict=True, gt=0, le=MAX_TIME_LIMIT_S)]


MAX_SERVICES = 4
MAX_SERVICE_COMMAND_CHARS = 2000
MAX_SERVICE_START_S = 600


def _no_nul(value: str) -> str:
    # A command goes into a process's argument vector, which cannot hold NUL.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


ServiceCommand = Annotated[
    str, Field(min_length=1, max_length=MAX_SERVICE_COMMAND_CHARS), AfterValidator(_no_nul)
]


class ServiceSpec(BaseModel):
    """A process the sandbox starts before the agent's clock does (task.yaml's `services:`), such
    as the server an imported Harbor image's ENTRYPOINT/CMD ran.

    `command` runs with `sh -c` as root in the work directory, detached, so the agent can neither
    stop it nor lose it when its own processes are killed before scoring. `healthcheck`, when
    given, is run (as root, in the work directory) until it exits 0; if it has not within
    `timeout_s`, or the service exits first, the attempt is an infrastructure failure (the task's
    fault, never the agent's). See workers/task_services.py.
    """

    model_config = ConfigDict(extra="forbid")
    command: ServiceCommand
    healthcheck: ServiceCommand | None = None
    timeout_s: int = Field(default=60, strict=True, gt=0, le=MAX_SERVICE_START_S)


class EnvironmentSpec(BaseModel):
    """How to build the task's container image.

    `dockerfile` builds on the project's base image (refer to it as `FROM horizon-base`); `files`
    are the build context. With no dockerfile the base image is used as is and `files` are copied
    into the work directory at start. `services` are started in the sandbox before the agent.
    """

    model_config = ConfigDict(extra="forbid")
    dockerfile: FileText | None = None
    files: Files = Field(default_factory=dict)
    workdir: Workdir = DEFAULT_WORKDIR
    services: list[ServiceSpec] = Field(default_factory=list, max_length=MAX_SERVICES)

    @model_serializer(mode="wrap")
    def _without_unused_services(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # Left out while empty, so versions stored before services existed dump (and hash,
        # `content_hash`) exactly as they did.
        data: dict[str, Any] = handler(self)
        if not data.get("services"):
            data.pop("services", None)
        return data

    @field_validator("dockerfile")
    @classmethod
    def _on_base_image(cls, value: str | None) -> str | None:
        if value is not None:
            problems = dockerfile_problems(value)
            if problems:
                raise ValueError("; ".join(message for _, message in problems))
        return value


class ScorerSpec(BaseModel):
    """How to score a finished attempt inside the sandbox.

    `files` are copied to `/scorer` (read-only for the agent: they are copied in only after the
    agent stops). `command` runs with the work directory as cwd and must print the score, a number
    in [0, 1], as the last line of its standard output. `threshold`: score_binarized is
    1 when score_cont >= threshold.
    """

    model_config = ConfigDict(extra="forbid")
    command: str = Field(min_length=1, max_length=10_000)
    files: Files = Field(default_factory=dict)
    threshold: Threshold = 1.0
    timeout_s: ScorerTimeoutS = 120


class SolutionSpec(BaseModel):
    """The reference solution that the `oracle` agent runs: `files` go to `/solution`, then
    `command` runs in the work directory."""

    model_config = ConfigDict(extra="forbid")
    command: str = Field(min_length=1, max_length=10_000)
    files: Files = Field(default_factory=dict)


MAX_TASK_GPUS = 8
MIN_GPU_MEMORY_MB = 1024
MAX_GPU_MEMORY_MB = 1048576


class Resources(BaseModel):
    """CPU, memory, process, disk and GPU limits of a sandbox (task.yaml's `resources:` block).

    `gpus` GPUs, each with at least `gpu_memory_mb` of memory (any size when unset), are given to
    the sandbox; such a task's runs go to the `gpu` queue (`core.services.routing`)."""

    model_config = ConfigDict(extra="forbid")
    cpus: float = Field(default=1.0, strict=True, gt=0, le=64, allow_inf_nan=False)
    memory_mb: int = Field(default=1024, strict=True, ge=16, le=262144)
    pids: int = Field(default=256, strict=True, ge=8, le=65536)
    disk_mb: int = Field(default=1024, strict=True, ge=1, le=1048576)
    gpus: int = Field(default=0, strict=True, ge=0, le=MAX_TASK_GPUS)
    gpu_memory_mb: int | None = Field(default=None, strict=True, ge=MIN_GPU_MEMORY_MB, le=MAX_GPU_MEMORY_MB)

    @model_validator(mode="after")
    def _gpu_memory_needs_gpus(self) -> Resources:
        if self.gpu_memory_mb is not None and self.gpus == 0:
            raise ValueError("gpu_memory_mb is the memory of each GPU asked for: set gpus too")
        return self

    @model_serializer(mode="wrap")
    def _without_unused_gpu_fields(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        # Left out while unused, so versions stored before GPUs existed dump (and hash, see
        # core.services.tasks.version_hash) exactly as they did.
        data: dict[str, Any] = handler(self)
        if data.get("gpus") == 0:
            data.pop("gpus")
        if data.get("gpu_memory_mb") is None:
            data.pop("gpu_memory_mb", None)
        return data


class ResourceLimits(Resources):
    """Per-run sandbox limits."""

    network: Literal["none"] = "none"


@dataclass(frozen=True)
class TaskMaxima:
    """The operator's maxima for a sandbox (HORIZON_TASK_MAX_*, `Settings.task_maxima()`), below
    the absolute ceilings above. They can change after a task is stored, so they are checked when
    a task is stored and again when a worker creates its container."""

    cpus: float
    memory_mb: int
    disk_mb: int
    pids: int
    time_limit_s: int
    gpus: int = MAX_TASK_GPUS


def over_maxima(limits: Resources, time_limit_s: float, maxima: TaskMaxima) -> list[tuple[str, str]]:
    """(key, message) for each limit above the operator's maximum; keys are `Resources` field
    names and `time_limit_s`, so each edge can prefix its own field path."""
    found = []
    for key, value, most in (
        ("cpus", limits.cpus, maxima.cpus),
        ("memory_mb", limits.memory_mb, maxima.memory_mb),
        ("disk_mb", limits.disk_mb, maxima.disk_mb),
        ("pids", limits.pids, maxima.pids),
        ("gpus", limits.gpus, maxima.gpus),
        ("time_limit_s", time_limit_s, maxima.time_limit_s),
    ):
        if value > most:
            found.append(
                (key, f"is {value:,}; this server allows at most {most:,} (HORIZON_TASK_MAX_{key.upper()})")
            )
    return found


def content_hash(
    instructions: str,
    environment: EnvironmentSpec,
    scorer: ScorerSpec,
    solution: SolutionSpec | None,
) -> str:
    """A stable SHA-256 over everything that defines what a task asks and how it is judged."""
    payload = {
        "instructions": instructions,
        "environment": environment.model_dump(mode="json"),
        "scorer": scorer.model_dump(mode="json"),
        "solution": solution.model_dump(mode="json") if solution else None,
    }
    blob = json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    return hashlib.sha256(blob).hexdigest()
