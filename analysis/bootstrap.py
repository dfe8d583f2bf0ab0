"""Hierarchical bootstrap of the per-agent fits (docs/method.md section 3).

Each replicate resamples all agents (and `human` rows) jointly, at two or three levels
(`levels`):
1. task families with replacement;
2. within each drawn family, its tasks with replacement;
3. (`families_tasks_runs` only, METR's) within each drawn (task, agent) pair, its runs with
   replacement; with `families_tasks` every drawn task brings all its runs as they are;
then refits every agent with the ORIGINAL run weights (not renormalised). An agent whose
replicate rows hold only one class (or no rows) has no fit: its intercept and coefficient are NaN
and `status` says why (all failures, all successes, no rows), so that `horizons` can count the
replicate at its limit (0 or +inf) instead of dropping it.

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
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from analysis.errors import AnalysisInputError
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
# Per-replicate shifts of each task's log2 minutes for replicates [start, stop): (stop - start, tasks).
XOffsets = Callable[[int, int], FloatArray]
# "families" (whole families, each with all its tasks and runs) is the paired comparison's: the
# tasks' shared effects cancel in a ratio, and a second stage would count the within-family noise
# twice (docs/method.md section 6).
BootstrapLevels = Literal["families", "families_tasks", "families_tasks_runs"]
BOOTSTRAP_LEVELS: tuple[BootstrapLevels, ...] = ("families", "families_tasks", "families_tasks_runs")
DegenerateReplicates = Literal["count", "drop"]
DEGENERATE_REPLICATES: tuple[DegenerateReplicates, ...] = ("count", "drop")

# Per replicate and agent, why there is (no) fit.
FIT_OK, ALL_FAILURES, ALL_SUCCESSES, NO_ROWS = 0, 1, 2, 3

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

        # Two-level replicates: each task's rows in table order.
        self.task_rows: IntArray = np.argsort(task_codes, kind="stable").astype(np.int64)
        self.task_sizes: IntArray = np.bincount(task_codes, minlength=self.n_tasks).astype(np.int64)
        self.task_starts: IntArray = np.concatenate([[0], np.cumsum(self.task_sizes)[:-1]]).astype(np.int64)

    @classmethod
    def from_table(cls, table: RunTable) -> HierarchicalResampler:
        """Resampler over all rows of `table`."""
        return cls(table.task_family, table.task_id, table.agent)

    def family_multiplicity(self, rng: np.random.Generator) -> IntArray:
        """Level 1 only: how many times each task is drawn when whole families are drawn."""
        family_picks = rng.integers(0, self.n_families, size=self.n_families, dtype=np.int64)
        family_counts = np.bincount(family_picks, minlength=self.n_families)
        per_task = np.zeros(self.n_tasks, dtype=np.int64)
        per_task[self.family_tasks] = np.repeat(family_counts, self.family_sizes)
        return per_task

    def task_multiplicity(self, rng: np.random.Generator) -> IntArray:
        """Levels 1-2: how many times each task is drawn, consuming `rng` as METR does.

        METR calls `rng.choice(n, size=n, replace=True)` once for the families and once per
        drawn family for its tasks; numpy implements that as `rng.integers(0, n, size=n)` (same
        values, same stream state; a test checks it). The per-family calls are made in one go by
        `integers_per_call`, which gives the same values and leaves the same stream state.
        """
        family_picks = rng.integers(0, self.n_families, size=self.n_families, dtype=np.int64)
        sizes = self.family_sizes[family_picks]
        picks = integers_per_call(rng, sizes, sizes)
        drawn = self.family_tasks[np.repeat(self.family_starts[family_picks], sizes) + picks]
        return np.bincount(drawn, minlength=self.n_tasks).astype(np.int64)

    def sample(self, rng: np.random.Generator, levels: BootstrapLevels = "families_tasks_runs") -> IntArray:
        """Row indices of one replicate (an empty table gives an empty array).

        Three levels draw in METR's order; two levels repeat each drawn task's rows as often as
        the task was drawn (the same family and task draws, no run draws).
        """
        if self.n_rows == 0:
            return np.zeros(0, dtype=np.int64)
        if levels == "families":
            whole_families = self.family_multiplicity(rng)
            return _repeat_groups(self.task_rows, self.task_starts, self.task_sizes, whole_families)
        multiplicity = self.task_multiplicity(rng)
        if levels == "families_tasks":
            return _repeat_groups(self.task_rows, self.task_starts, self.task_sizes, multiplicity)
        # Level 3, per (task, agent) key in sorted key order: cnt = k_t * n_key members.
        present = np.flatnonzero(multiplicity[self.key_task] > 0)
        sizes = self.key_sizes[present]
        counts = multiplicity[self.key_task[present]] * sizes
        draws = rng.random(int(counts.sum()))
        picks = (draws * np.repeat(counts, counts)).astype(np.int64)
        members = picks % np.repeat(sizes, counts)
        rows: IntArray = self.key_rows[np.repeat(self.key_starts[present], counts) + members]
        return rows


def integers_per_call(rng: np.random.Generator, highs: IntArray, counts: IntArray) -> IntArray:
    """The values of `rng.integers(0, highs[j], size=counts[j])` for each j in turn, concatenated,
    with `rng` left exactly where those calls would leave it.

    METR's resampling makes one such call per drawn family: thousands of tiny calls per bootstrap,
    most of the bootstrap's time. numpy draws a bounded integer below 2^32 by Lemire's method from
    the bit generator's 32-bit stream (each 64-bit output gives its low half, then its high half,
    which the generator keeps for the next 32-bit draw, across calls); a range of one value draws
    nothing. That is computed here from one `random_raw` call. Lemire's method redraws with
    probability under high / 2^32; when that happens the stream is rewound and the calls are made
    one by one instead, as they are for a range outside 1..2^32-1 or a generator with native
    32-bit draws (MT19937).
    """
    highs = np.asarray(highs, dtype=np.int64)
    counts = np.asarray(counts, dtype=np.int64)
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    if highs.min() < 1 or highs.max() >= 2**32:
        return _integers_one_by_one(rng, highs, counts)
    high = np.repeat(highs, counts).astype(np.uint64)
    drawing = high > 1
    n_draws = int(drawing.sum())
    if n_draws == 0:  # every range holds one value: nothing drawn
        return np.zeros(total, dtype=np.int64)
    bits = rng.bit_generator
    saved = bits.state
    if "has_uint32" not in saved:  # a generator with native 32-bit draws (MT19937): no halves
        return _integers_one_by_one(rng, highs, counts)
    buffered = int(saved["has_uint32"])
    n_words = (n_draws - buffered + 1) // 2
    raw = bits.random_raw(n_words)
    halves = np.empty(buffered + 2 * n_words, dtype=np.uint64)
    halves[:buffered] = saved["uinteger"]
    halves[buffered::2] = raw & np.uint64(0xFFFFFFFF)
    halves[buffered + 1 :: 2] = raw >> np.uint64(32)
    product = np.zeros(total, dtype=np.uint64)
    product[drawing] = halves[:n_draws] * high[drawing]
    threshold = (np.uint64(2**32) - high) % high  # 2^32 mod high: lower leftovers are redrawn
    if np.any((product & np.uint64(0xFFFFFFFF)) < threshold):
        bits.state = saved
        return _integers_one_by_one(rng, highs, counts)
    state = dict(bits.state)  # the generator's own 32-bit buffer, as the calls would leave it
    state["has_uint32"] = halves.size - n_draws
    state["uinteger"] = int(halves[-1]) if n_words else saved["uinteger"]
    bits.state = state
    values: IntArray = (product >> np.uint64(32)).astype(np.int64)
    return values


def _integers_one_by_one(rng: np.random.Generator, highs: IntArray, counts: IntArray) -> IntArray:
    parts = [rng.integers(0, int(h), size=int(c), dtype=np.int64) for h, c in zip(highs, counts, strict=True)]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def _repeat_groups(rows: IntArray, starts: IntArray, sizes: IntArray, times: IntArray) -> IntArray:
    """Each group's rows (`rows[starts[g]:starts[g] + sizes[g]]`) repeated `times[g]` times."""
    present = np.flatnonzero(times > 0)
    counts = times[present] * sizes[present]
    group_start = np.repeat(np.cumsum(counts) - counts, counts)
    position = np.arange(int(counts.sum())) - group_start
    members = position % np.repeat(sizes[present], counts)
    out: IntArray = rows[np.repeat(starts[present], counts) + members]
    return out


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
    """Per replicate (rows) and agent (columns) fitted intercepts and coefficients; NaN = no fit.

    `status` holds FIT_OK, ALL_FAILURES, ALL_SUCCESSES or NO_ROWS per element and `converged`
    whether the solver reached the optimum (both None for fits made without them).
    """

    agents: list[str]
    intercept: FloatArray
    coefficient: FloatArray
    status: NDArray[np.int8] | None = None
    converged: NDArray[np.bool_] | None = None

    @property
    def n_replicates(self) -> int:
        """Number of replicates (rows)."""
        return int(self.intercept.shape[0])

    def horizons(self, success_rate: float = 0.5, degenerate: DegenerateReplicates = "drop") -> FloatArray:
        """(replicates, agents) horizons in minutes at `success_rate`.

        Where a replicate has no fit the value is NaN (`drop`, METR's: percentiles ignore it) or,
        with `count`, its limit: 0 for all failures, +inf for all successes (beyond every task);
        a replicate without any of the agent's rows stays NaN either way.
        """
        values = np.asarray(horizon_minutes(self.intercept, self.coefficient, success_rate), dtype=np.float64)
        if degenerate == "count" and self.status is not None:
            values = np.where(self.status == ALL_FAILURES, 0.0, values)
            values = np.where(self.status == ALL_SUCCESSES, np.inf, values)
        return values

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
    levels: BootstrapLevels = "families_tasks_runs",
    x_offsets: XOffsets | None = None,
) -> BootstrapFits:
    """Refit every agent of `table` on `n_replicates` hierarchical bootstrap replicates.

    `y` and `weights` align with the table's rows (weights are used as given, never
    renormalised). Replicate i draws from `default_rng(base_seed + i)` unless `rng` is given, in
    which case all replicates draw from it in turn. `solver="fast"` batches all agents of many
    replicates into one Newton solve (started from `initial` = per-agent (intercepts,
    coefficients) when given); `solver="sklearn"` calls scikit-learn once per agent and replicate
    with the rows in METR's order. `progress(done, total)` is called as replicates finish (after
    each chunk); an exception it raises stops the bootstrap there (how a cancelled fit stops).
    Zero replicates give empty (0, n_agents) arrays. `levels` picks the resampling (module
    docstring); the default is METR's three levels. `x_offsets(start, stop)`, when given, moves
    each task's log2 minutes per replicate (shape (stop - start, tasks), task codes as columns):
    the human times' own uncertainty (`analysis.human_time_uncertainty`; fast solver only).
    """
    if levels not in BOOTSTRAP_LEVELS:
        raise ValueError(f"levels must be one of {', '.join(BOOTSTRAP_LEVELS)}, got {levels!r}")
    if x_offsets is not None and solver == "sklearn":
        raise AnalysisInputError("resampling human times needs the fast solver, not sklearn")
    resampler = HierarchicalResampler.from_table(table)
    rng_for = replicate_rngs(base_seed, rng)

    def draw(i: int) -> IntArray:
        return resampler.sample(rng_for(i), levels)

    if solver == "sklearn":
        return _bootstrap_sklearn(table, y, weights, regularization, n_replicates, draw, progress)
    layout = _cell_layout(table)
    if levels != "families_tasks_runs":  # whole tasks: weights times how often each was drawn
        times = resampler.family_multiplicity if levels == "families" else resampler.task_multiplicity
        task_draws = _task_draw_weights(layout, times, rng_for, weights * y, weights * (1.0 - y))
        return _bootstrap_fast(layout, regularization, n_replicates, task_draws, initial, progress, x_offsets)
    row_draws = _row_draw_weights(layout, draw, weights * y, weights * (1.0 - y))
    return _bootstrap_fast(layout, regularization, n_replicates, row_draws, initial, progress, x_offsets)


@dataclass(frozen=True)
class _CellLayout:
    """Runs grouped into (agent, task, x) cells, padded to K slots per agent."""

    row_slot: IntArray  # per row: agent * K + slot of its cell
    x: FloatArray  # (A, K) log2 minutes of each slot (0 in padding)
    n_agents: int
    width: int
    slot_task: IntArray  # (A * K,) task code of each slot (0 in padding, whose weights are 0)
    agents: list[str]


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
    slot_task = np.zeros(n_agents * width, dtype=np.int64)
    slot_task[cell_flat] = cells[:, 1]
    return _CellLayout(
        row_slot=cell_flat[row_cell].astype(np.int64),
        x=x_pad.reshape(n_agents, width),
        n_agents=n_agents,
        width=width,
        slot_task=slot_task,
        agents=list(table.agents),
    )


# Builds the (replicates * agents, K) success and failure weights of replicates [start, stop).
DrawWeights = Callable[[int, int], tuple[FloatArray, FloatArray]]


def _row_draw_weights(
    layout: _CellLayout,
    draw: Callable[[int], IntArray],
    success_weight: FloatArray,
    failure_weight: FloatArray,
) -> DrawWeights:
    """Weights from drawn rows (three levels): each drawn row adds its weights to its cell."""
    per_replicate = layout.n_agents * layout.width

    def weights_for(start: int, stop: int) -> tuple[FloatArray, FloatArray]:
        samples = [draw(i) for i in range(start, stop)]
        offsets = np.repeat(np.arange(stop - start) * per_replicate, [len(s) for s in samples])
        rows = np.concatenate(samples) if samples else np.zeros(0, dtype=np.int64)
        flat = offsets + layout.row_slot[rows]
        size = (stop - start) * per_replicate
        w1 = np.bincount(flat, weights=success_weight[rows], minlength=size).astype(np.float64)
        w0 = np.bincount(flat, weights=failure_weight[rows], minlength=size).astype(np.float64)
        return w1.reshape(-1, layout.width), w0.reshape(-1, layout.width)

    return weights_for


def _task_draw_weights(
    layout: _CellLayout,
    times_drawn: Callable[[np.random.Generator], IntArray],
    rng_for: Callable[[int], np.random.Generator],
    success_weight: FloatArray,
    failure_weight: FloatArray,
) -> DrawWeights:
    """Weights from drawn whole tasks: a cell's weights times how often its task was drawn
    (`times_drawn`). The same replicate as repeating the rows (`sample`) without building it."""
    size = layout.n_agents * layout.width
    base1 = np.bincount(layout.row_slot, weights=success_weight, minlength=size)
    base0 = np.bincount(layout.row_slot, weights=failure_weight, minlength=size)

    def weights_for(start: int, stop: int) -> tuple[FloatArray, FloatArray]:
        if len(layout.row_slot) == 0:
            empty = np.zeros(((stop - start) * layout.n_agents, layout.width))
            return empty, empty.copy()
        times = np.stack([times_drawn(rng_for(i)) for i in range(start, stop)])
        per_slot = times[:, layout.slot_task].astype(np.float64)
        return (
            (per_slot * base1).reshape(-1, layout.width),
            (per_slot * base0).reshape(-1, layout.width),
        )

    return weights_for


def _bootstrap_fast(
    layout: _CellLayout,
    regularization: float,
    n_replicates: int,
    draw_weights: DrawWeights,
    initial: tuple[FloatArray, FloatArray] | None,
    progress: ProgressCallback | None,
    x_offsets: XOffsets | None = None,
) -> BootstrapFits:
    n_agents, width = layout.n_agents, layout.width
    per_replicate = n_agents * width
    intercept = np.full((n_replicates, n_agents), np.nan)
    coefficient = np.full((n_replicates, n_agents), np.nan)
    status = np.zeros((n_replicates, n_agents), dtype=np.int8)
    converged = np.zeros((n_replicates, n_agents), dtype=bool)
    chunk = max(1, _CHUNK_ELEMENTS // max(per_replicate, len(layout.row_slot)))
    for start in range(0, n_replicates, chunk):
        stop = min(start + chunk, n_replicates)
        w1, w0 = draw_weights(start, stop)
        x = np.broadcast_to(layout.x, (stop - start, n_agents, width)).reshape(-1, width)
        if x_offsets is not None:  # padding slots move too; their weights are 0
            x = (layout.x.reshape(1, -1) + x_offsets(start, stop)[:, layout.slot_task]).reshape(-1, width)
        init_a = init_b = None
        if initial is not None:
            init_a = np.tile(initial[0], stop - start)
            init_b = np.tile(initial[1], stop - start)
        fit = fit_logistic_batch(x, w1, w0, regularization, init_a, init_b)
        intercept[start:stop] = fit.intercept.reshape(-1, n_agents)
        coefficient[start:stop] = fit.coefficient.reshape(-1, n_agents)
        converged[start:stop] = fit.converged.reshape(-1, n_agents)
        status[start:stop] = fit_status_codes(w1.sum(axis=1), w0.sum(axis=1)).reshape(-1, n_agents)
        if progress is not None:
            progress(stop, n_replicates)
    return BootstrapFits(list(layout.agents), intercept, coefficient, status, converged)


def fit_status_codes(success_weight: FloatArray, failure_weight: FloatArray) -> NDArray[np.int8]:
    """FIT_OK / ALL_FAILURES / ALL_SUCCESSES / NO_ROWS from each fit's total class weights."""
    codes = np.full(np.shape(success_weight), FIT_OK, dtype=np.int8)
    codes[(success_weight <= 0) & (failure_weight > 0)] = ALL_FAILURES
    codes[(failure_weight <= 0) & (success_weight > 0)] = ALL_SUCCESSES
    codes[(success_weight <= 0) & (failure_weight <= 0)] = NO_ROWS
    return codes


def _bootstrap_sklearn(
    table: RunTable,
    y: FloatArray,
    weights: FloatArray,
    regularization: float,
    n_replicates: int,
    draw: Callable[[int], IntArray],
    progress: ProgressCallback | None,
) -> BootstrapFits:
    n_agents = len(table.agents)
    intercept = np.full((n_replicates, n_agents), np.nan)
    coefficient = np.full((n_replicates, n_agents), np.nan)
    status = np.zeros((n_replicates, n_agents), dtype=np.int8)
    converged = np.zeros((n_replicates, n_agents), dtype=bool)
    with single_blas_thread():
        for i in range(n_replicates):
            rows = draw(i)
            out = (intercept[i], coefficient[i], status[i], converged[i])
            _fit_replicate_sklearn(table, y, weights, regularization, rows, out)
            if progress is not None:
                progress(i + 1, n_replicates)
    return BootstrapFits(list(table.agents), intercept, coefficient, status, converged)


def _fit_replicate_sklearn(
    table: RunTable,
    y: FloatArray,
    weights: FloatArray,
    regularization: float,
    rows: IntArray,
    out: tuple[FloatArray, FloatArray, NDArray[np.int8], NDArray[np.bool_]],
) -> None:
    """Fit each agent of one replicate with scikit-learn, writing into the output rows
    (intercept, coefficient, status, converged)."""
    intercept_out, coefficient_out, status_out, converged_out = out
    n_agents = len(table.agents)
    # Each agent's rows keep the replicate's order, as METR's boolean selection does.
    order = rows[np.argsort(table.agent_codes[rows], kind="stable")]
    bounds = np.concatenate([[0], np.cumsum(np.bincount(table.agent_codes[rows], minlength=n_agents))])
    for a in range(n_agents):
        agent_rows = order[bounds[a] : bounds[a + 1]]
        ya, wa = y[agent_rows], weights[agent_rows]
        status_out[a] = fit_status_codes(np.array(np.sum(wa * ya)), np.array(np.sum(wa * (1.0 - ya))))
        if status_out[a] != FIT_OK:
            continue
        fit = fit_logistic_sklearn(table.log2_minutes[agent_rows], ya, wa, regularization)
        intercept_out[a] = fit.intercept
        coefficient_out[a] = fit.coefficient
        converged_out[a] = fit.converged


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
