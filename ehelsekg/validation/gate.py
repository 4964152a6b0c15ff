"""Validation of the store and of a proposed update, with SHACL compiled to SPARQL.

The gate tries an update on a scratch copy, finds which triples it changed, and re-runs only
the shapes whose queries mention a predicate or class of those triples; every other shape's
results are those of the last validation of the store, which is what the update started from.
pyshacl is used instead when the shapes use a feature the compiled validator lacks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import RDF
from rdflib.term import Node

from ehelsekg.namespaces import GRAPH, INFERRED_GRAPH
from ehelsekg.store.base import Store
from ehelsekg.store.embedded import OxigraphStore
from ehelsekg.store.terms import Triple, from_ox
from ehelsekg.validation import compiled as shacl_sparql
from ehelsekg.validation.report import ValidationReport, validate
from ehelsekg.validation.shapes import UnsupportedShape, term

_SUBCLASS_OF = "<http://www.w3.org/2000/01/rdf-schema#subClassOf>"


def written_graphs(store: Store) -> list[URIRef]:
    """The named graphs updates wrote: not a file's graph (under ``graph:``, or a ``file:``
    IRI for a file from elsewhere), nor the inferred graph."""
    return [
        name
        for name in store.graph_names()
        if not str(name).startswith((str(GRAPH), "file:")) and name != INFERRED_GRAPH
    ]


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


def view_triples(store: Store) -> set[ox.Triple]:
    """The triples validation sees (see validated_graph), as pyoxigraph triples: read from an
    Oxigraph store without converting each term, which is most of the cost of a diff."""
    if not isinstance(store, OxigraphStore):
        store = store.scratch_copy()
    assert isinstance(store, OxigraphStore)
    native = store._store
    graphs: list[ox.NamedNode | ox.DefaultGraph] = [ox.DefaultGraph()]
    graphs += [ox.NamedNode(str(name)) for name in written_graphs(store)]
    return {
        quad.triple
        for graph in graphs
        for quad in native.quads_for_pattern(None, None, None, graph)
    }


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


@dataclass
class Validator:
    """Validates a store with the compiled shapes (or pyshacl), remembering the last results."""

    shapes: Graph
    compiled: shacl_sparql.CompiledShapes | None = None
    #: Raw results of the last full or scoped validation, and the triples it saw.
    baseline: list[shacl_sparql.RawResult] | None = None
    baseline_triples: set[ox.Triple] = field(default_factory=set)

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
            self.baseline_triples = view_triples(store)
        return report

    def check(
        self, store: Store, update: str, *, base_iri: str | None = None
    ) -> tuple[ValidationReport, list[shacl_sparql.RawResult] | None]:
        """Validate ``store`` as it would be after ``update``, which runs on a scratch copy.

        Only the shapes the change can affect run, if a baseline of ``store`` is known.
        Returns the report and the raw results (the next baseline, if the update is applied).
        """
        scratch = store.scratch_copy()
        scratch.update(update, base_iri=base_iri)
        if self.compiled is None:
            return validate(validated_graph(scratch), self.shapes), None
        view = validation_view(scratch)
        if self.baseline is None:
            report, raw = shacl_sparql.validate_store(view, self.compiled)
            return report, raw
        after = view_triples(scratch)
        changed = after ^ self.baseline_triples
        affected = shacl_sparql.affected_shapes(self.compiled, changed_vocabulary(changed, view))
        report, raw = shacl_sparql.validate_store(
            view, self.compiled, shapes=affected, previous=self.baseline
        )
        return report, raw

    def accept(self, raw: list[shacl_sparql.RawResult] | None, store: Store) -> None:
        """The checked update was applied to ``store``: its results are the new baseline."""
        if raw is None or self.compiled is None:
            self.baseline = None
            return
        self.baseline = raw
        self.baseline_triples = view_triples(store)
