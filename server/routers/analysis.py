"""Critical path and impact of a slip over HTTP, computed by the service within its limit."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool

from server.dependencies import Service

router = APIRouter(tags=["Analysis"])


@router.get("/critical-path/{target:path}", summary="CPM to a roadmap service, goal or measure")
async def critical_path(
    target: str,
    service: Service,
    strict: Annotated[
        bool, Query(description="Use only the links the sources state, not judged ones")
    ] = False,
) -> dict[str, object]:
    return await run_in_threadpool(service.critical_path, target, strict=strict)


@router.get("/impact/{node:path}", summary="What moves if a node slips")
async def impact(
    node: str,
    service: Service,
    slip: Annotated[int, Query(ge=0, le=600, description="Months the node finishes later")],
) -> dict[str, object]:
    return await run_in_threadpool(service.impact, node, slip)
