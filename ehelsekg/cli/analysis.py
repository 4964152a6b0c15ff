"""The analysis commands: critical path, the impact of a slip, and hotspots."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import click
import networkx as nx

from ehelsekg.analysis import cpm
from ehelsekg.analysis.network import build_network
from ehelsekg.catalogue.named import Catalogue
from ehelsekg.cli import text as render
from ehelsekg.cli.options import (
    F,
    data_options,
    domain_errors,
    format_option,
    open_knowledge,
    store_option,
)
from ehelsekg.settings import Settings


def network_options(command: F) -> F:
    """The data options, where the graph lives, and table or JSON output."""
    command = format_option(["table", "json"], "table")(command)
    command = store_option()(command)
    return data_options(command)


def _network(
    settings: Settings, store: str, extra: tuple[Path, ...], only: tuple[Path, ...]
) -> nx.DiGraph:
    knowledge = open_knowledge(settings, store, extra, only)
    return build_network(knowledge.store, Catalogue(settings.queries_dir))


def _emit(fmt: str, document: object, text: Callable[[], str]) -> None:
    if fmt == "json":
        click.echo(json.dumps(document, ensure_ascii=False, indent=1))
    else:
        click.echo(text())


@click.command("critical-path")
@click.argument("target")
@click.option(
    "--strict",
    is_flag=True,
    help="Use only the links the sources state; leave out those that rest on a judgement.",
)
@network_options
@click.pass_obj
@domain_errors
def critical_path_command(
    settings: Settings,
    target: str,
    strict: bool,
    extra: tuple[Path, ...],
    only: tuple[Path, ...],
    store: str,
    fmt: str,
) -> None:
    """What must happen, in what order, before TARGET (IRI, prefixed name or portfolio number)."""
    network = _network(settings, store, extra, only)
    result = cpm.critical_path(network, cpm.resolve_node(network, target), strict=strict)
    _emit(fmt, result.to_json(), lambda: render.critical_path_text(result))


@click.command("impact")
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
    result = cpm.impact(network, cpm.resolve_node(network, node), slip)
    _emit(fmt, result.to_json(), lambda: render.impact_text(result))


@click.command("hotspots")
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
    ranked = cpm.hotspots(network, top)
    _emit(fmt, [h.to_json() for h in ranked], lambda: render.hotspots_text(ranked))


COMMANDS: tuple[click.Command, ...] = (critical_path_command, impact_command, hotspots_command)
