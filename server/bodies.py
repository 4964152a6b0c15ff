"""Reading a request body, refusing it (413) as soon as it passes the size limit."""

from __future__ import annotations

from fastapi import Request

from server.errors import ApiError


async def read_body(request: Request, limit: int, *, what: str = "the request body") -> bytes:
    """The whole body of ``request``, or ApiError 413 once it is over ``limit`` bytes;
    ``what`` names the body in the message ("the graph you sent")."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise _too_large(what, f"is {int(declared)} bytes", limit)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise _too_large(what, f"is over {limit} bytes", limit)
    return bytes(body)


def _too_large(what: str, size: str, limit: int) -> ApiError:
    return ApiError(
        413,
        "too-large",
        f"{what} {size}; the limit is {limit} (EHELSEKG_MAX_BODY_BYTES)",
    )
