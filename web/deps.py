"""Request dependencies of the web pages: database session, the signed-in user, roles and CSRF."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from core.db import session_scope
from core.settings import Settings
from core.states import Role
from web.auth import (
    COOKIE_NAME,
    CSRF_FIELD,
    CSRF_HEADER,
    WebSession,
    WebUser,
    csrf_matches,
    read_session,
    user_for_session,
)


class SignInRequired(Exception):
    """The page needs a signed-in user; answered with a redirect to the sign-in page."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


class WebForbidden(Exception):
    """The user may not do this (role too low, or a bad CSRF token); answered with 403."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def settings_of(request: Request) -> Settings:
    """The settings the application was made with."""
    settings: Settings = request.app.state.settings
    return settings


def get_db(request: Request) -> Iterator[Session]:
    """One session per request: committed when the handler returns, rolled back on any error."""
    with session_scope(settings_of(request)) as session:
        yield session


# Function scope: the commit happens before the response is sent.
DbDep = Annotated[Session, Depends(get_db, scope="function")]


def web_session_of(request: Request) -> WebSession:
    """The request's cookie session (decoded once per request and kept on request.state)."""
    existing = getattr(request.state, "web_session", None)
    if isinstance(existing, WebSession):
        return existing
    ws = read_session(request.cookies.get(COOKIE_NAME), settings_of(request))
    request.state.web_session = ws
    return ws


def current_user(request: Request, db: DbDep) -> WebUser:
    """The signed-in user, or anonymous."""
    existing = getattr(request.state, "user", None)
    if isinstance(existing, WebUser):
        return existing
    user = user_for_session(db, web_session_of(request).session_id)
    request.state.user = user
    return user


def require(role: str) -> Callable[..., WebUser]:
    """Dependency: the user must hold `role` (viewing is open unless reads require a token)."""

    def check(request: Request, user: WebUser = Depends(current_user)) -> WebUser:
        if role == Role.VIEWER and not settings_of(request).read_requires_token:
            return user
        if not user.signed_in:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise SignInRequired(target)
        if not user.can(role):
            raise WebForbidden(f"You are signed in with the {user.role} role; this needs {role}.")
        return user

    return check


async def csrf_protect(request: Request) -> None:
    """Dependency for every POST: the form field (or X-CSRF-Token header) must match the session."""
    submitted = request.headers.get(CSRF_HEADER)
    if submitted is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        submitted = value if isinstance(value, str) else None
    if not csrf_matches(web_session_of(request), submitted):
        raise WebForbidden(
            "The form's security token is missing or out of date (the page may be older than your "
            "sign-in). Go back, reload the page and try again."
        )


Viewer = Annotated[WebUser, Depends(require(Role.VIEWER))]
Submitter = Annotated[WebUser, Depends(require(Role.SUBMITTER))]
Admin = Annotated[WebUser, Depends(require(Role.ADMIN))]
Csrf = Depends(csrf_protect)
