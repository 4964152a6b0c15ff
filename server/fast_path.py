"""The SPARQL protocol's GET queries answered straight from ASGI.

A point query takes the engine a fraction of a millisecond, so the framework's own work per
request (routing, dependency injection, request and response objects) would be most of its
cost. GET /sparql?query=… is therefore answered here, before FastAPI, by the same code as the
route (``routers.sparql.answer_query``) and in the same JSON error shape; everything else
(POST, updates, the service description) goes on to the app.
"""

from __future__ import annotations

import json
import logging
from urllib.parse import parse_qs

from starlette.types import ASGIApp, Receive, Scope, Send

from ehelsekg.errors import EhelsekgError
from server.errors import ApiError, error_body
from server.routers.sparql import answer_query, single

log = logging.getLogger("ehelsekg.server")
_PATHS = ("/sparql", "/sparql/")


class SparqlQueryFastPath:
    """Answers GET /sparql?query=… itself; passes every other request on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        if scope["path"] not in _PATHS:
            await self.app(scope, receive, send)
            return
        params = parse_qs(scope["query_string"].decode("latin-1"), keep_blank_values=True)
        if "query" not in params or "update" in params:
            await self.app(scope, receive, send)
            return
        status, content_type, body = 200, "", b""
        headers: dict[str, str] = {}
        try:
            text = single(params, "query")
            assert text is not None
            body, content_type, headers = await answer_query(
                scope["app"].state.service,
                text,
                params,
                accept=_header(scope, b"accept"),
                endpoint=_endpoint(scope),
                client=scope["client"][0] if scope.get("client") else "",
            )
        except ApiError as err:
            status, body = err.status, _json(error_body(err.status, err.code, err.message))
        except EhelsekgError as err:
            status, body = err.http_status, _json(error_body(err.http_status, err.code, str(err)))
            if err.retryable:
                headers = {"Retry-After": "1"}
        except Exception as err:
            log.exception("internal error", exc_info=err)
            status = 500
            body = _json(error_body(500, "internal", "internal error; the server log has it"))
        if status != 200:
            content_type = "application/json"
        raw = [(b"content-type", content_type.encode("latin-1"))]
        raw += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
        raw.append((b"content-length", str(len(body)).encode("latin-1")))
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send(
            {"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body}
        )


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _endpoint(scope: Scope) -> str:
    """The endpoint's URL, as the route builds it (scheme, Host, path)."""
    host = _header(scope, b"host")
    if host is None:
        server = scope.get("server") or ("localhost", 80)
        host = f"{server[0]}:{server[1]}"
    root = scope.get("root_path", "")
    return f"{scope.get('scheme', 'http')}://{host}{root}{scope['path']}"


def _json(document: object) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode("utf-8")
