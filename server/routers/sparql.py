"""The SPARQL 1.1 Protocol: query and update at /sparql, and a service description."""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from ehelsekg.service.answers import GRAPH_TYPES, SELECT_TYPES
from ehelsekg.service.service import KnowledgeService
from ehelsekg.store.changes import QuadChange
from ehelsekg.store.sparql_text import query_kind
from server.auth import require_writer
from server.bodies import read_body
from server.dependencies import Service, client_of
from server.errors import ApiError
from server.negotiation import negotiate

router = APIRouter(tags=["SPARQL"])

SERVICE_DESCRIPTION = """@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix formats: <http://www.w3.org/ns/formats/> .

[] a sd:Service ;
    sd:endpoint <{endpoint}> ;
    sd:supportedLanguage sd:SPARQL11Query, sd:SPARQL11Update ;
    sd:feature sd:UnionDefaultGraph ;
    sd:resultFormat formats:SPARQL_Results_JSON, formats:SPARQL_Results_XML,
        formats:SPARQL_Results_CSV, formats:SPARQL_Results_TSV,
        formats:Turtle, formats:N-Triples, formats:JSON-LD, formats:RDF_XML ;
    sd:defaultDataset [ a sd:Dataset ;
        sd:defaultGraph [ a sd:Graph ] ] .
"""


def single(values: dict[str, list[str]], name: str) -> str | None:
    found = values.get(name, [])
    if len(found) > 1:
        raise ApiError(400, "bad-request", f"give '{name}' once, not {len(found)} times")
    return found[0] if found else None


def _endpoint(request: Request) -> str:
    """The endpoint's URL: the service description's sd:endpoint and the base IRI that
    relative IRIs in a query or update resolve against."""
    return str(request.url).split("?")[0]


async def answer_query(
    service: KnowledgeService,
    text: str,
    params: dict[str, list[str]],
    *,
    accept: str | None,
    endpoint: str,
    client: str,
) -> tuple[bytes, str, dict[str, str]]:
    """A SPARQL query's answer: (body, content type, headers). Shared by the route below and
    the ASGI fast path for GET (server/fast_path.py), so both answer alike."""
    kind = query_kind(text)
    offered = list(GRAPH_TYPES if kind == "graph" else SELECT_TYPES)
    media_type = negotiate(accept, offered, f"{kind} results")
    answer = await service.sparql_async(
        text,
        media_type=media_type,
        default_graphs=params.get("default-graph-uri", []),
        named_graphs=params.get("named-graph-uri", []),
        base_iri=endpoint,
        client=client,
    )
    headers = {"X-Result-Truncated": "true" if answer.truncated else "false"}
    content_type = answer.media_type
    if content_type.startswith("text/") or content_type.endswith(("json", "xml")):
        content_type += "; charset=utf-8"
    body = answer.body
    if answer.truncated and answer.media_type in (
        "application/sparql-results+json",
        "application/json",
    ):
        # An extra member, which SPARQL JSON readers ignore, says that rows were cut.
        body = body.rstrip()[:-1] + b', "truncated": true}'
    return body, content_type, headers


async def _run_query(
    request: Request,
    service: KnowledgeService,
    text: str,
    params: dict[str, list[str]],
) -> Response:
    body, content_type, headers = await answer_query(
        service,
        text,
        params,
        accept=request.headers.get("accept"),
        endpoint=_endpoint(request),
        client=client_of(request),
    )
    return Response(body, media_type=content_type, headers=headers)


async def _run_update(
    request: Request, service: KnowledgeService, text: str, params: dict[str, list[str]]
) -> Response:
    require_writer(request, service)
    outcome = await run_in_threadpool(
        service.update,
        text,
        using_graphs=params.get("using-graph-uri", []),
        using_named=params.get("using-named-graph-uri", []),
        base_iri=_endpoint(request),
    )
    if not outcome.applied:
        raise ApiError(
            422,
            "shapes-violated",
            "the update was not applied: the result would break the shapes (see details)",
            outcome.report,
        )
    counts = outcome.report.get("counts") if outcome.report else None
    return JSONResponse({"applied": True, "validation": counts, **_changed(outcome.change)})


def _changed(change: QuadChange) -> dict[str, object]:
    """What the update changed; a note when the sources' facts were kept."""
    summary: dict[str, object] = dict(change.summary())
    if change.kept_source_facts:
        summary["note"] = (
            f"{change.kept_source_facts} triples of the default graph come from the source"
            " files and were kept; they change only when the files change"
        )
    return summary


@router.get("/sparql", summary="SPARQL query (GET), or the service description")
@router.get("/sparql/", include_in_schema=False)
@router.head("/sparql", include_in_schema=False)
@router.head("/sparql/", include_in_schema=False)
async def sparql_get(request: Request, service: Service) -> Response:
    params = parse_qs(request.url.query, keep_blank_values=True)
    query = single(params, "query")
    if "update" in params:
        raise ApiError(405, "method-not-allowed", "updates must be sent with POST")
    if query is None:
        return Response(
            SERVICE_DESCRIPTION.format(endpoint=_endpoint(request)), media_type="text/turtle"
        )
    return await _run_query(request, service, query, params)


@router.post("/sparql", summary="SPARQL query or update (POST)")
@router.post("/sparql/", include_in_schema=False)
async def sparql_post(request: Request, service: Service) -> Response:
    params = parse_qs(request.url.query, keep_blank_values=True)
    content_type = request.headers.get("content-type", "")
    media, _, options = content_type.partition(";")
    media = media.strip().lower()
    charset = options.lower().replace(" ", "")
    if "charset=" in charset and "charset=utf-8" not in charset:
        raise ApiError(415, "unsupported-media-type", "send the body in UTF-8")
    body = await read_body(request, service.settings.max_body_bytes)
    if media == "application/x-www-form-urlencoded":
        try:
            form = parse_qs(body.decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError as err:
            raise ApiError(400, "bad-request", "the form is not UTF-8") from err
        for name, values in form.items():
            params.setdefault(name, []).extend(values)
        query, update = single(params, "query"), single(params, "update")
        if query is not None and update is not None:
            raise ApiError(400, "bad-request", "give either 'query' or 'update', not both")
        if update is not None:
            return await _run_update(request, service, update, params)
        if query is None:
            raise ApiError(400, "bad-request", "the form has no 'query' or 'update'")
        return await _run_query(request, service, query, params)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ApiError(400, "bad-request", "the body is not UTF-8") from err
    if media == "application/sparql-query":
        if "query" in params:
            raise ApiError(400, "bad-request", "the query is in the body; do not also give 'query'")
        return await _run_query(request, service, text, params)
    if media == "application/sparql-update":
        return await _run_update(request, service, text, params)
    raise ApiError(
        415,
        "unsupported-media-type",
        f"'{media or 'no content type'}' is not a SPARQL request; use application/sparql-query,"
        " application/sparql-update or application/x-www-form-urlencoded",
    )
