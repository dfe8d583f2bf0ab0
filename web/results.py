"""Stored analysis results as the pages need them: the current result, overlays, staleness.

Pages never fit anything expensive: they read `AnalysisResult` rows written by the analysis job.
The JSON shape is that of `analysis.report` (`{"params", "agents": [...], "trend": {...}}`); every
field is read defensively because older or imported results may lack optional ones.

- The *current* result is the newest finished row that is not an overlay.
- *Overlays* are finished rows whose `params.source` names an outside origin (`published`,
  `imported`, `metr`, ...); the newest per label is drawn as an extra series.
- A result is *stale* when the analysis service says so (`core.services.analyses.stale_reason`:
  runs completed, or tasks and their human times changed, after it was computed), or when a newer
  analysis row has a different inputs fingerprint.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, load_only

from core.errors import NotFound
from core.models import AnalysisResult
from core.services.analyses import stale_reason
from core.states import ACTIVE_ANALYSIS_STATUSES, AnalysisStatus
from web.sections import Sections

OVERLAY_SOURCES = ("published", "imported", "import", "metr", "external", "reference")
RECENT_ROWS = 50
# Stored results may come from anywhere (imports): a page shows at most this many flags per number.
MAX_FLAGS = 40
MAX_FLAG_LENGTH = 80
# Which of an agent's bootstrap counts each replicate flag is about (analysis.flags).
REPLICATE_FLAG_COUNTS: dict[str, tuple[str, ...]] = {
    "degenerate_replicates": ("n_all_failures", "n_all_successes"),
    "dropped_replicates": ("n_dropped",),
    "replicate_positive_slopes": ("n_positive_slope",),
    "replicate_not_converged": ("n_not_converged",),
}


def _float(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return float(value) if math.isfinite(value) else None
    except OverflowError:  # a JSON integer past a float's range
        return None


def _count(value: Any) -> int | None:
    """A run or task count: an int in 0..2^63 (JSON allows larger; a page could not use them)."""
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63 else None


def _pair(value: Any) -> tuple[float, float] | None:
    if isinstance(value, list | tuple) and len(value) == 2:
        lo, hi = _float(value[0]), _float(value[1])
        if lo is not None and hi is not None:
            return (lo, hi)
    return None


def _flags(value: Any) -> list[str]:
    """Flag codes as stored (older results have none); unknown codes are kept and shown as codes."""
    if not isinstance(value, list):
        return []
    return [v for v in value if isinstance(v, str) and 0 < len(v) <= MAX_FLAG_LENGTH][:MAX_FLAGS]


def _replicate_counts(value: Any) -> dict[str, int]:
    """The agent's `bootstrap` object's `n_*` counts (analysis.flags.ReplicateCounts)."""
    if not isinstance(value, dict):
        return {}
    fields = {f for names in REPLICATE_FLAG_COUNTS.values() for f in names}
    return {k: c for k in fields if (c := _count(value.get(k))) is not None}


def _flag_counts(value: Any) -> dict[str, int]:
    """The report's `flags` summary: {code: count}, ignoring malformed entries."""
    if not isinstance(value, dict):
        return {}
    counts = {k: c for k, v in value.items() if isinstance(k, str) and (c := _count(v)) is not None}
    return dict(list(counts.items())[:MAX_FLAGS])


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


@dataclass(frozen=True)
class Bucket:
    """One bin of tasks by human time: its bounds and the agent's observed success rate there."""

    label: str
    lo: float | None
    hi: float | None
    rate: float | None
    weight: float | None
    n_runs: int | None


@dataclass(frozen=True)
class AgentHorizon:
    """One agent's entry of a stored result."""

    agent: str
    release_date: dt.date | None
    n_runs: int | None
    n_tasks: int | None
    average: float | None
    coefficient: float | None
    intercept: float | None
    p50: float | None
    p50_ci: tuple[float, float] | None
    p80: float | None
    p80_ci: tuple[float, float] | None
    frontier: bool
    fit_status: str | None
    buckets: list[Bucket] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)  # codes of analysis.flags.FLAG_TEXT
    # The bootstrap's replicate counts (`n_all_failures`, `n_dropped`, ...).
    replicate_counts: dict[str, int] = field(default_factory=dict)

    def horizon(self, metric: str) -> float | None:
        """The p50 or p80 horizon, in minutes."""
        return self.p80 if metric == "p80" else self.p50

    def ci(self, metric: str) -> tuple[float, float] | None:
        """The p50 or p80 horizon's confidence interval, in minutes."""
        return self.p80_ci if metric == "p80" else self.p50_ci

    def flags_for(self, metric: str) -> list[str]:
        """The flags about the p50 or p80 number (their codes start with it)."""
        return [f for f in self.flags if f.startswith(metric + "_")]

    def flag_count(self, code: str) -> int | None:
        """How many bootstrap replicates a replicate flag concerns, when the result says."""
        fields = REPLICATE_FLAG_COUNTS.get(code, ())
        counts = [self.replicate_counts[f] for f in fields if f in self.replicate_counts]
        return sum(counts) if counts else None

    @property
    def fit_flags(self) -> list[str]:
        """The flags about the fit as a whole (slope, convergence, bootstrap replicates)."""
        return [f for f in self.flags if not f.startswith(("p50_", "p80_"))]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AgentHorizon:
        """Parse one agent of a stored result, tolerating fields older results lack."""
        buckets = []
        for b in data.get("empirical_buckets") or []:
            if isinstance(b, dict):
                n_runs = b.get("n_runs")
                buckets.append(
                    Bucket(
                        label=str(b.get("bucket") or b.get("label") or ""),
                        lo=_float(b.get("lo")),
                        hi=_float(b.get("hi")),
                        rate=_float(b.get("rate")),
                        weight=_float(b.get("weight")),
                        n_runs=_count(n_runs),
                    )
                )
        n_runs, n_tasks = data.get("n_runs"), data.get("n_tasks")
        return cls(
            agent=str(data.get("agent", "")),
            release_date=_date(data.get("release_date")),
            n_runs=_count(n_runs),
            n_tasks=_count(n_tasks),
            average=_float(data.get("average")),
            coefficient=_float(data.get("coefficient")),
            intercept=_float(data.get("intercept")),
            p50=_float(data.get("p50")),
            p50_ci=_pair(data.get("p50_ci")),
            p80=_float(data.get("p80")),
            p80_ci=_pair(data.get("p80_ci")),
            frontier=bool(data.get("frontier", False)),
            fit_status=data.get("fit_status") if isinstance(data.get("fit_status"), str) else None,
            buckets=buckets,
            flags=_flags(data.get("flags")),
            replicate_counts=_replicate_counts(data.get("bootstrap")),
        )


@dataclass(frozen=True)
class Trend:
    """The fitted doubling time over a release-date window, with its interval."""

    window: tuple[dt.date | None, dt.date | None]
    agents: list[str]
    doubling_days: float | None
    doubling_days_ci: tuple[float, float] | None
    doubling_days_median: float | None
    confidence: float
    # The slope's interval reached 0: the doubling time's upper side is unbounded (then
    # `doubling_days_ci` is None and `doubling_days_ci_low` holds the finite side, if any).
    ci_unbounded: bool = False
    doubling_days_ci_low: float | None = None
    flags: list[str] = field(default_factory=list)

    @classmethod
    def from_json(cls, data: Any) -> Trend | None:
        """Parse a stored trend; None when the result has none."""
        if not isinstance(data, dict):
            return None
        raw_window = data.get("window")
        window: list[Any] = raw_window if isinstance(raw_window, list) else [None, None]
        after = _date(window[0]) if len(window) > 0 else None
        before = _date(window[1]) if len(window) > 1 else None
        agents = [str(a) for a in data.get("agents") or [] if isinstance(a, str)]
        raw_ci = data.get("doubling_days_ci")
        low = _float(raw_ci[0]) if isinstance(raw_ci, list) and raw_ci else None
        return cls(
            window=(after, before),
            agents=agents,
            doubling_days=_float(data.get("doubling_days")),
            doubling_days_ci=_pair(raw_ci),
            doubling_days_median=_float(data.get("doubling_days_median")),
            confidence=_float(data.get("confidence")) or 0.95,
            ci_unbounded=data.get("doubling_days_ci_unbounded") is True,
            doubling_days_ci_low=low,
            flags=_flags(data.get("flags")),
        )


@dataclass(frozen=True)
class StoredResult:
    """A finished analysis row, parsed."""

    id: int
    label: str
    created_at: dt.datetime
    simulated: bool
    n_runs: int
    inputs_fingerprint: str | None
    params: dict[str, Any]
    agents: list[AgentHorizon]
    trend: Trend | None
    flag_counts: dict[str, int] = field(default_factory=dict)  # the report's `flags` summary
    # Trend shape, per-family horizons, human-time sources (`web.sections`); None on old results.
    sections: Sections | None = None
    published_at: dt.datetime | None = None  # set while an admin has it published
    finished_at: dt.datetime | None = None
    trend_p80: Trend | None = None  # the trend over p80s, with its CI; None on older results

    def stored_trend(self, metric: str) -> Trend | None:
        """The stored trend (with its bootstrap CI) for `metric`, `p50` or `p80`."""
        return self.trend_p80 if metric == "p80" else self.trend

    def agent(self, name: str) -> AgentHorizon | None:
        """The agent's entry, or None when the result does not have it."""
        return next((a for a in self.agents if a.agent == name), None)


@dataclass(frozen=True)
class Staleness:
    """Why the current result may no longer match the data (all empty: up to date)."""

    reason: str | None = None  # from core.services.analyses.stale_reason
    newer_fingerprint: bool = False
    in_progress: int | None = None  # id of a newer analysis that is queued or running

    @property
    def stale(self) -> bool:
        """Whether anything says the result is out of date."""
        return bool(self.reason or self.newer_fingerprint)


def _utc(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def _overlay_label(params: dict[str, Any]) -> str | None:
    source = params.get("source")
    if isinstance(source, str) and source.lower() in OVERLAY_SOURCES:
        label = params.get("label") or params.get("name") or source
        return str(label)
    return None


@dataclass(frozen=True)
class _Head:
    id: int
    status: str
    params: dict[str, Any]
    simulated: bool
    created_at: dt.datetime
    inputs_fingerprint: str | None
    n_runs: int
    published_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None


def _heads(session: Session, where: Any = None, limit: int = RECENT_ROWS) -> list[_Head]:
    # Only small columns: the `result` JSON is loaded for the rows actually shown.
    query = select(
        AnalysisResult.id,
        AnalysisResult.status,
        AnalysisResult.params,
        AnalysisResult.simulated,
        AnalysisResult.created_at,
        AnalysisResult.inputs_fingerprint,
        AnalysisResult.n_runs,
        AnalysisResult.published_at,
        AnalysisResult.finished_at,
    )
    if where is not None:
        query = query.where(where)
    rows = session.execute(query.order_by(AnalysisResult.id.desc()).limit(limit))
    return [
        _Head(
            r.id,
            r.status,
            r.params or {},
            r.simulated,
            _utc(r.created_at),
            r.inputs_fingerprint,
            r.n_runs,
            _utc(r.published_at) if r.published_at else None,
            _utc(r.finished_at) if r.finished_at else None,
        )
        for r in rows
    ]


def _recent_heads(session: Session) -> list[_Head]:
    return _heads(session)


def _load(session: Session, head: _Head) -> StoredResult | None:
    payload = session.scalar(select(AnalysisResult.result).where(AnalysisResult.id == head.id))
    if not isinstance(payload, dict):
        return None
    agents = [AgentHorizon.from_json(a) for a in payload.get("agents") or [] if isinstance(a, dict)]
    raw_params = payload.get("params")
    params: dict[str, Any] = raw_params if isinstance(raw_params, dict) else {}
    return StoredResult(
        id=head.id,
        label=_overlay_label(head.params) or f"analysis #{head.id}",
        created_at=head.created_at,
        simulated=head.simulated,
        n_runs=head.n_runs,
        inputs_fingerprint=head.inputs_fingerprint,
        params={**params, **head.params},
        published_at=head.published_at,
        finished_at=head.finished_at,
        agents=agents,
        trend=Trend.from_json(payload.get("trend")),
        trend_p80=Trend.from_json(payload.get("trend_p80")),
        flag_counts=_flag_counts(payload.get("flags")),
        sections=Sections.from_payload(payload, _float(params.get("confidence")) or 0.95),
    )


@dataclass(frozen=True)
class Pending:
    """A pinned analysis that has no result to show (yet): queued, running, failed or cancelled."""

    id: int
    status: str
    progress_done: int = 0
    progress_total: int = 0
    error: str | None = None


@dataclass(frozen=True)
class ResultSet:
    """What the pages show: the current result, published overlays, and whether it is out of date."""

    current: StoredResult | None
    overlays: list[StoredResult]
    staleness: Staleness
    # A newer analysis that failed, to say why the shown one is older.
    failed: tuple[int, str] | None = None
    # How `current` was chosen: "newest" finished, newest "published", or "pinned" by the link.
    chosen: str = "newest"
    # The newest finished analysis when the page shows another one (pinned or published).
    newest_id: int | None = None
    # A pinned analysis without a result yet (then `current` is None).
    pending: Pending | None = None


def _newest(session: Session, heads: list[_Head]) -> tuple[StoredResult | None, list[_Head]]:
    """The newest finished analysis that is no overlay, and the rows above it (queued, failed...)."""
    newer: list[_Head] = []
    # Real analyses first; a simulated one (from `horizon simulate`) is shown only when alone.
    for simulated in (False, True):
        newer = []
        for head in heads:
            if _overlay_label(head.params) is not None or head.simulated != simulated:
                continue
            if head.status != AnalysisStatus.DONE:
                newer.append(head)
                continue
            current = _load(session, head)
            if current is not None:
                return current, newer
            newer.append(head)
    return None, newer


def _one_head(session: Session, heads: list[_Head], analysis_id: int) -> _Head:
    head = next((h for h in heads if h.id == analysis_id), None)
    if head is None:
        found = _heads(session, AnalysisResult.id == analysis_id, limit=1)
        head = found[0] if found else None
    if head is None:
        raise NotFound(f"There is no analysis #{analysis_id}. The analyses page lists every one.")
    return head


def _pending(session: Session, head: _Head) -> Pending:
    row = session.get(
        AnalysisResult,
        head.id,
        options=[
            load_only(AnalysisResult.progress_done, AnalysisResult.progress_total, AnalysisResult.error)
        ],
    )
    if row is None:
        return Pending(head.id, head.status)
    # The stored error may hold internals: pages say only that it failed (the API has the detail).
    return Pending(head.id, head.status, row.progress_done, row.progress_total)


def load_results(
    session: Session,
    *,
    pinned: int | None = None,
    with_overlays: bool = True,
    with_staleness: bool = True,
) -> ResultSet:
    """The result a page shows, its overlays and whether it is stale (a handful of small queries).

    `pinned` (a link's `?analysis=`) shows exactly that analysis (NotFound for an unknown id);
    otherwise the newest published analysis when an admin published one, else the newest one."""
    heads = _recent_heads(session)
    newest, newer = _newest(session, heads)
    current, chosen = newest, "newest"
    pending: Pending | None = None
    if pinned is not None:
        head = _one_head(session, heads, pinned)
        chosen = "pinned"
        current = _load(session, head) if head.status == AnalysisStatus.DONE else None
        if current is None:
            pending = _pending(session, head)
    else:
        published = _heads(
            session,
            AnalysisResult.published_at.is_not(None) & (AnalysisResult.status == AnalysisStatus.DONE),
            limit=1,
        )
        loaded = _load(session, published[0]) if published else None
        if loaded is not None:
            current, chosen = loaded, "published"
    if current is not None and chosen != "newest":
        newer = [
            h
            for h in heads
            if h.id > current.id and _overlay_label(h.params) is None and h.simulated == current.simulated
        ]
    overlays: list[StoredResult] = []
    if with_overlays:
        seen: set[str] = set()
        for head in heads:
            label = _overlay_label(head.params)
            if label is None or label in seen or head.status != AnalysisStatus.DONE:
                continue
            if current is not None and head.id == current.id:
                continue  # a pinned overlay is the main series, not drawn twice
            loaded = _load(session, head)
            if loaded is not None:
                overlays.append(loaded)
                seen.add(label)
    staleness = Staleness()
    failed = None
    if chosen == "newest":
        failed = next(((h.id, h.status) for h in newer if h.status == AnalysisStatus.FAILED), None)
    if current is not None and with_staleness:
        staleness = staleness_of(session, current, newer)
    newest_id = newest.id if newest is not None and (current is None or newest.id != current.id) else None
    return ResultSet(current, overlays, staleness, failed, chosen, newest_id, pending)


def staleness_of(session: Session, result: StoredResult, newer: list[_Head]) -> Staleness:
    """What changed since `result` was computed: the analysis service's reason (runs completed,
    tasks or human times changed) and newer analyses of different inputs."""
    # The service only reads the row's timestamps; leave the large `result` JSON unloaded.
    row = session.get(
        AnalysisResult, result.id, options=[load_only(AnalysisResult.id, AnalysisResult.created_at)]
    )
    reason = stale_reason(session, row) if row is not None else None
    fingerprints = {h.inputs_fingerprint for h in newer if h.inputs_fingerprint}
    in_progress = next((h.id for h in newer if h.status in ACTIVE_ANALYSIS_STATUSES), None)
    return Staleness(
        reason=reason,
        newer_fingerprint=bool(result.inputs_fingerprint and fingerprints - {result.inputs_fingerprint}),
        in_progress=in_progress,
    )
