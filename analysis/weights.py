"""Per-agent run weights (docs/method.md section 1).

For agent `a`, `n_t` = runs of `a` on task `t` and `m_f` = distinct tasks of family `f` that `a`
ran. Raw weight of a run on task `t` of family `f`:

- `equal`:   1 / n_t                    (every task counts the same)
- `invsqrt`: 1 / (n_t * sqrt(m_f))      (the default: large families do not dominate)

then normalised so that each agent's weights sum to 1. An agent with a single run gets weight 1;
an empty input gives an empty array. Recompute after any filtering.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import NDArray

from analysis.errors import AnalysisInputError

Weighting = Literal["invsqrt", "equal"]
WEIGHTINGS: tuple[Weighting, ...] = ("invsqrt", "equal")


def task_weights(
    agent_codes: NDArray[np.int64],
    task_codes: NDArray[np.int64],
    family_codes: NDArray[np.int64],
    weighting: Weighting = "invsqrt",
) -> NDArray[np.float64]:
    """Weights of each run (aligned with the inputs), summing to 1 within each agent.

    The codes are small non-negative integers (e.g. `RunTable.agent_codes`); a task must belong to
    one family.
    """
    if weighting not in WEIGHTINGS:
        raise AnalysisInputError(f"unknown weighting {weighting!r}; choose one of {', '.join(WEIGHTINGS)}")
    n = len(agent_codes)
    if n == 0:
        return np.zeros(0, dtype=np.float64)
    n_tasks = int(task_codes.max()) + 1
    n_families = int(family_codes.max()) + 1

    # n_t: runs per (agent, task) pair.
    pair = agent_codes * n_tasks + task_codes
    _, pair_inverse, pair_counts = np.unique(pair, return_inverse=True, return_counts=True)
    raw = 1.0 / pair_counts[pair_inverse].astype(np.float64)

    if weighting == "invsqrt":
        # m_f: distinct tasks of the family among this agent's (agent, task) pairs.
        pair_first_row = np.unique(pair_inverse, return_index=True)[1]
        pair_agent = agent_codes[pair_first_row]
        pair_family = family_codes[pair_first_row]
        agent_family = pair_agent * n_families + pair_family
        _, af_inverse, af_counts = np.unique(agent_family, return_inverse=True, return_counts=True)
        tasks_in_family = af_counts[af_inverse]  # per pair
        raw = raw / np.sqrt(tasks_in_family[pair_inverse].astype(np.float64))

    totals = np.bincount(agent_codes, weights=raw)
    weights: NDArray[np.float64] = raw / totals[agent_codes]  # numpy types fancy indexing as Any
    return weights
