"""Named queries as a REST API: the same .rq files the CLI runs."""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ehelsekg.service.answers import NAMED_TYPES
from ehelsekg.service.service import KnowledgeService
from server.dependencies import Service, client_of
from server.negotiation import choose

router = APIRouter(tags=["Named queries"])

#: Query-string names that steer the response rather than bind a parameter.
CONTROLS = {"format", "inferred"}
_FORMATS = {"csv": "text/csv", "json": "application/json"}


async def answer_named(
    service: KnowledgeService,
    name: str,
    query: Mapping[str, str],
    *,
    accept: str | None,
    client: str,
) -> tuple[bytes, str, dict[str, str]]:
    """A named query's answer: (body, content type, headers). ``query`` holds the query
    string's names and values (the last value of a repeated name). Shared by the route below
    and the ASGI fast path for GET (server/fast_path.py), so both answer alike."""
    params = {k: v for k, v in query.items() if k not in CONTROLS}
    include_inferred = query.get("inferred", "true").lower() != "false"
    media_type = _FORMATS.get(query.get("format") or "") or choose(accept, NAMED_TYPES)
    answer = await service.named_answer_async(
        name,
        params,
        media_type=media_type or NAMED_TYPES[0],
        include_inferred=include_inferred,
        client=client,
    )
    headers = {"X-Result-Truncated": "true" if answer.truncated else "false"}
    content_type = answer.media_type
    if content_type == "text/csv":
        content_type += "; charset=utf-8"
    return answer.body, content_type, headers


@router.get("/queries", summary="The named queries with their declared parameters")
def list_queries(service: Service) -> list[dict[str, object]]:
    catalogue = service.catalogue
    return [catalogue.get(name).to_json() for name in catalogue.names()]


@router.get("/queries/{name}", summary="Run a named query; parameters in the query string")
@router.head("/queries/{name}", include_in_schema=False)
async def run_query(name: str, request: Request, service: Service) -> Response:
    body, content_type, headers = await answer_named(
        service,
        name,
        dict(request.query_params.items()),
        accept=request.headers.get("accept"),
        client=client_of(request),
    )
    return Response(body, media_type=content_type, headers=headers)
