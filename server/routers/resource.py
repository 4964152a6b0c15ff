"""Dereferenceable IRIs: /id/<kind>/<key> redirects (303) to /resource/<kind>/<key>, which
describes the entity as an HTML page or, by content negotiation, in RDF (its statements, those
of its blank nodes, and the statements pointing at it)."""

from __future__ import annotations

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from rdflib import URIRef

from ehelsekg.namespaces import DATA_PREFIXES, ID
from ehelsekg.service.answers import serialise
from ehelsekg.store.terms import QueryResult
from server.dependencies import Service
from server.errors import ApiError
from server.negotiation import negotiate
from server.pages import render
from server.resource_page import rdf_view

router = APIRouter(tags=["Linked data"])

RDF_TYPES = ("text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml")
#: What /resource/ offers; HTML first, for browsers and for clients that state no preference.
OFFERED = ("text/html", *RDF_TYPES)
#: ?format= names, for links a browser can follow.
FORMATS = {
    "html": "text/html",
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples",
    "rdf": "application/rdf+xml",
}
KINDS = frozenset(path.rstrip("/") for path in DATA_PREFIXES.values())


def _entity_iri(kind: str, key: str) -> URIRef:
    iri = f"{ID}{kind}/{key}"
    if kind not in KINDS:
        raise _unknown(iri, f"'{kind}' is not a kind of entity; kinds: {', '.join(sorted(KINDS))}")
    try:
        ox.NamedNode(iri)
    except ValueError as err:
        raise _unknown(iri, "that is not a valid IRI") from err
    return URIRef(iri)


def _unknown(iri: str, why: str = "") -> ApiError:
    return ApiError(
        404,
        "not-found",
        f"no entity <{iri}> in the graph{'; ' + why if why else ''}."
        " /queries/search finds entities by name",
    )


@router.get("/id/{kind}/{key}", summary="An entity's IRI: 303 See Other to its description")
def see_other(kind: str, key: str, request: Request) -> RedirectResponse:
    target = str(request.url_for("resource", kind=kind, key=key))
    if request.url.query:
        target += "?" + request.url.query
    return RedirectResponse(target, status_code=303)


@router.get("/resource/{kind}/{key}", summary="An entity: an HTML page, or its RDF description")
async def resource(kind: str, key: str, request: Request, service: Service) -> Response:
    iri = _entity_iri(kind, key)
    wanted = request.query_params.get("format")
    if wanted is not None and wanted not in FORMATS:
        raise ApiError(
            400, "bad-parameter", f"unknown format '{wanted}'; use one of {', '.join(FORMATS)}"
        )
    media_type = (
        FORMATS[wanted]
        if wanted
        else negotiate(request.headers.get("accept"), OFFERED, "an entity")
    )
    entity = await run_in_threadpool(service.entity, str(iri))
    if entity is None:
        raise _unknown(str(iri))
    headers = {"Vary": "Accept"}
    if media_type == "text/html":
        page = request.url.path
        alternates = {FORMATS[name]: f"{page}?format={name}" for name in ("ttl", "jsonld", "nt")}
        root = request.scope.get("root_path", "")
        view = rdf_view(entity, root=root, alternates=alternates)
        summary = await run_in_threadpool(service.entity_page, str(iri), base_url="/")
        html = render(
            "entity.html",
            root=root,
            summary=summary,
            # The architects' section of every statement, folded (an autoescaped template).
            rdf=Markup(render("entity-rdf.html", view=view)),
        )
        return HTMLResponse(html, headers=headers)
    body = await run_in_threadpool(
        serialise, QueryResult(kind="graph", graph=entity.description()), media_type
    )
    return Response(body, media_type=f"{media_type}; charset=utf-8", headers=headers)
