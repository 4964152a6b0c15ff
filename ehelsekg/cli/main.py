"""The ``ehelsekg`` command line. Domain errors become exit codes here and only here."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar, cast

import click
import networkx as nx
from rdflib import Graph

from ehelsekg.analysis import cpm as analysis
from ehelsekg.analysis.network import build_network
from ehelsekg.analysis.stats import graph_stats
from ehelsekg.catalogue import results
from ehelsekg.catalogue.named import Catalogue
from ehelsekg.cli import text as render
from ehelsekg.cli.rounds import round_group
from ehelsekg.errors import BadParameterError, EhelsekgError
from ehelsekg.knowledge import KnowledgeGraph, open_knowledge_graph
from ehelsekg.settings import Settings
from ehelsekg.store import transfer
from ehelsekg.store.loading import load_graph, load_shapes
from ehelsekg.store.opening import STORE_FORMS, open_store
from ehelsekg.store.terms import QueryResult
from ehelsekg.validation.gate import Validator
from ehelsekg.validation.report import validate

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


def store_options(command: F) -> F:
    """The data options plus where the graph lives and whether inferences count."""
    command = click.option(
        "--asserted-only",
        is_flag=True,
        help="Leave out what reasoning derived (the inferred graph).",
    )(command)
    command = click.option(
        "--store",
        default="memory",
        show_default=True,
        help=f"Where the graph lives: {STORE_FORMS}; see docs/STORES.md.",
    )(command)
    return data_options(command)


def _knowledge(
    settings: Settings, store: str, extra: Sequence[Path], only: Sequence[Path]
) -> KnowledgeGraph:
    return open_knowledge_graph(settings, store=store, extra=extra, only=list(only) or None)


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


FORMATS = click.Choice([*results.TABULAR_FORMATS, *results.GRAPH_FORMATS])


@main.command("queries")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text")
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


def _parse_params(pairs: Sequence[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for pair in pairs:
        key, equals, value = pair.partition("=")
        if not equals or not key:
            raise BadParameterError(f"--param {pair!r}: write it as key=value")
        values[key.strip()] = value
    return values


@main.command("query")
@click.argument("name")
@click.option(
    "--param", "-p", "params", multiple=True, help="A parameter as key=value (repeatable)."
)
@store_options
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
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
    raw = _parse_params(params)
    knowledge = _knowledge(settings, store, extra, only)
    result = catalogue.run(name, raw, knowledge.store, include_inferred=not asserted_only)
    _print_result(result, fmt, knowledge, catalogue)


@main.command("sparql")
@click.argument("query")
@store_options
@click.option("--format", "fmt", type=FORMATS, default="table", show_default=True)
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
    knowledge = _knowledge(settings, store, extra, only)
    result = knowledge.store.query(query, include_inferred=not asserted_only)
    _print_result(result, fmt, knowledge, catalogue)


def _network(
    settings: Settings, store: str, extra: Sequence[Path], only: Sequence[Path]
) -> nx.DiGraph:
    knowledge = _knowledge(settings, store, extra, only)
    return build_network(knowledge.store, Catalogue(settings.queries_dir))


def network_options(command: F) -> F:
    """The data options, where the graph lives, and table or JSON output."""
    command = click.option(
        "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
    )(command)
    command = click.option(
        "--store",
        default="memory",
        show_default=True,
        help=f"Where the graph lives: {STORE_FORMS}.",
    )(command)
    return data_options(command)


def _emit(fmt: str, document: object, text: Callable[[], str]) -> None:
    if fmt == "json":
        click.echo(json.dumps(document, ensure_ascii=False, indent=1))
    else:
        click.echo(text())


@main.command("critical-path")
@click.argument("target")
@network_options
@click.pass_obj
@domain_errors
def critical_path_command(
    settings: Settings,
    target: str,
    extra: tuple[Path, ...],
    only: tuple[Path, ...],
    store: str,
    fmt: str,
) -> None:
    """What must happen, in what order, before TARGET (IRI, prefixed name or portfolio number)."""
    network = _network(settings, store, extra, only)
    result = analysis.critical_path(network, analysis.resolve_node(network, target))
    _emit(fmt, result.to_json(), lambda: render.critical_path_text(result))


@main.command("impact")
@click.argument("node")
@click.option("--slip", type=int, required=True, help="How many months NODE finishes later.")
@network_options
@click.pass_obj
@domain_errors
def impact_command(
    settings: Settings,
    node: str,
    slip: int,
    extra: tuple[Path, ...],
    only: tuple[Path, ...],
    store: str,
    fmt: str,
) -> None:
    """What moves, and by how much, if NODE (IRI, prefixed name or portfolio number) slips."""
    network = _network(settings, store, extra, only)
    result = analysis.impact(network, analysis.resolve_node(network, node), slip)
    _emit(fmt, result.to_json(), lambda: render.impact_text(result))


@main.command("hotspots")
@click.option("--top", type=click.IntRange(1, 1000), default=10, show_default=True)
@network_options
@click.pass_obj
@domain_errors
def hotspots_command(
    settings: Settings,
    top: int,
    extra: tuple[Path, ...],
    only: tuple[Path, ...],
    store: str,
    fmt: str,
) -> None:
    """Where a delay hurts most: what most other work depends on."""
    network = _network(settings, store, extra, only)
    ranked = analysis.hotspots(network, top)
    _emit(fmt, [h.to_json() for h in ranked], lambda: render.hotspots_text(ranked))


@main.command("serve")
@click.option("--host", default=None, help="Address to listen on (default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port to listen on (default 8000).")
@data_options
@click.option("--store", default=None, help=f"Where the graph lives: {STORE_FORMS}.")
@click.pass_obj
@domain_errors
def serve_command(
    settings: Settings,
    host: str | None,
    port: int | None,
    extra: tuple[Path, ...],
    only: tuple[Path, ...],
    store: str | None,
) -> None:
    """Serve SPARQL, the named queries and the analysis over HTTP (settings: see README)."""
    import uvicorn

    from server import create_app

    chosen = replace(
        settings,
        host=host or settings.host,
        port=port or settings.port,
        store=store or settings.store,
    )
    knowledge = open_knowledge_graph(
        chosen, store=chosen.store, extra=extra, only=list(only) or None
    )
    uvicorn.run(create_app(chosen, knowledge=knowledge), host=chosen.host, port=chosen.port)


@main.command("view")
@click.argument("name")
@click.option(
    "--param", "-p", "params", multiple=True, help="A parameter as key=value (repeatable)."
)
@click.option(
    "--output",
    "-o",
    "output",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="The HTML file to write (one self-contained file).",
)
@click.option(
    "--base-url",
    default="",
    show_default=True,
    help="Where the endpoint's /resource/… pages are; default: links relative to the server.",
)
@data_options
@click.option(
    "--store", default="memory", show_default=True, help=f"Where the graph lives: {STORE_FORMS}."
)
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

    knowledge = _knowledge(settings, store, extra, only)
    view = build_view(
        name,
        _parse_params(params),
        knowledge.store,
        Catalogue(settings.queries_dir),
        base_url=base_url,
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(render_html(view), encoding="utf-8")
    click.echo(f"{output}: {view.title} ({len(view.nodes)} nodes, {len(view.edges)} edges)")


@main.command("report")
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
@click.option("--base-url", default="", show_default=True, help="Where /resource/… pages are.")
@data_options
@click.option(
    "--store", default="memory", show_default=True, help=f"Where the graph lives: {STORE_FORMS}."
)
@click.pass_obj
@domain_errors
def report_command(
    settings: Settings,
    report: str,
    output: Path,
    base_url: str,
    extra: tuple[Path, ...],
    only: tuple[Path, ...],
    store: str,
) -> None:
    """Write the meeting pack: the portfolio status report for NUIT, with charts and views."""
    from ehelsekg.pack.meeting import write_meeting_pack

    knowledge = _knowledge(settings, store, extra, only)
    written = write_meeting_pack(
        knowledge.store,
        Catalogue(settings.queries_dir),
        output,
        report=report,
        base_url=base_url,
    )
    for path in written:
        click.echo(str(path))


def _transfer_format(command: F) -> F:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(sorted(transfer.FORMATS)),
        default=None,
        help="nquads or trig; default: by the file's suffix (.nq, .trig).",
    )(command)


@main.command("dump")
@click.argument("output", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True))
@_transfer_format
@data_options
@click.option(
    "--store", default="memory", show_default=True, help=f"Where the graph lives: {STORE_FORMS}."
)
@click.pass_obj
@domain_errors
def dump_command(
    settings: Settings,
    output: Path,
    fmt: str | None,
    extra: tuple[Path, ...],
    only: tuple[Path, ...],
    store: str,
) -> None:
    """Write every graph of a store to OUTPUT ('-': standard output) as N-Quads or TriG.

    The dump holds each file's graph, the inferred graph, the graphs updates wrote and the
    default graph's own triples; `ehelsekg load` reads it back. 'memory' dumps the bundled data
    (with --data / --only); another store is dumped as it is, without writing to it.
    """
    if store == "memory":
        source = _knowledge(settings, store, extra, only).store
    elif extra or only:
        raise BadParameterError(
            "--data and --only go with --store memory; use load to fill a store"
        )
    else:
        source = open_store(store)
    target = None if str(output) == "-" else output
    moved = transfer.dump(source, target, fmt=fmt)
    click.echo(f"{output}: {moved.quads} quads, {moved.graphs} named graphs", err=True)


@main.command("load")
@click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path, dir_okay=False))
@_transfer_format
@click.option("--store", required=True, help=f"The store to load into: {STORE_FORMS}.")
@click.pass_obj
@domain_errors
def load_command(_settings: Settings, input_path: Path, fmt: str | None, store: str) -> None:
    """Read a dump (N-Quads or TriG) into a store, replacing the graphs it names.

    The whole file is parsed before anything is written, so a broken file (exit 2, with file and
    line) leaves the store as it was.
    """
    parsed = transfer.read_dump(input_path, fmt=fmt)
    moved = transfer.write_dump(open_store(store), parsed)
    click.echo(f"{input_path}: {moved.quads} quads, {moved.graphs} named graphs into {store}")


main.add_command(round_group)
