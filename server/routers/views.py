"""The views as HTML pages: GET /views/{name}?param=… (one self-contained file each)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse

from ehelsekg.views.build import VIEWS
from server.dependencies import Service

router = APIRouter(tags=["Views"])


@router.get("/views", summary="The views and their parameters")
async def list_views() -> list[dict[str, object]]:
    return [
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


@router.get(
    "/views/{name}",
    summary="A view as one self-contained HTML page",
    response_class=HTMLResponse,
)
async def view(name: str, request: Request, service: Service) -> HTMLResponse:
    params = dict(request.query_params)
    base_url = params.pop("base-url", "")

    html = await run_in_threadpool(service.view, name, params, base_url=base_url)
    return HTMLResponse(html)
