"""The compare page: two agents' horizons side by side on the tasks both ran (docs/method.md s. 6)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from core.errors import InvalidInput, NotFound
from core.schemas import CompareRequest
from core.services.comparisons import comparable_agents, compare
from web.deps import DbDep, Viewer
from web.rendering import WebRoute, render
from web.results import load_results

router = APIRouter(route_class=WebRoute, include_in_schema=False)

# The page's joint bootstrap: the request schema's default (the API's `bootstrap` can change it).
PAGE_BOOTSTRAP = CompareRequest.model_fields["bootstrap"].default


def _fit_settings(params: dict[str, Any]) -> dict[str, Any]:
    """Regularization and weighting of the stored analysis, so the page's horizons match the
    dashboard's (values a request would refuse are left to the schema's defaults)."""
    chosen: dict[str, Any] = {k: params[k] for k in ("regularization", "weighting") if k in params}
    try:
        CompareRequest(a="a", b="b", **chosen)
    except (ValidationError, TypeError):
        return {}
    return chosen


@router.get("/compare")
def compare_page(request: Request, db: DbDep, user: Viewer, a: str = "", b: str = "") -> Response:
    """Pick two agents; with both chosen, the paired ratio of their p50s and p80s."""
    context: dict[str, Any] = {
        "agents": comparable_agents(db),
        "a": a,
        "b": b,
        "comparison": None,
        "error": None,
        "bootstrap": PAGE_BOOTSTRAP,
    }
    status = 200
    if a and b:
        results = load_results(db, with_overlays=False, with_staleness=False)
        settings = _fit_settings(results.current.params) if results.current else {}
        try:
            context["comparison"] = compare(db, CompareRequest(a=a, b=b, **settings))
        except ValidationError as exc:
            context["error"] = "; ".join(f"{e['loc'][0]}: {e['msg']}" for e in exc.errors()[:3])
            status = 422
        except NotFound as exc:
            context["error"], status = exc.message, 404
        except InvalidInput as exc:
            context["error"], status = exc.message, 422
    elif a or b:
        context["error"], status = "Choose two agents.", 422
    return render(request, "compare.html", context, status_code=status)
