"""Hierarchical bootstrap of the per-agent fits (docs/method.md section 3).

Each replicate resamples all agents (and `human` rows) jointly at three levels:
1. task families with replacement;
2. within each drawn family, its tasks with replacement;
3. within each drawn (task, agent) pair, its runs with replacement;
then refits every agent with the ORIGINAL run weights (not renormalised). An agent whose
replicate rows hold only one class (or no rows) gets NaN for that replicate.

`HierarchicalResampler.sample(rng)` reproduces METR's resampling order exactly, so with
`numpy.random.default_rng(42 + i)` for replicate i (the default scheme of `bootstrap_fits`) the
replicates match METR's published ones. Level 3 uses that every pick of a task contributes the
same rows: the members of key group (t, a) are the rows of (t, a) repeated k_t times (k_t = how
often task t was drawn), so member j is row `rows[j mod n]`; no per-replicate sort is needed.

Confidence interval (`percentile_interval`): the (1-level)/2 and (1+level)/2 quantiles of the
replicate values with linear interpolation, NaN ignored; all-NaN (or zero replicates) gives NaN.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from analysis.logistic import (
    Solver,
    fit_logistic_batch,
    fit_logistic_sklearn,
    horizon_minutes,
    single_blas_thread,
)
from analysis.table import RunTable

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
ProgressCallback = Callable[[int, int], None]

METR_BASE_SEED = 42
KEY_SEPARATOR = "|||"
# Upper bound on replicates x (agent-cell slots, or resampled rows) per vectorised chunk: it bounds
# peak memory (each such element costs a few float64 temporaries) while keeping numpy calls large.
_CHUNK_ELEMENTS = 1_000_000


class HierarchicalResampler:
    """Index structure of a run table for METR's three-level bootstrap.

    Built once per table; `sample(rng)` returns the row indices of one replicate (with
    repeats) in METR's order. Tasks must each belong to one family.
    """

    def __init__(self, family: NDArray[np.object_], task: NDArray[np.object_], agent: NDArray[np.object_]):
        _, family_codes = np.unique(family, return_inverse=True)
        task_names, task_codes = np.unique(task, return_inverse=True)
        self.n_rows = len(task)
        self.n_families = int(family_codes.max()) + 1 if self.n_rows else 0
        self.n_tasks = len(task_names)

        # Level 2: each family's tasks in sorted task-id order (task codes are sorted ids).
        task_family = np.zeros(self.n_tasks, dtype=np.int64)
        task_family[task_codes] = family_codes
        order = np.argsort(task_family, kind="stable")
        self.family_tasks: IntArray = order.astype(np.int64)
        self.family_sizes: IntArray = np.bincount(task_family, minlength=self.n_families).astype(np.int64)
        self.family_starts: IntArray = np.concatenate([[0], np.cumsum(self.family_sizes)[:-1]]).astype(
            np.int64
        )

        # Level 3: keys "task|||agent" in sorted string order, each with its rows in table order.
        keys = np.array([f"{t}{KEY_SEPARATOR}{a}" for t, a in zip(task, agent, strict=True)], dtype=object)
        key_names, key_codes = np.unique(keys, return_inverse=True)
        rows_by_key = np.argsort(key_codes, kind="stable")
        self.key_rows: IntArray = rows_by_key.astype(np.int64)
        self.key_sizes: IntArray = np.bincount(key_codes, minlength=len(key_names)).astype(np.int64)
        self.key_starts: IntArray = np.concatenate([[0], np.cumsum(self.key_sizes)[:-1]]).astype(np.int64)
        self.key_task: IntArray = np.zeros(len(key_names), dtype=np.int64)
        self.key_task[key_codes] = task_codes

    @classmethod
    def from_table(cls, table: RunTable) -> HierarchicalResampler:
        """Resampler over all rows of `table`."""
        return cls(table.task_family, table.task_id, table.agent)

    def task_multiplicity(self, rng: np.random.Generator) -> IntArray:
        """Levels 1-2: how many times each task is drawn, consuming `rng` as METR does.

        METR calls `rng.choice(n, size=n, replace=True)`; numpy implements that as
        `rng.integers(0, n, size=n)` (same values, same stream state; a test checks it), which
        is 3x cheaper per call.
        """
        family_picks = rng.integers(0, self.n_families, size=self.n_families, dtype=np.int64)
        drawn = []
        for family in family_picks:
            size = int(self.family_sizes[family])
            picks = rng.integers(0, size, size=size, dtype=np.int64)
            drawn.append(self.family_tasks[self.family_starts[family] + picks])
        return np.bincount(np.concatenate(drawn), minlength=self.n_tasks).astype(np.int64)

    def sample(self, rng: np.random.Generator) -> IntArray:
        """Row indices of one replicate in METR's order (an empty table gives an empty array)."""
        if self.n_rows == 0:
            return np.zeros(0, dtype=np.int64)
        multiplicity = self.task_multiplicity(rng)
        # Level 3, per (task, agent) key in sorted key order: cnt = k_t * n_key members.
        present = np.flatnonzero(multiplicity[self.key_task] > 0)
        sizes = self.key_sizes[present]
        counts = multiplicity[self.key_task[present]] * sizes
        draws = rng.random(int(counts.sum()))
        picks = (draws * np.repeat(counts, counts)).astype(np.int64)
        members = picks % np.repeat(sizes, counts)
        rows: IntArray = self.key_rows[np.repeat(self.key_starts[present], counts) + members]
        return rows


def replicate_rngs(
    base_seed: int = METR_BASE_SEED, rng: np.random.Generator | None = None
) -> Callable[[int], np.random.Generator]:
    """Generator for replicate i: METR's `default_rng(base_seed + i)`, or the shared `rng` if given."""
    if rng is not None:
        shared = rng
        return lambda i: shared
    return lambda i: np.random.default_rng(base_seed + i)


@dataclass(frozen=True)
class BootstrapFits:
    """Per replicate (rows) and agent (columns) fitted intercepts and coefficients; NaN = no fit."""

    agents: list[str]
    intercept: FloatArray
    coefficient: FloatArray

    @property
    def n_replicates(self) -> int:
        """Number of replicates (rows)."""
        return int(self.intercept.shape[0])

    def horizons(self, success_rate: float = 0.5) -> FloatArray:
        """(replicates, agents) horizons in minutes at `success_rate`; NaN where no fit."""
        return np.asarray(horizon_minutes(self.intercept, self.coefficient, success_rate), dtype=np.float64)

    def n_missing(self) -> NDArray[np.int64]:
        """Per agent, the number of replicates without a fit."""
        return np.asarray(np.sum(~np.isfinite(self.intercept), axis=0), dtype=np.int64)


def bootstrap_fits(
    table: RunTable,
    y: FloatArray,
    weights: FloatArray,
    regularization: float,
    n_replicates: int = 1000,
    *,
    solver: Solver = "fast",
    base_seed: int = METR_BASE_SEED,
    rng: np.random.Generator | None = None,
    initial: tuple[FloatArray, FloatArray] | None = None,
    progress: ProgressCallback | None = None,
) -> BootstrapFits:
    """Refit every agent of `table` on `n_replicates` hierarchical bootstrap replicates.

    `y` and `weights` align with the table's rows (weights are used as given, never
    renormalised). Replicate i draws from `default_rng(base_seed + i)` unless `rng` is given, in
    which case all replicates draw from it in turn. `solver="fast"` batches all agents of many
    replicates into one Newton solve (started from `initial` = per-agent (intercepts,
    coefficients) when given); `solver="sklearn"` calls scikit-learn once per agent and replicate
    with the rows in METR's order. `progress(done, total)` is called as replicates finish (after
    each chunk); an exception it raises stops the bootstrap there (how a cancelled fit stops).
    Zero replicates give empty (0, n_agents) arrays.
    """
    resampler = HierarchicalResampler.from_table(table)
    rng_for = replicate_rngs(base_seed, rng)
    if solver == "sklearn":
        return _bootstrap_sklearn(
            table, y, weights, regularization, n_replicates, resampler, rng_for, progress
        )
    return _bootstrap_fast(
        table, y, weights, regularization, n_replicates, resampler, rng_for, initial, progress
    )


@dataclass(frozen=True)
class _CellLayout:
    """Runs grouped into (agent, task, x) cells, padded to K slots per agent."""

    row_slot: IntArray  # per row: agent * K + slot of its cell
    x: FloatArray  # (A, K) log2 minutes of each slot (0 in padding)
    n_agents: int
    width: int


def _cell_layout(table: RunTable) -> _CellLayout:
    agent = table.agent_codes
    n_agents = len(table.agents)
    x = table.log2_minutes
    # Cells keyed by agent, task and x, so a task with inconsistent minutes is still exact.
    keys = np.column_stack([agent, table.task_codes, x.view(np.int64)])
    cells, row_cell = np.unique(keys, axis=0, return_inverse=True)
    row_cell = row_cell.reshape(-1)
    cell_agent = cells[:, 0]
    cell_counts = np.bincount(cell_agent, minlength=n_agents)
    width = int(cell_counts.max()) if len(cells) else 1
    cell_start = np.concatenate([[0], np.cumsum(cell_counts)[:-1]])
    # Cells come sorted by agent, so a cell's slot is its position after its agent's start.
    cell_slot = np.arange(len(cells)) - cell_start[cell_agent]
    cell_flat = cell_agent * width + cell_slot
    x_pad = np.zeros(n_agents * width)
    x_pad[cell_flat] = cells[:, 2].view(np.float64)
    return _CellLayout(
        row_slot=cell_flat[row_cell].astype(np.int64),
        x=x_pad.reshape(n_agents, width),
        n_agents=n_agents,
        width=width,
    )


def _bootstrap_fast(
    table: RunTable,
    y: FloatArray,
    weights: FloatArray,
    regularization: float,
    n_replicates: int,
    resampler: HierarchicalResampler,
    rng_for: Callable[[int], np.random.Generator],
    initial: tuple[FloatArray, FloatArray] | None,
    progress: ProgressCallback | None,
) -> BootstrapFits:
    layout = _cell_layout(table)
    n_agents, width = layout.n_agents, layout.width
    per_replicate = n_agents * width
    success_weight = weights * y
    failure_weight = weights * (1.0 - y)
    intercept = np.full((n_replicates, n_agents), np.nan)
    coefficient = np.full((n_replicates, n_agents), np.nan)
    chunk = max(1, _CHUNK_ELEMENTS // max(per_replicate, len(table)))
    for start in range(0, n_replicates, chunk):
        stop = min(start + chunk, n_replicates)
        samples = [resampler.sample(rng_for(i)) for i in range(start, stop)]
        offsets = np.repeat(np.arange(stop - start) * per_replicate, [len(s) for s in samples])
        rows = np.concatenate(samples) if samples else np.zeros(0, dtype=np.int64)
        flat = offsets + layout.row_slot[rows]
        size = (stop - start) * per_replicate
        w1 = np.bincount(flat, weights=success_weight[rows], minlength=size).reshape(-1, width)
        w0 = np.bincount(flat, weights=failure_weight[rows], minlength=size).reshape(-1, width)
        x = np.broadcast_to(layout.x, (stop - start, n_agents, width)).reshape(-1, width)
        init_a = init_b = None
        if initial is not None:
            init_a = np.tile(initial[0], stop - start)
            init_b = np.tile(initial[1], stop - start)
        fit = fit_logistic_batch(x, w1, w0, regularization, init_a, init_b)
        intercept[start:stop] = fit.intercept.reshape(-1, n_agents)
        coefficient[start:stop] = fit.coefficient.reshape(-1, n_agents)
        if progress is not None:
            progress(stop, n_replicates)
    return BootstrapFits(agents=list(table.agents), intercept=intercept, coefficient=coefficient)


def _bootstrap_sklearn(
    table: RunTable,
    y: FloatArray,
    weights: FloatArray,
    regularization: float,
    n_replicates: int,
    resampler: HierarchicalResampler,
    rng_for: Callable[[int], np.random.Generator],
    progress: ProgressCallback | None,
) -> BootstrapFits:
    n_agents = len(table.agents)
    intercept = np.full((n_replicates, n_agents), np.nan)
    coefficient = np.full((n_replicates, n_agents), np.nan)
    with single_blas_thread():
        for i in range(n_replicates):
            rows = resampler.sample(rng_for(i))
            _fit_replicate_sklearn(table, y, weights, regularization, rows, intercept[i], coefficient[i])
            if progress is not None:
                progress(i + 1, n_replicates)
    return BootstrapFits(agents=list(table.agents), intercept=intercept, coefficient=coefficient)


def _fit_replicate_sklearn(
    table: RunTable,
    y: FloatArray,
    weights: FloatArray,
    regularization: float,
    rows: IntArray,
    intercept_out: FloatArray,
    coefficient_out: FloatArray,
) -> None:
    """Fit each agent of one replicate with scikit-learn, writing into the output rows."""
    n_agents = len(table.agents)
    # Each agent's rows keep the replicate's order, as METR's boolean selection does.
    order = rows[np.argsort(table.agent_codes[rows], kind="stable")]
    bounds = np.concatenate([[0], np.cumsum(np.bincount(table.agent_codes[rows], minlength=n_agents))])
    for a in range(n_agents):
        agent_rows = order[bounds[a] : bounds[a + 1]]
        ya, wa = y[agent_rows], weights[agent_rows]
        if np.sum(wa * ya) <= 0 or np.sum(wa * (1.0 - ya)) <= 0:
            continue
        fit = fit_logistic_sklearn(table.log2_minutes[agent_rows], ya, wa, regularization)
        intercept_out[a] = fit.intercept
        coefficient_out[a] = fit.coefficient


def percentile_interval(samples: FloatArray, level: float = 0.95) -> tuple[float, float]:
    """(lo, hi) quantiles of `samples` at (1 -/+ level)/2, linear interpolation, NaN ignored.

    This is `numpy.nanquantile` (METR's call) for finite values. Infinite values (a replicate
    whose horizon overflows) order at the ends; where interpolation would meet `inf - inf` the
    nearest sample is taken instead of numpy's NaN. No value at all gives (NaN, NaN); a single
    value v gives (v, v).
    """
    values = np.asarray(samples, dtype=np.float64)
    values = values[~np.isnan(values)]
    if values.size == 0:
        return float("nan"), float("nan")
    low = (1.0 - level) / 2.0
    quantiles = np.array([low, 1.0 - low])
    with np.errstate(invalid="ignore"):
        bounds = np.quantile(values, quantiles)
    undefined = np.isnan(bounds)
    if undefined.any():
        bounds[undefined] = np.quantile(values, quantiles[undefined], method="nearest")
    return float(bounds[0]), float(bounds[1])
