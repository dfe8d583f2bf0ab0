"""Request-scoped dependencies: settings, the database session, and the caller's role."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from core.auth import identify, role_allows
from core.db import session_scope
from core.errors import PermissionDenied, Unauthenticated
from core.settings import Settings
from core.states import Role

_bearer = HTTPBearer(auto_error=False)


def get_settings_dep(request: Request) -> Settings:
    """The settings the application was made with."""
    settings: Settings = request.app.state.settings
    return settings


def get_session(settings: Settings = Depends(get_settings_dep)) -> Iterator[Session]:
    """One session per request: committed when the handler returns, rolled back on any error."""
    with session_scope(settings) as session:
        yield session


@dataclass(frozen=True)
class Caller:
    """Who sent the request: a token's name and role, or anonymous."""

    name: str
    role: str
    token_id: int | None = None  # None for anonymous and the bootstrap admin token


ANONYMOUS = Caller("anonymous", "")


def current_caller(
    request: Request,
    credentials: HTTPAuthorizationCredentials | None = Depends(_bearer),
    settings: Settings = Depends(get_settings_dep),
) -> Caller:
    """The caller named by the bearer token; anonymous without one, 401 for a bad one."""
    # Only the Authorization header: a cookie would be sent by the browser on a cross-site form
    # post (CSRF); the web pages have their own session cookie with a CSRF token on every form.
    token = credentials.credentials if credentials else None
    if not token:
        return ANONYMOUS
    # Its own short session: the handler's session must commit before the response is sent
    # (function scope), and a request-scoped dependency may not depend on it. It commits the
    # token's last_used_at stamp.
    with session_scope(settings) as session:
        found = identify(session, token, settings)
    if found is None:
        raise Unauthenticated("the API token is not valid (unknown or revoked)")
    return Caller(*found)


def require(role: str) -> Callable[..., Caller]:
    """A dependency that lets through callers with at least `role` (anyone may read unless reads need a
    token)."""

    def check(
        caller: Caller = Depends(current_caller), settings: Settings = Depends(get_settings_dep)
    ) -> Caller:
        if role == Role.VIEWER and not settings.read_requires_token:
            return caller
        if caller is ANONYMOUS:
            raise Unauthenticated(
                f"this needs an API token with the {role} role: send 'Authorization: Bearer <token>'"
            )
        if not role_allows(caller.role, role):
            raise PermissionDenied(f"your token has the {caller.role} role; this needs {role}")
        return caller

    return check


reader = require(Role.VIEWER)
submitter = require(Role.SUBMITTER)
admin = require(Role.ADMIN)


# Function scope: the commit happens before the response is sent, so a failed commit is an error
# answer rather than a success the database never saw.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
