"""Named queries as a REST API: the same .rq files the CLI runs."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from ehelsekg.catalogue import results
from server.dependencies import Service, client_of
from server.negotiation import choose

router = APIRouter(tags=["Named queries"])

#: Query-string names that steer the response rather than bind a parameter.
CONTROLS = {"format", "inferred"}


@router.get("/queries", summary="The named queries with their declared parameters")
def list_queries(service: Service) -> list[dict[str, object]]:
    catalogue = service.catalogue
    return [catalogue.get(name).to_json() for name in catalogue.names()]


@router.get("/queries/{name}", summary="Run a named query; parameters in the query string")
async def run_query(name: str, request: Request, service: Service) -> Response:
    params = {k: v for k, v in request.query_params.items() if k not in CONTROLS}
    include_inferred = request.query_params.get("inferred", "true").lower() != "false"
    result, truncated = await service.named_async(
        name, params, include_inferred=include_inferred, client=client_of(request)
    )
    wanted = request.query_params.get("format")
    media = {"csv": "text/csv", "json": "application/json"}.get(wanted or "") or choose(
        request.headers.get("accept"), ["application/json", "text/csv"]
    )
    headers = {"X-Result-Truncated": "true" if truncated else "false"}
    if media == "text/csv":
        return Response(
            results.to_csv(result), media_type="text/csv; charset=utf-8", headers=headers
        )
    query = service.catalogue.get(name)
    return JSONResponse(
        {
            "query": name,
            "title": query.title,
            "parameters": params,
            "variables": list(result.variables),
            "rows": [
                {k: results.term_json(v) for k, v in row.items() if v is not None}
                for row in result.records()
            ],
            "truncated": truncated,
        },
        headers=headers,
    )
