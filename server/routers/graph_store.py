"""The SPARQL 1.1 Graph Store HTTP Protocol, indirect identification: /graph-store?graph=IRI
or /graph-store?default.

Reads serialise a graph of the store. Writes are turned into SPARQL Update text and go through
``service.update``, the same guarded, validated, all-or-nothing path as /sparql: a graph that
would break the shapes is refused with the report, and the per-file graphs and the inferred
graph are read-only.

The default graph is the asserted knowledge: every data file's statements plus what updates
added. It can be added to (POST) but not replaced or deleted (PUT, DELETE), which would take
every file's statements out of it.
"""

from __future__ import annotations

from functools import partial
from urllib.parse import parse_qs

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from ehelsekg.service.answers import GRAPH_TYPES
from ehelsekg.service.service import KnowledgeService, UpdateOutcome
from ehelsekg.store.graphs import is_read_only
from ehelsekg.store.rdf_input import RDF_INPUT_TYPES
from server.auth import require_writer
from server.bodies import read_body
from server.dependencies import Service
from server.errors import ApiError
from server.negotiation import negotiate

router = APIRouter(tags=["Graph Store"])

#: Media types a graph is served in; Turtle when the client has no preference.
OFFERED = ("text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml")

_PARAMETERS = (
    "Name the graph with ?graph=IRI (a named graph) or ?default (the default graph), once."
)


def _target(request: Request) -> str | None:
    """The graph IRI the request names, or None for the default graph."""
    params = parse_qs(request.url.query, keep_blank_values=True)
    graphs, default = params.get("graph", []), "default" in params
    if default == bool(graphs) or len(graphs) > 1 or (default and len(params["default"]) > 1):
        raise ApiError(400, "bad-request", _PARAMETERS)
    if default:
        return None
    iri = graphs[0]
    try:
        ox.NamedNode(iri)
    except ValueError as err:
        raise ApiError(400, "bad-request", f"'{iri}' is not an absolute IRI: {err}") from err
    if ":" not in iri:
        raise ApiError(400, "bad-request", f"'{iri}' is not an absolute IRI")
    return iri


def _exists(service: KnowledgeService, iri: str) -> bool:
    return iri in service.known_graphs()


def _not_found(iri: str) -> ApiError:
    return ApiError(
        404,
        "not-found",
        f"there is no graph <{iri}> in this store; GET /sparql with"
        " 'SELECT DISTINCT ?g { GRAPH ?g {} }' lists the graphs",
    )


def _read_only(target: str | None, request: Request) -> None:
    # The gate refuses such a change too; refused here before the body is read.
    if target is not None and is_read_only(target):
        raise ApiError(
            403,
            "read-only",
            f"<{target}> is read-only: the per-file graphs and the inferred graph change only"
            " when the data files change; write to the default graph or a graph of your own",
        )
    if target is None and request.method in ("PUT", "DELETE"):
        raise ApiError(
            405,
            "method-not-allowed",
            f"{request.method} of the default graph would remove every data file's statements"
            " from it; POST adds to the default graph, or write a named graph of your own",
        )


@router.get("/graph-store", summary="A graph of the store (Graph Store Protocol GET)")
@router.head("/graph-store", include_in_schema=False)
async def get_graph(request: Request, service: Service) -> Response:
    target = _target(request)
    media_type = negotiate(request.headers.get("accept"), OFFERED, "a graph")
    assert media_type in GRAPH_TYPES
    body = await run_in_threadpool(service.graph, target, media_type)
    if body is None:
        raise _not_found(str(target))
    return Response(body, media_type=f"{media_type}; charset=utf-8")


async def _parsed_body(request: Request, service: KnowledgeService, target: str | None) -> str:
    """The request's graph as the triples of an INSERT DATA into ``target`` ('' when empty)."""
    content_type = request.headers.get("content-type", "")
    media, _, options = content_type.partition(";")
    media = media.strip().lower()
    if media not in RDF_INPUT_TYPES:
        raise ApiError(
            415,
            "unsupported-media-type",
            f"'{media or 'no content type'}' is not an RDF syntax this endpoint reads;"
            f" send one of {', '.join(RDF_INPUT_TYPES)}",
        )
    charset = options.lower().replace(" ", "")
    if "charset=" in charset and "charset=utf-8" not in charset:
        raise ApiError(415, "unsupported-media-type", "send the graph in UTF-8")
    body = await read_body(request, service.settings.max_body_bytes, what="the graph you sent")
    base = target or str(request.url).split("?")[0]
    return await run_in_threadpool(
        service.insert_for_upload, body, media, base_iri=base, target=target
    )


async def _apply(service: KnowledgeService, text: str) -> UpdateOutcome:
    # The text is generated from the graph sent (already within the body limit), so it has
    # the service's allowance for uploads, not the limit on query text.
    outcome = await run_in_threadpool(partial(service.update, text, upload=True))
    if not outcome.applied:
        raise ApiError(
            422,
            "shapes-violated",
            "the graph was not stored: the result would break the shapes (see details)",
            outcome.report,
        )
    return outcome


def _done(outcome: UpdateOutcome | None, target: str | None, *, created: bool) -> JSONResponse:
    counts = outcome.report.get("counts") if outcome and outcome.report else None
    return JSONResponse(
        {"applied": True, "graph": target, "created": created, "validation": counts},
        status_code=201 if created else 200,
    )


@router.put("/graph-store", summary="Replace a named graph (Graph Store Protocol PUT)")
async def put_graph(request: Request, service: Service) -> Response:
    require_writer(request, service)
    target = _target(request)
    _read_only(target, request)
    assert target is not None
    insert = await _parsed_body(request, service, target)
    existed = _exists(service, target)
    text = f"DROP SILENT GRAPH {ox.NamedNode(target)}"
    if insert:
        text += " ;\n" + insert
    outcome = await _apply(service, text)
    return _done(outcome, target, created=not existed and bool(insert))


@router.post("/graph-store", summary="Add triples to a graph (Graph Store Protocol POST)")
async def post_graph(request: Request, service: Service) -> Response:
    require_writer(request, service)
    target = _target(request)
    _read_only(target, request)
    insert = await _parsed_body(request, service, target)
    if not insert:
        return _done(None, target, created=False)
    existed = target is None or _exists(service, target)
    outcome = await _apply(service, insert)
    return _done(outcome, target, created=not existed)


@router.delete("/graph-store", summary="Delete a named graph (Graph Store Protocol DELETE)")
async def delete_graph(request: Request, service: Service) -> Response:
    require_writer(request, service)
    target = _target(request)
    _read_only(target, request)
    assert target is not None
    if not _exists(service, target):
        raise _not_found(target)
    outcome = await _apply(service, f"DROP GRAPH {ox.NamedNode(target)}")
    return _done(outcome, target, created=False)
