"""Moving the whole graph into and out of any store, as N-Quads or TriG.

A dump holds every named graph as it is (each file's graph, the inferred graph, graphs that
updates wrote) and, in the default graph, the default graph's triples that no file's graph
states (what updates wrote there); the rest of the default graph is the union of the files'
graphs, and comes back from them. Loading a dump replaces the graphs it names, so that
``load(dump(x))`` into an empty store gives the same quads as ``x``.

>>> from ehelsekg.store.embedded import OxigraphStore
>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> store = OxigraphStore()
>>> store.update("INSERT DATA { <http://e/a> <http://e/p> 1 }")
>>> store.update("INSERT DATA { GRAPH <http://e/g> { <http://e/b> <http://e/p> 2 } }")
>>> dump(store, folder / "all.nq")
Transferred(graphs=1, quads=2)
>>> copy = OxigraphStore()
>>> load(copy, folder / "all.nq")
Transferred(graphs=1, quads=2)
>>> len(copy)
2
"""

from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import URIRef

from ehelsekg.errors import BadParameterError
from ehelsekg.namespaces import all_prefixes
from ehelsekg.store import state as store_state
from ehelsekg.store.base import Store
from ehelsekg.store.embedded import OxigraphStore, parse_rdf_file
from ehelsekg.store.formats import DATASET_FORMATS
from ehelsekg.store.graphs import INTERNAL_PREFIX, is_file_graph
from ehelsekg.store.terms import Quad, Triple, from_ox, to_ox

#: ``--format`` values (see ``formats``), and the file suffixes that choose them.
FORMATS = {fmt.name: fmt.rdf for fmt in DATASET_FORMATS if fmt.rdf is not None}
SUFFIXES = {fmt.suffix: fmt.name for fmt in DATASET_FORMATS}


@dataclass(frozen=True)
class Transferred:
    """How much was moved: named graphs and quads (default-graph triples included)."""

    graphs: int
    quads: int


def rdf_format(path: Path | None, fmt: str | None = None) -> ox.RdfFormat:
    """The format ``fmt`` names, or else the one ``path``'s suffix implies."""
    name = fmt or (SUFFIXES.get(path.suffix.lower()) if path is not None else None)
    if name is None:
        where = f"{path}: " if path is not None else ""
        raise BadParameterError(
            f"{where}cannot tell the format; name the file *.nq or *.trig, or give --format"
            f" ({', '.join(FORMATS)})"
        )
    if name not in FORMATS:
        raise BadParameterError(f"unknown format {name!r}; use one of {', '.join(FORMATS)}")
    return FORMATS[name]


def dump_quads(store: Store) -> list[Quad]:
    """What a dump holds, sorted (graph, subject, predicate, object) so that dumps diff well."""
    quads = list(store.dataset_quads())
    from_files = {(s, p, o) for s, p, o, g in quads if g is not None and is_file_graph(g)}
    kept = [q for q in quads if q[3] is not None or (q[0], q[1], q[2]) not in from_files]
    return sorted(kept, key=lambda q: ("" if q[3] is None else str(q[3]), *(t.n3() for t in q[:3])))


def _ox_quad(quad: Quad) -> ox.Quad:
    s, p, o, g = quad
    graph = ox.DefaultGraph() if g is None else ox.NamedNode(str(g))
    return ox.Quad(to_ox(s), to_ox(p), to_ox(o), graph)  # type: ignore[arg-type]


def dump(store: Store, output: Path | None, *, fmt: str | None = None) -> Transferred:
    """Write ``store``'s dump to ``output`` (``None``: standard output), all at once: a file is
    replaced only when the whole dump is written."""
    rdf = rdf_format(output, fmt)
    quads = dump_quads(store)
    prefixes = all_prefixes() if rdf == ox.RdfFormat.TRIG else None
    body = ox.serialize((_ox_quad(q) for q in quads), format=rdf, prefixes=prefixes)
    assert body is not None
    if output is None:
        sys.stdout.buffer.write(body)
        sys.stdout.buffer.flush()
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.")
        with os.fdopen(handle, "wb") as written:
            written.write(body)
        os.replace(temporary, output)
    return Transferred(graphs=len({q[3] for q in quads if q[3] is not None}), quads=len(quads))


@dataclass(frozen=True)
class Dump:
    """A dump read into memory: its named graphs and its default-graph triples."""

    graphs: dict[URIRef, list[Triple]]
    default: list[Triple]

    @property
    def size(self) -> Transferred:
        quads = sum(len(t) for t in self.graphs.values()) + len(self.default)
        return Transferred(graphs=len(self.graphs), quads=quads)


def read_dump(path: Path, *, fmt: str | None = None) -> Dump:
    """Parse a whole dump; a syntax error is a DataLoadError naming the file and line. Blank
    nodes shared between graphs stay shared; a store's internal graphs are left out."""
    graphs: dict[URIRef, list[Triple]] = {}
    default: list[Triple] = []
    for quad in parse_rdf_file(path, rdf_format(path, fmt)):
        triple = (from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object))
        graph = quad.graph_name
        if isinstance(graph, ox.NamedNode):
            if graph.value.startswith(INTERNAL_PREFIX):
                continue
            graphs.setdefault(URIRef(graph.value), []).append(triple)
        else:
            default.append(triple)
    return Dump(graphs=graphs, default=default)


def write_dump(store: Store, dump: Dump) -> Transferred:
    """Put a parsed dump into ``store``, replacing the graphs it names and the default graph's
    own triples (one update on a SPARQL endpoint: all of it or none).

    An on-disk store records that a load began before it writes, and that it is complete only
    once everything is written (see ``state``): a load stopped half-way is never served.
    """
    on_disk = isinstance(store, OxigraphStore) and store.path is not None
    if on_disk:
        assert isinstance(store, OxigraphStore)
        store.write_state(status=store_state.LOADING, begun_by="an `ehelsekg load`")
    store.load_dataset(dump.graphs, dump.default)
    if isinstance(store, OxigraphStore):
        store.flush()
    if on_disk:
        assert isinstance(store, OxigraphStore)
        store.write_state(status=store_state.COMPLETE, begun_by=None)
    return dump.size


def load(store: Store, path: Path, *, fmt: str | None = None) -> Transferred:
    """Read the dump at ``path`` into ``store``. The whole file is parsed first, so a broken
    file leaves the store as it was."""
    return write_dump(store, read_dump(path, fmt=fmt))
