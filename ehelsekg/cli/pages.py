"""The commands that show the graph to people: the HTTP endpoint, one view as an HTML file,
and the meeting pack."""

from __future__ import annotations

import contextlib
import socket
import sys
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from ehelsekg.catalogue.named import Catalogue
from ehelsekg.cli.options import (
    base_url_option,
    data_options,
    domain_errors,
    open_knowledge,
    params_option,
    parse_params,
    store_option,
)
from ehelsekg.knowledge import open_knowledge_graph
from ehelsekg.settings import Settings


@click.command("serve")
@click.option("--host", default=None, help="Address to listen on (default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port to listen on (default 8000).")
@data_options
@store_option()
@click.pass_obj
@domain_errors
def serve_command(
    settings: Settings,
    host: str | None,
    port: int | None,
    extra: tuple[Path, ...],
    only: tuple[Path, ...],
    store: str,
) -> None:
    """Serve SPARQL, the named queries and the analysis over HTTP (settings: see README)."""
    from server import create_app

    chosen = replace(settings, host=host or settings.host, port=port or settings.port, store=store)
    knowledge = open_knowledge_graph(
        chosen, store=chosen.store, extra=extra, only=list(only) or None
    )
    _serve(
        create_app(chosen, knowledge=knowledge),
        chosen.host,
        chosen.port,
        access_log=chosen.access_log,
    )


def _serve(app: Any, host: str, port: int, *, access_log: bool = False) -> None:
    """Run ``app`` with uvicorn, and say where to point a browser once it listens."""
    import uvicorn

    class Server(uvicorn.Server):
        async def startup(self, sockets: list[socket.socket] | None = None) -> None:
            await super().startup(sockets=sockets)
            if self.started:
                click.echo(
                    f"ehelsekg is ready: point a browser at {browser_url(host, port)}"
                    " (Ctrl+C stops it)"
                )

    from server.http_limits import LimitedHttpToolsProtocol

    # Over-long request lines and headers get the JSON error shape, not uvicorn's plain text.
    # The access log costs about 0.1 ms a request (a quarter of a point query's): off unless
    # EHELSEKG_ACCESS_LOG asks for it; errors are logged either way.
    config = uvicorn.Config(
        app, host=host, port=port, http=LimitedHttpToolsProtocol, access_log=access_log
    )
    server = Server(config)
    with contextlib.suppress(KeyboardInterrupt):
        server.run()
    if not server.started:
        sys.exit(3)  # as uvicorn.run: it could not start (the port is taken, …)


def browser_url(host: str, port: int) -> str:
    """The address a browser on this machine reaches the server at.

    >>> browser_url("127.0.0.1", 8000), browser_url("0.0.0.0", 80), browser_url("::1", 8000)
    ('http://127.0.0.1:8000/', 'http://127.0.0.1:80/', 'http://[::1]:8000/')
    """
    if host in ("0.0.0.0", "", "::"):
        host = "127.0.0.1"
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


@click.command("view")
@click.argument("name")
@params_option
@click.option(
    "--output",
    "-o",
    "output",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="The HTML file to write (one self-contained file).",
)
@base_url_option(
    "Where the endpoint's /resource/… pages are; default: links relative to the server."
)
@data_options
@store_option()
@click.pass_obj
@domain_errors
def view_command(
    settings: Settings,
    name: str,
    params: tuple[str, ...],
    output: Path,
    base_url: str,
    extra: tuple[Path, ...],
    only: tuple[Path, ...],
    store: str,
) -> None:
    """Render the view NAME as one HTML file that works offline (views: goal, dependencies,
    critical-path, impact, actor, roadmap, changes)."""
    from ehelsekg.views.build import build_view
    from ehelsekg.views.html import render_html

    knowledge = open_knowledge(settings, store, extra, only)
    view = build_view(
        name,
        parse_params(params),
        knowledge.store,
        Catalogue(settings.queries_dir),
        base_url=base_url,
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render_html(view), encoding="utf-8")
    click.echo(f"{output}: {view.title} ({len(view.nodes)} nodes, {len(view.edges)} edges)")


@click.command("report")
@click.option(
    "--report", "report", default="latest", show_default=True, help="YYYY-MM, 'latest' or IRI."
)
@click.option(
    "--output",
    "-o",
    "output",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="Folder to write index.html, the charts and the views into.",
)
@base_url_option("Where /resource/… pages are.")
@click.option(
    "--date",
    "made",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The date the pack says it was made (YYYY-MM-DD); default: the report's date.",
)
@data_options
@store_option()
@click.pass_obj
@domain_errors
def report_command(
    settings: Settings,
    report: str,
    output: Path,
    base_url: str,
    made: datetime | None,
    extra: tuple[Path, ...],
    only: tuple[Path, ...],
    store: str,
) -> None:
    """Write the meeting pack: the portfolio status report for NUIT, with charts and views."""
    from ehelsekg.pack.meeting import write_meeting_pack

    knowledge = open_knowledge(settings, store, extra, only)
    written = write_meeting_pack(
        knowledge.store,
        Catalogue(settings.queries_dir),
        output,
        report=report,
        base_url=base_url,
        made=made.date() if made else None,
    )
    for path in written:
        click.echo(str(path))


COMMANDS: tuple[click.Command, ...] = (serve_command, view_command, report_command)
