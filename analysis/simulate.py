"""Synthetic evaluations with a known truth: planning studies and checking the method.

Truth model: an agent with horizon `p50` and slope `beta` (< 0, per doubling of human time)
succeeds on a task of `m` human minutes in family `f` with probability

    P = sigmoid(beta * (log2(m) - log2(p50)) + u_f + v_t),  u_f ~ N(0, family_sd), v_t ~ N(0, task_sd)

where the difficulty offsets `u_f`, `v_t` are drawn once per suite and shared by all agents (some
families are harder than their human time says). Since the offsets are symmetric around 0, `p50`
is where the success rate across the population of tasks is 50%. Agents may follow a trend:
`p50(d) = anchor_p50 * 2 ** ((d - anchor_date) / doubling_days)`.

Entry points (all take an explicit `rng`):

    synthetic_suite(rng, n_families=40, min_tasks=1, max_tasks=6, min_minutes=1, max_minutes=1440)
        -> TaskSuite
    agents_on_trend(release_dates, doubling_days, anchor_p50, anchor_date, slope)
        -> list[SimulatedAgent]
    simulate_runs(suite, agents, repeats, rng, family_sd=0.0, task_sd=0.0) -> pandas.DataFrame
    simulate_study(suite, agents, repeats, rng, params, family_sd, task_sd) -> dict
    simulate_studies(n_simulations, suite, agents, repeats, rng, params, ...) -> dict

`simulate_study` fits the synthetic runs with the full method and reports, per agent, the true
and fitted p50, the CI and its width in doublings (log2(hi / lo)), and whether the CI covers the
truth; the trend likewise. Reports carry `"simulated": true`. Zero repeats or an empty suite raise
`AnalysisInputError`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray
from scipy.special import expit

from analysis.errors import AnalysisInputError
from analysis.report import AnalysisParams, analyze
from analysis.table import RunTable

if TYPE_CHECKING:
    import pandas as pd  # imported where used: every `horizon` command imports this module

FloatArray = NDArray[np.float64]
ObjectArray = NDArray[np.object_]

DEFAULT_SLOPE = -0.6  # about METR's fitted slopes (per doubling of human minutes)


@dataclass(frozen=True)
class TaskSuite:
    """Tasks (id, family, human minutes) to simulate runs on."""

    task_id: ObjectArray
    task_family: ObjectArray
    human_minutes: FloatArray
    source: str = "synthetic"

    def __post_init__(self) -> None:
        if len(self.task_id) == 0:
            raise AnalysisInputError("the task suite is empty")
        if np.any(~np.isfinite(self.human_minutes)) or np.any(self.human_minutes <= 0):
            raise AnalysisInputError("task human_minutes must be positive numbers")

    @property
    def n_tasks(self) -> int:
        """Number of tasks."""
        return len(self.task_id)

    @property
    def n_families(self) -> int:
        """Number of distinct families."""
        return len(np.unique(self.task_family))

    @classmethod
    def from_table(cls, table: RunTable, source: str = "runs file") -> TaskSuite:
        """The distinct tasks of a runs table (first human minutes seen for each)."""
        _, first = np.unique(table.task_id, return_index=True)
        return cls(table.task_id[first], table.task_family[first], table.human_minutes[first], source)

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, source: str = "tasks file") -> TaskSuite:
        """Tasks from a DataFrame with `human_minutes`, `task_family` and optionally `task_id`.

        A runs table (one row per run) works too: tasks are de-duplicated by id.
        """
        import pandas as pd

        missing = [c for c in ("human_minutes", "task_family") if c not in frame.columns]
        if missing:
            raise AnalysisInputError(f"task suite is missing column(s): {', '.join(missing)}")
        frame = frame.reset_index(drop=True)
        if "task_id" not in frame.columns:
            frame = frame.assign(task_id=[f"task_{i + 1}" for i in range(len(frame))])
        frame = frame.drop_duplicates("task_id")
        minutes = pd.to_numeric(frame["human_minutes"], errors="coerce").to_numpy(dtype=np.float64)
        bad = np.flatnonzero(~np.isfinite(minutes) | (minutes <= 0))
        if bad.size:
            rows = ", ".join(str(frame["task_id"].iloc[i]) for i in bad[:5])
            raise AnalysisInputError(f"task suite: human_minutes must be positive for task(s) {rows}")
        return cls(
            frame["task_id"].astype(str).to_numpy(dtype=object),
            frame["task_family"].astype(str).to_numpy(dtype=object),
            minutes,
            source,
        )


@dataclass(frozen=True)
class SimulatedAgent:
    """A hypothetical agent with a known horizon (minutes) and slope."""

    name: str
    p50: float
    slope: float = DEFAULT_SLOPE
    release_date: date | None = None


def synthetic_suite(
    rng: np.random.Generator,
    n_families: int = 40,
    min_tasks: int = 1,
    max_tasks: int = 6,
    min_minutes: float = 1.0,
    max_minutes: float = 1440.0,
    family_spread: float = 1.5,
) -> TaskSuite:
    """Families centred log-uniformly in [min, max] minutes, tasks within +-`family_spread` doublings.

    Each family has between `min_tasks` and `max_tasks` tasks (uniform); task times are clipped to
    the range. Zero families raise `AnalysisInputError`.
    """
    if n_families < 1 or min_tasks < 1 or max_tasks < min_tasks:
        raise AnalysisInputError("a synthetic suite needs >= 1 family and 1 <= min_tasks <= max_tasks")
    if not 0 < min_minutes < max_minutes:
        raise AnalysisInputError("a synthetic suite needs 0 < min_minutes < max_minutes")
    lo, hi = math.log2(min_minutes), math.log2(max_minutes)
    ids: list[str] = []
    families: list[str] = []
    minutes: list[float] = []
    for f in range(n_families):
        centre = rng.uniform(lo, hi)
        for t in range(int(rng.integers(min_tasks, max_tasks + 1))):
            ids.append(f"fam{f:03d}/task{t}")
            families.append(f"fam{f:03d}")
            minutes.append(float(2 ** np.clip(centre + rng.uniform(-family_spread, family_spread), lo, hi)))
    return TaskSuite(np.array(ids, dtype=object), np.array(families, dtype=object), np.array(minutes))


def agents_on_trend(
    release_dates: Mapping[str, date],
    doubling_days: float,
    anchor_p50: float,
    anchor_date: date,
    slope: float = DEFAULT_SLOPE,
) -> list[SimulatedAgent]:
    """Agents whose p50 doubles every `doubling_days`, equal to `anchor_p50` on `anchor_date`."""
    if not doubling_days > 0 or not anchor_p50 > 0:
        raise AnalysisInputError("doubling_days and anchor_p50 must be positive")
    return [
        SimulatedAgent(name, anchor_p50 * 2 ** ((day - anchor_date).days / doubling_days), slope, day)
        for name, day in sorted(release_dates.items(), key=lambda item: (item[1], item[0]))
    ]


def simulate_runs(
    suite: TaskSuite,
    agents: Sequence[SimulatedAgent],
    repeats: int,
    rng: np.random.Generator,
    family_sd: float = 0.0,
    task_sd: float = 0.0,
) -> pd.DataFrame:
    """Every agent runs every task `repeats` times; outcomes drawn from the truth model.

    Returns a runs DataFrame in METR's columns (`agent`, `task_id`, `task_family`,
    `human_minutes`, `score_binarized`, `score_cont`, `run_id`).
    """
    import pandas as pd

    if repeats < 1:
        raise AnalysisInputError("repeats must be at least 1")
    if not agents:
        raise AnalysisInputError("simulate at least one agent")
    families, family_index = np.unique(suite.task_family, return_inverse=True)
    offset = rng.normal(0.0, family_sd, len(families))[family_index] + rng.normal(0.0, task_sd, suite.n_tasks)
    x = np.log2(suite.human_minutes)
    frames = []
    for agent in agents:
        probability = expit(agent.slope * (x - math.log2(agent.p50)) + offset)
        outcomes = rng.random((repeats, suite.n_tasks)) < probability
        frames.append(
            pd.DataFrame(
                {
                    "agent": agent.name,
                    "task_id": np.tile(suite.task_id, repeats),
                    "task_family": np.tile(suite.task_family, repeats),
                    "human_minutes": np.tile(suite.human_minutes, repeats),
                    "score_binarized": outcomes.reshape(-1).astype(np.int64),
                }
            )
        )
    runs = pd.concat(frames, ignore_index=True)
    runs["score_cont"] = runs["score_binarized"].astype(np.float64)
    runs["run_id"] = [f"sim-{i}" for i in range(len(runs))]
    return runs


def simulate_study(
    suite: TaskSuite,
    agents: Sequence[SimulatedAgent],
    repeats: int,
    rng: np.random.Generator,
    params: AnalysisParams = AnalysisParams(n_bootstrap=200),
    family_sd: float = 0.0,
    task_sd: float = 0.0,
) -> dict[str, Any]:
    """Simulate one evaluation, analyse it, and compare with the truth (see the module docstring).

    The bootstrap seeds come from `rng` (so repeated studies differ); the trend is fitted when at
    least two agents have release dates.
    """
    runs = simulate_runs(suite, agents, repeats, rng, family_sd, task_sd)
    dates = {a.name: a.release_date for a in agents if a.release_date is not None}
    seeded = replace(params, seed=int(rng.integers(0, 2**31 - 1)), missing_release_dates="exclude")
    result = analyze(RunTable.from_frame(runs), dates, seeded)
    report = result.to_json()
    truth = {a.name: a for a in agents}
    for entry in report["agents"]:
        agent = truth[entry["agent"]]
        lo, hi = entry["p50_ci"]
        entry["true_p50"] = agent.p50
        entry["true_slope"] = agent.slope
        entry["p50_ci_width_doublings"] = _log2_ratio(hi, lo)
        entry["covered"] = lo is not None and hi is not None and lo <= agent.p50 <= hi
    trend = report["trend"]
    true_doubling = _true_doubling_days(agents)
    trend["true_doubling_days"] = true_doubling
    lo, hi = trend["doubling_days_ci"]
    trend["covered"] = None if lo is None or true_doubling is None else bool(lo <= true_doubling <= hi)
    trend["doubling_days_ci_width"] = None if lo is None else hi - lo
    report["simulated"] = True
    report["suite"] = {"source": suite.source, "n_tasks": suite.n_tasks, "n_families": suite.n_families}
    report["repeats"] = repeats
    report["truth_model"] = {"family_sd": family_sd, "task_sd": task_sd}
    return report


def simulate_studies(
    n_simulations: int,
    suite: TaskSuite,
    agents: Sequence[SimulatedAgent],
    repeats: int,
    rng: np.random.Generator,
    params: AnalysisParams = AnalysisParams(n_bootstrap=200),
    family_sd: float = 0.0,
    task_sd: float = 0.0,
) -> dict[str, Any]:
    """Repeat `simulate_study`; report the first study plus medians of CI widths and coverage rates."""
    if n_simulations < 1:
        raise AnalysisInputError("simulate at least one study")
    studies = [
        simulate_study(suite, agents, repeats, rng, params, family_sd, task_sd) for _ in range(n_simulations)
    ]
    summary: dict[str, Any] = {"n_simulations": n_simulations, "agents": {}}
    for agent in agents:
        entries = [next(e for e in s["agents"] if e["agent"] == agent.name) for s in studies]
        widths = [e["p50_ci_width_doublings"] for e in entries if e["p50_ci_width_doublings"] is not None]
        summary["agents"][agent.name] = {
            "true_p50": agent.p50,
            "median_p50": _median([e["p50"] for e in entries]),
            "median_p50_ci_width_doublings": _median(widths),
            "coverage": float(np.mean([e["covered"] for e in entries])),
        }
    trend_widths = [s["trend"]["doubling_days_ci_width"] for s in studies]
    trend_covered = [s["trend"]["covered"] for s in studies if s["trend"]["covered"] is not None]
    summary["trend"] = {
        "true_doubling_days": studies[0]["trend"]["true_doubling_days"],
        "median_doubling_days": _median([s["trend"]["doubling_days"] for s in studies]),
        "median_doubling_days_ci_width": _median([w for w in trend_widths if w is not None]),
        "coverage": float(np.mean(trend_covered)) if trend_covered else None,
    }
    first = studies[0]
    first["summary"] = summary
    return first


def _true_doubling_days(agents: Sequence[SimulatedAgent]) -> float | None:
    dated = [a for a in agents if a.release_date is not None]
    if len(dated) < 2 or len({a.release_date for a in dated}) < 2:
        return None
    x = np.array(
        [(a.release_date - date(1970, 1, 1)).days for a in dated if a.release_date], dtype=np.float64
    )
    y = np.log([a.p50 for a in dated])
    slope = float(np.polyfit(x, y, 1)[0])
    return math.log(2) / slope if slope > 0 else None


def _log2_ratio(hi: float | None, lo: float | None) -> float | None:
    if hi is None or lo is None or lo <= 0 or hi <= 0:
        return None
    return math.log2(hi / lo)


def _median(values: Sequence[float | None]) -> float | None:
    finite = [v for v in values if v is not None and math.isfinite(v)]
    return float(np.median(finite)) if finite else None
