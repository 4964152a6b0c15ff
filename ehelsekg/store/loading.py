"""Reading Turtle into rdflib graphs, with errors that name the file and line."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

from rdflib import Graph
from rdflib.plugins.parsers.notation3 import BadSyntax

from ehelsekg.errors import DataLoadError
from ehelsekg.namespaces import bind_all
from ehelsekg.settings import Settings
from ehelsekg.store.formats import DATA_FILE_FORMATS, by_suffix

#: File endings read as RDF (see ``formats``).
RDF_SUFFIXES = tuple(fmt.suffix for fmt in DATA_FILE_FORMATS)


def rdf_files(paths: Iterable[Path]) -> list[Path]:
    """Expand files and folders into the RDF files they hold, folders recursively and sorted.

    A path that does not exist, or a file whose ending is not an RDF format, is an error.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(p for p in path.rglob("*") if p.suffix in RDF_SUFFIXES and p.is_file())
            )
        elif path.is_file():
            if path.suffix not in RDF_SUFFIXES:
                known = ", ".join(RDF_SUFFIXES)
                raise DataLoadError(path, f"not an RDF file (expected one of {known})")
            found.append(path)
        else:
            raise DataLoadError(path, "no such file or folder")
    return found


def parse_file(path: Path, into: Graph | None = None) -> Graph:
    """Parse one RDF file into ``into`` (a new graph by default) and return that graph."""
    graph = Graph() if into is None else into
    fmt = by_suffix(path.suffix) or DATA_FILE_FORMATS[0]
    try:
        # rdflib names its parsers by media type too.
        graph.parse(path, format=fmt.media_type)
    except BadSyntax as err:
        # rdflib counts lines from zero.
        raise DataLoadError(path, f"syntax error: {err._why}", line=err.lines + 1) from err
    except (OSError, UnicodeDecodeError) as err:
        raise DataLoadError(path, f"cannot be read: {err}") from err
    except Exception as err:
        raise DataLoadError(path, f"cannot be parsed: {err}") from err
    return graph


def data_paths(
    settings: Settings, *, extra: Sequence[Path] = (), only: Sequence[Path] | None = None
) -> list[Path]:
    """The data files to load: the bundled data plus ``extra``, or ``only`` instead."""
    roots = list(only) if only is not None else [settings.data_dir, *extra]
    return rdf_files(roots)


def ontology_paths(settings: Settings) -> list[Path]:
    """The ontology files, which always load."""
    return rdf_files([settings.ontology_dir])


def load_graph(
    settings: Settings, *, extra: Sequence[Path] = (), only: Sequence[Path] | None = None
) -> Graph:
    """One rdflib graph with the ontology and the data (see :func:`data_paths`)."""
    graph = bind_all(Graph())
    for path in [*ontology_paths(settings), *data_paths(settings, extra=extra, only=only)]:
        parse_file(path, into=graph)
    return graph


def load_shapes(settings: Settings) -> Graph:
    """All SHACL shapes in ``shapes/`` as one graph.

    Parsed by Oxigraph, ten times faster than rdflib's parser: the shapes load at every start.
    """
    from ehelsekg.store.embedded import parse_rdf_file
    from ehelsekg.store.terms import from_ox

    graph = bind_all(Graph())
    for path in rdf_files([settings.shapes_dir]):
        for quad in parse_rdf_file(path):
            graph.add((from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)))
    return graph
