"""Hierarchical bootstrap: METR's resampling order, the batched refits, the percentile CI."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from analysis.bootstrap import HierarchicalResampler, bootstrap_fits, integers_per_call, percentile_interval
from analysis.logistic import fit_logistic
from analysis.table import RunTable
from analysis.weights import task_weights
from tests.analysis.conftest import small_runs_frame


def _literal_metr_sample(
    family: np.ndarray, task: np.ndarray, agent: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """docs/method.md section 3, step by step, with string keys and per-group boolean selection."""
    rows = np.arange(len(task))
    families, family_of_row = np.unique(family, return_inverse=True)
    picked_groups = [
        rows[family_of_row == f] for f in rng.choice(len(families), size=len(families), replace=True)
    ]
    chosen = []
    for group in picked_groups:
        tasks, task_of_row = np.unique(task[group], return_inverse=True)
        for t in rng.choice(len(tasks), size=len(tasks), replace=True):
            chosen.append(group[task_of_row == t])
    idx = np.concatenate(chosen)
    keys = np.array([f"{t}|||{a}" for t, a in zip(task[idx], agent[idx], strict=True)])
    _, key_of_pos, counts = np.unique(keys, return_inverse=True, return_counts=True)
    draws = rng.random(len(idx))
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]])
    out = []
    for j, (count, offset) in enumerate(zip(counts, offsets, strict=True)):
        members = idx[key_of_pos == j]
        out.append(members[(draws[offset : offset + count] * count).astype(np.int64)])
    return np.concatenate(out)


def _awkward_table(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Names whose "task|||agent" string order differs from (task, agent) order; shuffled rows."""
    rng = np.random.default_rng(seed)
    task_names = ["a", "a_b", "a|c", "B", "b", "z9", "z10", "long task/with path"]
    family_of_task = {
        "a": "f1",
        "a_b": "f1",
        "a|c": "f2",
        "B": "f2",
        "b": "f3",
        "z9": "F",
        "z10": "F",
        "long task/with path": "f1",
    }
    agents = ["Agent X", "agent x", "Ω", "model-2"]
    rows = [(family_of_task[t], t, a) for t in task_names for a in agents for _ in range(rng.integers(1, 5))]
    order = rng.permutation(len(rows))
    arr = np.array([rows[i] for i in order], dtype=object)
    return arr[:, 0], arr[:, 1], arr[:, 2]


def test_integers_draw_equals_metr_choice_call() -> None:
    for seed in range(50):
        for n in (1, 2, 5, 36, 997):
            a, b = np.random.default_rng(seed), np.random.default_rng(seed)
            np.testing.assert_array_equal(
                a.choice(n, size=n, replace=True), b.integers(0, n, size=n, dtype=np.int64)
            )
            assert a.random() == b.random()  # same stream position afterwards


@pytest.mark.parametrize(
    ("highs", "counts"),
    [
        ([3, 1, 2, 7, 5, 1, 4], [3, 1, 2, 7, 5, 1, 4]),  # METR's calls: n draws below n
        ([2, 9, 1, 6], [0, 3, 4, 1]),
        ([2**31 + 1, 3, 2**32 - 5, 2**31 + 7], [5, 4, 3, 9]),  # Lemire redraws about half of these
        ([1, 1], [2, 3]),  # nothing drawn at all
    ],
)
def test_integers_per_call_equals_the_calls_one_by_one(highs: list[int], counts: list[int]) -> None:
    for seed in range(40):
        mine, theirs = np.random.default_rng(seed), np.random.default_rng(seed)
        # One 32-bit draw leaves half an output in the generator's buffer, which the next call uses.
        assert mine.integers(0, 3) == theirs.integers(0, 3)
        for _ in range(2):
            got = integers_per_call(mine, np.array(highs), np.array(counts))
            expected = [
                theirs.integers(0, h, size=c, dtype=np.int64) for h, c in zip(highs, counts, strict=True)
            ]
            np.testing.assert_array_equal(got, np.concatenate(expected))
            assert mine.bit_generator.state == theirs.bit_generator.state
        assert mine.integers(0, 5, size=3).tolist() == theirs.integers(0, 5, size=3).tolist()


@pytest.mark.parametrize("table_seed", [0, 1, 2])
def test_resampler_reproduces_metr_order_exactly(table_seed: int) -> None:
    family, task, agent = _awkward_table(table_seed)
    resampler = HierarchicalResampler(family, task, agent)
    for seed in range(42, 72):
        expected = _literal_metr_sample(family, task, agent, np.random.default_rng(seed))
        np.testing.assert_array_equal(resampler.sample(np.random.default_rng(seed)), expected)


def test_run_level_keeps_each_pair_size() -> None:
    table = RunTable.from_frame(small_runs_frame())
    resampler = HierarchicalResampler.from_table(table)
    rows = resampler.sample(np.random.default_rng(7))
    # Every (task, agent) pair present in the replicate appears as often as its task was drawn
    # times its runs: the level-3 draw keeps group sizes.
    multiplicity = resampler.task_multiplicity(np.random.default_rng(7))
    pairs = pd.Series(list(zip(table.task_id[rows], table.agent[rows], strict=True))).value_counts()
    task_index = {t: i for i, t in enumerate(np.unique(table.task_id))}
    for (task, agent), count in pairs.items():
        runs = int(np.sum((table.task_id == task) & (table.agent == agent)))
        assert count == multiplicity[task_index[task]] * runs


def test_fast_bootstrap_equals_refitting_each_replicate() -> None:
    table = RunTable.from_frame(small_runs_frame())
    y = table.scores(False)
    w = task_weights(table.agent_codes, table.task_codes, table.family_codes)
    boot = bootstrap_fits(table, y, w, 0.1, 25)
    resampler = HierarchicalResampler.from_table(table)
    for i in range(25):
        rows = resampler.sample(np.random.default_rng(42 + i))
        for a, _ in enumerate(table.agents):
            mine = rows[table.agent_codes[rows] == a]
            fit = fit_logistic(table.log2_minutes[mine], y[mine], w[mine], 0.1)
            if fit.status != "ok":
                assert math.isnan(boot.intercept[i, a])
            else:
                assert boot.intercept[i, a] == pytest.approx(fit.intercept, abs=1e-9)
                assert boot.coefficient[i, a] == pytest.approx(fit.coefficient, abs=1e-9)
    assert boot.n_missing().sum() > 0  # some replicates of this tiny table have one class only


def test_fast_and_sklearn_bootstraps_agree_closely() -> None:
    table = RunTable.from_frame(small_runs_frame())
    y = table.scores(False)
    w = task_weights(table.agent_codes, table.task_codes, table.family_codes)
    fast = bootstrap_fits(table, y, w, 0.1, 20).horizons(0.5)
    compat = bootstrap_fits(table, y, w, 0.1, 20, solver="sklearn").horizons(0.5)
    np.testing.assert_array_equal(np.isnan(fast), np.isnan(compat))
    finite = np.isfinite(fast)
    # lbfgs stops at tol 1e-4; on this table that is within 2% of the exact optimum.
    np.testing.assert_allclose(fast[finite], compat[finite], rtol=0.02)


def test_seed_schemes_and_progress() -> None:
    table = RunTable.from_frame(small_runs_frame())
    y = table.scores(False)
    w = task_weights(table.agent_codes, table.task_codes, table.family_codes)
    calls: list[tuple[int, int]] = []
    a = bootstrap_fits(table, y, w, 0.1, 12, base_seed=5, progress=lambda d, t: calls.append((d, t)))
    b = bootstrap_fits(table, y, w, 0.1, 12, base_seed=5)
    c = bootstrap_fits(table, y, w, 0.1, 12, base_seed=6)
    np.testing.assert_array_equal(a.intercept, b.intercept)
    assert not np.array_equal(np.nan_to_num(a.intercept), np.nan_to_num(c.intercept))
    # Replicate i of base 5 is replicate i-1 of base 6.
    np.testing.assert_array_equal(a.intercept[1:], c.intercept[:-1])
    assert calls[-1] == (12, 12)
    shared1 = bootstrap_fits(table, y, w, 0.1, 6, rng=np.random.default_rng(1))
    shared2 = bootstrap_fits(table, y, w, 0.1, 6, rng=np.random.default_rng(1))
    np.testing.assert_array_equal(shared1.intercept, shared2.intercept)
    empty = bootstrap_fits(table, y, w, 0.1, 0)
    assert empty.intercept.shape == (0, 3) and empty.n_replicates == 0


def test_percentile_interval() -> None:
    values = np.arange(101, dtype=float)
    assert percentile_interval(values) == pytest.approx((2.5, 97.5))
    assert percentile_interval(values, 0.5) == pytest.approx((25.0, 75.0))
    with_nan = np.concatenate([values, [np.nan] * 20])
    assert percentile_interval(with_nan) == pytest.approx((2.5, 97.5))
    assert all(math.isnan(v) for v in percentile_interval(np.array([np.nan, np.nan])))
    assert all(math.isnan(v) for v in percentile_interval(np.zeros(0)))
    assert percentile_interval(np.array([3.0])) == (3.0, 3.0)
    with_inf = np.concatenate([values, [np.inf] * 10])
    lo, hi = percentile_interval(with_inf)
    assert lo == pytest.approx(0.025 * 110) and hi == np.inf  # position 2.75 of 111 sorted values
