"""One entity as its page and its RDF description show it: its statements, those of its blank
nodes, the statements pointing at it, and where they come from (files and reports)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from rdflib import BNode, Graph, URIRef
from rdflib.term import Node

from ehelsekg.catalogue.named import Catalogue
from ehelsekg.labels import best_labels
from ehelsekg.namespaces import bind_all
from ehelsekg.store.base import Store


@dataclass(frozen=True)
class Entity:
    """What is known about one entity, as the resource page and the RDF views show it."""

    iri: URIRef
    statements: tuple[tuple[URIRef, Node], ...]
    nested: Mapping[BNode, tuple[tuple[URIRef, Node], ...]]
    incoming: tuple[tuple[Node, URIRef], ...]
    graphs: tuple[URIRef, ...] = ()
    reports: tuple[URIRef, ...] = ()
    labels: Mapping[Node, str] = field(default_factory=dict)

    def description(self) -> Graph:
        """The entity's statements, its blank nodes' and the statements pointing at it."""
        graph = bind_all(Graph())
        for prop, value in self.statements:
            graph.add((self.iri, prop, value))
        for node, rows in self.nested.items():
            for prop, value in rows:
                graph.add((node, prop, value))
        for subject, prop in self.incoming:
            graph.add((subject, prop, self.iri))
        return graph


def load_entity(store: Store, catalogue: Catalogue, iri: URIRef) -> Entity | None:
    """What the store asserts about ``iri`` (and what points at it), or None if nothing."""
    lookup = catalogue.lookup
    bound = {"entity": iri}
    out = store.query(lookup("resource-out"), bindings=bound, include_inferred=False)
    incoming = store.query(lookup("resource-in"), bindings=bound, include_inferred=False)
    if not out.rows and not incoming.rows:
        return None
    statements: dict[tuple[URIRef, Node], None] = {}
    nested: dict[BNode, dict[tuple[URIRef, Node], None]] = defaultdict(dict)
    for prop, value, nested_prop, nested_value in out.rows:
        assert isinstance(prop, URIRef) and value is not None
        statements[(prop, value)] = None
        if isinstance(value, BNode) and isinstance(nested_prop, URIRef) and nested_value:
            nested[value][(nested_prop, nested_value)] = None
    sources = store.query(lookup("resource-sources"), bindings=bound, include_inferred=False)
    graphs = sorted({g for g, _ in sources.rows if isinstance(g, URIRef)})
    reports = sorted({r for _, r in sources.rows if isinstance(r, URIRef)})
    labels = best_labels(store.query(lookup("resource-labels")).records())
    return Entity(
        iri=iri,
        statements=tuple(statements),
        nested={node: tuple(rows) for node, rows in nested.items()},
        incoming=tuple((s, p) for s, p in incoming.rows if s is not None and isinstance(p, URIRef)),
        graphs=tuple(graphs),
        reports=tuple(reports),
        labels=labels,
    )
