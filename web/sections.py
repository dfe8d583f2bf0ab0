"""The stored report's sections beyond METR's method, as the dashboard shows them.

`analysis/report_sections.py` writes `trend_shape`, `families` and `human_time` into every stored
analysis. Results can also come from imports or older versions, so everything is read defensively
(a missing or malformed section is None) and bounded: at most MAX_AGENTS agents of MAX_FAMILIES
families each, names cut at MAX_NAME characters.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

from analysis.trend import HUMAN_AGENT
from web.format import is_number, minutes

MAX_AGENTS = 100
MAX_FAMILIES = 500
MAX_TARGETS = 12
MAX_NAME = 200
MAX_NOTE = 400


def _float(value: Any) -> float | None:
    return float(value) if is_number(value) else None


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63 else None


def _text(value: Any, limit: int = MAX_NAME) -> str | None:
    return value[:limit] if isinstance(value, str) else None


def _pair(value: Any) -> tuple[float | None, float | None]:
    if isinstance(value, list) and len(value) == 2:
        return _float(value[0]), _float(value[1])
    return None, None


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _date_text(value: Any) -> str:
    return value[:10] if isinstance(value, str) else "never"


@dataclass(frozen=True)
class ShapeForecast:
    """When the frontier reaches one target under each shape (dates as ISO text)."""

    label: str
    exponential: str
    quadratic: str


@dataclass(frozen=True)
class TrendShape:
    """The exponential-or-curved test: its p-value, the bend, and what they mean."""

    p_value: float | None
    statistic: float | None
    curvature_doublings: float | None
    rejects: bool
    n: int | None
    level: float
    power_at_2: float | None  # rejection rate when the truth bends 2 doublings at the window's ends
    forecasts: list[ShapeForecast]
    note: str | None = None

    @property
    def meaning(self) -> str:
        """The verdict in words."""
        if self.note:
            return f"not tested: {self.note}"
        if self.rejects:
            way = "accelerating" if (self.curvature_doublings or 0) > 0 else "slowing down"
            return (
                f"the frontier's growth is not a straight line in log scale at the {self.level:.0%} level: "
                f"it bends {abs(self.curvature_doublings or 0):.2g} doublings at the window's ends "
                f"({way}); read the doubling time as an average"
            )
        if self.power_at_2 is None:
            return "no evidence against steady exponential growth"
        if self.power_at_2 < 0.5:
            return (
                "no evidence against steady exponential growth, but with these dates and this scatter "
                f"the test would miss most real bends (it catches a 2-doubling bend {self.power_at_2:.0%} "
                "of the time)"
            )
        return (
            "no evidence against steady exponential growth (the test catches a 2-doubling bend "
            f"{self.power_at_2:.0%} of the time here)"
        )

    @classmethod
    def from_json(cls, data: Any, confidence: float) -> TrendShape | None:
        """Parse the stored `trend_shape` object; None when absent."""
        if not isinstance(data, dict):
            return None
        level = 1 - confidence if 0 < confidence < 1 else 0.05
        note = _text(data.get("note"), MAX_NOTE)
        power = None
        for point in data.get("power") or []:
            if isinstance(point, dict) and _float(point.get("bend_doublings")) == 2.0:
                power = _float(point.get("rejection_rate"))
        raw = _object(data.get("forecasts"))
        exp = [t for t in raw.get("exponential") or [] if isinstance(t, dict)][:MAX_TARGETS]
        quad = [t for t in raw.get("quadratic") or [] if isinstance(t, dict)][:MAX_TARGETS]
        forecasts = [
            ShapeForecast(_text(e.get("label")) or "", _date_text(e.get("date")), _date_text(q.get("date")))
            for e, q in zip(exp, quad, strict=False)
        ]
        p_value = _float(data.get("p_value"))
        return cls(
            p_value=p_value,
            statistic=_float(data.get("statistic")),
            curvature_doublings=_float(data.get("curvature_doublings")),
            rejects=data.get("rejects_exponential") is True,
            n=_count(data.get("n")),
            level=level,
            power_at_2=power,
            forecasts=forecasts,
            note=note if note or p_value is not None else "no test in this result",
        )


@dataclass(frozen=True)
class FamilyRow:
    """One family's pooled horizon for one agent."""

    family: str
    n_tasks: int | None
    n_runs: int | None
    success_rate: float | None
    pooled: float | None
    ci: tuple[float | None, float | None]
    raw: float | None

    @property
    def ci_text(self) -> str:
        """The interval in minutes, an open side as unbounded."""
        lo, hi = self.ci
        lo_text = minutes(lo) if lo is not None else "unbounded"
        return f"{lo_text} – {minutes(hi) if hi is not None else 'unbounded'}"


@dataclass(frozen=True)
class FamilyAgent:
    """One agent's pooled per-family horizons, sorted by horizon."""

    agent: str
    horizon: float | None
    spread_doublings: float | None
    rows: list[FamilyRow]
    note: str | None = None


@dataclass(frozen=True)
class Families:
    """The stored `families` section."""

    confidence: float
    chosen: str
    agents: list[FamilyAgent]
    note: str | None = None

    def agent(self, name: str) -> FamilyAgent | None:
        """The agent's families, or None."""
        return next((a for a in self.agents if a.agent == name), None)

    @classmethod
    def from_json(cls, data: Any) -> Families | None:
        """Parse the stored `families` object; None when absent."""
        if not isinstance(data, dict):
            return None
        agents = []
        for entry in (data.get("agents") or [])[:MAX_AGENTS]:
            if not isinstance(entry, dict) or not isinstance(entry.get("agent"), str):
                continue
            rows = [
                FamilyRow(
                    family=_text(f.get("family")) or "",
                    n_tasks=_count(f.get("n_tasks")),
                    n_runs=_count(f.get("n_runs")),
                    success_rate=_float(f.get("success_rate")),
                    pooled=_float(f.get("pooled")),
                    ci=_pair(f.get("ci")),
                    raw=_float(f.get("raw")),
                )
                for f in (entry.get("families") or [])[:MAX_FAMILIES]
                if isinstance(f, dict)
            ]
            rows.sort(key=lambda r: (r.pooled is None, r.pooled or 0.0, r.family))
            agents.append(
                FamilyAgent(
                    agent=entry["agent"][:MAX_NAME],
                    horizon=_float(entry.get("horizon")),
                    spread_doublings=_float(entry.get("tau_doublings")),
                    rows=rows,
                    note=_text(entry.get("note"), MAX_NOTE),
                )
            )
        return cls(
            confidence=_float(data.get("confidence")) or 0.95,
            chosen=_text(data.get("agents_chosen")) or "frontier",
            agents=agents,
            note=_text(data.get("note"), MAX_NOTE),
        )


@dataclass(frozen=True)
class HumanTime:
    """How many tasks have estimated times, and how the p50s move without them."""

    n_tasks: int | None
    n_estimates: int | None
    n_unknown: int | None
    note: str | None
    ratios: list[float]  # each agent's p50 without estimate-only tasks / with them (no human rows)
    doubling_days: float | None
    doubling_days_baselined: float | None

    @property
    def ratio_median(self) -> float | None:
        """The median agent's p50 ratio (baselined-only / all tasks)."""
        return statistics.median(self.ratios) if self.ratios else None

    @classmethod
    def from_json(cls, data: Any) -> HumanTime | None:
        """Parse the stored `human_time` object; None when absent."""
        if not isinstance(data, dict):
            return None
        sens = _object(data.get("sensitivity"))
        ratios = [
            r
            for a in (sens.get("agents") or [])[:MAX_AGENTS]
            if isinstance(a, dict)
            and a.get("agent") != HUMAN_AGENT
            and (r := _float(a.get("ratio"))) is not None
        ]
        return cls(
            n_tasks=_count(data.get("n_tasks")),
            n_estimates=_count(data.get("n_estimate_tasks")),
            n_unknown=_count(data.get("n_unknown_source_tasks")),
            note=_text(data.get("note"), MAX_NOTE),
            ratios=ratios,
            doubling_days=_float(sens.get("doubling_days")),
            doubling_days_baselined=_float(sens.get("doubling_days_baselined_only")),
        )


@dataclass(frozen=True)
class Sections:
    """All three; each None when the stored result lacks it."""

    trend_shape: TrendShape | None
    families: Families | None
    human_time: HumanTime | None

    @classmethod
    def from_payload(cls, payload: dict[str, Any], confidence: float) -> Sections:
        """Parse the sections of a stored result."""
        return cls(
            TrendShape.from_json(payload.get("trend_shape"), confidence),
            Families.from_json(payload.get("families")),
            HumanTime.from_json(payload.get("human_time")),
        )
