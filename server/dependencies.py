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
