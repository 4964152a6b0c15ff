"""The ``ehelsekg`` command line. Domain errors become exit codes here and only here."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar, cast

import click
from rdflib import Graph

from ehelsekg import render
from ehelsekg.errors import EhelsekgError
from ehelsekg.loading import load_graph, load_shapes
from ehelsekg.settings import Settings
from ehelsekg.stats import graph_stats
from ehelsekg.validation import validate

F = TypeVar("F", bound=Callable[..., Any])


def domain_errors(command: F) -> F:
    """Show a domain error as ``error: …`` and exit with the code of its kind."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except EhelsekgError as err:
            click.echo(f"error: {err}", err=True)
            sys.exit(err.exit_code)

    return cast(F, wrapper)


def data_options(command: F) -> F:
    """``--data`` adds files or folders to the bundled data; ``--only`` replaces it."""
    path_type = click.Path(path_type=Path)
    command = click.option(
        "--only",
        "only",
        multiple=True,
        type=path_type,
        help="Use these Turtle files or folders instead of the bundled data (repeatable).",
    )(command)
    command = click.option(
        "--data",
        "extra",
        multiple=True,
        type=path_type,
        help="Add these Turtle files or folders to the bundled data (repeatable).",
    )(command)
    return command


def _graph(settings: Settings, extra: Sequence[Path], only: Sequence[Path]) -> Graph:
    return load_graph(settings, extra=extra, only=list(only) if only else None)


@click.group()
@click.option(
    "--home",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Project folder with ontology/, data/, shapes/ and queries/ (default: this project).",
)
@click.pass_context
def main(ctx: click.Context, home: Path | None) -> None:
    """ehelsekg: Norway's national e-health strategy, portfolio and roadmap as a knowledge graph."""
    settings = Settings.from_environment()
    ctx.obj = Settings(home=home.resolve()) if home else settings


@main.command("validate")
@data_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "turtle"]),
    default="text",
    show_default=True,
    help="text for people, json for tools, turtle for the SHACL report graph.",
)
@click.pass_obj
@domain_errors
def validate_command(
    settings: Settings, extra: tuple[Path, ...], only: tuple[Path, ...], fmt: str
) -> None:
    """Validate the ontology and data against the SHACL shapes.

    Exit 0 when there is no Violation, 1 when there is, 2 when a file cannot be read.
    """
    report = validate(_graph(settings, extra, only), load_shapes(settings))
    renderer = {
        "text": render.validation_text,
        "json": render.validation_json,
        "turtle": render.validation_turtle,
    }[fmt]
    click.echo(renderer(report))
    if not report.conforms:
        sys.exit(1)


@main.command("stats")
@data_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for people, json for tools.",
)
@click.pass_obj
@domain_errors
def stats_command(
    settings: Settings, extra: tuple[Path, ...], only: tuple[Path, ...], fmt: str
) -> None:
    """Count entities per class and facts per source document."""
    stats = graph_stats(_graph(settings, extra, only), settings)
    click.echo(render.stats_text(stats) if fmt == "text" else render.stats_json(stats))
