"""Templates, the page renderer, and the route class that turns errors into friendly pages.

`WebRoute` wraps every web handler: domain errors (`core.errors`) become an HTML error page with
the right status instead of the API's JSON, a page needing sign-in redirects to the sign-in form,
and a fresh session cookie is attached to whatever response goes out.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from plotly.offline import get_plotlyjs_version

from analysis.flags import FLAG_TEXT
from core.errors import (
    Conflict,
    HorizonError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    QuotaExceeded,
    Unauthenticated,
)
from core.live_sandbox import SandboxGone
from web import format as fmt
from web.auth import ANONYMOUS, COOKIE_NAME, SESSION_MAX_AGE_S, WebSession, WebUser, encode_session
from web.deps import SignInRequired, WebForbidden, settings_of, web_session_of

WEB_DIR = Path(__file__).resolve().parent
# Where pages load plotly.js from (served by `web.routes.assets`); the file name carries the version.
PLOTLY_PATH = f"/assets/plotly-{get_plotlyjs_version()}.min.js"
templates = Jinja2Templates(directory=str(WEB_DIR / "templates"))
templates.env.filters.update(fmt.FILTERS)
templates.env.globals["is_number"] = fmt.is_number
templates.env.globals["plotly_js"] = PLOTLY_PATH
# What each analysis flag means, shown next to the flagged numbers (macros.flag_badges).
templates.env.globals["flag_text"] = FLAG_TEXT
# The one name and definition of an agent's success figure on every page (the dashboard's and the
# agents list's): the analysis's weighted average score, not a raw mean over runs.
templates.env.globals["success_title"] = (
    "Weighted success: the stored analysis's average score over its runs, each task weighted as in "
    "the fit (sum of w*y over sum of w; docs/method.md section 2)"
)

NAV = (
    ("Dashboard", "/"),
    ("Analyses", "/analyses"),
    ("Agents", "/agents"),
    ("Compare", "/compare"),
    ("Tasks", "/tasks"),
    ("Runs", "/runs"),
    ("Batches", "/batches"),
    ("Schedule", "/schedule"),
    ("Baselining", "/baselining"),
)

_ERROR_STATUS: dict[type[HorizonError], int] = {
    NotFound: 404,
    Conflict: 409,
    InvalidInput: 422,
    QuotaExceeded: 429,
    PermissionDenied: 403,
    Unauthenticated: 401,
    SandboxGone: 503,
}


def attachment(name: str) -> str:
    """A Content-Disposition header for a download named `name` (any Unicode): an ASCII fallback
    for old clients and the exact name as RFC 5987 `filename*` (headers are Latin-1 only)."""
    fallback = "".join(c if " " <= c <= "~" and c not in '"\\;%' else "_" for c in name) or "file.txt"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def wants_json(request: Request) -> bool:
    """Whether the client asked for JSON rather than a page."""
    return "application/json" in request.headers.get("accept", "")


def render(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    """Render `template` with the page basics (user, CSRF token, navigation) added."""
    user = getattr(request.state, "user", None) or ANONYMOUS
    ws = web_session_of(request)
    base = {
        "request": request,
        "user": user,
        "csrf_token": ws.csrf,
        "nav": NAV,
        "path": request.url.path,
    }
    return templates.TemplateResponse(request, template, {**base, **context}, status_code=status_code)


def render_fragment(template: str, context: dict[str, Any]) -> str:
    """A piece of a page as HTML (autoescaped like every page), for a page that adds it live."""
    return templates.get_template(template).render(context)


def redirect(url: str) -> RedirectResponse:
    """See-other redirect (after a POST, the browser GETs the target)."""
    return RedirectResponse(url, status_code=303)


def error_page(request: Request, status: int, title: str, message: str) -> Response:
    """An error as a page, or as JSON for clients that asked for it."""
    if wants_json(request):
        return JSONResponse({"detail": message}, status_code=status)
    return render(request, "error.html", {"title": title, "message": message}, status_code=status)


def _attach_cookie(request: Request, response: Response) -> None:
    ws = getattr(request.state, "web_session", None)
    if isinstance(ws, WebSession) and ws.fresh:
        secure = request.url.scheme == "https" or request.headers.get("x-forwarded-proto") == "https"
        response.set_cookie(
            COOKIE_NAME,
            encode_session(ws, settings_of(request)),
            max_age=SESSION_MAX_AGE_S,
            httponly=True,
            samesite="lax",
            secure=secure,
            path="/",
        )


def set_user_session(request: Request, ws: WebSession, user: WebUser) -> None:
    """Replace the request's session (sign-in, sign-out); the cookie goes out with the response."""
    request.state.web_session = ws
    request.state.user = user


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        field = ".".join(str(p) for p in err.get("loc", ()) if p not in ("path", "query", "body"))
        parts.append(
            f"{field or 'request'}: {str(err.get('msg', 'invalid value')).removeprefix('Value error, ')}"
        )
    return "The request holds an invalid value (" + "; ".join(parts) + ")."


class WebRoute(APIRoute):
    """An APIRoute whose errors are answered as web pages (see the module docstring)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """Wrap the handler so that errors become pages and the session cookie is always set."""
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                response = await handler(request)
            except SignInRequired as exc:
                response = redirect(f"/signin?next={quote(exc.next_url, safe='/')}")
            except WebForbidden as exc:
                response = error_page(request, 403, "Not allowed", exc.message)
            except HorizonError as exc:
                status = next((code for cls, code in _ERROR_STATUS.items() if isinstance(exc, cls)), 400)
                titles = {
                    404: "Not found",
                    409: "Conflict",
                    422: "Invalid input",
                    403: "Not allowed",
                    503: "Unavailable",
                }
                response = error_page(request, status, titles.get(status, "Error"), exc.message)
            except RequestValidationError as exc:
                # A bad path or query value (an id past 2^63, page=0): a page saying so, not JSON.
                response = error_page(request, 422, "Invalid input", _validation_message(exc))
            _attach_cookie(request, response)
            return response

        return handle
