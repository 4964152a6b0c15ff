"""Who may write: the bearer token check shared by SPARQL Update and the Graph Store writes."""

from __future__ import annotations

import hmac

from fastapi import Request

from ehelsekg.service.service import KnowledgeService
from server.errors import ApiError


def require_writer(request: Request, service: KnowledgeService) -> None:
    """Raise ApiError unless ``request`` may write: 403 when no token is configured or the
    request comes from another site (CSRF), 401 without the right ``Authorization: Bearer``."""
    token = service.settings.update_token
    if token is None:
        raise ApiError(
            403, "read-only", "this endpoint is read-only: no update token is configured"
        )
    site = request.headers.get("sec-fetch-site")
    origin = request.headers.get("origin")
    if site == "cross-site" or (
        origin and origin not in service.settings.cors_origins and not same_origin(request, origin)
    ):
        raise ApiError(403, "cross-site", "writes from another site are refused")
    given = request.headers.get("authorization", "")
    scheme, _, credential = given.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        credential.strip().encode(), token.encode()
    ):
        raise ApiError(
            401,
            "unauthorised",
            "a write needs the header 'Authorization: Bearer <token>'",
        )


def same_origin(request: Request, origin: str) -> bool:
    """Whether an ``Origin`` header names this server itself."""
    return origin.rstrip("/") == f"{request.url.scheme}://{request.url.netloc}"
