"""Columnar table of agent runs: the input of every analysis step.

`RunTable` holds one row per run as numpy arrays (agent, task id, task family, human minutes,
binarised score, optional continuous score, optional stored weights). Build it with
`RunTable.from_columns(columns, n_rows)` from columns in METR's runs format (or `from_frame(df)`
from a pandas DataFrame of them; pandas is not needed otherwise): the agent column is
`agent` or `alias`, the continuous score `score_cont` or `score`; stored weights are read from
`invsqrt_task_weight` / `equal_task_weight` when present. A `status` column, when present, keeps
only `completed` runs (infrastructure failures never enter a fit) and counts the others.
Validation raises `AnalysisInputError` naming the offending rows (1-based position in the input).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from analysis.errors import AnalysisInputError, describe_items

if TYPE_CHECKING:
    import pandas as pd

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
ObjectArray = NDArray[np.object_]

WEIGHT_COLUMNS = {"invsqrt": "invsqrt_task_weight", "equal": "equal_task_weight"}
COMPLETED_STATUS = "completed"
# Every column `from_columns` reads (others are ignored).
RUN_COLUMNS = (
    "agent",
    "alias",
    "task_id",
    "task_family",
    "human_minutes",
    "score_binarized",
    "score_cont",
    "score",
    "status",
    "human_source",
    *WEIGHT_COLUMNS.values(),
)


@dataclass(frozen=True, eq=False)
class RunTable:
    """One row per run. Arrays share one length; `row_numbers` are 1-based input positions."""

    agent: ObjectArray
    task_id: ObjectArray
    task_family: ObjectArray
    human_minutes: FloatArray
    score_binarized: FloatArray | None
    score_cont: FloatArray | None = None
    stored_weights: Mapping[str, FloatArray] = field(default_factory=dict)
    row_numbers: IntArray | None = None
    excluded_by_status: Mapping[str, int] = field(default_factory=dict)
    # Where each task's time comes from (METR's `human_source`: baseline, estimate, qa, ...); None
    # when the input does not say (docs/method.md section 10).
    human_source: ObjectArray | None = None

    def __post_init__(self) -> None:
        n = len(self.agent)
        for name in ("task_id", "task_family", "human_minutes"):
            if len(getattr(self, name)) != n:
                raise AnalysisInputError(f"column {name} has {len(getattr(self, name))} values, expected {n}")

    def __len__(self) -> int:
        return len(self.agent)

    @cached_property
    def agents(self) -> list[str]:
        """Sorted distinct agent names (the order of every per-agent output)."""
        return [str(a) for a in np.unique(self.agent)]

    @cached_property
    def agent_codes(self) -> IntArray:
        """Index of each row's agent in `agents`."""
        return _codes(self.agent)

    @cached_property
    def task_codes(self) -> IntArray:
        """Index of each row's task in the sorted distinct task ids."""
        return _codes(self.task_id)

    @cached_property
    def family_codes(self) -> IntArray:
        """Index of each row's family in the sorted distinct families."""
        return _codes(self.task_family)

    @cached_property
    def log2_minutes(self) -> FloatArray:
        """x of the logistic model: log2 of the task's human minutes."""
        return np.log2(self.human_minutes)

    def row_label(self, i: int) -> str:
        """Human-readable name of row i for error messages."""
        number = int(self.row_numbers[i]) if self.row_numbers is not None else i + 1
        return f"row {number} (agent {self.agent[i]!r}, task {self.task_id[i]!r})"

    def scores(self, partial: bool) -> FloatArray:
        """The y of the fit: `score_binarized`, or the continuous score when `partial` is set."""
        if partial:
            if self.score_cont is None:
                raise AnalysisInputError(
                    "partial scoring needs a continuous score column (score_cont or score)"
                )
            return self.score_cont
        if self.score_binarized is None:
            raise AnalysisInputError(
                "missing column score_binarized (use partial scoring to fit the continuous score instead)"
            )
        return self.score_binarized

    def select(self, mask: NDArray[np.bool_]) -> RunTable:
        """Rows where `mask` is true, as a new table (stored weights are kept as they are)."""
        return RunTable(
            agent=self.agent[mask],
            task_id=self.task_id[mask],
            task_family=self.task_family[mask],
            human_minutes=self.human_minutes[mask],
            score_binarized=None if self.score_binarized is None else self.score_binarized[mask],
            score_cont=None if self.score_cont is None else self.score_cont[mask],
            stored_weights={k: v[mask] for k, v in self.stored_weights.items()},
            row_numbers=None if self.row_numbers is None else self.row_numbers[mask],
            excluded_by_status=dict(self.excluded_by_status),
            human_source=None if self.human_source is None else self.human_source[mask],
        )

    @classmethod
    def from_frame(cls, frame: pd.DataFrame) -> RunTable:
        """Validate a runs DataFrame (METR's column names) and build the table (`from_columns`)."""
        return cls.from_columns({str(c): frame[c].tolist() for c in frame.columns}, len(frame))

    @classmethod
    def from_columns(cls, columns: Mapping[str, Sequence[Any]], n_rows: int) -> RunTable:
        """Validate runs given as columns of `n_rows` values each (METR's column names; None or
        NaN for a missing value) and build the table.

        Raises `AnalysisInputError` for missing columns, empty input, non-positive or missing human
        minutes, scores outside [0, 1], a task in two families, or non-positive stored weights.
        """
        frame = {name: _object_array(values) for name, values in columns.items()}
        row_numbers = np.arange(1, n_rows + 1, dtype=np.int64)
        agent_column = _first_present(frame, ("agent", "alias"))
        cont_column = _first_present(frame, ("score_cont", "score"))
        missing = [c for c in ("task_id", "task_family", "human_minutes") if c not in frame]
        if agent_column is None:
            missing.insert(0, "agent (or alias)")
        if "score_binarized" not in frame and cont_column is None:
            missing.append("score_binarized (or score_cont / score)")
        if missing:
            raise AnalysisInputError(f"runs are missing required column(s): {', '.join(missing)}")
        assert agent_column is not None

        excluded: dict[str, int] = {}
        if "status" in frame:
            status = np.array([str(v) for v in frame["status"]], dtype=object)
            keep = status == COMPLETED_STATUS
            excluded = dict(Counter(str(s) for s in status[~keep]).most_common())
            frame = {name: values[keep] for name, values in frame.items()}
            row_numbers = row_numbers[keep]
        if len(row_numbers) == 0:
            raise AnalysisInputError("no runs to analyse (the input has no completed runs)")

        def labels(mask: NDArray[np.bool_]) -> str:
            idx = np.flatnonzero(mask)
            agents, tasks = frame[agent_column], frame["task_id"]
            names = [f"row {row_numbers[i]} (agent {agents[i]!r}, task {tasks[i]!r})" for i in idx[:5]]
            return describe_items(names, total=len(idx))

        text: dict[str, ObjectArray] = {}
        for column in (agent_column, "task_id", "task_family"):
            text[column] = _text(frame[column])
            blank = np.array([_is_missing(v) for v in frame[column]], dtype=bool)
            blank |= np.char.strip(text[column].astype(str)) == ""
            if blank.any():
                raise AnalysisInputError(f"empty {column} in {int(blank.sum())} run(s): {labels(blank)}")
        agent, task_id, family = text[agent_column], text["task_id"], text["task_family"]

        minutes = _numeric(frame["human_minutes"])
        bad = ~np.isfinite(minutes) | (minutes <= 0)
        if bad.any():
            raise AnalysisInputError(
                f"human_minutes must be a positive number; {int(bad.sum())} run(s) are not: {labels(bad)}"
            )

        def score_column(name: str | None) -> FloatArray | None:
            if name is None or name not in frame:
                return None
            values = _numeric(frame[name])
            bad = ~np.isfinite(values) | (values < 0) | (values > 1)
            if bad.any():
                raise AnalysisInputError(
                    f"{name} must lie in [0, 1]; {int(bad.sum())} run(s) do not: {labels(bad)}"
                )
            return values

        binarized = score_column("score_binarized")
        if binarized is not None:
            fractional = (binarized > 0) & (binarized < 1)
            if fractional.any():
                raise AnalysisInputError(
                    f"score_binarized must be 0 or 1; {int(fractional.sum())} run(s) are not: "
                    f"{labels(fractional)}"
                )
        cont = score_column(cont_column)

        families_of: dict[str, set[str]] = {}
        for t, f in zip(task_id, family, strict=True):
            families_of.setdefault(t, set()).add(f)
        split_tasks = sorted(t for t, fams in families_of.items() if len(fams) > 1)
        if split_tasks:
            raise AnalysisInputError(
                "each task must belong to one task_family; these tasks have several: "
                f"{describe_items(split_tasks)}"
            )

        stored: dict[str, FloatArray] = {}
        for scheme, column in WEIGHT_COLUMNS.items():
            if column in frame:
                values = _numeric(frame[column])
                if np.all(np.isfinite(values)) and np.all(values > 0):
                    stored[scheme] = values

        source = None
        if "human_source" in frame:
            cleaned = ["" if _is_missing(v) else str(v).strip().lower() for v in frame["human_source"]]
            source = np.array(cleaned, dtype=object)
        return cls(
            agent=agent,
            task_id=task_id,
            task_family=family,
            human_minutes=minutes,
            score_binarized=binarized,
            score_cont=cont,
            stored_weights=stored,
            row_numbers=row_numbers,
            excluded_by_status=excluded,
            human_source=source,
        )

    @classmethod
    def from_arrays(
        cls,
        agent: Any,
        task_id: Any,
        task_family: Any,
        human_minutes: Any,
        score_binarized: Any,
        score_cont: Any = None,
    ) -> RunTable:
        """Build (and validate) a table from plain sequences, e.g. rows read from a database."""
        data: dict[str, list[Any]] = {
            "agent": list(agent),
            "task_id": list(task_id),
            "task_family": list(task_family),
            "human_minutes": list(human_minutes),
            "score_binarized": list(score_binarized),
        }
        if score_cont is not None:
            data["score_cont"] = list(score_cont)
        lengths = {len(v) for v in data.values()}
        if len(lengths) > 1:
            raise AnalysisInputError(f"columns have different lengths: {sorted(lengths)}")
        return cls.from_columns(data, lengths.pop())


def _object_array(values: Sequence[Any]) -> ObjectArray:
    """`values` as a 1-d object array (never split into a 2-d one, whatever the values are)."""
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


def _first_present(frame: Mapping[str, Any], names: tuple[str, ...]) -> str | None:
    return next((n for n in names if n in frame), None)


def _is_missing(value: Any) -> bool:
    """None or NaN: a value the input left out."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def _text(values: ObjectArray) -> ObjectArray:
    return np.array([str(v) for v in values], dtype=object)


def _number(value: Any) -> float:
    """A number, a numeric string or a bool as float; anything else (missing, text) NaN."""
    if isinstance(value, (bool, int, float, np.integer, np.floating)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return math.nan
    return math.nan


def _numeric(values: ObjectArray) -> FloatArray:
    if all(type(v) in (int, float) for v in values):  # the usual case, in one numpy call
        return values.astype(np.float64)
    return np.array([_number(v) for v in values], dtype=np.float64)


def _codes(values: ObjectArray) -> IntArray:
    _, inverse = np.unique(values, return_inverse=True)
    return inverse.astype(np.int64)
