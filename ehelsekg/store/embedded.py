"""The embedded store: pyoxigraph's, in memory or on disk."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

import pyoxigraph as ox
from rdflib import RDF, URIRef
from rdflib.term import Node

from ehelsekg.errors import DataLoadError, RejectedQueryError
from ehelsekg.namespaces import INFERRED_GRAPH
from ehelsekg.store.base import Store
from ehelsekg.store.changes import QuadChange, removal_filter, update_text
from ehelsekg.store.formats import DATA_FILE_FORMATS, by_suffix
from ehelsekg.store.graphs import INTERNAL_PREFIX, is_file_graph
from ehelsekg.store.reach import QueryReach, ReachMemory
from ehelsekg.store.sparql_text import bind_values, dataset_iris
from ehelsekg.store.state import STATE_GRAPH, StoreState, read_state, revision_update, state_update
from ehelsekg.store.terms import Quad, QueryResult, Triple, from_ox, query_result, to_ox


def parse_rdf_file(path: Path, fmt: ox.RdfFormat | None = None) -> list[ox.Quad]:
    """Every quad of an RDF file, its format from ``fmt`` or the suffix; blank nodes are
    renamed so that two files never share one by accident (one file's stay shared).

    A syntax error is a DataLoadError naming the file and line.
    """
    if fmt is None:
        known = by_suffix(path.suffix)
        if known is None or known.rdf is None:
            suffixes = ", ".join(f.suffix for f in DATA_FILE_FORMATS)
            raise DataLoadError(path, f"not an RDF file (expected one of {suffixes})")
        fmt = known.rdf
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


#: The internal graph an on-disk store records its state in.
_STATE = ox.NamedNode(STATE_GRAPH)


class OxigraphStore(Store):
    """pyoxigraph's store, in memory or on disk."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self._store = ox.Store(str(path)) if path is not None else ox.Store()
        self._revision = 0
        #: The named graphs a query may see, and the revision they were listed at.
        self._visible: tuple[int, list[ox.NamedNode | ox.BlankNode]] | None = None
        #: What the queries asked of this store can read, as far as it has learnt (see
        #: ``reach``): a query that cannot match an inferred triple is not asked of them.
        self.reaches = ReachMemory()
        #: Whether a reach matches a triple of the inferred graph, at one revision.
        self._inferred_matches: tuple[int, dict[QueryReach, bool]] = (0, {})

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
        answer = self.native_query(
            sparql,
            bindings=bindings,
            include_inferred=include_inferred,
            dataset=dataset,
            base_iri=base_iri,
        )
        return query_result(answer, max_rows)

    def native_query(
        self,
        sparql: str,
        *,
        bindings: Mapping[str, Node] | None = None,
        include_inferred: bool = True,
        dataset: tuple[Sequence[str], Sequence[str]] | None = None,
        base_iri: str | None = None,
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """The query's answer as pyoxigraph gives it, not yet read (see ``query``)."""
        unbound = sparql
        if bindings:
            sparql = bind_values(sparql, bindings)
        # The store's default graph holds the asserted triples of all files as a set; the union
        # of named graphs would repeat a triple stated in two files.
        default_graph: list[ox.NamedNode | ox.BlankNode | ox.DefaultGraph] = [ox.DefaultGraph()]
        # GRAPH ?g sees every named graph, or the asserted ones only.
        named_graphs: list[ox.NamedNode | ox.BlankNode] | None = None
        if include_inferred:
            default_graph.append(ox.NamedNode(str(INFERRED_GRAPH)))
            if self._has_graph(_STATE):
                # Internal graphs are never seen (see ``state``).
                named_graphs = self._visible_graphs()
        else:
            named_graphs = [ox.NamedNode(str(g)) for g in self.asserted_graph_names()]
        if dataset is not None:
            # The protocol's default-graph-uri / named-graph-uri replace the dataset.
            defaults, nameds = dataset
            default_graph = [ox.NamedNode(g) for g in defaults] or [ox.DefaultGraph()]
            named_graphs = [ox.NamedNode(g) for g in nameds]
        elif "FROM" in sparql.upper() and dataset_iris(sparql):
            # The query's own FROM / FROM NAMED make its dataset (a graph the store does not
            # hold is empty); pyoxigraph reads them when no dataset is passed.
            try:
                return self._store.query(sparql, base_iri=base_iri)
            except SyntaxError as err:
                raise RejectedQueryError(f"SPARQL syntax {err}") from err
        elif include_inferred and not self.may_read_inferred(unbound):
            # The same answer from the default graph alone, without a union per pattern.
            default_graph = [ox.DefaultGraph()]
        try:
            return self._store.query(
                sparql, base_iri=base_iri, default_graph=default_graph, named_graphs=named_graphs
            )
        except SyntaxError as err:
            raise RejectedQueryError(f"SPARQL syntax {err}") from err

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
        self._record_revision()
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
            if isinstance(graph, ox.NamedNode) and graph.value.startswith(INTERNAL_PREFIX):
                continue
            name = URIRef(graph.value) if isinstance(graph, ox.NamedNode) else None
            yield from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object), name

    def _replace(self, graph: ox.NamedNode, new: list[ox.Triple]) -> None:
        """Replace a named graph, keeping the default graph the set union of asserted graphs."""
        self._revision += 1
        mirrored = graph.value != str(INFERRED_GRAPH)
        if mirrored:
            self._record_revision()
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
        names = {
            URIRef(g.value)
            for g in self._store.named_graphs()
            if isinstance(g, ox.NamedNode) and not g.value.startswith(INTERNAL_PREFIX)
        }
        return sorted(names)

    def triples(self, graphs: Sequence[URIRef] | None = None) -> Iterator[Triple]:
        names = self.graph_names() if graphs is None else list(graphs)
        for name in names:
            for quad in self._store.quads_for_pattern(None, None, None, ox.NamedNode(str(name))):
                yield from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)

    def __len__(self) -> int:
        internal = sum(1 for _ in self._store.quads_for_pattern(None, None, None, _STATE))
        return len(self._store) - internal

    def asserted_triples(self) -> Iterator[Triple]:
        for quad in self._store.quads_for_pattern(None, None, None, ox.DefaultGraph()):
            yield from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)

    def update(self, sparql: str, *, base_iri: str | None = None) -> None:
        self._revision += 1
        self._record_revision()
        try:
            self._store.update(sparql, base_iri=base_iri)
        except SyntaxError as err:
            raise RejectedQueryError(f"SPARQL syntax {err}") from err
        except (OSError, RuntimeError, ValueError) as err:
            raise RejectedQueryError(f"the update failed and nothing was changed: {err}") from err

    def apply_change(self, change: QuadChange) -> None:
        operations = [update_text(change)]
        removal = removal_filter(change)
        functions: dict[ox.NamedNode, object] | None = None
        if removal is not None:
            operations.append(removal[0])
            functions = removal[1]
        text = " ;\n".join(op for op in operations if op)
        if not text:
            return
        if self.path is not None:
            # The store's new revision, in the same transaction (see ``state``).
            text += " ;\n" + revision_update()
        self._revision += 1
        # One update: pyoxigraph applies it in one transaction, all of it or none.
        self._store.update(text, custom_functions=functions)  # type: ignore[arg-type]

    def flush(self) -> None:
        """Make an on-disk store durable now."""
        if self.path is not None:
            self._store.flush()

    # -- the recorded state of an on-disk store (see ``state``) ----------------------------

    def state(self) -> StoreState:
        """What this store records about itself (nothing in memory)."""
        return read_state(self._store)

    def write_state(self, **values: str | int | None) -> None:
        """Record state keys, in one transaction of their own."""
        self._store.update(state_update(**values))

    def clear_for_refill(self) -> None:
        """Remove every graph but the state graph, which keeps saying a fill is under way."""
        self._revision += 1
        for graph in list(self._store.named_graphs()):
            if graph != _STATE:
                self._store.remove_graph(graph)
        self._store.clear_graph(ox.DefaultGraph())

    def may_read_inferred(self, sparql: str) -> bool:
        """Whether ``sparql`` may match a triple of the inferred graph: yes unless its reach
        is known and meets none of them now."""
        reach = self.reaches.known(sparql)
        if reach is None:
            self.reaches.note_asked(sparql)
            return True
        if reach.anything:
            return True
        revision, matches = self._inferred_matches
        if revision != self._revision:
            matches = {}
            self._inferred_matches = (self._revision, matches)
        found = matches.get(reach)
        if found is None:
            found = matches[reach] = self._matches_inferred(reach)
        return found

    def _matches_inferred(self, reach: QueryReach) -> bool:
        graph = ox.NamedNode(str(INFERRED_GRAPH))

        def some(predicate: str, obj: str | None = None) -> bool:
            target = None if obj is None else ox.NamedNode(obj)
            quads = self._store.quads_for_pattern(None, ox.NamedNode(predicate), target, graph)
            return next(iter(quads), None) is not None

        try:
            if any(some(predicate) for predicate in reach.predicates):
                return True
            if reach.any_class:
                return some(str(RDF.type))
            return any(some(str(RDF.type), cls) for cls in reach.classes)
        except ValueError:
            # Not an IRI pyoxigraph accepts: the query cannot run either; ask as before.
            return True

    def _visible_graphs(self) -> list[ox.NamedNode | ox.BlankNode]:
        # Listing the graphs of an on-disk store costs a third of a point query: kept until
        # this object writes.
        if self._visible is None or self._visible[0] != self._revision:
            self._visible = (self._revision, [ox.NamedNode(str(g)) for g in self.graph_names()])
        return self._visible[1]

    def _record_revision(self) -> None:
        # Committed before the write it announces: a crash in between only costs a recompute.
        if self.path is not None:
            self._store.update(revision_update())
