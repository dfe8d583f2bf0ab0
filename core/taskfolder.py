"""The task folder format: one folder per task under `tasks/<family>/<task>/`.

A task folder holds:

- `task.yaml`: the spec (id, family, title, version, time limit, tags, resources, network policy,
  services started before the agent, scorer command and threshold, human baselines and/or an
  estimate);
- `instructions.md`: what the agent is asked to do;
- `environment/` (optional): a `Dockerfile` starting `FROM horizon-base` plus its build context,
  or, without a Dockerfile, files copied into the work directory when the sandbox starts;
- `solution/` (optional but expected): the reference solution, entry `solve.sh`;
- `scorer/`: files copied to `/scorer` after the agent stops; the scorer command prints a score in
  [0, 1] on the last line of its standard output.

`load_task_folder` turns a folder into a `TaskFolder` (the `core.taskspec` models plus the spec,
baselines, estimate and content hash). `validate_task_folder` and `validate_tree` collect every
problem they find, each naming the file and the field, instead of stopping at the first one.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Literal, NamedTuple

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from analysis.bounded_yaml import load_yaml, short_repr
from analysis.human_time import HumanTime
from analysis.human_time import human_time as _human_time
from core.settings import get_settings
from core.taskspec import (
    DEFAULT_WORKDIR,
    FOLDER_ID_RULE,
    MAX_FILE_BYTES,
    MAX_FILES,
    MAX_SERVICES,
    MAX_TAGS,
    TAG_RULE,
    EnvironmentSpec,
    FolderId,
    HumanMinutes,
    ResourceLimits,
    Resources,
    ScorerSpec,
    ScorerTimeoutS,
    ServiceSpec,
    SolutionSpec,
    Tag,
    Threshold,
    TimeLimitS,
    Title,
    Workdir,
    check_file_path,
    check_task_size,
    content_hash,
    dockerfile_problems,
    over_maxima,
)

SPEC_FILE = "task.yaml"
INSTRUCTIONS_FILE = "instructions.md"
ENVIRONMENT_DIR = "environment"
SOLUTION_DIR = "solution"
SCORER_DIR = "scorer"
DOCKERFILE = "Dockerfile"
SOLVE_SCRIPT = "solve.sh"
README_FILE = "README.md"
DEFAULT_SOLUTION_COMMAND = f"bash /solution/{SOLVE_SCRIPT}"
# Entries allowed at the top of a task folder; anything else is most likely a typo.
TOP_LEVEL_ENTRIES = frozenset(
    {SPEC_FILE, INSTRUCTIONS_FILE, ENVIRONMENT_DIR, SOLUTION_DIR, SCORER_DIR, README_FILE}
)
# Size, count, path, workdir, name and number rules are core.taskspec's (shared with the API and
# form); the human-time formula is analysis.human_time's.
# Caches that tools create next to the files; never part of a task.
IGNORED_NAMES = frozenset({"__pycache__", ".pytest_cache", ".mypy_cache", ".DS_Store"})

_SCRIPT_PATH = re.compile(r"(?<![\w./-])/(scorer|solution)/([\w./-]+)")


class Problem(BaseModel):
    """One thing wrong with a task folder, in words a task author understands."""

    model_config = ConfigDict(frozen=True)
    file: str
    field: str | None = None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.field}" if self.field else self.file
        return f"{where}: {self.message}"


class TaskFolderError(ValueError):
    """A task folder could not be loaded; `problems` lists everything that is wrong with it."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


# --- task.yaml ------------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Baseline(_Strict):
    """One person's attempt at the task: who, how many minutes of active time, and whether it
    succeeded. Only successful baselines count towards the task's human time."""

    baseliner: str = Field(min_length=1)
    minutes: HumanMinutes
    succeeded: bool
    notes: str = ""


class Estimate(_Strict):
    """A stand-in for human baselines: the minutes a skilled person would need, where the number
    comes from (`source`, e.g. `author`, `metr-manifest`, `harbor-task-toml`) and why."""

    minutes: HumanMinutes
    source: str = Field(min_length=1)
    rationale: str = Field(min_length=1)


class ResourcesConfig(Resources):
    """The `resources:` block: `core.taskspec.Resources` (its defaults and bounds)."""

    model_config = ConfigDict(extra="forbid", strict=True)


class ScorerConfig(_Strict):
    """How the scorer is run (task.yaml `scorer:`) and the score that counts as success."""

    command: str = Field(min_length=1)
    threshold: Threshold = 1.0
    timeout_s: ScorerTimeoutS = 120


class SolutionConfig(_Strict):
    """How the reference solution is run (task.yaml `solution:`)."""

    command: str = Field(default=DEFAULT_SOLUTION_COMMAND, min_length=1)


class TaskSpecFile(_Strict):
    """The contents of `task.yaml`."""

    id: FolderId
    family: FolderId
    title: Title
    version: int = Field(ge=1)
    time_limit_s: TimeLimitS
    tags: list[Tag] = Field(default_factory=list, max_length=MAX_TAGS)
    resources: ResourcesConfig = Field(default_factory=ResourcesConfig)
    network: Literal["none"] = "none"
    workdir: Workdir = DEFAULT_WORKDIR
    # Processes started in the sandbox before the agent (core.taskspec.ServiceSpec).
    services: list[ServiceSpec] = Field(default_factory=list, max_length=MAX_SERVICES)
    scorer: ScorerConfig
    solution: SolutionConfig | None = None
    baselines: list[Baseline] = Field(default_factory=list)
    estimate: Estimate | None = None
    # Why the task has no human time yet (an imported task whose source gave no estimate). Only
    # then may baselines and estimate both be missing: such a task runs, but fits leave it out
    # until a baseline or an estimate is added; no number is invented for it.
    no_human_time: str = Field(default="", max_length=2000)
    notes: str = ""


# --- human time -----------------------------------------------------------------------------


def human_time(baselines: Iterable[Baseline], estimate: Estimate | None) -> HumanTime | None:
    """The folder's human time by `analysis.human_time`'s formula: the successful baselines'
    geometric mean, else the estimate, else None."""
    successful = [b.minutes for b in baselines if b.succeeded]
    return _human_time(successful, estimate.minutes if estimate is not None else None)


# --- the loaded folder ----------------------------------------------------------------------


class TaskFolder(BaseModel):
    """A task folder, loaded and checked, mapped onto the `core.taskspec` models."""

    path: str
    spec: TaskSpecFile
    instructions: str
    environment: EnvironmentSpec
    scorer: ScorerSpec
    solution: SolutionSpec | None
    limits: ResourceLimits
    baselines: list[Baseline]
    estimate: Estimate | None
    # None only for a task that says why in task.yaml's `no_human_time`.
    human_time: HumanTime | None
    content_hash: str

    @property
    def id(self) -> str:
        """The task's id."""
        return self.spec.id

    @property
    def family(self) -> str:
        """The task's family."""
        return self.spec.family

    @property
    def version(self) -> int:
        """The version task.yaml declares."""
        return self.spec.version


# --- reading files --------------------------------------------------------------------------


def _display(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return path.relative_to(root).as_posix()
        except ValueError:
            pass
    return path.as_posix()


def _walk_files(folder: Path) -> Iterator[Path]:
    """Every entry below `folder` that is a file or a symbolic link, in a stable order."""
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d not in IGNORED_NAMES)
        base = Path(dirpath)
        # A symbolic link to a directory shows up in dirnames; report it like a file.
        for name in sorted(dirnames):
            if (base / name).is_symlink():
                yield base / name
        for name in sorted(filenames):
            if name not in IGNORED_NAMES:
                yield base / name


def _read_text_files(
    folder: Path, task_dir: Path, shown_root: Path | None, problems: list[Problem], room: int
) -> dict[str, str]:
    """Read every file below `folder` as UTF-8 text keyed by its POSIX path relative to `folder`,
    adding a problem for symbolic links, oversized or non-UTF-8 files and bad names. At most
    `room` files are read (what is left of MAX_FILES); the walk stops at the first one past it."""
    files: dict[str, str] = {}
    if not folder.is_dir():
        return files
    task_root = task_dir.resolve()
    for count, path in enumerate(_walk_files(folder)):
        shown = _display(path, shown_root)
        if count >= room:
            problems.append(
                Problem(
                    file=_display(folder, shown_root),
                    message=f"is where reading stopped: a task may have at most {MAX_FILES:,} files",
                )
            )
            break
        rel = path.relative_to(folder).as_posix()
        try:
            check_file_path(rel)
        except ValueError as exc:
            problems.append(Problem(file=shown, message=str(exc)))
            continue
        if path.is_symlink():
            target = path.resolve()
            if target != task_root and task_root not in target.parents:
                problems.append(
                    Problem(
                        file=shown,
                        message="is a symbolic link pointing outside the task folder; "
                        "copy the file into the folder instead",
                    )
                )
            else:
                problems.append(
                    Problem(
                        file=shown,
                        message="is a symbolic link; task files must be plain files (copy the file instead)",
                    )
                )
            continue
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            problems.append(
                Problem(
                    file=shown,
                    message=f"is too large ({size:,} bytes; the limit is {MAX_FILE_BYTES:,}); "
                    "generate large data in the Dockerfile or a script instead",
                )
            )
            continue
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            problems.append(
                Problem(
                    file=shown,
                    message=f"is not UTF-8 text (byte {exc.start} cannot be decoded); binary files "
                    "are not supported: generate them in the Dockerfile or a script",
                )
            )
            continue
        if "\x00" in text:
            problems.append(
                Problem(
                    file=shown,
                    message="contains NUL bytes, so it is binary; binary files are not supported",
                )
            )
            continue
        files[rel] = text
    return files


# --- checks ---------------------------------------------------------------------------------


def _field_path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


def _model_for(loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The model that owns the mapping at `loc` (used to list the keys it allows)."""
    owners: dict[tuple[str, ...], type[BaseModel]] = {
        (): TaskSpecFile,
        ("resources",): ResourcesConfig,
        ("scorer",): ScorerConfig,
        ("solution",): SolutionConfig,
        ("estimate",): Estimate,
        ("baselines",): Baseline,
        ("services",): ServiceSpec,
    }
    return owners.get(tuple(part for part in loc if isinstance(part, str)))


def _describe_error(err: Any) -> tuple[str, str]:
    """Turn one pydantic error into (field path, plain message)."""
    loc: tuple[int | str, ...] = tuple(err["loc"])
    kind: str = err["type"]
    got = err.get("input")
    if kind == "extra_forbidden":
        parent = _model_for(loc[:-1])
        allowed = ", ".join(parent.model_fields) if parent else ""
        hint = f" (allowed keys: {allowed})" if allowed else ""
        return _field_path(loc), f"unknown key{hint}"
    if kind == "missing":
        return _field_path(loc), "is required but missing"
    field = _field_path(loc)
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        words = {"greater_than": "greater than", "greater_than_equal": "at least"}
        words |= {"less_than": "less than", "less_than_equal": "at most"}
        (limit,) = err["ctx"].values()
        return field, f"must be {words[kind]} {limit:.4g} (got {short_repr(got)})"
    if kind == "string_pattern_mismatch" and loc[:1] == ("tags",):
        return field, f"tag {short_repr(got)}: {TAG_RULE}"
    if kind == "string_pattern_mismatch":
        return field, f"{short_repr(got)} is not a valid name: {FOLDER_ID_RULE}"
    if kind == "literal_error":
        return field, f"{err['msg'].replace('Input should be', 'must be')} (got {short_repr(got)})"
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return field, f"has the wrong type: {err['msg'].replace('Input should be', 'must be')}" + (
            f" (got {type(got).__name__} {short_repr(got)})"
        )
    if kind == "value_error":
        return field, str(err["ctx"]["error"]) if "ctx" in err else err["msg"]
    return field, f"{err['msg']} (got {short_repr(got)})"


def _check_dockerfile(text: str, shown: str) -> list[Problem]:
    """Every FROM must build on the project's base image (no registry can be reached)."""
    return [Problem(file=shown, field=field, message=message) for field, message in dockerfile_problems(text)]


def _check_command_paths(
    command: str, kind: str, files: dict[str, str], shown: str, field: str
) -> list[Problem]:
    """Files a command names under /scorer or /solution must exist in that folder."""
    problems = []
    for match in _SCRIPT_PATH.finditer(command):
        folder, rel = match.group(1), match.group(2).rstrip(".")
        if folder != kind:
            problems.append(
                Problem(
                    file=shown,
                    field=field,
                    message=f"refers to /{folder}/{rel}, but only /{kind} is available to this command",
                )
            )
        elif rel not in files and not any(f.startswith(rel.rstrip("/") + "/") for f in files):
            problems.append(
                Problem(
                    file=shown,
                    field=field,
                    message=f"runs /{kind}/{rel}, but {kind}/{rel} does not exist in the task folder",
                )
            )
    return problems


class _Contents(NamedTuple):
    """The text files of the three folders, with the Dockerfile taken out of `environment`."""

    dockerfile: str | None
    environment: dict[str, str]
    scorer: dict[str, str]
    solution: dict[str, str]


def _check_layout(task_dir: Path, shown_root: Path | None) -> list[Problem]:
    """Top-level entries outside the format, and folders that are files or links. A stray entry is
    most likely a typo (`scorers/`, `task.yml`) that would otherwise be silently ignored."""
    problems: list[Problem] = []
    for entry in sorted(task_dir.iterdir()):
        if entry.name not in TOP_LEVEL_ENTRIES and entry.name not in IGNORED_NAMES:
            problems.append(
                Problem(
                    file=_display(entry, shown_root),
                    message="is not part of the task format (expected only "
                    + ", ".join(sorted(TOP_LEVEL_ENTRIES))
                    + ")",
                )
            )
    for sub in (ENVIRONMENT_DIR, SOLUTION_DIR, SCORER_DIR):
        p = task_dir / sub
        if p.exists() and (p.is_symlink() or not p.is_dir()):
            problems.append(
                Problem(file=_display(p, shown_root), message="must be a folder (not a file or link)")
            )
    return problems


def _parse_spec(spec_path: Path, spec_shown: str) -> tuple[TaskSpecFile | None, list[Problem]]:
    """Read and validate task.yaml against the schema. The spec is None when any step fails; the
    checks that need it are then skipped, so one mistake is not reported several times."""
    if not spec_path.is_file():
        return None, [Problem(file=spec_shown, message="is missing; every task needs a task.yaml")]
    if spec_path.stat().st_size > MAX_FILE_BYTES:
        return None, [Problem(file=spec_shown, message=f"is larger than {MAX_FILE_BYTES:,} bytes")]
    try:
        raw: Any = load_yaml(spec_path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        return None, [Problem(file=spec_shown, message="is not UTF-8 text")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = getattr(exc, "problem", None) or str(exc)
        return None, [Problem(file=spec_shown, message=f"is not valid YAML{where}: {reason}")]
    if not isinstance(raw, dict):
        return None, [
            Problem(
                file=spec_shown,
                message=f"must be a mapping of keys to values, not {type(raw).__name__}",
            )
        ]
    try:
        return TaskSpecFile.model_validate(raw), []
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            field, message = _describe_error(err)
            problems.append(Problem(file=spec_shown, field=field, message=message))
        return None, problems


def _check_spec(spec: TaskSpecFile, task_dir: Path, spec_shown: str) -> list[Problem]:
    """Rules the schema cannot express: the spec must agree with where the folder sits, have a
    human time (or say why not), repeat no tag and stay within this deployment's maxima."""
    problems: list[Problem] = []
    if spec.id != task_dir.name:
        problems.append(
            Problem(
                file=spec_shown,
                field="id",
                message=f"is {spec.id!r} but the folder is named {task_dir.name!r}; they must match",
            )
        )
    if spec.family != task_dir.parent.name:
        problems.append(
            Problem(
                file=spec_shown,
                field="family",
                message=f"is {spec.family!r} but the task sits in the family folder "
                f"{task_dir.parent.name!r}; they must match",
            )
        )
    if human_time(spec.baselines, spec.estimate) is None and not spec.no_human_time.strip():
        field = "baselines" if spec.baselines else "estimate"
        problems.append(
            Problem(
                file=spec_shown,
                field=field,
                message="the task has no human time: add a successful baseline or an estimate "
                "(minutes, source, rationale), or say why in no_human_time (fits then leave "
                "the task out)",
            )
        )
    if len(set(spec.tags)) != len(spec.tags):
        problems.append(Problem(file=spec_shown, field="tags", message="lists a tag twice"))
    maxima = get_settings().task_maxima()
    for key, message in over_maxima(spec.resources, spec.time_limit_s, maxima):
        field = key if key == "time_limit_s" else f"resources.{key}"
        problems.append(Problem(file=spec_shown, field=field, message=message))
    return problems


def _read_instructions(task_dir: Path, shown_root: Path | None) -> tuple[str, list[Problem]]:
    """instructions.md as text ("" when it cannot be read, so the size check can still run)."""
    instr_path = task_dir / INSTRUCTIONS_FILE
    instr_shown = _display(instr_path, shown_root)
    if not instr_path.is_file():
        return "", [Problem(file=instr_shown, message="is missing; it tells the agent what to do")]
    if instr_path.stat().st_size > MAX_FILE_BYTES:
        return "", [Problem(file=instr_shown, message=f"is larger than {MAX_FILE_BYTES:,} bytes")]
    problems: list[Problem] = []
    instructions = ""
    try:
        instructions = instr_path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        problems.append(Problem(file=instr_shown, message="is not UTF-8 text"))
    if not instructions.strip():
        problems.append(Problem(file=instr_shown, message="is empty"))
    return instructions, problems


def _read_contents(
    task_dir: Path, shown_root: Path | None, instructions: str
) -> tuple[_Contents, list[Problem]]:
    """Read the environment, scorer and solution folders, then check what only shows across them:
    the whole task's file count and size, and the Dockerfile's base image."""
    problems: list[Problem] = []
    # MAX_FILES + 1 lets the whole-task check below report a count just past the limit.
    room = MAX_FILES + 1
    env_files = _read_text_files(task_dir / ENVIRONMENT_DIR, task_dir, shown_root, problems, room)
    room -= len(env_files)
    scorer_files = _read_text_files(task_dir / SCORER_DIR, task_dir, shown_root, problems, room)
    room -= len(scorer_files)
    solution_files = _read_text_files(task_dir / SOLUTION_DIR, task_dir, shown_root, problems, room)

    try:
        check_task_size(instructions, env_files, scorer_files, solution_files)
    except ValueError as exc:
        problems.append(Problem(file=_display(task_dir, shown_root), message=str(exc)))

    dockerfile = env_files.pop(DOCKERFILE, None)
    if dockerfile is not None:
        problems += _check_dockerfile(
            dockerfile, _display(task_dir / ENVIRONMENT_DIR / DOCKERFILE, shown_root)
        )
    return _Contents(dockerfile, env_files, scorer_files, solution_files), problems


def _solution_command(spec: TaskSpecFile) -> str:
    """The command that runs the reference solution: task.yaml's, else the default entry point."""
    return (spec.solution or SolutionConfig()).command


def _check_commands(
    spec: TaskSpecFile, contents: _Contents, has_solution: bool, spec_shown: str
) -> list[Problem]:
    """The scorer and solution commands must name files that exist, so a typo in a path fails
    here instead of in the sandbox after an agent's whole run."""
    problems = _check_command_paths(
        spec.scorer.command, "scorer", contents.scorer, spec_shown, "scorer.command"
    )
    if has_solution:
        problems += _check_command_paths(
            _solution_command(spec), "solution", contents.solution, spec_shown, "solution.command"
        )
    if not spec.scorer.command.strip():
        problems.append(Problem(file=spec_shown, field="scorer.command", message="is empty"))
    return problems


def _assemble(
    task_dir: Path, spec: TaskSpecFile, instructions: str, contents: _Contents, has_solution: bool
) -> TaskFolder:
    """Map a folder that passed every check onto the `core.taskspec` models the rest of the
    service uses, so nothing downstream needs to know about the folder format."""
    environment = EnvironmentSpec(
        dockerfile=contents.dockerfile,
        files=contents.environment,
        workdir=spec.workdir,
        services=spec.services,
    )
    scorer = ScorerSpec(
        command=spec.scorer.command,
        files=contents.scorer,
        threshold=spec.scorer.threshold,
        timeout_s=spec.scorer.timeout_s,
    )
    solution = (
        SolutionSpec(command=_solution_command(spec), files=contents.solution) if has_solution else None
    )
    limits = ResourceLimits(**spec.resources.model_dump(), network=spec.network)
    return TaskFolder(
        path=str(task_dir),
        spec=spec,
        instructions=instructions,
        environment=environment,
        scorer=scorer,
        solution=solution,
        limits=limits,
        baselines=list(spec.baselines),
        estimate=spec.estimate,
        human_time=human_time(spec.baselines, spec.estimate),
        content_hash=content_hash(instructions, environment, scorer, solution),
    )


def _load(path: Path, shown_root: Path | None) -> tuple[TaskFolder | None, list[Problem]]:
    """Load one folder, returning the folder (None when anything is wrong) and every problem.

    Every stage runs even when an earlier one found problems, so an author sees all of them in one
    pass; the problems come in the order of the stages (layout, task.yaml, instructions, files,
    commands)."""
    task_dir = path
    if not task_dir.is_dir():
        return None, [Problem(file=_display(task_dir, shown_root), message="is not a folder")]
    spec_shown = _display(task_dir / SPEC_FILE, shown_root)

    problems = _check_layout(task_dir, shown_root)
    spec, spec_problems = _parse_spec(task_dir / SPEC_FILE, spec_shown)
    problems += spec_problems
    if spec is not None:
        problems += _check_spec(spec, task_dir, spec_shown)
    instructions, instruction_problems = _read_instructions(task_dir, shown_root)
    problems += instruction_problems
    contents, content_problems = _read_contents(task_dir, shown_root, instructions)
    problems += content_problems
    if spec is None:
        return None, problems
    has_solution = (task_dir / SOLUTION_DIR).is_dir() or spec.solution is not None
    problems += _check_commands(spec, contents, has_solution, spec_shown)
    if problems:
        return None, problems
    return _assemble(task_dir, spec, instructions, contents, has_solution), []


# --- public API -----------------------------------------------------------------------------


def validate_task_folder(path: str | Path, root: str | Path | None = None) -> list[Problem]:
    """Every problem with one task folder (empty when it is valid). File names in the problems
    are shown relative to `root` when given."""
    _, problems = _load(Path(path), Path(root) if root is not None else None)
    return problems


def load_task_folder(path: str | Path) -> TaskFolder:
    """Load and check one task folder; raises `TaskFolderError` listing every problem."""
    folder, problems = _load(Path(path), Path(path).parent.parent)
    if folder is None:
        raise TaskFolderError(problems)
    return folder


def discover_task_folders(root: str | Path) -> list[Path]:
    """Folders below `root` that contain a `task.yaml`, sorted (normally `root/<family>/<task>`)."""
    base = Path(root)
    found = []
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = sorted(d for d in dirnames if d not in IGNORED_NAMES and not d.startswith("."))
        if SPEC_FILE in filenames:
            found.append(Path(dirpath))
            dirnames[:] = []  # a task folder's own subfolders are not tasks
    return sorted(found)


def _looks_like_task(folder: Path) -> bool:
    return any((folder / name).exists() for name in (INSTRUCTIONS_FILE, SCORER_DIR, SOLUTION_DIR))


def validate_tree(root: str | Path) -> list[Problem]:
    """Check every task folder below `root` (`root/<family>/<task>/`), plus what only shows
    across folders: duplicate ids and task-like folders without a task.yaml."""
    base = Path(root)
    if not base.is_dir():
        return [Problem(file=str(base), message="is not a folder")]
    problems: list[Problem] = []
    folders = discover_task_folders(base)
    known = set(folders)
    # Folders two levels down that look like tasks but have no task.yaml.
    for family_dir in sorted(p for p in base.iterdir() if p.is_dir() and p.name not in IGNORED_NAMES):
        if family_dir.name.startswith("."):
            continue
        for task_dir in sorted(p for p in family_dir.iterdir() if p.is_dir()):
            if task_dir not in known and _looks_like_task(task_dir):
                problems.append(
                    Problem(
                        file=_display(task_dir / SPEC_FILE, base),
                        message="is missing; this folder looks like a task but has no task.yaml",
                    )
                )
    seen: dict[str, Path] = {}
    for folder in folders:
        problems += validate_task_folder(folder, base)
        spec_id = _peek_id(folder / SPEC_FILE)
        if spec_id is None:
            continue
        if spec_id in seen:
            problems.append(
                Problem(
                    file=_display(folder / SPEC_FILE, base),
                    field="id",
                    message=f"{spec_id!r} is already used by "
                    f"{_display(seen[spec_id] / SPEC_FILE, base)}; task ids must be unique",
                )
            )
        else:
            seen[spec_id] = folder
    return problems


def _peek_id(spec_path: Path) -> str | None:
    try:
        raw = load_yaml(spec_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    value = raw.get("id") if isinstance(raw, dict) else None
    return value if isinstance(value, str) else None


def load_tree(root: str | Path) -> list[TaskFolder]:
    """Load every task below `root`; raises `TaskFolderError` with all problems of the tree."""
    problems = validate_tree(root)
    if problems:
        raise TaskFolderError(problems)
    return [load_task_folder(p) for p in discover_task_folders(root)]


def write_task_folder(
    folder: str | Path,
    spec: dict[str, Any],
    instructions: str,
    *,
    environment_files: dict[str, str] | None = None,
    dockerfile: str | None = None,
    scorer_files: dict[str, str] | None = None,
    solution_files: dict[str, str] | None = None,
) -> Path:
    """Write a task folder (the inverse of `load_task_folder`) and return its path.

    `spec` is the content of task.yaml; it is checked with the same rules as a folder on disk
    and `TaskFolderError` is raised (and nothing written) when it is invalid. The folder must not
    exist yet, so an import never overwrites an author's work.
    """
    target = Path(folder)
    shown = f"{target.name}/{SPEC_FILE}"
    try:
        TaskSpecFile.model_validate(spec)
    except ValidationError as exc:
        raise TaskFolderError(
            [Problem(file=shown, field=f, message=m) for f, m in map(_describe_error, exc.errors())]
        ) from exc
    if target.exists():
        raise FileExistsError(f"{target} already exists; remove it or choose another destination")
    parts: dict[str, dict[str, str]] = {
        ENVIRONMENT_DIR: dict(environment_files or {}),
        SCORER_DIR: dict(scorer_files or {}),
    }
    if dockerfile is not None:
        parts[ENVIRONMENT_DIR][DOCKERFILE] = dockerfile
    if solution_files is not None:
        parts[SOLUTION_DIR] = dict(solution_files)
    try:
        for files in parts.values():
            for rel in files:
                check_file_path(rel)
        check_task_size(instructions, *parts.values())
    except ValueError as exc:
        raise TaskFolderError([Problem(file=shown, message=str(exc))]) from None
    target.mkdir(parents=True)
    (target / SPEC_FILE).write_text(
        yaml.safe_dump(spec, sort_keys=False, allow_unicode=True, width=100), encoding="utf-8"
    )
    (target / INSTRUCTIONS_FILE).write_text(instructions, encoding="utf-8")
    for sub, files in parts.items():
        (target / sub).mkdir(exist_ok=True)
        for rel, text in files.items():
            path = target / sub / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            if text.startswith("#!"):
                path.chmod(0o755)
    return target


def format_problems(problems: Iterable[Problem]) -> str:
    """One line per problem, for the command line."""
    return "\n".join(str(p) for p in problems)
