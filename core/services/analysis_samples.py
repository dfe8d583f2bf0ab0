"""Bootstrap samples of finished analyses: each agent's replicate p50s and p80s, stored in
`analysis_samples` beside (never inside) the result JSON that every dashboard view parses.

The analysis job writes them in the transaction that stores the result, and only when replicates
x agents is at most MAX_STORED_SAMPLES (per metric); above that none are stored and
`missing_note` says why, so the table and every export of it stay bounded. A value is kept at
float32 precision (its shortest decimal form: about 7 significant digits, far below a CI's own
noise); JSON has no NaN or infinity, so a replicate without a fit is null and an unbounded one
(an agent passing everything, counted at its limit) is the string "inf".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import delete, insert, literal, select
from sqlalchemy.orm import Session

from analysis.report import AnalysisReport
from core.models import AnalysisSample

MAX_STORED_SAMPLES = 200_000
SAMPLE_METRICS: dict[str, float] = {"p50": 0.5, "p80": 0.8}
UNBOUNDED = "inf"

# One replicate's stored horizon: minutes, None (no fit) or UNBOUNDED.
Sample = float | str | None
# {metric: {agent: samples}}, agents in the order the fit listed them.
SampleSet = dict[str, dict[str, list[Sample]]]


@dataclass(frozen=True)
class AgentSamples:
    """One row to store: an agent's replicate horizons at one metric."""

    agent: str
    metric: str
    samples: list[Sample]


def over_cap(n_replicates: int, n_agents: int) -> bool:
    """Whether an analysis of this size keeps no samples (it would exceed MAX_STORED_SAMPLES)."""
    return n_replicates * n_agents > MAX_STORED_SAMPLES


def stored_values(column: NDArray[np.float64]) -> list[Sample]:
    """Replicate horizons as stored: float32's shortest decimal, None for NaN, "inf" past float32."""
    with np.errstate(over="ignore"):
        texts = np.asarray(column, dtype=np.float64).astype(np.float32).astype(str)
    return [None if t == "nan" else UNBOUNDED if t == "inf" else float(t) for t in texts.tolist()]


def report_samples(report: AnalysisReport) -> list[AgentSamples] | None:
    """The report's replicate p50s and p80s as rows to store; None when it ran no bootstrap or is
    over the cap."""
    agents = [a.agent for a in report.agents]
    if not agents or report.params.n_bootstrap == 0 or over_cap(report.params.n_bootstrap, len(agents)):
        return None
    rows = []
    for metric, success_rate in SAMPLE_METRICS.items():
        horizons = report.replicate_horizons(success_rate)
        if horizons is None:
            return None
        rows += [AgentSamples(agent, metric, stored_values(horizons[:, i])) for i, agent in enumerate(agents)]
    return rows


def store_samples(session: Session, analysis_id: int, rows: list[AgentSamples]) -> None:
    """Store an analysis's samples in the caller's transaction, replacing any it had (a job sent
    twice stores them once)."""
    session.execute(delete(AnalysisSample).where(AnalysisSample.analysis_id == analysis_id))
    if rows:
        session.execute(
            insert(AnalysisSample),
            [
                {"analysis_id": analysis_id, "agent": r.agent, "metric": r.metric, "samples": r.samples}
                for r in rows
            ],
        )


def copy_samples(session: Session, source_id: int, target_id: int) -> None:
    """Give an analysis that reuses an earlier one's result that analysis's samples too."""
    session.execute(delete(AnalysisSample).where(AnalysisSample.analysis_id == target_id))
    session.execute(
        insert(AnalysisSample).from_select(
            ["analysis_id", "agent", "metric", "samples"],
            select(literal(target_id), AnalysisSample.agent, AnalysisSample.metric, AnalysisSample.samples)
            .where(AnalysisSample.analysis_id == source_id)
            .order_by(AnalysisSample.id),
        )
    )


def load_samples(session: Session, analysis_id: int) -> SampleSet:
    """{metric: {agent: samples}} of the analysis; empty when it has none. Bounded by the cap
    they were written under."""
    found: SampleSet = {metric: {} for metric in SAMPLE_METRICS}
    rows = session.execute(
        select(AnalysisSample.metric, AnalysisSample.agent, AnalysisSample.samples)
        .where(AnalysisSample.analysis_id == analysis_id)
        .order_by(AnalysisSample.id)
    )
    for metric, agent, samples in rows:
        if metric in found and isinstance(samples, list):
            found[metric][agent] = samples
    return found if any(found.values()) else {}


def missing_note(n_replicates: int | None, n_agents: int) -> str:
    """Why an analysis has no stored samples: no bootstrap, over the cap, or older (or imported)."""
    if n_replicates == 0:
        return "not stored: this analysis ran no bootstrap"
    if n_replicates is not None and over_cap(n_replicates, n_agents):
        return (
            f"not stored: {n_replicates:,} replicates x {n_agents:,} agents is "
            f"{n_replicates * n_agents:,} numbers per metric, above the cap of {MAX_STORED_SAMPLES:,}; "
            "`horizon analyze --json` on the runs file writes them"
        )
    return (
        "not stored: this analysis was stored before Horizon kept bootstrap samples, or came from "
        "elsewhere; `horizon analyze --json` on the runs file writes them"
    )
