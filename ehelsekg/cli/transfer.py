"""Moving a whole store out and in: ``dump`` and ``load`` (N-Quads or TriG)."""

from __future__ import annotations

from pathlib import Path

import click

from ehelsekg.cli.options import (
    F,
    data_options,
    domain_errors,
    format_option,
    open_knowledge,
    store_option,
)
from ehelsekg.errors import BadParameterError
from ehelsekg.settings import Settings
from ehelsekg.store import transfer
from ehelsekg.store.opening import open_store


def transfer_format_option(command: F) -> F:
    """``--format nquads|trig``; default: by the file's suffix."""
    return format_option(
        sorted(transfer.FORMATS),
        None,
        "nquads or trig; default: by the file's suffix (.nq, .trig).",
    )(command)


@click.command("dump")
@click.argument("output", type=click.Path(path_type=Path, dir_okay=False, allow_dash=True))
@transfer_format_option
@data_options
@store_option()
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
        source = open_knowledge(settings, store, extra, only).store
    elif extra or only:
        raise BadParameterError(
            "--data and --only go with --store memory; use load to fill a store"
        )
    else:
        source = open_store(store)
    target = None if str(output) == "-" else output
    moved = transfer.dump(source, target, fmt=fmt)
    click.echo(f"{output}: {moved.quads} quads, {moved.graphs} named graphs", err=True)


@click.command("load")
@click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path, dir_okay=False))
@transfer_format_option
# Loading writes, so the store is always named: it never falls back to a setting.
@store_option(required=True, help="The store to load into")
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


COMMANDS: tuple[click.Command, ...] = (dump_command, load_command)
