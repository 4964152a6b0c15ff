"""Validation of the store and of a proposed update, with SHACL compiled to SPARQL.

The gate tries an update on a scratch copy, finds which triples it changed, and re-runs only
the shapes whose queries mention a predicate or class of those triples; every other shape's
results are those of the last validation of the store, which is what the update started from.
pyshacl is used instead when the shapes use a feature the compiled validator lacks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from ehelsekg.errors import ReadOnlyGraphError
from ehelsekg.store.base import Store
from ehelsekg.store.changes import QuadChange, difference, graph_names
from ehelsekg.store.embedded import OxigraphStore
from ehelsekg.store.graphs import is_file_graph, is_read_only, writable_graphs
from ehelsekg.store.sparql_text import changes_default_graph_only
from ehelsekg.store.terms import Triple, from_ox
from ehelsekg.validation import baseline_cache
from ehelsekg.validation import compiled as shacl_sparql
from ehelsekg.validation.report import ValidationReport, validate
from ehelsekg.validation.shapes import UnsupportedShape, term

_SUBCLASS_OF = "<http://www.w3.org/2000/01/rdf-schema#subClassOf>"


def written_graphs(store: Store) -> list[URIRef]:
    """The named graphs updates wrote (see ``store.graphs``)."""
    return [URIRef(name) for name in writable_graphs(store.graph_names())]


def validated_graph(store: Store) -> Graph:
    """What the shapes must hold for, as an rdflib graph: the asserted default graph and every
    graph an update wrote (a measure written into a graph of its own is still a measure)."""
    graph = store.export()
    for triple in store.triples(written_graphs(store)):
        graph.add(triple)
    return graph


def validation_view(store: Store) -> Store:
    """A store whose default graph is what the shapes must hold for (see validated_graph):
    ``store`` itself, or a scratch copy with the written graphs merged into its default graph.
    """
    written = written_graphs(store)
    if not written:
        return store
    view = store.scratch_copy()
    for name in written:
        view.update(f"INSERT {{ ?s ?p ?o }} WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}")
    return view


def changed_vocabulary(changed: Iterable[Triple | ox.Triple], store: Store) -> set[str]:
    """The predicates of changed triples, and for a changed ``rdf:type`` its class and every
    superclass (a shape targeting ehk:Prerequisite sees a new ehk:Funding)."""
    vocabulary: set[str] = set()
    classes: set[Node] = set()
    for triple in changed:
        _s, predicate, obj = (
            (from_ox(triple.subject), from_ox(triple.predicate), from_ox(triple.object))
            if isinstance(triple, ox.Triple)
            else triple
        )
        vocabulary.add(str(predicate))
        if predicate == RDF.type:
            classes.add(obj)
    for cls in classes:
        vocabulary.add(str(cls))
        if isinstance(cls, URIRef):
            rows = store.query(
                f"SELECT ?c WHERE {{ {term(cls)} {_SUBCLASS_OF}+ ?c }}", include_inferred=False
            ).rows
            vocabulary.update(str(row[0]) for row in rows)
    return vocabulary


def _copy_with_quads(store: Store, default_only: bool) -> tuple[OxigraphStore, set[ox.Quad]]:
    """A scratch copy of ``store`` and the set of the quads an update may change: those of
    the default graph when it can change nothing else, else all (read once for both)."""
    if isinstance(store, OxigraphStore):
        if default_only:
            copy = OxigraphStore()
            copy._store.bulk_extend(store._store)
            return copy, _quads(store._store, default_only)
        quads = list(store._store)
        copy = OxigraphStore()
        copy._store.bulk_extend(quads)
        return copy, set(quads)
    scratch = store.scratch_copy()
    assert isinstance(scratch, OxigraphStore)
    return scratch, _quads(scratch._store, default_only)


def _quads(native: ox.Store, default_only: bool) -> set[ox.Quad]:
    if default_only:
        return set(native.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    return set(native)


@dataclass(frozen=True)
class Verdict:
    """What the gate found for one update: the report, the raw results (the next baseline if
    the update is applied) and the exact change to apply."""

    report: ValidationReport
    raw: list[shacl_sparql.RawResult] | None
    change: QuadChange


def _keep_source_facts(scratch: OxigraphStore, change: QuadChange) -> QuadChange:
    """Refuse a change to a read-only graph; put back (in ``scratch`` too) the default-graph
    triples a source file states, which only a change of the file removes."""
    for graph in sorted(change.graphs()):
        if graph and is_read_only(graph):
            raise ReadOnlyGraphError(graph)
    native = scratch._store
    kept = []
    for quad in change.removed:
        if not isinstance(quad.graph_name, ox.DefaultGraph):
            continue
        stated = native.quads_for_pattern(quad.subject, quad.predicate, quad.object)
        if any(
            isinstance(other.graph_name, ox.NamedNode) and is_file_graph(other.graph_name.value)
            for other in stated
        ):
            kept.append(quad)
    if not kept:
        return change
    native.extend(kept)
    remaining = tuple(quad for quad in change.removed if quad not in set(kept))
    return replace(change, removed=remaining, kept_source_facts=len(kept))


@dataclass
class Validator:
    """Validates a store with the compiled shapes (or pyshacl), remembering the last results."""

    shapes: Graph
    compiled: shacl_sparql.CompiledShapes | None = None
    #: Raw results of the last full or scoped validation: those of the store the next check
    #: starts from.
    baseline: list[shacl_sparql.RawResult] | None = None
    #: Where baselines are kept by store revision (see ``baseline_cache``); None: nowhere.
    cache_dir: Path | None = field(default=None, repr=False)

    @classmethod
    def for_shapes(cls, shapes: Graph) -> Validator:
        try:
            return cls(shapes=shapes, compiled=shacl_sparql.compile_shapes(shapes))
        except UnsupportedShape:
            return cls(shapes=shapes)

    @property
    def engine(self) -> str:
        return "sparql" if self.compiled is not None else "pyshacl"

    def validate(self, store: Store, *, remember: bool = False) -> ValidationReport:
        """Validate everything; with ``remember``, keep the results for :meth:`check`."""
        if self.compiled is None:
            return validate(validated_graph(store), self.shapes)
        view = validation_view(store)
        if not isinstance(view, OxigraphStore):
            # The compiled shapes run on an in-memory copy, as the gate's checks do: with the
            # same engine as those (a remote engine may not compile them, as Virtuoso 7.2 does
            # not), and without a round trip per constraint.
            view = view.scratch_copy()
        report, raw = shacl_sparql.validate_store(view, self.compiled)
        if remember:
            self.baseline = raw
            self._keep(store)
        return report

    def start(self, store: Store, *, cache_dir: Path | None = None) -> None:
        """Take the gate's baseline of ``store``: the one kept in ``cache_dir`` for the store's
        revision and these shapes if there is one, else by validating (and keep it there)."""
        self.cache_dir = cache_dir
        if self.compiled is None:
            return
        found = baseline_cache.read(cache_dir, store, self.shapes)
        if found is None:
            self.validate(store, remember=True)
            return
        self.baseline = found

    def _keep(self, store: Store) -> None:
        if self.baseline is not None:
            baseline_cache.write(self.cache_dir, store, self.shapes, self.baseline)

    def check(self, store: Store, update: str, *, base_iri: str | None = None) -> Verdict:
        """Validate ``store`` as it would be after ``update``, which runs once, on a scratch
        copy; the verdict carries the exact quads it changed, for the store to apply.

        A change to a read-only graph is refused (ReadOnlyGraphError), however its IRI was
        formed; default-graph triples that a source file states are kept (and counted).
        Only the shapes the change can affect run, if a baseline of ``store`` is known.
        """
        # Most updates can change only the default graph (no GRAPH, WITH or graph management
        # in their text): then only its quads are compared, half the store or less.
        default_only = changes_default_graph_only(update)
        scratch, before = _copy_with_quads(store, default_only)
        native = scratch._store
        graphs_before = graph_names(native)
        scratch.update(update, base_iri=base_iri)
        after = _quads(native, default_only)
        found = difference(before, after, graphs_before, graph_names(native))
        change = _keep_source_facts(scratch, found)
        if self.compiled is None:
            return Verdict(validate(validated_graph(scratch), self.shapes), None, change)
        view = validation_view(scratch)
        if self.baseline is None:
            report, raw = shacl_sparql.validate_store(view, self.compiled)
            return Verdict(report, raw, change)
        # What the shapes see changed only where the update wrote: the default graph and the
        # writable graphs (a change anywhere else was refused above). The exact change scopes
        # the shapes, with no scan of the store before or after.
        changed = {
            quad.triple
            for quad in (*change.added, *change.removed)
            if not isinstance(quad.graph_name, ox.NamedNode)
            or not is_read_only(quad.graph_name.value)
        }
        affected = shacl_sparql.affected_shapes(self.compiled, changed_vocabulary(changed, view))
        report, raw = shacl_sparql.validate_store(
            view, self.compiled, shapes=affected, previous=self.baseline
        )
        return Verdict(report, raw, change)

    def accept(self, raw: list[shacl_sparql.RawResult] | None, store: Store) -> None:
        """The checked update was applied to ``store``: its results are the new baseline."""
        if raw is None or self.compiled is None:
            self.baseline = None
            return
        self.baseline = raw
        self._keep(store)
