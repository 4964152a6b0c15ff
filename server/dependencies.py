"""Shared dependencies injected into the routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ehelsekg.service.service import KnowledgeService


def get_service(request: Request) -> KnowledgeService:
    service: KnowledgeService = request.app.state.service
    return service


#: The knowledge service, injected: ``service: Service``.
Service = Annotated[KnowledgeService, Depends(get_service)]


def client_of(request: Request) -> str:
    """Who asks, for a fair share of the workers: the peer's address (no proxy is trusted)."""
    return request.client.host if request.client is not None else ""
