"""The ``ehelsekg`` command line: the group, the commands that check and ask the graph, and the
list of every command. The other commands live by concern beside this module (``analysis``,
``pages``: serve, view and report, ``transfer``: dump and load, ``rounds``); the options they
share and the translation of errors into exit codes are in ``options``."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

import click
from rdflib import Graph

from ehelsekg.analysis.stats import graph_stats
from ehelsekg.catalogue import results
from ehelsekg.catalogue.named import Catalogue
from ehelsekg.cli import analysis, pages, rounds, transfer
from ehelsekg.cli import text as render
from ehelsekg.cli.options import (
    asserted_only_option,
    data_options,
    domain_errors,
    format_option,
    open_knowledge,
    params_option,
    parse_params,
    store_option,
)
from ehelsekg.errors import BadParameterError
from ehelsekg.knowledge import KnowledgeGraph, open_knowledge_graph
from ehelsekg.settings import Settings
from ehelsekg.store.loading import load_graph, load_shapes
from ehelsekg.store.terms import QueryResult
from ehelsekg.validation.gate import Validator
from ehelsekg.validation.report import validate


@click.group()
@click.option(
    "--home",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Project folder with ontology/, data/, shapes/ and queries/ (default: EHELSEKG_HOME,"
    " else this checkout or the installed copy). Other settings still come from EHELSEKG_*.",
)
@click.pass_context
def main(ctx: click.Context, home: Path | None) -> None:
    """ehelsekg: Norway's national e-health strategy, portfolio and roadmap as a knowledge graph."""
    try:
        settings = Settings.from_environment()
    except ValueError as err:
        raise click.UsageError(str(err)) from err
    ctx.obj = replace(settings, home=home.resolve()) if home else settings


def _graph(settings: Settings, extra: tuple[Path, ...], only: tuple[Path, ...]) -> Graph:
    return load_graph(settings, extra=extra, only=list(only) if only else None)


@main.command("validate")
@data_options
@format_option(
    ["text", "json", "turtle"],
    "text",
    "text for people, json for tools, turtle for the SHACL report graph.",
)
@click.option(
    "--engine",
    type=click.Choice(["sparql", "pyshacl"]),
    default="sparql",
    show_default=True,
    help="sparql: the shapes compiled to SPARQL and run in the store (fast); pyshacl: the "
    "reference implementation (same results, ~20x slower).",
)
@click.pass_obj
@domain_errors
def validate_command(
    settings: Settings, extra: tuple[Path, ...], only: tuple[Path, ...], fmt: str, engine: str
) -> None:
    """Validate the ontology and data against the SHACL shapes.

    Exit 0 when there is no Violation, 1 when there is, 2 when a file cannot be read.
    """
    if engine == "pyshacl":
        report = validate(_graph(settings, extra, only), load_shapes(settings))
    else:
        knowledge = open_knowledge_graph(
            settings, extra=extra, only=list(only) if only else None, reason=False
        )
        report = Validator.for_shapes(load_shapes(settings)).validate(knowledge.store)
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
@format_option(["text", "json"], "text", "text for people, json for tools.")
@click.pass_obj
@domain_errors
def stats_command(
    settings: Settings, extra: tuple[Path, ...], only: tuple[Path, ...], fmt: str
) -> None:
    """Count entities per class and facts per source document."""
    stats = graph_stats(_graph(settings, extra, only), settings)
    click.echo(render.stats_text(stats) if fmt == "text" else render.stats_json(stats))


def _print_result(
    result: QueryResult, fmt: str, knowledge: KnowledgeGraph, catalogue: Catalogue
) -> None:
    if result.kind == "graph":
        if fmt not in results.GRAPH_FORMATS:
            fmt = "turtle"
        click.echo(results.graph_text(result, fmt), nl=False)
        return
    if fmt == "json":
        click.echo(results.to_json(result))
    elif fmt == "csv":
        click.echo(results.to_csv(result), nl=False)
    elif fmt == "tsv":
        click.echo(results.to_tsv(result), nl=False)
    elif fmt == "table":
        labels = results.best_labels(knowledge.store.query(catalogue.lookup("labels")).records())
        click.echo(results.to_table(result, labels))
    else:
        raise BadParameterError(
            f"--format {fmt} is for CONSTRUCT/DESCRIBE;"
            f" use one of {', '.join(results.TABULAR_FORMATS)}"
        )


#: Every answer format: tables for SELECT/ASK, RDF for CONSTRUCT/DESCRIBE.
ANSWER_FORMATS = (*results.TABULAR_FORMATS, *results.GRAPH_FORMATS)


@main.command("queries")
@format_option(["text", "json", "markdown"], "text")
@click.pass_obj
@domain_errors
def queries_command(settings: Settings, fmt: str) -> None:
    """List the named queries with their parameters (markdown: the docs page)."""
    catalogue = Catalogue(settings.queries_dir)
    if fmt == "markdown":
        click.echo(render.queries_markdown(catalogue), nl=False)
        return
    if fmt == "json":
        listing = [catalogue.get(name).to_json() for name in catalogue.names()]
        click.echo(json.dumps(listing, ensure_ascii=False, indent=1))
        return
    for name in catalogue.names():
        query = catalogue.get(name)
        click.echo(f"{name} — {query.title}")
        click.echo(f"    {query.description}")
        for parameter in query.parameters:
            click.echo(f"    --param {parameter.name}=…  ({parameter.describe()}) {parameter.help}")


@main.command("query")
@click.argument("name")
@params_option
@data_options
@store_option()
@asserted_only_option
@format_option(ANSWER_FORMATS, "table")
@click.pass_obj
@domain_errors
def query_command(
    settings: Settings,
    name: str,
    params: tuple[str, ...],
    extra: tuple[Path, ...],
    only: tuple[Path, ...],
    store: str,
    asserted_only: bool,
    fmt: str,
) -> None:
    """Run the named query NAME (see `ehelsekg queries`)."""
    catalogue = Catalogue(settings.queries_dir)
    catalogue.get(name)
    raw = parse_params(params)
    knowledge = open_knowledge(settings, store, extra, only)
    result = catalogue.run(name, raw, knowledge.store, include_inferred=not asserted_only)
    _print_result(result, fmt, knowledge, catalogue)


@main.command("sparql")
@click.argument("query")
@data_options
@store_option()
@asserted_only_option
@format_option(ANSWER_FORMATS, "table")
@click.pass_obj
@domain_errors
def sparql_command(
    settings: Settings,
    query: str,
    extra: tuple[Path, ...],
    only: tuple[Path, ...],
    store: str,
    asserted_only: bool,
    fmt: str,
) -> None:
    """Run any SPARQL query, given as text or as @FILE (SELECT, ASK, CONSTRUCT, DESCRIBE)."""
    if query.startswith("@"):
        path = Path(query[1:])
        try:
            query = path.read_text(encoding="utf-8")
        except OSError as err:
            raise BadParameterError(f"cannot read the query file {path}: {err}") from err
    catalogue = Catalogue(settings.queries_dir)
    knowledge = open_knowledge(settings, store, extra, only)
    result = knowledge.store.query(query, include_inferred=not asserted_only)
    _print_result(result, fmt, knowledge, catalogue)


# The commands of the other concerns (`ehelsekg --help` lists all by name). A new command or
# command group is one more line here.
COMMANDS: tuple[click.Command, ...] = (
    *analysis.COMMANDS,
    *pages.COMMANDS,
    *transfer.COMMANDS,
    *rounds.COMMANDS,
)
for _command in COMMANDS:
    main.add_command(_command)
