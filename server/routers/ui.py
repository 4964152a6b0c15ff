"""Pages for people: the query page (YASGUI over /sparql, the named queries one click away)
and the API docs (Swagger UI), both served from /static so that no page loads anything from
another site. scripts/fetch-vendor.sh vendors the two libraries."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.staticfiles import StaticFiles
from rdflib.term import Node

from ehelsekg.catalogue.named import NamedQuery
from ehelsekg.catalogue.parameters import Parameter
from ehelsekg.errors import EhelsekgError
from ehelsekg.service.service import KnowledgeService
from ehelsekg.store.sparql_text import outer_where_brace
from ehelsekg.store.terms import to_ox
from ehelsekg.views.start import Choice, StartPage
from ehelsekg.views.table import Table
from server.dependencies import Service
from server.pages import render

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


def render_page(service: KnowledgeService, root: str = "") -> str:
    """The query page (server/templates/query.html, autoescaped)."""
    catalogue = service.catalogue
    return render("query.html", root=root, queries=[catalogue.get(n) for n in catalogue.names()])


@router.get("/query", response_class=HTMLResponse, summary="The query page (SPARQL)")
def query_page(request: Request, service: Service) -> HTMLResponse:
    return HTMLResponse(render_page(service, request.scope.get("root_path", "")))


@dataclass
class Field:
    name: str
    label: str
    help: str
    required: bool
    value: str
    choices: list[Choice] | None
    empty: str = "alle"
    input: str = "text"


def _label(parameter: Parameter) -> str:
    """The parameter's Norwegian name from the query's header (``# param@nb``)."""
    return parameter.label_nb or parameter.name


def _fields(query: NamedQuery, page: StartPage, values: dict[str, str]) -> list[Field]:
    fields = []
    for parameter in query.parameters:
        scheme = parameter.options.get("scheme", "")
        choices: list[Choice] | None = {
            "report": page.reports,
            "actor": page.actors,
            "measure": page.measures,
            "meeting": page.meetings,
        }.get(parameter.type)
        if parameter.type == "concept" and scheme.endswith("RagScheme"):
            choices = page.statuses
        if parameter.name == "goal":
            choices = [Choice(g.number, f"Mål {g.number}: {g.title}") for g in page.goals]
        field = Field(
            parameter.name,
            _label(parameter),
            parameter.help_nb,
            parameter.required,
            values.get(parameter.name, ""),
            choices,
            input="number" if parameter.type in {"integer", "year"} else "text",
        )
        if parameter.default == "latest" and choices is not None:
            field.empty = "siste rapport"
        fields.append(field)
    return fields


@router.get("/query/{name}", response_class=HTMLResponse, include_in_schema=False)
async def query_form(name: str, request: Request, service: Service) -> HTMLResponse:
    """A named query as a form with pickers, and its answer as a labelled table."""
    query = service.catalogue.get(name)
    values = {k: v for k, v in request.query_params.items() if v}
    page = await run_in_threadpool(service.start_page_data)
    table: Table | None = None
    error = ""
    missing = [p for p in query.parameters if p.required and not values.get(p.name)]
    if request.query_params and not missing:
        try:
            table = await run_in_threadpool(service.named_table, name, values, base_url="/")
        except EhelsekgError:
            error = "Spørringen kunne ikke kjøres med det du valgte. Velg fra listene."
    elif request.query_params:
        error = "Velg " + " og ".join(_label(m).lower() for m in missing) + "."
    html = render(
        "query-form.html",
        root=request.scope.get("root_path", ""),
        query=query,
        fields=_fields(query, page, values),
        table=table,
        error=error,
    )
    return HTMLResponse(html, status_code=422 if error else 200)


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> FileResponse:
    """The site's icon: browsers ask for it on every page, and a 404 is an error in their
    console."""
    return FileResponse(STATIC_DIR / "ui" / "favicon.svg", media_type="image/svg+xml")


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
