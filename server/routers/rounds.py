"""Reporting rounds over HTTP: ``POST /rounds`` takes the returned workbooks.

422 with every problem at its cell (file, sheet, row, column, value, message, what to do) in
the one error shape, or 200 with the change preview, the round applied through the update
gate; ``?dry_run=true`` only checks. ``GET /rounds`` is a small Norwegian upload form for the
portfolio office, which posts to ``/rounds/skjema`` and shows the problems as a table.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from server.auth import require_writer
from server.dependencies import Service
from server.errors import ApiError

if TYPE_CHECKING:
    from ehelsekg.rounds.reading import Upload

# The rounds package (openpyxl, csvw) is imported when a round arrives, so that the server
# starts without it.

router = APIRouter(tags=["Rounds"])

_TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parent.parent / "templates"),
    autoescape=select_autoescape(["html"]),
)

Files = Annotated[list[UploadFile], File(description="Returned workbooks (.xlsx) or CSV files.")]


async def _uploads(files: list[UploadFile]) -> list[Upload]:
    """The uploaded files' bytes, refusing one over the size limit (413) before reading it."""
    from ehelsekg.rounds.reading import MAX_FILE_BYTES, Upload

    uploads = []
    for file in files:
        name = Path(file.filename or "opplasting").name
        if file.size is not None and file.size > MAX_FILE_BYTES:
            raise ApiError(
                413,
                "too-large",
                f"{name}: filen er over grensen på {MAX_FILE_BYTES // 1024 // 1024} MB",
            )
        uploads.append(Upload(name, await file.read(MAX_FILE_BYTES + 1)))
    return uploads


async def _submit(
    service: Service, files: list[UploadFile], *, dry_run: bool, report: str | None
) -> tuple[dict[str, object], str, bool]:
    """(the round's JSON document with ``applied``, its preview text, whether it conforms)."""
    from ehelsekg.rounds.importing import RoundCheck, check_round
    from ehelsekg.rounds.problems import RoundReadError
    from ehelsekg.service.rounds import check_and_write

    uploads = await _uploads(files)
    arguments = {"uploads": uploads, "report": report}
    try:
        # The files are read in a worker (see ehelsekg.service.rounds); this thread waits.
        outcome = await run_in_threadpool(
            check_and_write, service, check_round, arguments, dry_run=dry_run
        )
    except RoundReadError as err:
        raise ApiError(422, "unreadable-file", str(err)) from err
    checked = outcome.checked
    assert isinstance(checked, RoundCheck)
    document = {**checked.document, "applied": outcome.applied}
    if outcome.gate:
        document["gate"] = outcome.gate
    return document, checked.preview, outcome.conforms


@router.post("/rounds", summary="Import a reporting round (workbooks or CSV files)")
async def post_round(
    request: Request,
    service: Service,
    files: Files,
    dry_run: Annotated[bool, Query(description="Only check and preview.")] = False,
    report: Annotated[str | None, Query(description="Report key YYYY-MM.")] = None,
) -> dict[str, object]:
    require_writer(request, service)
    document, preview, conforms = await _submit(service, files, dry_run=dry_run, report=report)
    if not conforms:
        problems = document["problems"]
        assert isinstance(problems, list)
        violations = [p for p in problems if p["severity"] == "Violation"]
        raise ApiError(
            422,
            "round-invalid",
            f"{len(violations)} feil i runden; ingenting er skrevet",
            problems,
        )
    return {**document, "previewText": preview}


@router.get("/rounds", summary="Upload form for a reporting round", response_class=HTMLResponse)
def round_form() -> HTMLResponse:
    return HTMLResponse(_TEMPLATES.get_template("rounds.html").render(outcome=None, error=None))


@router.post("/rounds/skjema", include_in_schema=False, response_class=HTMLResponse)
async def round_form_post(
    request: Request,
    service: Service,
    files: Files,
    token: Annotated[str, Form()] = "",
    dry_run: Annotated[bool, Form()] = False,
) -> HTMLResponse:
    # The form carries the token as a field (a browser form cannot set a header); the same
    # check as every write then runs on it, the same-site check included.
    headers = [(k, v) for k, v in request.scope["headers"] if k != b"authorization"]
    headers.append((b"authorization", f"Bearer {token}".encode()))
    error: str | None = None
    document: dict[str, object] | None = None
    preview = ""
    status = 200
    try:
        require_writer(Request({**request.scope, "headers": headers}), service)
        document, preview, conforms = await _submit(service, files, dry_run=dry_run, report=None)
        status = 200 if conforms else 422
    except ApiError as err:
        error, status = err.message, err.status
    page = _TEMPLATES.get_template("rounds.html").render(
        outcome=document, preview=preview, error=error, dry_run=dry_run
    )
    return HTMLResponse(page, status_code=status)
