"""Domain exceptions. The CLI and the server translate them at their boundary only."""

from __future__ import annotations

from pathlib import Path


class EhelsekgError(Exception):
    """Base class of every error a user can act on."""

    #: Exit code the CLI uses for this kind of error.
    exit_code: int = 3


class DataLoadError(EhelsekgError):
    """A data or ontology file could not be read or parsed."""

    exit_code = 2

    def __init__(self, path: Path, message: str, *, line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.reason = message
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {message}")


class UnknownQueryError(EhelsekgError):
    """A named query that does not exist was asked for."""

    exit_code = 4


class BadParameterError(EhelsekgError):
    """A query parameter is missing, undeclared or of the wrong type."""

    exit_code = 5


class RejectedQueryError(EhelsekgError):
    """A query was refused before it ran (syntax error, forbidden feature, too large)."""

    exit_code = 6
