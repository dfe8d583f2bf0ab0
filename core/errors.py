"""Domain exceptions. The API maps them to HTTP status codes in one place (api/errors.py)."""

from __future__ import annotations


class HorizonError(Exception):
    """Base class; `message` is shown to the user as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(HorizonError):
    """The named object does not exist (HTTP 404)."""


class Conflict(HorizonError):
    """The request contradicts what is stored, e.g. a duplicate name (HTTP 409)."""


class InvalidInput(HorizonError):
    """The request is well-formed but its content is not acceptable (HTTP 422)."""


class QuotaExceeded(HorizonError):
    """The caller's token already holds as much queued work as the operator allows (HTTP 429)."""


class PermissionDenied(HorizonError):
    """The caller's token lacks the role this action needs (HTTP 403)."""


class Unauthenticated(HorizonError):
    """No valid token was given where one is needed (HTTP 401)."""
