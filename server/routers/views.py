"""Pages for the council: the Norwegian start page at /, the views (GET /views/{name}?param=…,
one self-contained file each; /views lists them as a page for browsers, as JSON otherwise),
each report's meeting pack at /report/{report} (also as a zip), and Norwegian error pages that
say what to choose when a browser asks for a view without what it needs."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from ehelsekg.errors import EhelsekgError
from ehelsekg.pack.archive import zipped
from ehelsekg.views.build import VIEWS
from ehelsekg.views.start import StartPage
from server.dependencies import Service
from server.errors import ApiError
from server.pages import render

router = APIRouter(tags=["Views"])

#: The views and their parameters as the council names them.
VIEW_NAMES = {
    "goal": "Mål",
    "dependencies": "Avhengigheter",
    "critical-path": "Kritisk linje",
    "impact": "Konsekvens av forsinkelse",
    "actor": "Aktør",
    "roadmap": "Veikart",
    "changes": "Endringer",
}
PARAMETER_NAMES = {
    "goal": "et mål",
    "target": "et mål for linjen",
    "node": "en aktivitet",
    "slip": "antall måneder forsinkelse",
    "actor": "en aktør",
    "from": "rapporten det skal sammenlignes fra",
    "to": "rapporten det skal sammenlignes til",
    "report": "en rapport",
    "status": "en status",
    "criticality": "en kritikalitet",
}


def _wants_html(request: Request) -> bool:
    return "text/html" in request.headers.get("accept", "")


async def _start(service: Service) -> StartPage:
    return await run_in_threadpool(service.start_page_data)


def _page(
    request: Request, template: str, page: StartPage, status: int = 200, **kw: object
) -> HTMLResponse:
    html = render(
        template,
        root=request.scope.get("root_path", ""),
        page=page,
        latest=page.reports[-1].value if page.reports else "",
        **kw,
    )
    return HTMLResponse(html, status_code=status)


@router.get("/", response_class=HTMLResponse, summary="The start page (Norwegian)")
async def start(request: Request, service: Service) -> HTMLResponse:
    catalogue = service.catalogue
    queries = sorted((catalogue.get(n) for n in catalogue.names()), key=lambda q: q.title_nb)
    return _page(request, "start.html", await _start(service), queries=queries)


@router.get("/views", summary="The views and their parameters")
async def list_views(request: Request, service: Service) -> Response:
    if _wants_html(request):
        return _page(request, "views.html", await _start(service))
    return Response(
        content=json.dumps(
            [
                {
                    "name": spec.name,
                    "title": spec.title,
                    "parameters": [
                        {"name": name, "required": required, "help": help_text}
                        for name, required, help_text in spec.parameters
                    ],
                }
                for spec in VIEWS.values()
            ]
        ),
        media_type="application/json",
    )


@router.get(
    "/views/{name}",
    summary="A view as one self-contained HTML page",
    response_class=HTMLResponse,
)
async def view(name: str, request: Request, service: Service) -> HTMLResponse:
    params = dict(request.query_params)
    base_url = params.pop("base-url", "")
    spec = VIEWS.get(name)
    if _wants_html(request):
        params = {k: v for k, v in params.items() if v}  # an empty picker means "all"
        missing = [
            p
            for p, required, _ in (spec.parameters if spec else ())
            if required and not params.get(p)
        ]
        if spec is None or missing:
            heading = (
                "Ukjent visning"
                if spec is None
                else f"Visningen «{VIEW_NAMES[name]}» trenger et valg"
            )
            message = (
                f"Det finnes ingen visning som heter «{name}»."
                if spec is None
                else "Velg " + " og ".join(PARAMETER_NAMES.get(p, p) for p in missing) + "."
            )
            status = 404 if spec is None else 422
            return _page(
                request,
                "error.html",
                await _start(service),
                status,
                heading=heading,
                message=message,
            )
        try:
            html = await run_in_threadpool(service.view, name, params, base_url=base_url)
        except EhelsekgError:
            chosen = ", ".join(f"{PARAMETER_NAMES.get(k, k)}: {v}" for k, v in params.items())
            return _page(
                request,
                "error.html",
                await _start(service),
                422,
                heading=f"Visningen «{VIEW_NAMES[name]}» kunne ikke lages",
                message=f"Det du valgte finnes ikke i grafen ({chosen}). Velg fra listene.",
            )
        return HTMLResponse(html)
    html = await run_in_threadpool(service.view, name, params, base_url=base_url)
    return HTMLResponse(html)


async def _pack(service: Service, report: str, request: Request) -> dict[str, bytes]:
    # Served, the pack's entity links point at this server's /resource pages.
    root = request.scope.get("root_path", "") or "/"
    try:
        return await run_in_threadpool(service.meeting_pack, report, base_url=root)
    except EhelsekgError as err:
        raise ApiError(404, "not-found", f"no report '{report}': {err}") from err


@router.get("/report/{report}.zip", summary="A report's meeting pack as a zip file")
async def pack_zip(report: str, request: Request, service: Service) -> Response:
    files = await _pack(service, report, request)
    return Response(
        zipped(files, f"motepakke-{report}"),
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="motepakke-{report}.zip"'},
    )


@router.get("/report/{report}", response_class=HTMLResponse, summary="A report's meeting pack")
async def pack_page(report: str, request: Request, service: Service) -> Response:
    page = await _start(service)
    if _wants_html(request) and report not in {p.value for p in page.packs}:
        return _page(
            request,
            "error.html",
            page,
            404,
            heading="Ingen møtepakke for denne rapporten",
            message=f"Det finnes ingen møtepakke for «{report}». Velg en av møtepakkene på "
            "startsiden.",
        )
    if not request.url.path.endswith("/"):
        # The pack's links are relative to its folder (views/…, the charts).
        return Response(status_code=307, headers={"Location": request.url.path + "/"})
    return HTMLResponse((await _pack(service, report, request))["index.html"])


@router.get("/report/{report}/{path:path}", summary="A file of a report's meeting pack")
async def pack_file(report: str, path: str, request: Request, service: Service) -> Response:
    files = await _pack(service, report, request)
    name = path or "index.html"
    if name not in files:
        raise ApiError(404, "not-found", f"the meeting pack has no file '{name}'")
    media = "image/png" if name.endswith(".png") else "text/html; charset=utf-8"
    return Response(files[name], media_type=media)
