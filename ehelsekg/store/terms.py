"""Terms and answers shared by every store: rdflib ⇄ pyoxigraph terms, and QueryResult."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import islice
from typing import Literal as Kind

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from ehelsekg.namespaces import bind_all

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
