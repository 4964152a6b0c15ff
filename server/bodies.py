"""Reading a request body, refusing it (413) as soon as it passes the size limit."""

from __future__ import annotations

from fastapi import Request

from server.errors import ApiError


async def read_body(request: Request, limit: int) -> bytes:
    """The whole body of ``request``, or ApiError 413 once it is over ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise ApiError(413, "too-large", f"the request body is over the limit of {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise ApiError(413, "too-large", f"the request body is over the limit of {limit} bytes")
    return bytes(body)
