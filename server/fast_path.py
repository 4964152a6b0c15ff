"""The two hottest reads answered straight from ASGI: ``GET /sparql?query=…`` and
``GET /queries/{name}``.

A point query takes the engine a few hundredths of a millisecond, so the framework's own work
per request (its middleware, telemetry check, routing, dependency injection, request and
response objects) would be a large part of its cost. These two reads are therefore answered
before FastAPI (``server.app.EhelsekgApi``), by the same code as their routes
(``routers.sparql.answer_query``, ``routers.queries.answer_named``), with the same headers and
the one JSON error shape. Everything else goes on to FastAPI, and so does any request that
carries an ``Origin`` header, so that CORS is decided in one place.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable
from urllib.parse import parse_qs

from starlette.types import Scope, Send

from ehelsekg.errors import EhelsekgError
from ehelsekg.service.service import KnowledgeService
from server.errors import ApiError, error_body
from server.routers.queries import answer_named
from server.routers.sparql import answer_query, single
from server.security_headers import EVERY_RESPONSE

log = logging.getLogger("ehelsekg.server")
_SPARQL_PATHS = ("/sparql", "/sparql/")
_NAMED_PREFIX = "/queries/"


async def answered(service: KnowledgeService, scope: Scope, send: Send) -> bool:
    """Answer ``scope`` if it is one of the two reads above; False (nothing sent) if not."""
    if scope["method"] not in ("GET", "HEAD"):
        return False
    path: str = scope["path"]
    if path in _SPARQL_PATHS:
        params = parse_qs(scope["query_string"].decode("latin-1"), keep_blank_values=True)
        if "query" not in params or "update" in params or _header(scope, b"origin") is not None:
            return False
        await _respond(scope, send, _sparql(service, scope, params))
        return True
    name = path[len(_NAMED_PREFIX) :] if path.startswith(_NAMED_PREFIX) else ""
    if not name or "/" in name or _header(scope, b"origin") is not None:
        return False
    await _respond(scope, send, _named(service, scope, name))
    return True


async def _sparql(service: KnowledgeService, scope: Scope, params: dict[str, list[str]]) -> _Answer:
    text = single(params, "query")
    assert text is not None
    return await answer_query(
        service,
        text,
        params,
        accept=_header(scope, b"accept"),
        endpoint=_endpoint(scope),
        client=_client(scope),
    )


async def _named(service: KnowledgeService, scope: Scope, name: str) -> _Answer:
    # As Starlette's query_params: the last value of a repeated name.
    query = dict(parse_qs(scope["query_string"].decode("latin-1"), keep_blank_values=True))
    return await answer_named(
        service,
        name,
        {key: values[-1] for key, values in query.items()},
        accept=_header(scope, b"accept"),
        client=_client(scope),
    )


#: What the shared answer functions give: (body, content type, headers).
_Answer = tuple[bytes, str, dict[str, str]]


async def _respond(scope: Scope, send: Send, answer: Awaitable[_Answer]) -> None:
    """Await ``answer`` (body, content type, headers) and send it, or the error it raised in
    the one JSON error shape."""
    status, headers = 200, dict[str, str]()
    try:
        body, content_type, headers = await answer
    except ApiError as err:
        status, body = err.status, _json(error_body(err.status, err.code, err.message, err.details))
    except EhelsekgError as err:
        status, body = err.http_status, _json(error_body(err.http_status, err.code, str(err)))
        if err.retryable:
            headers = {"Retry-After": "1"}
    except Exception as err:
        log.exception("internal error", exc_info=err)
        status = 500
        body = _json(error_body(500, "internal", "internal error; the server log has the details"))
    if status != 200:
        content_type = "application/json"
    raw = [(b"content-type", content_type.encode("latin-1"))]
    raw += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
    raw.append((b"content-length", str(len(body)).encode("latin-1")))
    raw += EVERY_RESPONSE
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _client(scope: Scope) -> str:
    """Who asks, as ``dependencies.client_of`` says it: the peer's address."""
    client = scope.get("client")
    return str(client[0]) if client else ""


def _endpoint(scope: Scope) -> str:
    """The endpoint's URL, as the route builds it (scheme, Host, path)."""
    host = _header(scope, b"host")
    if host is None:
        server = scope.get("server") or ("localhost", 80)
        host = f"{server[0]}:{server[1]}"
    root = scope.get("root_path", "")
    return f"{scope.get('scheme', 'http')}://{host}{root}{scope['path']}"


def _json(document: object) -> bytes:
    # As FastAPI's JSONResponse writes it.
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
