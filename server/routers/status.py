"""Health and the current SHACL validation report."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool

from server.dependencies import Service

router = APIRouter(tags=["Status"])


@router.get("/health", summary="Is the server up, and what does it hold?")
def health(service: Service) -> dict[str, object]:
    return service.health()


@router.get("/validation", summary="The SHACL validation report of the current graph")
async def validation(service: Service) -> dict[str, object]:
    return await run_in_threadpool(service.validation)
