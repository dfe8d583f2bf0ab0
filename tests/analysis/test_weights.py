"""Per-agent weights: hand-computed cases and METR's stored columns."""

from __future__ import annotations

import math

import numpy as np
import pytest

from analysis.errors import AnalysisInputError
from analysis.table import RunTable
from analysis.weights import task_weights


def _codes(values: list[str]) -> np.ndarray:
    return np.unique(values, return_inverse=True)[1].astype(np.int64)


def test_hand_computed_weights() -> None:
    # Agent A: family f has tasks t1 (2 runs) and t2 (1 run); family g has t3 (1 run).
    # Agent B: one run on t1.
    agents = ["A", "A", "A", "A", "B"]
    tasks = ["t1", "t1", "t2", "t3", "t1"]
    families = ["f", "f", "f", "g", "f"]
    a, t, f = _codes(agents), _codes(tasks), _codes(families)

    equal = task_weights(a, t, f, "equal")
    raw_equal = np.array([1 / 2, 1 / 2, 1, 1])
    np.testing.assert_allclose(equal[:4], raw_equal / raw_equal.sum())
    assert equal[4] == 1.0

    invsqrt = task_weights(a, t, f, "invsqrt")
    raw = np.array([1 / (2 * math.sqrt(2)), 1 / (2 * math.sqrt(2)), 1 / math.sqrt(2), 1.0])
    np.testing.assert_allclose(invsqrt[:4], raw / raw.sum())
    assert invsqrt[4] == 1.0


def test_weights_sum_to_one_per_agent() -> None:
    rng = np.random.default_rng(3)
    agents = rng.integers(0, 5, 400)
    tasks = rng.integers(0, 40, 400)
    families = tasks // 7
    for scheme in ("equal", "invsqrt"):
        w = task_weights(agents, tasks, families, scheme)
        np.testing.assert_allclose(np.bincount(agents, weights=w), 1.0)
        assert np.all(w > 0)


def test_empty_and_unknown() -> None:
    empty = np.zeros(0, dtype=np.int64)
    assert task_weights(empty, empty, empty).shape == (0,)
    with pytest.raises(AnalysisInputError, match="unknown weighting"):
        task_weights(empty, empty, empty, "cubic")  # type: ignore[arg-type]


@pytest.mark.parametrize("scheme", ["invsqrt", "equal"])
def test_matches_metr_stored_weights(metr_table: RunTable, scheme: str) -> None:
    computed = task_weights(metr_table.agent_codes, metr_table.task_codes, metr_table.family_codes, scheme)  # type: ignore[arg-type]
    stored = metr_table.stored_weights[scheme]
    # The stored columns are rounded to 10 decimals.
    np.testing.assert_allclose(computed, stored, rtol=0, atol=6e-11)
