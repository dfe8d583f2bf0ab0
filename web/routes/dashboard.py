"""The front page: horizon trend against release date, read from the stored analysis."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analysis.trend import NAMED_WINDOWS, DateWindow
from core.models import Agent, Model, Run, Task
from web.analysis_summary import params_summary
from web.deps import DbDep, Viewer
from web.figures.common import figure_json
from web.figures.forecast import forecast_view
from web.figures.trend import build_trend_figure, doubling_text
from web.params import AnalysisRef
from web.queries import reference_agent_names
from web.rendering import WebRoute, render
from web.results import StoredResult, load_results
from web.sections import FamilyAgent

router = APIRouter(route_class=WebRoute, include_in_schema=False)

# The query keys that make up a view of the dashboard (kept by its permanent link).
VIEW_KEYS = ("metric", "window", "after", "before", "family_agent")
WINDOW_LABELS = {
    "stored": "as analysed",
    "paper": "METR paper (2019-01-01 to 2025-02-25)",
    "all_time": "all time (2019 to 2030)",
    "from_2023_on": "from 2023 on",
    "custom": "custom",
}


@dataclass(frozen=True)
class WindowChoice:
    """The release-date window the trend is drawn over, and the form values that chose it."""

    key: str
    window: DateWindow
    after_text: str
    before_text: str
    error: str | None = None


def _parse_day(text: str) -> dt.date | None:
    text = text.strip()
    return dt.date.fromisoformat(text) if text else None


def choose_window(result: StoredResult | None, key: str, after: str, before: str) -> WindowChoice:
    """The date window from the query: the analysed one, a named one, or custom dates."""
    stored = DateWindow(*result.trend.window) if result and result.trend else DateWindow()
    if key in NAMED_WINDOWS:
        w = NAMED_WINDOWS[key]
    elif key == "custom":
        try:
            w = DateWindow(_parse_day(after), _parse_day(before))
        except ValueError:
            return WindowChoice("stored", stored, after, before, "Dates must look like 2024-06-30.")
        if w.after and w.before and w.before <= w.after:
            return WindowChoice(
                "stored", stored, after, before, "The window's end must come after its start."
            )
    else:
        key, w = "stored", stored
    return WindowChoice(
        key, w, w.after.isoformat() if w.after else "", w.before.isoformat() if w.before else ""
    )


def family_choice(result: StoredResult, name: str) -> FamilyAgent | None:
    """The agent whose per-family horizons are shown: the one asked for, else the newest frontier
    agent the stored `families` section has."""
    families = result.sections.families if result.sections else None
    if families is None or not families.agents:
        return None
    asked = families.agent(name)
    if asked is not None:
        return asked
    released = {a.agent: a.release_date or dt.date.min for a in result.agents}
    return max(families.agents, key=lambda f: (bool(f.rows), released.get(f.agent, dt.date.min)))


def setup_counts(db: Session) -> dict[str, int]:
    """How far a new installation has got (tasks, models, agents, runs), for the first-run steps."""
    tables = {"tasks": Task, "models": Model, "agents": Agent, "runs": Run}
    return {key: db.scalar(select(func.count()).select_from(table)) or 0 for key, table in tables.items()}


def view_links(request: Request, shown: int, pinned: int | None) -> dict[str, object]:
    """The page's permanent link (this view, pinned to the analysis shown) and the id that the
    page's forms and agent links carry while a link pins the analysis."""
    query = {k: v for k, v in request.query_params.items() if k in VIEW_KEYS and v}
    return {"pinned_id": pinned, "permalink": "/?" + urlencode({"analysis": shown, **query})}


@router.get("/")
def dashboard(
    request: Request,
    db: DbDep,
    user: Viewer,
    metric: str = "p50",
    window: str = "stored",
    after: str = "",
    before: str = "",
    family_agent: str = Query("", max_length=200),
    analysis: AnalysisRef = None,
) -> Response:
    """The front page: each agent's horizon against its release date, with the trend; `?analysis=`
    pins the page (and every link on it) to one analysis."""
    metric = metric if metric in ("p50", "p80") else "p50"
    results = load_results(db, pinned=analysis)
    if results.current is None and results.pending is None and results.overlays:
        # Nothing fitted here yet: show the newest published overlay on its own.
        results = dataclasses.replace(results, current=results.overlays[0], overlays=results.overlays[1:])
    current = results.current
    context: dict[str, object] = {
        "results": results,
        "metric": metric,
        "window_labels": WINDOW_LABELS,
        "figure": None,
    }
    if current is None:
        context["setup"] = setup_counts(db)
    else:
        context.update(view_links(request, current.id, current.id if results.chosen == "pinned" else None))
        context["params_summary"] = params_summary(current.params)
        choice = choose_window(current, window, after, before)
        confidence = current.trend.confidence if current.trend else 0.95
        forecast = forecast_view(current, metric, choice.window, confidence)
        reference = reference_agent_names(db)
        built = build_trend_figure(current, metric, choice.window, results.overlays, forecast, reference)
        context["reference_agents"] = [a for a in current.agents if a.agent in reference]
        context.update(
            {
                "choice": choice,
                "forecast": forecast,
                "figure": figure_json(built.figure),
                "built": built,
                "doubling": doubling_text(built.trend) if built.trend else None,
                "family_view": family_choice(current, family_agent),
                "agents": sorted(
                    (a for a in current.agents if a.agent not in reference),
                    key=lambda a: (a.release_date or dt.date.max, a.agent),
                ),
            }
        )
    return render(request, "dashboard.html", context)
