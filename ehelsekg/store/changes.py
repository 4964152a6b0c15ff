"""A write as the exact quads it adds and removes.

The update gate evaluates an update once, on a scratch copy, and takes the difference; what it
validated is then applied as these quads, never by running the update text a second time (which
would give ``NOW()``, ``UUID()``, ``BNODE()`` and ``RAND()`` new values).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from ehelsekg.store.terms import Triple, from_ox

#: The filter function that picks removed quads holding blank nodes (see ``removal_filter``).
REMOVED_FUNCTION = ox.NamedNode("urn:ehelsekg:removed")


@dataclass(frozen=True)
class QuadChange:
    """Quads a write adds and removes (pyoxigraph quads; they pickle across a worker's pipe)."""

    added: tuple[ox.Quad, ...] = ()
    removed: tuple[ox.Quad, ...] = ()
    #: Named graphs that came to exist, or ceased to (an empty graph exists in Oxigraph).
    created_graphs: tuple[str, ...] = ()
    dropped_graphs: tuple[str, ...] = ()
    #: Default-graph triples the write tried to remove that a source file states: kept.
    kept_source_facts: int = field(default=0)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.created_graphs or self.dropped_graphs)

    def graphs(self) -> set[str]:
        """The named graphs the change touches ('' for the default graph)."""
        touched = {
            quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""
            for quad in (*self.added, *self.removed)
        }
        return touched | set(self.created_graphs) | set(self.dropped_graphs)

    def summary(self) -> dict[str, int]:
        return {
            "inserted": len(self.added),
            "deleted": len(self.removed),
            "keptSourceFacts": self.kept_source_facts,
        }


def graph_names(store: ox.Store) -> set[str]:
    """The named graphs a pyoxigraph store holds (empty ones included)."""
    return {g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)}


def difference(
    before: set[ox.Quad],
    after: set[ox.Quad],
    graphs_before: set[str] = frozenset(),  # type: ignore[assignment]
    graphs_after: set[str] = frozenset(),  # type: ignore[assignment]
) -> QuadChange:
    """What turned ``before`` into ``after`` (quads, and the named graphs that exist), in a
    stable order.

    >>> a = ox.Quad(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/p"), ox.Literal("1"))
    >>> b = ox.Quad(ox.NamedNode("http://e/b"), ox.NamedNode("http://e/p"), ox.Literal("2"))
    >>> change = difference({a}, {b})
    >>> [str(q.subject) for q in change.added], [str(q.subject) for q in change.removed]
    (['<http://e/b>'], ['<http://e/a>'])
    """
    return QuadChange(
        added=_sorted(after - before),
        removed=_sorted(before - after),
        created_graphs=tuple(sorted(graphs_after - graphs_before)),
        dropped_graphs=tuple(sorted(graphs_before - graphs_after)),
    )


def _sorted(quads: Iterable[ox.Quad]) -> tuple[ox.Quad, ...]:
    return tuple(sorted(quads, key=str))


def has_blank_node(quad: ox.Quad) -> bool:
    return any(isinstance(term, ox.BlankNode) for term in (quad.subject, quad.object))


def asserted_delta(change: QuadChange) -> tuple[set[Triple], set[Triple]] | None:
    """(added, removed) asserted triples: the change's default-graph quads. None when one of
    them holds a blank node: applied as ``INSERT DATA``, it gets a new one in the store."""
    delta: tuple[set[Triple], set[Triple]] = (set(), set())
    for quads, into in zip((change.added, change.removed), delta, strict=True):
        for quad in quads:
            if not isinstance(quad.graph_name, ox.DefaultGraph):
                continue
            if has_blank_node(quad):
                return None
            into.add((from_ox(quad.subject), from_ox(quad.predicate), from_ox(quad.object)))
    return delta


def update_text(change: QuadChange) -> str:
    """``DELETE DATA`` and ``INSERT DATA`` operations for ``change``, as one update (one
    transaction). Quads holding blank nodes cannot be named in ``DELETE DATA``; removing them
    takes ``removal_filter``, which needs a store that runs custom functions.

    >>> q = ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/p"), ox.Literal("x"),
    ...             ox.NamedNode("http://e/g"))
    >>> print(update_text(QuadChange(added=(q,))))
    INSERT DATA {
    GRAPH <http://e/g> {
    <http://e/s> <http://e/p> "x" .
    }
    }
    """
    operations = [f"CREATE SILENT GRAPH <{graph}>" for graph in change.created_graphs]
    plain_removals = [q for q in change.removed if not has_blank_node(q)]
    if plain_removals:
        operations.append("DELETE DATA {\n" + _quad_block(plain_removals) + "}")
    if change.added:
        operations.append("INSERT DATA {\n" + _quad_block(change.added) + "}")
    operations += [f"DROP SILENT GRAPH <{graph}>" for graph in change.dropped_graphs]
    return " ;\n".join(operations)


def removal_filter(change: QuadChange) -> tuple[str, dict[ox.NamedNode, object]] | None:
    """An update removing the quads with blank nodes, and the custom function it filters with
    (pyoxigraph keeps blank node identity within one store, so the removed quads match)."""
    removals = {q for q in change.removed if has_blank_node(q)}
    if not removals:
        return None
    wanted = {(q.subject, q.predicate, q.object, q.graph_name) for q in removals}
    predicates = " ".join(sorted({str(q.predicate) for q in removals}))

    def removed(*terms: object) -> ox.Literal:
        # Three terms in the default graph, four in a named graph.
        s, p, o, *named = terms
        graph = named[0] if named else ox.DefaultGraph()
        return ox.Literal(
            "true" if (s, p, o, graph) in wanted else "false",
            datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"),
        )

    values = f"VALUES ?p {{ {predicates} }}"
    text = (
        f"DELETE {{ ?s ?p ?o }} WHERE {{ {values} ?s ?p ?o"
        f" FILTER({REMOVED_FUNCTION}(?s, ?p, ?o)) }} ;\n"
        f"DELETE {{ GRAPH ?g {{ ?s ?p ?o }} }} WHERE {{ {values} GRAPH ?g {{ ?s ?p ?o }}"
        f" FILTER({REMOVED_FUNCTION}(?s, ?p, ?o, ?g)) }}"
    )
    return text, {REMOVED_FUNCTION: removed}


def _quad_block(quads: Sequence[ox.Quad]) -> str:
    by_graph: dict[str, list[str]] = {}
    for quad in quads:
        graph = quad.graph_name
        key = str(graph) if isinstance(graph, ox.NamedNode) else ""
        by_graph.setdefault(key, []).append(f"{quad.subject} {quad.predicate} {quad.object} .")
    parts = []
    for name, lines in by_graph.items():
        body = "\n".join(lines) + "\n"
        parts.append(body if not name else f"GRAPH {name} {{\n{body}}}\n")
    return "".join(parts)
