"""Critical path and impact of a slip over HTTP."""

from __future__ import annotations

from typing import Annotated

import networkx as nx
from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool

from ehelsekg.analysis import cpm as analysis
from ehelsekg.analysis.network import build_network
from ehelsekg.service.service import KnowledgeService
from server.dependencies import Service

router = APIRouter(tags=["Analysis"])


def _network(service: KnowledgeService) -> nx.DiGraph:
    return build_network(service.knowledge.store, service.catalogue)


@router.get("/critical-path/{target:path}", summary="CPM to a roadmap service, goal or measure")
async def critical_path(target: str, service: Service) -> dict[str, object]:
    def compute() -> dict[str, object]:
        network = _network(service)
        return analysis.critical_path(network, analysis.resolve_node(network, target)).to_json()

    return await run_in_threadpool(compute)


@router.get("/impact/{node:path}", summary="What moves if a node slips")
async def impact(
    node: str,
    service: Service,
    slip: Annotated[int, Query(ge=0, le=600, description="Months the node finishes later")],
) -> dict[str, object]:
    def compute() -> dict[str, object]:
        network = _network(service)
        return analysis.impact(network, analysis.resolve_node(network, node), slip).to_json()

    return await run_in_threadpool(compute)
