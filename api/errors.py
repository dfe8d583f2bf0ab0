"""Domain exceptions and validation errors mapped to HTTP answers in one place."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, IntegrityError

from core.errors import (
    Conflict,
    HorizonError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    QuotaExceeded,
    Unauthenticated,
)

_STATUS = {
    NotFound: 404,
    Conflict: 409,
    InvalidInput: 422,
    PermissionDenied: 403,
    Unauthenticated: 401,
    QuotaExceeded: 429,
}


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path")]
    return ".".join(parts) or "request"


def readable_errors(exc: RequestValidationError) -> list[dict[str, str]]:
    """Validation errors as field and message, in words a person can act on."""
    out = []
    for err in exc.errors():
        message = str(err.get("msg", "invalid value"))
        message = message.removeprefix("Value error, ")
        if err.get("type") == "extra_forbidden":
            message = "unknown field (check the spelling; see /docs for the accepted fields)"
        if err.get("type") == "missing":
            message = "this field is required"
        out.append({"field": _field(tuple(err.get("loc", ()))), "message": message})
    return out


def install(app: FastAPI) -> None:
    """Answer domain errors and validation errors with their status codes and a readable detail."""

    @app.exception_handler(HorizonError)
    async def _domain(_request: Request, exc: HorizonError) -> JSONResponse:
        status = next((code for cls, code in _STATUS.items() if isinstance(exc, cls)), 400)
        headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
        return JSONResponse({"detail": exc.message}, status_code=status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = readable_errors(exc)
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:5])
        return JSONResponse({"detail": f"invalid input: {summary}", "errors": errors}, status_code=422)

    @app.exception_handler(DataError)
    async def _data(_request: Request, exc: DataError) -> JSONResponse:
        # A value that passed validation but that the database cannot hold (an id past 32 bits, a
        # date out of range): bad input, and the request's transaction was rolled back.
        kind = type(exc.orig).__name__ if exc.orig is not None else "DataError"
        detail = f"invalid input: a value is out of range for the database ({kind}); nothing was changed"
        return JSONResponse({"detail": detail}, status_code=422)

    @app.exception_handler(IntegrityError)
    async def _integrity(_request: Request, _exc: IntegrityError) -> JSONResponse:
        # Two requests raced for the same unique name/id; the loser gets a conflict, not a 500.
        return JSONResponse(
            {"detail": "this conflicts with data stored meanwhile (a duplicate); nothing was changed"},
            status_code=409,
        )
