"""What every command shares: its options, each written once, and their meaning.

The settings (``ehelsekg/settings.py``) are the defaults: ``--store`` is the ``EHELSEKG_STORE``
setting unless given, and ``--home`` (on the group) replaces only the home. Domain errors
become ``error: …`` and the exit code of their kind here, and only here.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar, cast

import click

from ehelsekg.errors import BadParameterError, EhelsekgError
from ehelsekg.knowledge import KnowledgeGraph, open_knowledge_graph
from ehelsekg.settings import Settings
from ehelsekg.store.opening import STORE_FORMS

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


def settings_of(ctx: click.Context) -> Settings:
    """The settings the group made (``ehelsekg --home …``), or the environment's when a command
    runs on its own."""
    settings = ctx.find_object(Settings)
    return settings if settings is not None else Settings.from_environment()


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


def _store_from_settings(ctx: click.Context, _param: click.Parameter, value: str | None) -> str:
    return value if value is not None else settings_of(ctx).store


def store_option(
    *, required: bool = False, help: str = "Where the graph lives"
) -> Callable[[F], F]:
    """``--store``: memory, oxigraph:PATH or sparql:URL; unless given (or ``required``), the
    ``EHELSEKG_STORE`` setting, whose own default is memory."""
    if required:
        return click.option("--store", required=True, help=f"{help}: {STORE_FORMS}.")
    return click.option(
        "--store",
        default=None,
        callback=_store_from_settings,
        show_default="EHELSEKG_STORE, else memory",
        help=f"{help}: {STORE_FORMS}; see docs/STORES.md.",
    )


def asserted_only_option(command: F) -> F:
    """``--asserted-only``: leave out the inferred graph."""
    return click.option(
        "--asserted-only",
        is_flag=True,
        help="Leave out what reasoning derived (the inferred graph).",
    )(command)


def format_option(
    choices: Sequence[str], default: str | None, help: str | None = None
) -> Callable[[F], F]:
    """``--format`` (the parameter ``fmt``) with the given choices."""
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(list(choices)),
        default=default,
        show_default=default is not None,
        help=help,
    )


def params_option(command: F) -> F:
    """``--param``/``-p key=value``, repeatable; read with :func:`parse_params`."""
    return click.option(
        "--param", "-p", "params", multiple=True, help="A parameter as key=value (repeatable)."
    )(command)


def base_url_option(help: str) -> Callable[[F], F]:
    """``--base-url``: where the endpoint's ``/resource/…`` pages are."""
    return click.option("--base-url", default="", show_default=True, help=help)


def parse_params(pairs: Sequence[str]) -> dict[str, str]:
    """``--param`` values as a dict; BadParameterError (exit 5) for one without ``=``.

    >>> parse_params(["goal=4", "actor=Helse Sør-Øst", "note=a=b"])
    {'goal': '4', 'actor': 'Helse Sør-Øst', 'note': 'a=b'}
    """
    values: dict[str, str] = {}
    for pair in pairs:
        key, equals, value = pair.partition("=")
        if not equals or not key:
            raise BadParameterError(f"--param {pair!r}: write it as key=value")
        values[key.strip()] = value
    return values


def open_knowledge(
    settings: Settings, store: str, extra: Sequence[Path], only: Sequence[Path]
) -> KnowledgeGraph:
    """The knowledge graph the data options and ``--store`` name."""
    return open_knowledge_graph(settings, store=store, extra=extra, only=list(only) or None)
