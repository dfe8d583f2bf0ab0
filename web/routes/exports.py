"""Downloads for publication: the trend figure as SVG, an analysis's numbers as CSV or JSON, and
its bootstrap samples as CSV.

The figure takes the dashboard's view parameters (metric, window, after, before, analysis) and is
the dashboard's own plotly figure drawn as SVG on the server (`web.figures.svg`), with a title,
axis titles and a caption. PNG is drawn in the browser by plotly from the page (`app.js`): a
server-side PNG would need kaleido or a browser process per request, which Horizon does not run.
Readable by whoever may read the dashboard.
"""

from __future__ import annotations

import dataclasses
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from core.errors import Conflict, InvalidInput, NotFound
from web.deps import DbDep, Viewer
from web.exports import export_csv, export_json, finished_result
from web.figures.forecast import forecast_view
from web.figures.svg import trend_svg
from web.figures.trend import build_trend_figure
from web.params import AnalysisRef, RowId
from web.queries import reference_agent_names
from web.rendering import WebRoute, attachment
from web.results import ResultSet, StoredResult, load_results
from web.routes.dashboard import WINDOW_LABELS, choose_window
from web.sample_exports import samples_csv, samples_json

router = APIRouter(route_class=WebRoute, include_in_schema=False)

Metric = Annotated[str, Query(pattern="^p(50|80)$")]
WindowKey = Annotated[str, Query(max_length=20)]
Day = Annotated[str, Query(max_length=10)]


def _shown(results: ResultSet, analysis_id: int | None) -> StoredResult:
    """The analysis a download is of, as the dashboard picks it; 404 or 409 when there is none."""
    if results.pending is not None:
        raise Conflict(
            f"analysis #{results.pending.id} is {results.pending.status}: it has no result to export"
        )
    if results.current is None and results.overlays:
        results = dataclasses.replace(results, current=results.overlays[0], overlays=results.overlays[1:])
    if results.current is None:
        raise NotFound(
            "no finished analysis is stored yet" if analysis_id is None else f"analysis #{analysis_id}"
        )
    return results.current


@router.get("/figures/trend.svg")
def trend_figure_svg(
    request: Request,
    db: DbDep,
    user: Viewer,
    metric: Metric = "p50",
    window: WindowKey = "stored",
    after: Day = "",
    before: Day = "",
    analysis: AnalysisRef = None,
) -> Response:
    """The dashboard's trend figure as SVG, with title, axis titles and a caption naming the analysis."""
    results = load_results(db, pinned=analysis, with_staleness=False)
    current = _shown(results, analysis)
    overlays = [o for o in results.overlays if o.id != current.id]
    if window not in WINDOW_LABELS:
        raise InvalidInput(f"window must be one of {', '.join(WINDOW_LABELS)}")
    choice = choose_window(current, window, after, before)
    if choice.error:
        raise InvalidInput(choice.error)
    confidence = current.trend.confidence if current.trend else 0.95
    forecast = forecast_view(current, metric, choice.window, confidence)
    built = build_trend_figure(current, metric, choice.window, overlays, forecast, reference_agent_names(db))
    return Response(
        trend_svg(built.figure, metric),
        media_type="image/svg+xml",
        headers={"Content-Disposition": attachment(f"horizon-trend-{current.id}-{metric}.svg")},
    )


@router.get("/analyses/{analysis_id}/export.json")
def analysis_export_json(analysis_id: RowId, db: DbDep, user: Viewer) -> Response:
    """An analysis's per-agent horizons, CIs, release dates and trend as JSON, with its stored
    bootstrap samples."""
    result = finished_result(db, analysis_id)
    return JSONResponse(
        export_json(result, samples_json(db, result)),
        headers={"Content-Disposition": attachment(f"horizon-analysis-{result.id}.json")},
    )


@router.get("/analyses/{analysis_id}/export.csv")
def analysis_export_csv(analysis_id: RowId, db: DbDep, user: Viewer) -> Response:
    """The same numbers as CSV, one row per agent."""
    result = finished_result(db, analysis_id)
    return Response(
        export_csv(result),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": attachment(f"horizon-analysis-{result.id}.csv")},
    )


@router.get("/analyses/{analysis_id}/export-samples.csv")
def analysis_export_samples_csv(analysis_id: RowId, db: DbDep, user: Viewer) -> Response:
    """Each agent's bootstrap replicate p50s and p80s, one row per replicate (404 when none are
    stored, saying why)."""
    result = finished_result(db, analysis_id)
    return StreamingResponse(
        samples_csv(db, result),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": attachment(f"horizon-analysis-{result.id}-samples.csv")},
    )
