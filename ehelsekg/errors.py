"""Every error a user can act on, in one place. Each kind carries the CLI's exit code and the
server's HTTP status and stable code; the CLI and the server translate them at their boundary
only (``cli``: ``error: …`` and the exit code; ``server.errors``: the one JSON error shape).

>>> err = ReadOnlyGraphError("https://w3id.org/ehelsekg/graph/inferred")
>>> err.http_status, err.code, err.exit_code
(403, 'read-only', 11)
"""

from __future__ import annotations

from pathlib import Path


class EhelsekgError(Exception):
    """Base class of every error a user can act on."""

    #: Exit code the CLI uses for this kind of error.
    exit_code: int = 3
    #: HTTP status and stable code the server answers with.
    http_status: int = 400
    code: str = "error"
    #: A retryable failure (the server adds Retry-After).
    retryable: bool = False


class DataLoadError(EhelsekgError):
    """A data or ontology file could not be read or parsed."""

    exit_code = 2
    code = "bad-data"

    def __init__(self, path: Path, message: str, *, line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.reason = message
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {message}")

    def __reduce__(self) -> tuple[object, ...]:
        # Raised in a worker, it crosses a pipe: pickle it with its arguments.
        return _rebuild_load_error, (self.path, self.reason, self.line)


def _rebuild_load_error(path: Path, reason: str, line: int | None) -> DataLoadError:
    return DataLoadError(path, reason, line=line)


class UnknownQueryError(EhelsekgError):
    """A named query that does not exist was asked for."""

    exit_code = 4
    http_status = 404
    code = "unknown-query"


class BadParameterError(EhelsekgError):
    """A query parameter is missing, undeclared or of the wrong type."""

    exit_code = 5
    http_status = 422
    code = "bad-parameter"


class RejectedQueryError(EhelsekgError):
    """A query was refused before it ran (syntax error, forbidden feature, too large)."""

    exit_code = 6
    code = "rejected-query"


class CycleError(EhelsekgError):
    """The dependencies to analyse form a cycle, so no order exists."""

    exit_code = 7
    http_status = 422
    code = "dependency-cycle"

    def __init__(self, cycles: list[list[dict[str, str | None]]]) -> None:
        self.cycles = cycles
        described = [
            " → ".join(f"{step['label']}" for step in cycle) + f" → {cycle[0]['label']}"
            for cycle in cycles
        ]
        super().__init__("the dependencies form a cycle: " + "; ".join(described))

    def __reduce__(self) -> tuple[object, ...]:
        return type(self), (self.cycles,)


class QueryTimeout(EhelsekgError):
    """A job was stopped at its time limit."""

    exit_code = 8
    http_status = 503
    code = "timeout"
    retryable = True


class WorkerCrashed(EhelsekgError):
    """A worker process died while running a job (it has been replaced)."""

    exit_code = 9
    http_status = 503
    code = "worker-stopped"
    retryable = True


class RemoteStoreError(EhelsekgError):
    """The SPARQL endpoint behind ``--store sparql:URL`` cannot be reached or refused a write."""

    exit_code = 10
    http_status = 503
    code = "store-unavailable"
    retryable = True

    def __init__(self, url: str, message: str) -> None:
        self.url = url
        self.detail = message
        super().__init__(f"{url}: {message}")

    def __reduce__(self) -> tuple[object, ...]:
        # Raised in a query worker, it crosses a pipe: pickle it with both arguments.
        return type(self), (self.url, self.detail)


class ReadOnlyGraphError(EhelsekgError):
    """A write would change a graph that only its file or the reasoner may change."""

    exit_code = 11
    http_status = 403
    code = "read-only"

    def __init__(self, graph: str, why: str = "") -> None:
        self.graph = graph
        self.why = why
        super().__init__(
            f"the update would change the read-only graph <{graph}>"
            + (f" ({why})" if why else "")
            + "; nothing was changed. Write into the default graph or a graph of your own"
        )

    def __reduce__(self) -> tuple[object, ...]:
        return type(self), (self.graph, self.why)


class StoreNotReadyError(EhelsekgError):
    """The store is incomplete (a first load was interrupted) and cannot be served as is."""

    exit_code = 12
    http_status = 503
    code = "store-incomplete"
