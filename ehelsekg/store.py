"""The store behind every query: one small interface, Oxigraph as the embedded default.

Each loaded file lives in a named graph of its own and what reasoning derives lives in
``graph:inferred``, so that a query can see everything (the union of all graphs, the default)
or the asserted facts only. rdflib graphs are still made where a library needs one (pyshacl,
owlrl) by :meth:`Store.export`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Literal as Kind

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from ehelsekg.errors import DataLoadError, RejectedQueryError
from ehelsekg.namespaces import GRAPH, INFERRED_GRAPH, bind_all
from ehelsekg.sparql_text import bind_values

Triple = tuple[Node, Node, Node]
#: A triple and its graph: a named graph's IRI, or None for the default graph.
Quad = tuple[Node, Node, Node, URIRef | None]


NO_GRAPH: Graph = Graph()


@dataclass(frozen=True)
class QueryResult:
    """The answer to a query: rows for SELECT, a boolean for ASK, a graph for CONSTRUCT/DESCRIBE."""

    kind: Kind["select", "ask", "graph"]
    variables: tuple[str, ...] = ()
    rows: tuple[tuple[Node | None, ...], ...] = ()
    boolean: bool | None = None
    #: SELECT and ASK answers share one empty graph (never written to): building an rdflib
    #: Graph for each answer costs more than a small query does.
    graph: Graph = field(default_factory=lambda: NO_GRAPH)
    #: More rows (or triples) than the ``max_rows`` asked for existed; they were not read.
    truncated: bool = False

    def records(self) -> list[dict[str, Node | None]]:
        """SELECT rows as dictionaries keyed by variable name."""
        return [dict(zip(self.variables, row, strict=True)) for row in self.rows]


class Store(ABC):
    """What the rest of the library needs from a triple store."""

    @abstractmethod
    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Node] | None = None,
        include_inferred: bool = True,
        dataset: tuple[Sequence[str], Sequence[str]] | None = None,
        base_iri: str | None = None,
        max_rows: int | None = None,
    ) -> QueryResult:
        """Run a SPARQL query over the asserted default graph plus the inferred graph (or the
        asserted graph only), or over ``dataset`` = (default graph IRIs, named graph IRIs).

        ``bindings`` pre-bind variables to RDF terms; values are never pasted into the text.
        ``base_iri`` resolves relative IRIs in the query (without it they are an error).
        ``max_rows`` stops reading after that many rows or triples (``truncated`` says so).
        """

    @abstractmethod
    def scratch_copy(self) -> Store:
        """An in-memory copy of every graph, to try an update on: whatever happens to the copy,
        this store (which may be on disk and shared with a forked worker) is not written."""

    @abstractmethod
    def replace_graph(self, name: URIRef, triples: Iterable[Triple]) -> None:
        """Make the named graph hold exactly ``triples``, atomically."""

    @abstractmethod
    def load_file(self, path: Path, graph: URIRef) -> None:
        """Parse an RDF file into a named graph (replacing what it held)."""

    @abstractmethod
    def graph_names(self) -> list[URIRef]:
        """The named graphs that hold triples."""

    @abstractmethod
    def triples(self, graphs: Sequence[URIRef] | None = None) -> Iterator[Triple]:
        """All triples of the given graphs (all graphs by default)."""

    @abstractmethod
    def __len__(self) -> int:
        """Number of quads in the store."""

    @abstractmethod
    def asserted_triples(self) -> Iterator[Triple]:
        """The default graph: every file's triples as one set, plus what updates added."""

    @abstractmethod
    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        """Run a SPARQL update as one transaction: all of it applies, or none of it.

        ``base_iri`` resolves relative IRIs in the update (without it they are an error).
        """

    @abstractmethod
    def load_dataset(
        self, graphs: Mapping[URIRef, Sequence[Triple]], default: Sequence[Triple] = ()
    ) -> None:
        """Replace each named graph in ``graphs``, and the default graph's own triples (those
        no file's graph states) by ``default``, in one write where the store can.

        Afterwards the default graph is the union of the files' graphs (see
        :func:`is_file_graph`) plus ``default``; any other graph (the inferred graph, graphs
        updates wrote) is written as it is. Blank nodes shared between graphs stay one node.
        """

    def dataset_quads(self) -> Iterator[Quad]:
        """Every quad: the default graph's (graph ``None``), then each named graph's."""
        for s, p, o in self.asserted_triples():
            yield s, p, o, None
        for name in self.graph_names():
            for s, p, o in self.triples([name]):
                yield s, p, o, name

    def asserted_graph_names(self) -> list[URIRef]:
        return [name for name in self.graph_names() if name != INFERRED_GRAPH]

    @property
    def revision(self) -> int | None:
        """A number that changes whenever this store is written through this object; None
        where it can change behind our back (a remote endpoint), so nothing may be cached."""
        return None

    def change_graph(self, name: URIRef, add: Iterable[Triple], remove: Iterable[Triple]) -> None:
        """Add and remove triples of one named graph (not mirrored into the default graph)."""
        removing = set(remove)
        kept = [t for t in self.triples([name]) if t not in removing]
        self.replace_graph(name, [*kept, *add])

    def asserted_snapshot(self) -> object:
        """What the asserted default graph holds now, for :meth:`asserted_changes`."""
        return frozenset(self.asserted_triples())

    def asserted_changes(self, snapshot: object) -> tuple[object, set[Triple], set[Triple]]:
        """(a new snapshot, triples added, triples removed) of the asserted default graph
        since ``snapshot``."""
        assert isinstance(snapshot, frozenset)
        now = frozenset(self.asserted_triples())
        return now, set(now - snapshot), set(snapshot - now)

    def export(self, graphs: Sequence[URIRef] | None = None) -> Graph:
        """An rdflib copy of the given graphs (the asserted default graph by default)."""
        graph = bind_all(Graph())
        triples = self.asserted_triples() if graphs is None else self.triples(graphs)
        for triple in triples:
            graph.add(triple)
        return graph


def is_file_graph(name: URIRef) -> bool:
    """Whether a named graph holds a file's triples (under ``graph:``, or a ``file:`` IRI for a
    file from elsewhere) and so is mirrored into the default graph; the inferred graph is not."""
    return str(name).startswith((str(GRAPH), "file:")) and name != INFERRED_GRAPH


################################################################ Oxigraph

_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".trig": ox.RdfFormat.TRIG,
    ".nq": ox.RdfFormat.N_QUADS,
}


def parse_rdf_file(path: Path, fmt: ox.RdfFormat | None = None) -> list[ox.Quad]:
    """Every quad of an RDF file, its format from ``fmt`` or the suffix; blank nodes are
    renamed so that two files never share one by accident (one file's stay shared).

    A syntax error is a DataLoadError naming the file and line.
    """
    fmt = fmt or _FORMATS.get(path.suffix)
    if fmt is None:
        raise DataLoadError(path, f"not an RDF file (expected one of {', '.join(_FORMATS)})")
    try:
        return list(
            ox.parse(
                path=str(path),
                format=fmt,
                base_iri=path.resolve().as_uri(),
                rename_blank_nodes=True,
            )
        )
    except SyntaxError as err:
        line = err.args[1][1] if len(err.args) > 1 and err.args[1] else None
        raise DataLoadError(path, f"syntax error: {err.msg}", line=line) from err
    except OSError as err:
        raise DataLoadError(path, f"cannot be read: {err}") from err


def query_result(answer: object, max_rows: int | None) -> QueryResult:
    """A pyoxigraph answer (solutions, boolean or triples) as a QueryResult, reading at most
    ``max_rows`` rows or triples (one more, to know whether there were more)."""
    if isinstance(answer, ox.QueryBoolean):
        return QueryResult(kind="ask", boolean=bool(answer))
    read = None if max_rows is None else max_rows + 1
    if isinstance(answer, ox.QuerySolutions):
        variables = tuple(v.value for v in answer.variables)
        columns = range(len(variables))
        rows = tuple(
            tuple(None if (term := s[i]) is None else from_ox(term) for i in columns)
            for s in islice(answer, read)
        )
        truncated = max_rows is not None and len(rows) > max_rows
        return QueryResult(
            kind="select",
            variables=variables,
            rows=rows[:max_rows] if truncated else rows,
            truncated=truncated,
        )
    graph = bind_all(Graph())
    triples = list(islice(answer, read))  # type: ignore[call-overload]
    truncated = max_rows is not None and len(triples) > max_rows
    for triple in triples[:max_rows] if truncated else triples:
        graph.add((from_ox(triple.subject), from_ox(triple.predicate), from_ox(triple.object)))
    return QueryResult(kind="graph", graph=graph, truncated=truncated)


def to_ox(node: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An rdflib term as a pyoxigraph term."""
    if isinstance(node, URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, BNode):
        return ox.BlankNode(str(node))
    if isinstance(node, Literal):
        if node.language:
            return ox.Literal(str(node), language=node.language)
        if node.datatype:
            return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
        return ox.Literal(str(node))
    raise TypeError(f"cannot store {node!r} in Oxigraph")


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def from_ox(term: object) -> Node:
    """A pyoxigraph term as an rdflib term (plain strings stay plain, as rdflib writes them)."""
    # Results repeat the same IRIs and literals row after row, and building an rdflib term
    # costs more than the query's own work on wide answers: converted terms are kept.
    try:
        return _converted[term]
    except KeyError:
        pass
    except TypeError:
        raise TypeError(f"unexpected term {term!r}") from None
    node = _convert(term)
    if len(_converted) >= _MAX_CONVERTED:
        _converted.clear()
    _converted[term] = node
    return node


_converted: dict[object, Node] = {}
_MAX_CONVERTED = 200_000


def _convert(term: object) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    raise TypeError(f"unexpected term {term!r}")


class OxigraphStore(Store):
    """pyoxigraph's store, in memory or on disk."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._store = ox.Store(str(path)) if path is not None else ox.Store()
        self._revision = 0

    @property
    def revision(self) -> int | None:
        return self._revision

    def query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Node] | None = None,
        include_inferred: bool = True,
        dataset: tuple[Sequence[str], Sequence[str]] | None = None,
        base_iri: str | None = None,
        max_rows: int | None = None,
    ) -> QueryResult:
        if bindings:
            sparql = bind_values(sparql, bindings)
        # The store's default graph holds the asserted triples of all files as a set; the union
        # of named graphs would repeat a triple stated in two files.
        default_graph: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = [ox.DefaultGraph()]
        # GRAPH ?g sees every named graph, or the asserted ones only.
        named_graphs: list[ox.NamedNode | ox.BlankNode] | None = None
        if include_inferred:
            default_graph.append(ox.NamedNode(str(INFERRED_GRAPH)))
        else:
            named_graphs = [ox.NamedNode(str(g)) for g in self.asserted_graph_names()]
        if dataset is not None:
            # The protocol's default-graph-uri / named-graph-uri replace the dataset.
            defaults, nameds = dataset
            default_graph = [ox.NamedNode(g) for g in defaults] or [ox.DefaultGraph()]
            named_graphs = [ox.NamedNode(g) for g in nameds]
        try:
            answer = self._store.query(
                sparql, base_iri=base_iri, default_graph=default_graph, named_graphs=named_graphs
            )
        except SyntaxError as err:
            raise RejectedQueryError(f"SPARQL syntax {err}") from err
        return query_result(answer, max_rows)

    def change_graph(self, name: URIRef, add: Iterable[Triple], remove: Iterable[Triple]) -> None:
        self._revision += 1
        graph = ox.NamedNode(str(name))
        for s, p, o in remove:
            self._store.remove(ox.Quad(to_ox(s), to_ox(p), to_ox(o), graph))  # type: ignore[arg-type]
        self._store.extend(
            ox.Quad(to_ox(s), to_ox(p), to_ox(o), graph)  # type: ignore[arg-type]
            for s, p, o in add
        )

    def asserted_snapshot(self) -> object:
        # pyoxigraph's own triples: no term is converted until it is known to have changed.
        return frozenset(
            quad.triple
            for quad in self._store.quads_for_pattern(None, None, None, ox.DefaultGraph())
        )

    def asserted_changes(self, snapshot: object) -> tuple[object, set[Triple], set[Triple]]:
        assert isinstance(snapshot, frozenset)
        now = self.asserted_snapshot()
        assert isinstance(now, frozenset)

        def converted(triples: frozenset[ox.Triple]) -> set[Triple]:
            return {(from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)) for t in triples}

        return now, converted(now - snapshot), converted(snapshot - now)

    def scratch_copy(self) -> OxigraphStore:
        copy = OxigraphStore()
        copy._store.bulk_extend(self._store)
        return copy

    def replace_graph(self, name: URIRef, triples: Iterable[Triple]) -> None:
        graph = ox.NamedNode(str(name))
        new = [ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in triples]  # type: ignore[arg-type]
        self._replace(graph, new)

    def load_file(self, path: Path, graph: URIRef) -> None:
        quads = parse_rdf_file(path)
        self._replace(ox.NamedNode(str(graph)), [q.triple for q in quads])

    def load_dataset(
        self, graphs: Mapping[URIRef, Sequence[Triple]], default: Sequence[Triple] = ()
    ) -> None:
        self._revision += 1
        mirrored: list[ox.Triple] = []
        for name, triples in graphs.items():
            graph = ox.NamedNode(str(name))
            new = [ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in triples]  # type: ignore[arg-type]
            if self._has_graph(graph):
                self._store.remove_graph(graph)
            self._store.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in new)
            if is_file_graph(name):
                mirrored += new
        files = [
            g
            for g in self._store.named_graphs()
            if isinstance(g, ox.NamedNode) and is_file_graph(URIRef(g.value))
        ]
        stated = {
            q.triple for g in files for q in self._store.quads_for_pattern(None, None, None, g)
        }
        home = ox.DefaultGraph()
        for quad in list(self._store.quads_for_pattern(None, None, None, home)):
            if quad.triple not in stated:
                self._store.remove(quad)
        extra = [ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in default]  # type: ignore[arg-type]
        self._store.extend(
            ox.Quad(t.subject, t.predicate, t.object, home) for t in [*mirrored, *extra]
        )

    def dataset_quads(self) -> Iterator[Quad]:
        for quad in self._store:
            graph = quad.graph_name
            name = URIRef(graph.value) if isinstance(graph, ox.NamedNode) else None
            yield from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object), name

    def _replace(self, graph: ox.NamedNode, new: list[ox.Triple]) -> None:
        """Replace a named graph, keeping the default graph the set union of asserted graphs."""
        self._revision += 1
        mirrored = graph.value != str(INFERRED_GRAPH)
        old: list[ox.Triple] = []
        if self._has_graph(graph):
            old = [q.triple for q in self._store.quads_for_pattern(None, None, None, graph)]
            self._store.remove_graph(graph)
        self._store.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in new)
        if not mirrored:
            return
        keep = set(new)
        default = ox.DefaultGraph()
        for triple in old:
            if triple not in keep and not self._stated_elsewhere(triple):
                self._store.remove(
                    ox.Quad(triple.subject, triple.predicate, triple.object, default)
                )
        self._store.extend(ox.Quad(t.subject, t.predicate, t.object, default) for t in new)

    def _stated_elsewhere(self, triple: ox.Triple) -> bool:
        for quad in self._store.quads_for_pattern(triple.subject, triple.predicate, triple.object):
            graph = quad.graph_name
            if isinstance(graph, ox.NamedNode) and graph.value != str(INFERRED_GRAPH):
                return True
        return False

    def _has_graph(self, graph: ox.NamedNode) -> bool:
        return bool(self._store.contains_named_graph(graph))

    def graph_names(self) -> list[URIRef]:
        names = {URIRef(g.value) for g in self._store.named_graphs() if isinstance(g, ox.NamedNode)}
        return sorted(names)

    def triples(self, graphs: Sequence[URIRef] | None = None) -> Iterator[Triple]:
        names = self.graph_names() if graphs is None else list(graphs)
        for name in names:
            for quad in self._store.quads_for_pattern(None, None, None, ox.NamedNode(str(name))):
                yield from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)

    def __len__(self) -> int:
        return len(self._store)

    def asserted_triples(self) -> Iterator[Triple]:
        for quad in self._store.quads_for_pattern(None, None, None, ox.DefaultGraph()):
            yield from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        self._revision += 1
        try:
            self._store.update(sparql, base_iri=base_iri)
        except SyntaxError as err:
            raise RejectedQueryError(f"SPARQL syntax {err}") from err
        except (OSError, RuntimeError, ValueError) as err:
            raise RejectedQueryError(f"the update failed and nothing was changed: {err}") from err

    def flush(self) -> None:
        """Make an on-disk store durable now."""
        if self.path is not None:
            self._store.flush()


#: What ``--store`` accepts, for help texts and errors.
STORE_FORMS = "'memory', 'oxigraph:PATH' (on disk) or 'sparql:URL' (a SPARQL 1.1 endpoint)"


def open_store(spec: str) -> Store:
    """A store from a ``--store`` value: ``memory``, ``oxigraph:PATH`` or ``sparql:URL``
    (see ``docs/STORES.md`` for the URL forms)."""
    if spec == "memory":
        return OxigraphStore()
    kind, _, location = spec.partition(":")
    if kind == "oxigraph" and location:
        return OxigraphStore(Path(location))
    if kind == "sparql" and location:
        from ehelsekg.remote_store import RemoteStore

        return RemoteStore.from_spec(location)
    raise DataLoadError(Path(spec), f"unknown store; use {STORE_FORMS}")
