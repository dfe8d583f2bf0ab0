"""A mapping file: which Horizon task each Inspect sample is, and its human time.

A CSV with a header row and one row per sample:

    sample_id,task_id,task_family,human_minutes,human_source
    7,gpqa/7,gpqa,12.5,estimate

Only `sample_id` is required. `task_id` names the Horizon task (default: the sample id itself);
`task_family` the family of a task the import creates; `human_minutes` its human time, for
samples whose log carries none; `human_source` says whether that time was measured (`baseline`)
or guessed (`estimate`, the default). Every value is checked with the rules tasks follow
(`core.taskspec`); the file is refused whole at the first problem, naming its line.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from core.importers.common import ImportProblem, human_minutes
from core.states import BaselineSource
from core.taskspec import TASK_ID_MAX_CHARS, TASK_ID_PATTERN, TASK_ID_RULE

MAX_MAP_BYTES = 4 * 1024 * 1024
MAX_MAP_ROWS = 50_000
COLUMNS = ("sample_id", "task_id", "task_family", "human_minutes", "human_source")
HUMAN_SOURCES = (BaselineSource.ESTIMATE.value, BaselineSource.BASELINE.value)
_TASK_ID = re.compile(TASK_ID_PATTERN)


@dataclass(frozen=True)
class SampleMapping:
    """What the mapping file says about one sample."""

    task_id: str | None
    task_family: str | None
    human_minutes: float | None
    human_source: str  # "estimate" or "baseline"


def check_task_id(value: str, what: str) -> str:
    """`value` if it is a valid Horizon task id (or family), else ImportProblem naming `what`."""
    if len(value) > TASK_ID_MAX_CHARS or not _TASK_ID.fullmatch(value):
        raise ImportProblem(f"{what} {value[:60]!r} is not a task id: {TASK_ID_RULE}")
    return value


def parse_sample_map(data: bytes) -> dict[str, SampleMapping]:
    """The mapping of sample id to `SampleMapping` from a CSV file's bytes (see the module
    docstring); ImportProblem for a file past the bounds or any bad value."""
    if len(data) > MAX_MAP_BYTES:
        raise ImportProblem(f"the mapping file is larger than {MAX_MAP_BYTES // 2**20} MiB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportProblem(f"the mapping file is not UTF-8 text (byte {exc.start})") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    fields = reader.fieldnames or []
    unknown = [f for f in fields if f not in COLUMNS]
    if "sample_id" not in fields or unknown:
        raise ImportProblem(
            f"the mapping file's header must name sample_id and only these columns: {', '.join(COLUMNS)}"
            + (f" (unknown: {', '.join(repr(u[:40]) for u in unknown[:5])})" if unknown else "")
        )
    mapping: dict[str, SampleMapping] = {}
    try:
        for row in reader:
            line = reader.line_num
            if len(mapping) >= MAX_MAP_ROWS:
                raise ImportProblem(f"the mapping file has more than {MAX_MAP_ROWS:,} rows")
            if None in row:
                raise ImportProblem(f"mapping file line {line} has more values than the header has columns")
            sample_id = (row.get("sample_id") or "").strip()
            if not sample_id or len(sample_id) > TASK_ID_MAX_CHARS:
                raise ImportProblem(
                    f"mapping file line {line}: sample_id must be 1 to {TASK_ID_MAX_CHARS} characters"
                )
            if sample_id in mapping:
                raise ImportProblem(f"mapping file line {line}: sample {sample_id[:60]!r} is mapped twice")
            mapping[sample_id] = _entry(row, f"mapping file line {line}")
    except csv.Error as exc:
        raise ImportProblem(f"the mapping file is not valid CSV ({exc})") from None
    return mapping


def _entry(row: dict[str, str | None], where: str) -> SampleMapping:
    task_id = (row.get("task_id") or "").strip() or None
    family = (row.get("task_family") or "").strip() or None
    minutes_text = (row.get("human_minutes") or "").strip()
    source = (row.get("human_source") or "").strip() or BaselineSource.ESTIMATE.value
    if source not in HUMAN_SOURCES:
        raise ImportProblem(
            f"{where}: human_source must be {' or '.join(HUMAN_SOURCES)}, not {source[:40]!r}"
        )
    minutes = None
    if minutes_text:
        try:
            number = float(minutes_text)
        except ValueError:
            raise ImportProblem(f"{where}: human_minutes {minutes_text[:40]!r} is not a number") from None
        minutes = human_minutes(number, f"{where}: human_minutes")
    return SampleMapping(
        task_id=check_task_id(task_id, f"{where}: task_id") if task_id else None,
        task_family=check_task_id(family, f"{where}: task_family") if family else None,
        human_minutes=minutes,
        human_source=source,
    )
