"""Every 4xx/5xx of the central service as one short, typed JSON body that never echoes the request.

Why: FastAPI's default 422 repeats the whole invalid input (a 16 MiB array came back in full; a NaN in it made
the error answer itself fail with a 500). Here a validation failure names at most a few field locations (each
cut short) and the count; HTTP errors carry a type code beside their sentence; anything unexpected is a bare
`internal` 500 (the traceback goes to the service log). Handlers run on the event loop.
"""
from __future__ import annotations

import logging

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger(__name__)

CODES = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
         408: "timeout", 409: "conflict", 413: "too_large", 415: "unsupported_media_type", 422: "invalid",
         429: "busy", 500: "internal", 503: "busy"}


class ErrorBody(BaseModel):
    error: str
    detail: str


ERROR_RESPONSES: dict = {
    400: {"description": "the body is not well-formed JSON", "model": ErrorBody},
    401: {"description": "missing or bad device signature or admin credential, clock skew, replay",
          "model": ErrorBody},
    408: {"description": "the body did not arrive in time", "model": ErrorBody},
    413: {"description": "request body over the route's size limit", "model": ErrorBody},
    422: {"description": "the body or a parameter does not match the schema (locations only)", "model": ErrorBody},
    503: {"description": "too many requests in progress", "model": ErrorBody},
}


def _json(status: int, error: str, detail: str, headers: dict | None = None) -> JSONResponse:
    return JSONResponse({"error": error, "detail": detail[:200]}, status_code=status, headers=headers)


def _where(loc: tuple) -> str:
    return ".".join(str(part)[:24] for part in loc[:6])


def validation_summary(exc: RequestValidationError) -> tuple[int, str, str]:
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return 400, "malformed_json", "the body is not well-formed JSON"
    places = ", ".join(_where(tuple(e.get("loc", ()))) for e in errors[:3])
    more = f" and {len(errors) - 3} more" if len(errors) > 3 else ""
    return 422, "invalid", f"{len(errors)} invalid field(s): {places}{more}"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return _json(*validation_summary(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: HTTPException) -> JSONResponse:
        code = CODES.get(exc.status_code, "client_error" if exc.status_code < 500 else "server_error")
        return _json(exc.status_code, code, str(exc.detail), getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def crashed(_request: Request, exc: Exception) -> JSONResponse:
        log.error("request failed: %s", type(exc).__name__, exc_info=exc)
        return _json(500, "internal", "internal error")
