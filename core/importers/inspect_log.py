"""Read an Inspect eval log (`.eval` or `.json`) into what a horizon needs, within bounds.

`read_inspect_log(path, max_bytes=..., scorer=...)` returns an `InspectLog`: the eval's ids, its
model, solver, scorer and versions, and one `InspectSample` per scored sample and epoch (its id,
its score as a number in [0, 1], and a human time when the sample's metadata carries
`human_minutes`). It reads the log's header and its per-sample summaries with
`inspect_ai.log` (never the transcripts), so a log of any length is read in a few megabytes.

A log is an uploaded file: everything in it is checked. The file may be at most `max_bytes`; an
`.eval` archive is unpacked within `core.importers.eval_archive`'s bounds first; at most
MAX_SAMPLES samples times epochs; ids, names and versions have length limits. Any problem raises
`ImportProblem` with a message that says what to change; nothing is written anywhere.

Samples that ended in an error are skipped (an error is the harness's failure, not the model's,
as infrastructure failures are in Horizon's own runs); so are samples without a score from the
chosen scorer. Both are counted.
"""

from __future__ import annotations

import math
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from core.importers.common import ImportProblem, human_minutes
from core.importers.eval_archive import is_zip, unpack_eval_log
from core.taskspec import TASK_ID_MAX_CHARS

MAX_SAMPLES = 50_000  # samples x epochs in one log: each becomes a run row
MAX_EPOCH = 10_000
MAX_NAME_CHARS = 200  # model, task, solver names (the agent's name is made from them)
MAX_SCORER_CHARS = 100
MAX_VERSION_CHARS = 64
HUMAN_MINUTES_KEY = "human_minutes"  # the sample metadata key METR's runs files use too
# Inspect's letter values (CORRECT, INCORRECT, PARTIAL, NOANSWER) as numbers, as its own
# metrics read them.
LETTER_SCORES = {"C": 1.0, "I": 0.0, "P": 0.5, "N": 0.0}
_EVAL_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class InspectSample:
    """One sample in one epoch, scored by the chosen scorer."""

    sample_id: str
    epoch: int
    score: float  # in [0, 1]
    raw_score: str | float  # the value as the log gave it (a letter or a number)
    human_minutes: float | None  # the sample metadata's `human_minutes`, checked
    limit: str | None  # the limit that ended the sample, if one did (token, time...)


@dataclass(frozen=True)
class InspectLog:
    """What the importer keeps of an Inspect eval log."""

    eval_id: str
    run_id: str
    task: str
    task_version: str
    model: str
    solver: str  # the solver or agent, else the plan's steps joined by "+"
    scorer: str
    inspect_version: str
    status: str
    created: str
    samples: list[InspectSample]
    errored: int  # samples skipped because they ended in an error
    unscored: int  # samples skipped because the scorer gave them no score


def read_inspect_log(path: Path, *, max_bytes: int, scorer: str | None = None) -> InspectLog:
    """Read and check an Inspect log; `scorer` names the score to use when the log has several."""
    path = Path(path)
    if not path.is_file():
        raise ImportProblem(f"no such file: {path}")
    size = path.stat().st_size
    if size > max_bytes:
        raise ImportProblem(
            f"the log is {size:,} bytes; at most {max_bytes:,} are accepted (HORIZON_MAX_UPLOAD_BYTES)"
        )
    with tempfile.TemporaryDirectory(prefix="horizon-inspect-") as tmp:
        if is_zip(path):
            readable, log_format = Path(tmp) / "log.eval", "eval"
            unpack_eval_log(path, readable)
        else:
            readable, log_format = path, "json"
            _check_json_start(path)
        header, summaries = _read_with_inspect(readable, log_format)
    return _checked(header, summaries, scorer)


def _check_json_start(path: Path) -> None:
    with path.open("rb") as handle:
        start = handle.read(4096).lstrip()
    if not start.startswith(b"{"):
        raise ImportProblem("the file is neither an Inspect .eval archive nor a .json log")


def _read_with_inspect(path: Path, log_format: str) -> tuple[Any, list[Any]]:
    """The log's header and sample summaries, read by inspect_ai itself."""
    try:
        from inspect_ai.log import read_eval_log, read_eval_log_sample_summaries
    except ImportError:  # pragma: no cover - the `inspect` extra is part of every test setup
        raise ImportProblem(
            "reading Inspect logs needs the inspect_ai package: pip install 'horizon[inspect]'"
        ) from None
    try:
        header = read_eval_log(str(path), header_only=True, format=log_format)  # type: ignore[arg-type]
        summaries = read_eval_log_sample_summaries(str(path), format=log_format)  # type: ignore[arg-type]
    except Exception as exc:  # noqa: BLE001 - any failure to parse an untrusted file is the file's
        reason = _CONTROL.sub(" ", str(exc)).replace(str(path), "the log")[:300]
        raise ImportProblem(f"not a readable Inspect log ({type(exc).__name__}: {reason})") from None
    return header, list(summaries)


def _checked(header: Any, summaries: list[Any], scorer: str | None) -> InspectLog:
    spec = header.eval
    if len(summaries) > MAX_SAMPLES:
        raise ImportProblem(
            f"the log has {len(summaries):,} samples (times epochs); at most {MAX_SAMPLES:,} are imported "
            "at once: split the eval"
        )
    eval_id = str(spec.eval_id or "")
    if not _EVAL_ID.fullmatch(eval_id):
        raise ImportProblem("the log's eval_id must be 1 to 64 letters, digits, '-' or '_'")
    chosen = _choose_scorer(summaries, scorer)
    samples: list[InspectSample] = []
    seen: set[tuple[str, int]] = set()
    errored = unscored = 0
    for summary in summaries:
        sample_id = _sample_id(summary.id)
        epoch = summary.epoch
        if not isinstance(epoch, int) or isinstance(epoch, bool) or not 1 <= epoch <= MAX_EPOCH:
            raise ImportProblem(f"sample {sample_id!r} has epoch {epoch!r}; epochs are 1 to {MAX_EPOCH:,}")
        if (sample_id, epoch) in seen:
            raise ImportProblem(f"sample {sample_id!r} appears twice in epoch {epoch}")
        seen.add((sample_id, epoch))
        if summary.error:
            errored += 1
            continue
        score = (summary.scores or {}).get(chosen)
        if score is None:
            unscored += 1
            continue
        where = f"sample {sample_id!r}, epoch {epoch}"
        value, raw = score_value(score.value, f"{where}: the {chosen!r} score")
        samples.append(
            InspectSample(
                sample_id=sample_id,
                epoch=epoch,
                score=value,
                raw_score=raw,
                human_minutes=_metadata_minutes(summary.metadata, where),
                limit=_text(summary.limit, "sample limit", 32, required=False) or None,
            )
        )
    return InspectLog(
        eval_id=eval_id,
        run_id=_text(spec.run_id, "run_id", MAX_VERSION_CHARS, required=False),
        task=_text(spec.task, "task name", MAX_NAME_CHARS),
        task_version=_text(spec.task_version, "task version", MAX_VERSION_CHARS, required=False),
        model=_text(spec.model, "model", MAX_NAME_CHARS),
        solver=_solver_name(header),
        scorer=chosen,
        inspect_version=_text(
            (spec.packages or {}).get("inspect_ai"), "inspect_ai version", MAX_VERSION_CHARS, required=False
        ),
        status=_text(header.status, "status", 32, required=False),
        created=_text(spec.created, "created", MAX_VERSION_CHARS, required=False),
        samples=samples,
        errored=errored,
        unscored=unscored,
    )


def score_value(value: Any, what: str) -> tuple[float, str | float]:
    """A score as a number in [0, 1], and the value as given: numbers and booleans as they are,
    Inspect's letters C, I, P and N as 1, 0, 0.5 and 0. Anything else is refused: a horizon needs
    a success rate, and guessing one from another scale would invent it."""
    if isinstance(value, bool):
        return float(value), float(value)
    if isinstance(value, (int, float)):
        number = float(value)
        if not math.isfinite(number) or not 0.0 <= number <= 1.0:
            raise ImportProblem(f"{what} is {value!r}; scores must lie in [0, 1] (choose another --scorer)")
        return number, number
    if isinstance(value, str) and value in LETTER_SCORES:
        return LETTER_SCORES[value], value
    shown = repr(value)[:60]
    raise ImportProblem(
        f"{what} is {shown}; only numbers in [0, 1], booleans and the letters C, I, P, N are scores "
        "a horizon can use"
    )


def _choose_scorer(summaries: list[Any], scorer: str | None) -> str:
    names: dict[str, None] = {}
    for summary in summaries:
        for name in summary.scores or {}:
            names[str(name)[:MAX_SCORER_CHARS]] = None
    listed = ", ".join(list(names)[:20])
    if scorer is not None:
        if scorer not in names:
            raise ImportProblem(
                f"no sample has a score from {scorer!r}; the log's scorers: {listed or 'none'}"
            )
        return scorer
    if not names:
        raise ImportProblem("no sample of the log has a score: score the eval first (inspect score)")
    if len(names) > 1:
        raise ImportProblem(f"the log has several scorers ({listed}): choose one with --scorer")
    return next(iter(names))


def _sample_id(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ImportProblem(f"a sample id is {type(value).__name__}; Inspect ids are text or whole numbers")
    text = str(value)
    if not text or len(text) > TASK_ID_MAX_CHARS or _CONTROL.search(text):
        raise ImportProblem(
            f"sample id {text[:40]!r} must be 1 to {TASK_ID_MAX_CHARS} characters without control characters"
        )
    return text


def _metadata_minutes(metadata: Mapping[str, Any] | None, where: str) -> float | None:
    value = (metadata or {}).get(HUMAN_MINUTES_KEY)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ImportProblem(f"{where}: metadata {HUMAN_MINUTES_KEY} is {repr(value)[:40]}, not a number")
    return human_minutes(float(value), f"{where}: metadata {HUMAN_MINUTES_KEY}")


def _solver_name(header: Any) -> str:
    solver = header.eval.solver
    if not solver and header.plan is not None:
        solver = "+".join(str(step.solver) for step in header.plan.steps)[:MAX_NAME_CHARS]
    return _text(solver, "solver", MAX_NAME_CHARS, required=False)


def _text(value: Any, what: str, max_chars: int, *, required: bool = True) -> str:
    """`value` as one line of text of at most `max_chars`; ImportProblem when it is missing
    (and `required`), not text or a number, or too long."""
    if value is None or value == "":
        if required:
            raise ImportProblem(f"the log has no {what}")
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise ImportProblem(f"the log's {what} is not text")
    text = str(value).strip()
    if len(text) > max_chars or _CONTROL.search(text):
        raise ImportProblem(f"the log's {what} must be at most {max_chars} characters on one line")
    return text
