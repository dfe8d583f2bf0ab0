"""Sign in with an API token (exchanged for a server-side session and its cookie) and sign out."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from core.auth import identify
from web.auth import ANONYMOUS, WebUser, end_session, new_session, start_session
from web.deps import Csrf, DbDep, current_user, settings_of, web_session_of
from web.rendering import WebRoute, redirect, render, set_user_session

router = APIRouter(route_class=WebRoute, include_in_schema=False)


def safe_next(url: str | None) -> str:
    """Only local paths: an open redirect to another site would help phishing."""
    if url and url.startswith("/") and not url.startswith("//") and "\\" not in url:
        return url
    return "/"


@router.get("/signin")
def signin_form(request: Request, db: DbDep, next: str = "/") -> Response:
    """The sign-in page."""
    current_user(request, db)
    return render(request, "signin.html", {"next": safe_next(next), "error": None})


@router.post("/signin", dependencies=[Csrf])
def signin(request: Request, db: DbDep, token: str = Form(""), next: str = Form("/")) -> Response:
    """Exchange an API token for a session cookie and go back to `next`."""
    found = identify(db, token.strip(), settings_of(request)) if token.strip() else None
    name, role, token_id = found or ("", "", None)
    if token_id is None:
        if found is not None:
            # A web session belongs to a token row (so revoking it ends the session); the bootstrap
            # admin token from the settings has none.
            message = (
                "The bootstrap admin token (HORIZON_ADMIN_TOKEN) works on the API only: create a "
                "token to sign in here (`horizon token create` or POST /api/tokens)."
            )
        elif token.strip():
            message = "That token is not valid (unknown or revoked)."
        else:
            message = "Paste your API token."
        request.state.user = ANONYMOUS
        return render(request, "signin.html", {"next": safe_next(next), "error": message}, status_code=401)
    end_session(db, web_session_of(request).session_id)  # signing in again replaces the old session
    # A new session id and CSRF token on sign-in: nothing planted before sign-in carries over.
    set_user_session(request, new_session(start_session(db, token_id)), WebUser(name, role, token_id))
    return redirect(safe_next(next))


@router.post("/signout", dependencies=[Csrf])
def signout(request: Request, db: DbDep) -> Response:
    """End the session on the server and in the browser."""
    # Ended on the server: a copy of the cookie taken before sign-out signs nobody in.
    end_session(db, web_session_of(request).session_id)
    set_user_session(request, new_session(None), ANONYMOUS)
    return redirect("/")
