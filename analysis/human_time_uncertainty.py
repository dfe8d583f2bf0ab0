"""How uncertain each task's human time is, carried into the bootstrap (docs/method.md section 10).

A task's time is the geometric mean of a few people's baselines, or an estimate when nobody
baselined it. Either way it sits off the task's true typical time by a factor: on the log2 scale,
an error with standard deviation `baseline_sd` (the spread of one person's time around the
typical one, divided by sqrt(number of baselines) when the input says how many) or
`estimate_sd` for an estimate. With `HumanTimeNoise` set, every bootstrap replicate moves each
task's log2 minutes by an independent N(0, sd_task) draw (the same draw for every agent in that
replicate, since all agents share the task's time): a parametric resampling of the baselines.

The source of a task comes from the runs' `human_source` column (METR's files have it):
`baseline`, `qa` and `external_qa` are people's times; `estimate` is an estimate; a task without a
source (no column, or blank) is treated as an estimate, the cautious side.

Replicate i's draw comes from its own stream, `default_rng([seed, HUMAN_TIME_STREAM, i])`, so
the resampling of families and tasks (`default_rng(seed + i)`) is the same with or without it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from analysis.bootstrap import XOffsets
from analysis.errors import AnalysisInputError
from analysis.table import RunTable

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

PERSON_SOURCES = frozenset({"baseline", "qa", "external_qa"})
HUMAN_TIME_STREAM = 7_310  # separates the time draws from the resampling's seeds
MAX_SD_DOUBLINGS = 4.0  # a factor of 16 either way: beyond that the task's time says nothing


@dataclass(frozen=True)
class HumanTimeNoise:
    """Standard deviations (in doublings, log2 minutes) of a task's time around its true value."""

    baseline_sd: float = 0.5
    estimate_sd: float = 1.0

    def validate(self) -> None:
        """Raise `AnalysisInputError` unless both lie in [0, MAX_SD_DOUBLINGS]."""
        for name, value in (("baseline", self.baseline_sd), ("estimate", self.estimate_sd)):
            if not (math.isfinite(value) and 0 <= value <= MAX_SD_DOUBLINGS):
                raise AnalysisInputError(
                    f"human-time spread ({name}) must be between 0 and {MAX_SD_DOUBLINGS:g} "
                    f"doublings, got {value}"
                )

    def to_json(self) -> dict[str, float]:
        """The `human_time_sd` object of the report's params."""
        return {"baseline": self.baseline_sd, "estimate": self.estimate_sd}


def parse_noise(text: str) -> HumanTimeNoise:
    """`BASELINE,ESTIMATE` (doublings, e.g. "0.5,1") as `HumanTimeNoise`; an input error otherwise."""
    parts = [p.strip() for p in text.split(",")]
    try:
        values = [float(p) for p in parts]
    except ValueError:
        values = []
    if len(values) != 2:
        raise AnalysisInputError(f"human-time spread must be BASELINE,ESTIMATE in doublings, got {text!r}")
    noise = HumanTimeNoise(values[0], values[1])
    noise.validate()
    return noise


def task_is_estimate(table: RunTable) -> BoolArray:
    """Per task code: whether its time is an estimate (or of unknown source) rather than people's."""
    estimate = np.ones(len(np.unique(table.task_codes)) if len(table) else 0, dtype=bool)
    if table.human_source is None:
        return estimate
    person = np.isin(table.human_source, list(PERSON_SOURCES))
    estimate[table.task_codes[person]] = False
    return estimate


def task_log2_sd(table: RunTable, noise: HumanTimeNoise) -> FloatArray:
    """Per task code: the standard deviation of its log2 time (`estimate_sd` or `baseline_sd`)."""
    return np.where(task_is_estimate(table), noise.estimate_sd, noise.baseline_sd).astype(np.float64)


def time_offsets(table: RunTable, noise: HumanTimeNoise, seed: int) -> XOffsets:
    """The bootstrap's `x_offsets`: replicate i's N(0, sd_task) shifts from its own stream."""
    noise.validate()
    sd = task_log2_sd(table, noise)

    def offsets(start: int, stop: int) -> FloatArray:
        rows = [
            np.random.default_rng([seed, HUMAN_TIME_STREAM, i]).standard_normal(sd.size)
            for i in range(start, stop)
        ]
        return (np.stack(rows) if rows else np.zeros((0, sd.size))) * sd

    return offsets


def without_estimates(table: RunTable) -> RunTable:
    """`table` without the tasks whose time is only an estimate; an input error if none is left."""
    keep = ~task_is_estimate(table)[table.task_codes]
    if not keep.any():
        raise AnalysisInputError(
            "no task has a human baseline (human_source baseline, qa or external_qa): nothing to refit"
        )
    return table.select(keep)
