"""Who may write: the bearer token check shared by SPARQL Update and the Graph Store writes."""

from __future__ import annotations

import hmac

from fastapi import Request

from ehelsekg.service.service import KnowledgeService
from ehelsekg.settings import Settings
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
    if site == "cross-site" or (origin and not allowed_origin(origin, service.settings)):
        raise ApiError(
            403,
            "cross-site",
            f"writes from {origin or 'another site'} are refused; a write may come from this"
            " server's own pages or an origin in EHELSEKG_CORS_ORIGINS",
        )
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


_LOOPBACK = ("127.0.0.1", "localhost", "[::1]")


def own_origins(settings: Settings) -> set[str]:
    """The origins of this server's own pages: its configured address, and for a loopback or
    wildcard bind each loopback name. Never the request's ``Host`` header, which a
    DNS-rebinding page controls.

    >>> sorted(own_origins(Settings(host="127.0.0.1", port=8000)))
    ['http://127.0.0.1:8000', 'http://[::1]:8000', 'http://localhost:8000']
    """
    host = settings.host
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    hosts = {host}
    if host in (*_LOOPBACK, "0.0.0.0", "[::]", ""):
        hosts.update(_LOOPBACK)
    hosts.discard("")
    return {f"http://{name}:{settings.port}" for name in hosts}


def allowed_origin(origin: str, settings: Settings) -> bool:
    """Whether a write sent with ``Origin: origin`` comes from this server or an allowed site."""
    origin = origin.rstrip("/")
    return origin in settings.cors_origins or origin in own_origins(settings)
