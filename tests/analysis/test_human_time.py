"""The one human-time formula (docs/method.md section 5): geometric mean, estimate fallback."""

from __future__ import annotations

import math

import pytest

from analysis.human_time import HumanTime, geometric_mean, human_time


def test_geometric_mean_of_successful_baselines() -> None:
    result = human_time([10.0, 40.0], 99.0)
    assert result is not None
    assert math.isclose(result.minutes, 20.0)  # sqrt(10 * 40): the estimate is not used
    assert (result.source, result.n_successful_baselines) == ("baseline", 2)


def test_one_outlier_does_not_swamp_the_rest() -> None:
    # Arithmetic mean would be 157.5 minutes; the geometric mean stays near the typical attempt.
    assert math.isclose(geometric_mean([10.0, 10.0, 10.0, 600.0]), 10 * 60**0.25)


def test_estimate_then_unknown() -> None:
    assert human_time([], 12.0) == HumanTime(12.0, "estimate", 0)
    assert human_time([], None) is None


@pytest.mark.parametrize("values", [[], [5.0, 0.0], [-1.0]])
def test_undefined_means_are_refused(values: list[float]) -> None:
    with pytest.raises(ValueError):
        geometric_mean(values)
