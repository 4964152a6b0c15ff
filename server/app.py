"""The app factory: no module-level app or graph."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from ehelsekg import __version__
from ehelsekg.knowledge import KnowledgeGraph, open_knowledge_graph
from ehelsekg.service.service import KnowledgeService
from ehelsekg.settings import Settings
from server import fast_path
from server.errors import error_response, install_error_handlers
from server.routers import (
    analysis,
    graph_store,
    queries,
    resource,
    rounds,
    sparql,
    status,
    ui,
    views,
)
from server.security_headers import SecurityHeadersMiddleware


class JsonErrorCORSMiddleware(CORSMiddleware):
    """CORS whose refusals use the one JSON error shape (Starlette answers in plain text)."""

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        message = bytes(response.body).decode("utf-8", "replace")
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
        return error_response(response.status_code, "cors-refused", message, headers=headers)


class EhelsekgApi(FastAPI):
    """FastAPI, with ``GET /sparql?query=…`` and ``GET /queries/{name}`` answered before its
    middleware and routing (see server/fast_path.py)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        service = getattr(self.state, "service", None) if scope["type"] == "http" else None
        if service is not None and await fast_path.answered(service, scope, send):
            return
        await super().__call__(scope, receive, send)


def create_app(
    settings: Settings | None = None, *, knowledge: KnowledgeGraph | None = None
) -> FastAPI:
    """The ehelsekg HTTP API over a knowledge graph (opened from ``settings`` if not given)."""
    settings = settings or Settings.from_environment()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        graph = knowledge or open_knowledge_graph(settings, store=settings.store)
        service = KnowledgeService(graph, settings)
        app.state.service = service
        try:
            yield
        finally:
            service.close()

    app = EhelsekgApi(
        title="ehelsekg",
        version=__version__,
        description=(
            "Norway's national e-health strategy, portfolio and roadmap as a knowledge graph: "
            "SPARQL 1.1 Protocol, named queries, critical paths and validation."
        ),
        lifespan=lifespan,
        # /docs is Swagger UI from /static (server/routers/ui.py); ReDoc would load from a CDN.
        docs_url=None,
        redoc_url=None,
    )
    install_error_handlers(app)
    if settings.cors_origins:
        app.add_middleware(
            JsonErrorCORSMiddleware,
            allow_origins=list(settings.cors_origins),
            allow_methods=["GET", "POST"],
            allow_headers=["Accept", "Content-Type", "Authorization"],
        )
    for router in (
        sparql.router,
        queries.router,
        analysis.router,
        status.router,
        graph_store.router,
        resource.router,
        ui.router,
        views.router,
        rounds.router,
    ):
        app.include_router(router)
    ui.mount_static(app)
    # Outermost, so that errors and CORS refusals carry the headers too.
    app.add_middleware(SecurityHeadersMiddleware)
    return app
