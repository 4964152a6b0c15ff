"""Pages for people: the query page (YASGUI over /sparql, the named queries one click away)
and the API docs (Swagger UI), both served from /static so that no page loads anything from
another site. scripts/fetch-vendor.sh vendors the two libraries."""

from __future__ import annotations

from html import escape
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from rdflib.term import Node

from ehelsekg.catalogue.named import NamedQuery
from ehelsekg.errors import EhelsekgError
from ehelsekg.service.service import KnowledgeService
from ehelsekg.store.sparql_text import outer_where_brace
from ehelsekg.store.terms import to_ox
from server.dependencies import Service

router = APIRouter(tags=["Pages"])

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


def mount_static(app: FastAPI) -> None:
    """Serve server/static/ at /static."""
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")


def editor_text(service: KnowledgeService, query: NamedQuery) -> str:
    """The query as it goes into the editor: a VALUES line per parameter at the top of its
    WHERE group, bound to the declared default, or commented out as a placeholder to fill in.
    """
    lines = []
    for parameter in query.parameters:
        about = f"{parameter.name}: {parameter.describe()}"
        if parameter.help:
            about += f" — {parameter.help}"
        term: Node | None = None
        if parameter.default:
            try:
                bound = service.bind_parameters(query.name, {parameter.name: parameter.default})
            except EhelsekgError:
                bound = {}
            term = bound.get(parameter.variable)
        if term is not None:
            lines.append(f"  VALUES ?{parameter.variable} {{ {to_ox(term)} }}  # {about}")
        else:
            lines.append(f"  # VALUES ?{parameter.variable} {{ … }}  # {about}")
    if not lines:
        return query.text
    try:
        brace = outer_where_brace(query.text)
    except EhelsekgError:
        return query.text
    block = "\n  # Parameters: edit the values (a commented line leaves that one unbound).\n"
    return query.text[: brace + 1] + block + "\n".join(lines) + query.text[brace + 1 :]


@router.get("/query/named-queries.json", include_in_schema=False)
async def named_queries(service: Service) -> list[dict[str, object]]:
    """The named queries with the text the query page puts into the editor."""

    def collect() -> list[dict[str, object]]:
        catalogue = service.catalogue
        return [
            {**catalogue.get(name).to_json(), "text": editor_text(service, catalogue.get(name))}
            for name in catalogue.names()
        ]

    return await run_in_threadpool(collect)


PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ehelsekg – SPARQL query</title>
<link rel="stylesheet" href="{root}/static/yasgui/yasgui.min.css">
<link rel="stylesheet" href="{root}/static/ui/query.css">
</head>
<body data-endpoint="{root}/sparql" data-named="{root}/query/named-queries.json">
<header>
<h1>ehelsekg</h1>
<p>Norway's national e-health strategy, portfolio and roadmap as a knowledge graph.
Write SPARQL below, or start from a named query.</p>
<nav>
<a href="{root}/docs">API docs</a>
<a href="{root}/queries">Named queries (JSON)</a>
<a href="{root}/sparql">Service description</a>
<a href="{root}/graph-store?default">Default graph (Turtle)</a>
<a href="{root}/validation">Validation report</a>
</nav>
</header>
<main>
<section id="named-queries" aria-label="Named queries">
<h2>Named queries</h2>
<ul>
{buttons}
</ul>
</section>
<section id="editor" aria-label="SPARQL editor">
<div id="yasgui"></div>
<noscript>The editor needs JavaScript; the named queries also run at {root}/queries/NAME.</noscript>
</section>
</main>
<script src="{root}/static/yasgui/yasgui.min.js"></script>
<script src="{root}/static/ui/query.js"></script>
</body>
</html>
"""


def render_page(service: KnowledgeService, root: str = "") -> str:
    """The query page; every name and description from the .rq files is escaped."""
    catalogue = service.catalogue
    buttons = "\n".join(
        f'<li><button type="button" data-query="{escape(name)}"'
        f' title="{escape(catalogue.get(name).description)}">'
        f"{escape(catalogue.get(name).title)}</button></li>"
        for name in catalogue.names()
    )
    return PAGE.format(root=escape(root), buttons=buttons)


@router.get("/query", response_class=HTMLResponse, summary="The query page (SPARQL)")
def query_page(request: Request, service: Service) -> HTMLResponse:
    return HTMLResponse(render_page(service, request.scope.get("root_path", "")))


@router.get("/docs", include_in_schema=False)
def docs(request: Request) -> HTMLResponse:
    """Swagger UI from /static, not from a CDN."""
    root = request.scope.get("root_path", "")
    return get_swagger_ui_html(
        openapi_url=f"{root}{request.app.openapi_url}",
        title=f"{request.app.title} – API docs",
        swagger_js_url=f"{root}/static/swagger-ui/swagger-ui-bundle.js",
        swagger_css_url=f"{root}/static/swagger-ui/swagger-ui.css",
        swagger_favicon_url=f"{root}/static/swagger-ui/favicon-32x32.png",
        swagger_ui_parameters={"validatorUrl": None},
    )
