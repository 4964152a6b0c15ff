"""One JSON error shape for every error the server returns; no stack traces."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ehelsekg.errors import EhelsekgError

log = logging.getLogger("ehelsekg.server")


class ApiError(Exception):
    """An error with an HTTP status, a stable code and a message for people."""

    def __init__(self, status: int, code: str, message: str, details: object | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details


def error_body(
    status: int, code: str, message: str, details: object | None = None
) -> dict[str, object]:
    error: dict[str, object] = {"status": status, "code": code, "message": message}
    if details is not None:
        error["details"] = details
    return {"error": error}


def error_response(
    status: int,
    code: str,
    message: str,
    details: object | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(
        error_body(status, code, message, details), status_code=status, headers=headers
    )


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_request: Request, err: ApiError) -> JSONResponse:
        return error_response(err.status, err.code, err.message, err.details)

    @app.exception_handler(EhelsekgError)
    async def domain_error(_request: Request, err: EhelsekgError) -> JSONResponse:
        headers = {"Retry-After": "1"} if err.retryable else None
        return error_response(err.http_status, err.code, str(err), headers=headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, err: RequestValidationError) -> JSONResponse:
        problems = [
            {"where": ".".join(str(p) for p in e.get("loc", ())), "problem": e.get("msg", "")}
            for e in err.errors()
        ]
        message = "; ".join(f"{p['where']}: {p['problem']}" for p in problems)
        return error_response(422, "bad-parameter", message, problems)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, err: StarletteHTTPException) -> JSONResponse:
        codes = {404: "not-found", 405: "method-not-allowed"}
        return error_response(
            err.status_code,
            codes.get(err.status_code, "http-error"),
            str(err.detail),
            headers=err.headers,
        )

    @app.exception_handler(Exception)
    async def unexpected(_request: Request, err: Exception) -> JSONResponse:
        log.exception("internal error", exc_info=err)
        return error_response(500, "internal", "internal error; the server log has the details")
